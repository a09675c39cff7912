"""The scan station: receiving a parcel by scanning (rule 7), and every refusal in words."""

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Batch, Event, Piece
from app.services import batches
from app.services.settings import rules as current_rules
from tests.app.conftest import PASSWORD
from workshop.codes import batch_code, piece_code
from workshop.statuses import BatchStatus, Direction, PieceStatus


@pytest.fixture()
def make_parcel(db_session, make_store, make_user, make_product, make_defect, make_piece):
    """A dispatched outbound batch of ``n`` pieces: (batch, pieces), made through the real services."""

    def make(n=3, store=None, defect=None):
        store = store or make_store()
        clerk = make_user("store", store=store)
        product, defect = make_product(), defect or make_defect()
        pieces = [make_piece(store=store, user=clerk, product=product, defect=defect) for _ in range(n)]
        batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND)
        for piece in pieces:
            batches.add_piece(clerk, batch, piece)
        batches.dispatch_batch(clerk, batch, current_rules(), carrier="顺丰速运", tracking_no="SF1234567890")
        db_session.commit()
        return batch, pieces

    return make


@pytest.fixture()
def technician(make_user, login):
    def make(locale="en"):
        return login(make_user("technician", locale=locale))

    return make


def scan(client, text, mode="receive", batch_id=None, **extra):
    response = client.post("/bench/scan.json", json={"text": text, "mode": mode, "batch_id": batch_id, **extra})
    assert response.status_code == 200, response.data[:300]
    return response.get_json()


def wrong_check_character(code: str) -> str:
    return code[:-1] + ("A" if code[-1] != "A" else "B")


def test_the_scan_station_has_one_focused_input_and_the_csrf_token_for_the_script(client, technician):
    technician()
    page = client.get("/bench/scan").get_data(as_text=True)
    assert 'id="scan-input"' in page and "autofocus" in page
    assert 'name="csrf-token"' in page
    assert "js/scan.js" in page


def test_store_staff_may_not_use_the_scan_station(client, make_store, make_user, login):
    login(make_user("store", store=make_store()))
    assert client.get("/bench/scan").status_code == 403
    assert client.post("/bench/scan.json", json={"text": "x"}).status_code == 403


def test_receiving_a_thirty_piece_parcel_takes_thirty_one_scans(client, technician, make_parcel):
    batch, pieces = make_parcel(30)
    technician()
    opened = scan(client, batch.code)
    assert opened["outcome"] == "ok" and opened["code"] == "batch_opened"
    assert opened["mode"] == "receive" and opened["batch"]["id"] == batch.id
    assert len(opened["expected"]) == 30 and opened["expected"][0]["code"] == pieces[0].code
    assert opened["counts"] == {"expected": 30, "received": 0, "missing": 30, "unexpected": 0}
    for n, piece in enumerate(pieces, start=1):
        answer = scan(client, piece.code, batch_id=batch.id)
        assert answer["outcome"] == "ok", answer["message"]
        assert answer["counts"]["received"] == n
    assert answer["counts"] == {"expected": 30, "received": 30, "missing": 0, "unexpected": 0}
    received = db.session.scalar(select(func.count()).select_from(Event).where(Event.action == "receive"))
    assert received == 30


def test_a_code_is_read_forgivingly_with_spaces_lower_case_and_full_width_characters(client, technician, make_parcel):
    batch, pieces = make_parcel(2)
    technician()
    scan(client, batch.code.lower())
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in pieces[0].code)
    assert scan(client, f"  {full_width}\u3000", batch_id=batch.id)["outcome"] == "ok"
    assert scan(client, f" {pieces[1].code.lower()} ", batch_id=batch.id)["outcome"] == "ok"


def test_a_piece_scanned_twice_is_already_received_and_nothing_changes(client, technician, make_parcel):
    batch, pieces = make_parcel(2)
    technician()
    scan(client, batch.code)
    scan(client, pieces[0].code, batch_id=batch.id)
    again = scan(client, pieces[0].code, batch_id=batch.id)
    assert again["outcome"] == "warning" and again["code"] == "already_received"
    assert again["message"] == f"Piece {pieces[0].code} is already received. Nothing was changed."
    assert again["counts"]["received"] == 1
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.action == "receive")) == 1


def test_a_piece_scanned_twice_is_told_in_chinese_to_a_chinese_user(client, technician, make_parcel):
    batch, pieces = make_parcel(1)
    technician(locale="zh_Hans")
    scan(client, batch.code)
    scan(client, pieces[0].code, batch_id=batch.id)
    again = scan(client, pieces[0].code, batch_id=batch.id)
    assert again["message"] == f"问题件 {pieces[0].code} 已签收，未做任何更改。"


@pytest.mark.parametrize(
    "locale, expected",
    [
        (
            "en",
            "Piece {code} belongs to batch {batch} of 上海南京东路店, not to this one. Set it aside and check that batch.",
        ),
        ("zh_Hans", "问题件 {code} 属于 上海南京东路店 的批次 {batch}，不属于本批次。请单独放置，并核对该批次。"),
    ],
)
def test_a_piece_of_another_batch_is_refused_with_its_batch_and_store(
    client, technician, make_parcel, make_store, locale, expected
):
    batch, _ = make_parcel(1, store=make_store(name="北京王府井店"))
    other, others = make_parcel(1, store=make_store(name="上海南京东路店"))
    technician(locale)
    scan(client, batch.code)
    answer = scan(client, others[0].code, batch_id=batch.id)
    assert answer["outcome"] == "refused" and answer["code"] == "wrong_batch"
    assert answer["message"] == expected.format(code=others[0].code, batch=other.code)
    assert db.session.get(Piece, others[0].id).status == PieceStatus.IN_TRANSIT


@pytest.mark.parametrize(
    "locale, expected",
    [
        ("en", "“{text}” has a wrong check character: a character was mistyped or misread. Scan the label again."),
        ("zh_Hans", "“{text}”的校验字符不正确：有字符输错或识别错误。请重新扫描标签。"),
    ],
)
def test_a_code_with_a_wrong_check_character_is_refused(client, technician, make_parcel, locale, expected):
    batch, pieces = make_parcel(1)
    technician(locale)
    scan(client, batch.code)
    bad = wrong_check_character(pieces[0].code)
    answer = scan(client, bad, batch_id=batch.id)
    assert answer["outcome"] == "refused" and answer["code"] == "invalid_code"
    assert answer["message"] == expected.format(text=bad)
    assert answer["counts"]["received"] == 0


def test_something_that_is_not_a_code_is_refused_with_what_a_code_looks_like(client, technician):
    technician()
    answer = scan(client, "hello")
    assert answer["outcome"] == "refused" and answer["code"] == "invalid_code"
    assert "is not one of our codes (a letter, 8 digits and a check character" in answer["message"]


@pytest.mark.parametrize(
    "locale, expected",
    [
        ("en", "{code} is not registered. If this piece is in the parcel, register it as unexpected."),
        ("zh_Hans", "{code} 尚未登记。如果该件在包裹中，请将其登记为计划外件。"),
    ],
)
def test_an_unknown_well_formed_label_offers_to_register_it_as_unexpected(
    client, technician, make_parcel, locale, expected
):
    batch, _ = make_parcel(1)
    technician(locale)
    scan(client, batch.code)
    unknown = piece_code(99_000)
    answer = scan(client, unknown, batch_id=batch.id)
    assert answer["outcome"] == "warning" and answer["code"] == "unknown_piece"
    assert answer["message"] == expected.format(code=unknown)
    assert answer["register_unexpected"] == {"code": unknown, "batch_id": batch.id}


def test_an_unexpected_piece_is_registered_and_received_and_counted(
    client, technician, make_parcel, make_product, make_defect
):
    batch, _ = make_parcel(2)
    make_product(style="G77001")
    defect = make_defect()
    technician()
    scan(client, batch.code)
    unknown = piece_code(99_001)
    response = client.post(
        "/bench/unexpected.json", data={"code": unknown, "batch_id": batch.id, "product": "G77001", "defect": defect.id}
    )
    answer = response.get_json()
    assert response.status_code == 200 and answer["outcome"] == "ok", answer
    assert answer["counts"] == {"expected": 2, "received": 1, "missing": 2, "unexpected": 1}
    piece = db.session.get(Piece, 99_001)
    assert piece.unexpected and piece.status == PieceStatus.RECEIVED and piece.batch_id == batch.id
    assert scan(client, unknown, batch_id=batch.id)["code"] == "already_received"


def test_an_unexpected_piece_needs_a_known_product(client, technician, make_parcel, make_defect):
    batch, _ = make_parcel(1)
    defect = make_defect()
    technician()
    response = client.post(
        "/bench/unexpected.json",
        data={"code": piece_code(99_002), "batch_id": batch.id, "product": "NOPE", "defect": defect.id},
    )
    assert response.status_code == 422 and response.get_json()["outcome"] == "refused"
    assert db.session.get(Piece, 99_002) is None


def test_a_piece_scanned_before_any_slip_is_refused_with_what_to_do(client, technician, make_parcel):
    _, pieces = make_parcel(1)
    technician()
    answer = scan(client, pieces[0].code)
    assert answer["outcome"] == "refused" and answer["code"] == "no_batch"
    assert answer["message"] == "Scan the parcel's dispatch slip first, then its pieces."


def test_a_piece_scanned_before_any_slip_is_refused_in_chinese(client, technician, make_parcel):
    _, pieces = make_parcel(1)
    technician("zh_Hans")
    assert scan(client, pieces[0].code)["message"] == "请先扫描包裹的发货单，再扫描其中的问题件。"


def test_a_slip_that_is_not_yet_dispatched_is_refused(client, technician, make_store, make_user, make_piece):
    store = make_store()
    clerk = make_user("store", store=store)
    piece = make_piece(store=store, user=clerk)
    batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND)
    batches.add_piece(clerk, batch, piece)
    db.session.commit()
    technician()
    answer = scan(client, batch.code)
    assert answer["outcome"] == "refused" and answer["code"] == "not_dispatched"
    assert answer["message"] == f"Batch {batch.code} has not been dispatched yet: its sender must dispatch it first."


def test_an_unknown_batch_is_refused(client, technician):
    technician()
    answer = scan(client, batch_code(424242))
    assert answer["outcome"] == "refused" and answer["code"] == "unknown_batch"


def test_closing_the_check_marks_the_missing_pieces_and_records_who(client, technician, make_parcel):
    batch, pieces = make_parcel(3)
    tech = technician()
    scan(client, batch.code)
    scan(client, pieces[0].code, batch_id=batch.id)
    closed = scan(client, "close", batch_id=batch.id)
    assert closed["outcome"] == "ok" and closed["code"] == "closed"
    assert closed["counts"] == {"expected": 3, "received": 1, "missing": 2, "unexpected": 0}
    assert closed["message"] == f"Check of batch {batch.code} closed: 1 received, 2 missing, 0 unexpected."
    db.session.expire_all()
    batch = db.session.get(Batch, batch.id)
    assert batch.status == BatchStatus.CLOSED and batch.closed_by_id == tech.id and batch.closed_at is not None
    assert db.session.get(Piece, pieces[1].id).status == PieceStatus.MISSING
    again = scan(client, "", batch_id=batch.id, action="close")
    assert again["outcome"] == "warning" and again["code"] == "already_closed"


def test_a_missing_piece_that_turns_up_later_is_received(client, technician, make_parcel):
    batch, pieces = make_parcel(2)
    technician()
    scan(client, batch.code)
    scan(client, "", batch_id=batch.id, action="close")
    reopened = scan(client, batch.code)
    assert reopened["outcome"] == "ok"
    late = scan(client, pieces[1].code, batch_id=batch.id)
    assert late["outcome"] == "ok" and late["code"] == "received"
    assert late["counts"]["received"] == 1 and late["counts"]["missing"] == 1


@pytest.mark.parametrize(
    "locale, expected",
    [
        (
            "en",
            "Piece {code} is in transit, so it cannot be graded. It is on its way to the workshop: receive it by scanning its batch.",
        ),
        ("zh_Hans", None),
    ],
)
def test_grading_a_piece_that_has_not_arrived_is_refused_with_its_state(
    client, technician, make_parcel, locale, expected
):
    _, pieces = make_parcel(1)
    technician(locale)
    answer = scan(client, pieces[0].code, mode="grade")
    assert answer["outcome"] == "refused" and answer["code"] == "invalid_transition"
    if expected:
        assert answer["message"] == expected.format(code=pieces[0].code)
    else:
        assert pieces[0].code in answer["message"] and "运输中" in answer["message"]


def test_scanning_a_received_piece_in_grading_mode_opens_its_card(client, technician, make_parcel):
    batch, pieces = make_parcel(1)
    technician()
    scan(client, batch.code)
    scan(client, pieces[0].code, batch_id=batch.id)
    answer = scan(client, pieces[0].code, mode="grade")
    assert answer["outcome"] == "ok" and answer["go_to"] == f"/bench/pieces/{pieces[0].id}"


def test_a_slip_scanned_in_grading_mode_switches_to_receiving(client, technician, make_parcel):
    batch, _ = make_parcel(1)
    technician()
    answer = scan(client, batch.code, mode="grade")
    assert answer["mode"] == "receive" and answer["batch"]["id"] == batch.id


def test_the_page_reopened_on_a_batch_shows_its_pieces_and_counters(client, technician, make_parcel):
    batch, pieces = make_parcel(2)
    technician()
    scan(client, batch.code)
    page = client.get(f"/bench/scan?batch={batch.id}").get_data(as_text=True)
    assert pieces[0].code in page and pieces[1].code in page and f'value="{batch.id}"' in page


def test_two_technicians_scanning_the_same_piece_at_once_receive_it_exactly_once(app, client, make_parcel, make_user):
    batch, pieces = make_parcel(8)
    techs = [make_user("technician"), make_user("technician")]
    clients = []
    for tech in techs:
        c = app.test_client()  # the fixture's client class: each request in its own context and session
        assert c.post("/login", data={"username": tech.username, "password": PASSWORD}).status_code == 302
        assert c.post("/bench/scan.json", json={"text": batch.code}).get_json()["outcome"] == "ok"
        clients.append(c)
    # Plain values: the threads have no application context to load ORM attributes with.
    codes = {p.id: p.code for p in pieces}
    batch_id = batch.id
    answers: dict[int, list] = {piece_id: [] for piece_id in codes}
    errors = []

    def scanner(c):
        try:
            with app.app_context():  # the test client commits the thread's own session around requests
                for piece_id, code in codes.items():
                    barrier.wait(timeout=30)
                    r = c.post("/bench/scan.json", json={"text": code, "mode": "receive", "batch_id": batch_id})
                    answers[piece_id].append(r.get_json() or {"code": r.status_code})
        except Exception as e:  # surfaced below: a thread's failure must fail the test
            errors.append(e)

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=scanner, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    db.session.commit()  # end the test's own read snapshot (SQLite WAL) before counting
    for piece_id in codes:
        outcomes = sorted(str(a["code"]) for a in answers[piece_id])
        assert outcomes == ["already_received", "received"], answers[piece_id]
        events = db.session.scalar(
            select(func.count()).select_from(Event).where(Event.piece_id == piece_id, Event.action == "receive")
        )
        assert events == 1
