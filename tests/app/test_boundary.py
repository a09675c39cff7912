"""One request boundary: a use case commits once or keeps nothing, a refusal reads as a
sentence, a conflict says so, and every request leaves one log line with its request id."""

import json
import logging
import re
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import logs
from app.models import Event, Piece
from app.services import dashboard, registration
from tests.app.store_support import desk  # noqa: F401 (fixtures)
from workshop.statuses import PieceStatus

ROOT = Path(__file__).resolve().parents[2]


def test_a_server_error_logs_its_traceback_with_the_request_id_and_the_page_shows_it(
    client, login, desk, app, monkeypatch, caplog
):
    login(desk.clerk)

    def broken(user):
        raise RuntimeError("the shelf fell over")

    monkeypatch.setattr(dashboard, "status_counts", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with caplog.at_level(logging.INFO):
        response = client.get("/home")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert request_id in response.get_data(as_text=True)
    tracebacks = [r for r in caplog.records if r.exc_info and r.request_id == request_id]
    assert tracebacks and "the shelf fell over" in logs.TextFormatter().format(tracebacks[0])
    (line,) = [r for r in caplog.records if getattr(r, "action", None) == "main.home"]
    assert (line.outcome, line.user, line.request_id) == ("error", str(desk.clerk.id), request_id)


def test_every_use_case_writes_one_line_with_who_what_which_outcome_and_time(client, login, desk, make_piece, caplog):
    piece = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    with caplog.at_level(logging.INFO):
        client.post("/store/batch/scan", data={"code": piece.code})
        client.post("/store/batch/scan", data={"code": piece.code})
    lines = [r for r in caplog.records if getattr(r, "action", None) == "store.batch_scan"]
    assert [r.outcome for r in lines] == ["ok", "refused:already_done"]
    assert all(r.user == str(desk.clerk.id) and isinstance(r.ms, float) for r in lines)
    assert lines[0].request_id != lines[1].request_id


def test_a_sensible_incoming_request_id_is_kept_and_echoed(client):
    response = client.get("/login", headers={"X-Request-ID": "proxy-abc123"})
    assert response.headers["X-Request-ID"] == "proxy-abc123"
    strange = client.get("/login", headers={"X-Request-ID": "<script>"})
    assert re.fullmatch(r"[0-9a-f]{16}", strange.headers["X-Request-ID"])


def test_json_logs_are_one_object_per_line_with_the_use_case_fields():
    record = logging.LogRecord("workshop", logging.INFO, __file__, 1, "use case", None, None)
    record.__dict__.update(request_id="r1", user="7", action="bench.grade", object="piece_id=3", outcome="ok", ms=4.2)
    entry = json.loads(logs.JsonFormatter().format(record))
    assert {k: entry[k] for k in ("request_id", "user", "action", "object", "outcome", "ms")} == {
        "request_id": "r1",
        "user": "7",
        "action": "bench.grade",
        "object": "piece_id=3",
        "outcome": "ok",
        "ms": 4.2,
    }


def test_a_refused_use_case_keeps_nothing_it_did_before_the_refusal(client, login, desk, make_piece, db_session):
    # Two pieces ticked, the second already packed elsewhere: neither moves, nothing is recorded.
    first, second = make_piece(store=desk.store, user=desk.clerk), make_piece(store=desk.other_store)
    login(desk.clerk)
    before = db_session.scalar(select(func.count(Event.id)))
    response = client.post("/store/batch/add", data={"piece_ids": [first.id, second.id]})
    assert response.status_code == 404
    db_session.expire_all()
    assert db_session.get(Piece, first.id).status == PieceStatus.REGISTERED
    assert db_session.scalar(select(func.count(Event.id))) == before


def test_a_conflict_at_commit_keeps_nothing_and_says_to_try_again(
    client, login, desk, make_piece, db_session, monkeypatch
):
    piece = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    real = registration.mark_labelled

    def collide(actor, pieces, at=None):
        real(actor, pieces, at=at)
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(registration, "mark_labelled", collide)
    response = client.post(
        f"/store/pieces/{piece.id}/label", data={"format": "sheet", "start": 1}, headers={"Referer": "/store/"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/store/")  # back where it was
    page = client.get("/store/").get_data(as_text=True)
    assert "Someone else changed this at the same moment; nothing was saved. Try again." in page
    db_session.expire_all()
    assert db_session.get(Piece, piece.id).labelled_at is None


def test_views_hold_no_transaction_or_refusal_handling_of_their_own():
    # idempotency.py and auth.py are the API's edge itself (a replay, the token's "last used"), not views.
    edge = {"idempotency.py", "auth.py"}
    views = [*ROOT.glob("app/*/routes.py"), *(p for p in ROOT.glob("app/api/*.py") if p.name not in edge)]
    offending = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in views
        for line in path.read_text().splitlines()
        if re.search(r"session\.(commit|rollback)\(|except \w*(DomainError|RuleViolation|AlreadyDone|Refused)", line)
    ]
    assert offending == []


def test_templates_ask_for_actions_and_never_compare_status_strings():
    offending = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in ROOT.glob("app/**/templates/**/*.html")
        for line in path.read_text().splitlines()
        if re.search(r"\.(status|grade)(\.value)?\s*[!=]=\s*['\"]", line)
    ]
    assert offending == []
