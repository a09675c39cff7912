"""No page answers 500, whatever it is sent: the HTML side's counterpart of the API's
schemathesis run (tests/app/test_api_schemathesis*.py).

The test finds its targets itself, logged in as each role on the demo chain:
- every rule of the URL map outside the API, with its int arguments at real ids (found by
  crawling the pages) and at ids beyond any database integer, its string arguments fuzzed;
- every form of every page it reaches (fields, options, method, action) and every query
  name a page links to, filters by or the code reads (``request.args``/``inputs.arg_*``);
- the JSON endpoints of the pages (the scan station), sent nested and wrongly typed bodies.
It sends them generated values — huge, negative, exponent, NaN, NUL, emoji, nested, wrong
types — and fails on any 500 (or exception), listing each with what was sent.
"""

import io
import json
import random
import re
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import select

from app import demo
from app.extensions import db
from app.models import User
from workshop.roles import Role

ROOT = Path(__file__).resolve().parents[2]

VALUES = [
    "",
    "0",
    "-1",
    "2147483648",
    "99999999999999999999999999",
    "1e309",
    "1E+5",
    "-1e-309",
    "Infinity",
    "NaN",
    "0x1F",
    "１２３",
    "12.345",
    "\u0000",
    "a\u0000b",
    "😀🧵",
    "' OR 1=1 --",
    "<script>x</script>",
    "../../etc/passwd",
    "x" * 5000,
    "[]",
    '{"a": {"b": [1, [2, [3]]]}}',
    "2026-13",
    "0000-01",
    "10000-01",
    "9999-12-31",
    "true",
    "null",
]
# What a role sends to a form or page that another role already fuzzed in full.
LIGHT = ["99999999999999999999999999", "1e309", "NaN", "a\u0000b", "😀🧵"]
JSON_VALUES = [
    None,
    True,
    -1,
    2**31,
    2**70,
    1.5,
    1e308,
    "1e309",
    "NaN",
    "\u0000",
    "😀",
    [],
    [1, [2, [3]]],
    {"a": {"b": {"c": []}}},
    "x" * 5000,
]
JSON_KEYS = ("text", "code", "mode", "batch_id", "action", "defect", "product", "size", "colour", "piece_id")
HUGE_IDS = (2**31, 10**30)
# Never posted: they end the fuzzer's own log-in (tested in test_hardening_sessions.py).
SKIP_POSTS = {"auth.logout", "auth.end_all_sessions", "auth.end_session", "auth.sign_out_user"}
PER_FIELD = 3  # values per field alone; every value is also sent in every field at once
MAX_PAGES = 300  # pages crawled per role (every page with its own form is reached within it)
PER_ENDPOINT = 2  # distinct addresses crawled per endpoint


class Page(HTMLParser):
    """The links and forms of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "button") and a.get("formaction"):
            # A button that sends its form elsewhere: one more form, the same fields.
            method = (a.get("formmethod") or self._form["method"]).lower()
            self.forms.append({"action": a["formaction"], "method": method, "fields": self._form["fields"]})
        elif self._form is not None and tag in ("input", "select", "textarea", "button") and a.get("name"):
            kind = (a.get("type") or "").lower()
            if kind == "file":
                return
            fields = self._form["fields"]
            if tag == "select":
                self._select = a["name"]
                fields.setdefault(a["name"], "")
            elif kind in ("checkbox", "radio"):
                if kind == "checkbox" or a["name"] not in fields or "checked" in a:
                    fields[a["name"]] = a.get("value", "on")
            elif tag != "button" or a["name"] not in fields:
                fields[a["name"]] = a.get("value") or ""
        elif tag == "option" and self._form is not None and self._select:
            if not self._form["fields"].get(self._select) and a.get("value"):
                self._form["fields"][self._select] = a["value"]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def source_query_names() -> set[str]:
    """The query names the code reads, from its source."""
    names = set()
    for path in (ROOT / "app").rglob("*.py"):
        if "/api/" in str(path):
            continue
        text = path.read_text()
        names |= set(re.findall(r"request\.args(?:\.get)?[\(\[]\"(\w+)\"", text))
        names |= set(re.findall(r"inputs\.arg_\w+\(\"(\w+)\"", text))
    return names | {"page"}


class Fuzzer:
    def __init__(self, app, client, user: User, password: str) -> None:
        self.app, self.client, self.user, self.password = app, client, user, password
        self.failures: list[str] = []
        self.requests = 0
        self.rng = random.Random(user.id)

    def log_in(self) -> None:
        response = self.client.post("/login", data={"username": self.user.username, "password": self.password})
        assert response.status_code == 302, f"{self.user.username} could not log in"

    def send(self, method: str, url: str, keep: bool = False, **kwargs):
        self.requests += 1
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as e:  # TESTING propagates a view's exception: that is the 500
            self.failures.append(f"{self.user.role} {method} {url} {_short(kwargs)} → {type(e).__name__}: {e}"[:600])
            db.session.rollback()
            return None
        if response.status_code >= 500:
            self.failures.append(f"{self.user.role} {method} {url} {_short(kwargs)} → {response.status_code}"[:600])
        location = response.headers.get("Location", "")
        if response.status_code in (301, 302, 303) and urlsplit(location).path == "/login":
            self.log_in()
        if not keep:
            response.close()
        return response

    def crawl(self, starts: list[str], seeds: list[str]) -> tuple[dict[str, list[str]], list[tuple[str, dict]]]:
        """Same-site GET pages reachable from the starts: addresses by endpoint, forms found."""
        seen: set[str] = set()
        by_endpoint: dict[str, list[str]] = defaultdict(list)
        forms: dict[tuple, tuple[str, dict]] = {}
        queue = list(starts)
        adapter = self.app.url_map.bind("localhost")
        while queue and len(seen) < MAX_PAGES:
            url = queue.pop(0)
            parts = urlsplit(url)
            if parts.netloc or not parts.path.startswith("/") or url in seen:
                continue
            try:
                endpoint, _args = adapter.match(parts.path, method="GET")
            except Exception:
                continue
            if endpoint in ("static", "healthz") or endpoint.startswith("api."):
                continue
            if len(by_endpoint[endpoint]) >= PER_ENDPOINT and url not in seeds:
                continue
            seen.add(url)
            by_endpoint[endpoint].append(url)
            response = self.send("GET", url, keep=True)
            if response is None or response.mimetype != "text/html":
                continue
            page = Page()
            page.feed(response.get_data(as_text=True))
            response.close()
            queue.extend(link.split("#")[0] for link in page.links if link and not link.startswith("#"))
            for form in page.forms:
                action = form["action"] or parts.path
                key = (form["method"], _endpoint_of(adapter, action, form["method"]), tuple(sorted(form["fields"])))
                forms.setdefault(key, (url, {**form, "action": action}))
        return by_endpoint, list(forms.values())

    def fuzz_form(self, form: dict, own_paths: set[str], light: bool = False) -> None:
        action, method = form["action"], form["method"]
        if urlsplit(action).path in own_paths:
            return
        adapter = self.app.url_map.bind("localhost")
        endpoint = _endpoint_of(adapter, action, method)
        if endpoint is None or endpoint in SKIP_POSTS:
            return
        base = {k: v for k, v in form["fields"].items() if k != "csrf_token"}
        names = list(base)

        def go(data):
            if method == "get":
                self.send("GET", urlsplit(action).path + "?" + urlencode(data, doseq=True))
            else:
                self.send("POST", action, data=data)

        go(base)
        for value in LIGHT if light else VALUES:
            go({name: value for name in names} or {"x": value})
        if light:
            return  # another role fuzzed this form field by field already
        for name in names:
            for value in self.rng.sample(VALUES, PER_FIELD):
                go({**base, name: value})
            go({**base, name: ["1", "2", "😀"]})  # the field repeated: a list where one value is expected

    def fuzz_query(self, url: str, every_name: set[str], own_names: set[str], light: bool = False) -> None:
        """Every value in every query name at once, then the page's own names one by one."""
        parts = urlsplit(url)
        known = dict(parse_qsl(parts.query))
        for value in LIGHT if light else VALUES:
            self.send("GET", parts.path + "?" + urlencode({**known, **{n: value for n in every_name}}))
        if light:
            return
        for name in sorted(own_names | set(known)):
            for value in self.rng.sample(VALUES, PER_FIELD):
                self.send("GET", parts.path + "?" + urlencode({**known, name: value}))

    def fuzz_json(self, path: str) -> None:
        for value in JSON_VALUES:
            self.send("POST", path, json={key: value for key in JSON_KEYS})
            self.send("POST", path, json=value)
        for key in JSON_KEYS:
            for value in self.rng.sample(JSON_VALUES, 5):
                self.send("POST", path, json={"text": "P000000010", key: value})
        self.send("POST", path, data="{" * 100_000, content_type="application/json")
        self.send("POST", path, data=b"\xff\xfe not json", content_type="application/json")

    def fuzz_rules(self) -> None:
        """Every non-API rule, with ids beyond any database integer and fuzzed string parts."""
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint in ("static", "healthz") or rule.endpoint.startswith("api.") or not rule.arguments:
                continue
            methods = sorted((rule.methods or set()) & {"GET", "POST"})
            for huge in HUGE_IDS:
                url = _build(rule, huge, "2026-11")
                for method in methods:
                    if method == "POST" and rule.endpoint in SKIP_POSTS:
                        continue
                    self.send(method, url)
            if any(type(rule._converters[a]).__name__ == "UnicodeConverter" for a in rule.arguments):
                for value in ("0000-01", "10000-01", "2026-13", "1e309", "😀", "%00", "x" * 300):
                    self.send("GET", _build(rule, 1, value)) if "GET" in methods else None


def _build(rule, number, text) -> str:
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__
        if converter == "IntegerConverter":
            values[name] = str(number)
        elif converter == "AnyConverter":
            values[name] = next(iter(rule._converters[name].items)) if hasattr(rule._converters[name], "items") else "x"
        else:
            values[name] = text.replace("/", "_")
    path = rule.rule
    for name, value in values.items():
        path = re.sub(r"<(?:[^:<>]+:)?" + name + r">", value, path)
    path = re.sub(r"<any\(([^),]+)[^>]*\):\w+>", r"\1", path)
    return path


def _endpoint_of(adapter, path: str, method: str) -> str | None:
    try:
        return adapter.match(urlsplit(path).path, method=method.upper())[0]
    except Exception:
        return None


def _short(kwargs: dict) -> str:
    return json.dumps({k: v for k, v in kwargs.items()}, ensure_ascii=False, default=str)[:300]


def every_state(session) -> tuple[list[str], User]:
    """Beside the demo's history, the states whose pages carry the remaining forms: received
    pieces to grade, an open return batch, a return parcel being checked at its store, a new
    unlabelled piece, open claims, a token; then one address per piece status and per kind of
    batch, so the crawl reaches each page's forms. Returns the seeds and the store user."""
    from app.models import Batch, Piece, Store
    from app.services import batches, bulk_import, finance, grading, registration, returns, scanning, tokens
    from app.services.settings import rules
    from workshop.money import Month
    from workshop.statuses import BatchStatus, Direction, Grade, PieceStatus, Source

    tech = session.scalars(select(User).where(User.role == Role.TECHNICIAN)).first()
    parcel = session.scalars(
        select(Batch).where(Batch.direction == Direction.OUTBOUND, Batch.status == BatchStatus.DISPATCHED)
    ).first()
    store = session.get(Store, parcel.store_id)
    clerk = session.scalars(select(User).where(User.role == Role.STORE, User.store_id == store.id)).first()
    scanning.scan_batch(tech, parcel.code)
    pieces = list(parcel.pieces[:3])
    for piece in pieces:
        scanning.receive_scan(tech, parcel, piece.code)
    for piece in (pieces[0], pieces[2]):
        grading.grade_piece(tech, piece, Grade.NO_FAULT, rules())
    going = batches.open_or_create_batch(tech, store, Direction.RETURN)
    returns.pack_return(tech, going, pieces[0])
    returns.dispatch_return(tech, going, carrier="顺丰速运", tracking_no="SF1")
    session.flush()
    returns.pack_return(tech, batches.open_or_create_batch(tech, store, Direction.RETURN), pieces[2])
    scanning.scan_batch(clerk, going.code)
    registration.register_piece(
        clerk,
        store,
        registration.NewPiece(product=pieces[1].product, defect=pieces[1].defect, source=Source.SHELF),
        rules(),
    )
    # Corrections: a parcel dispatched and not yet checked (taken back), a spreadsheet import.
    sent = registration.register_piece(
        clerk,
        store,
        registration.NewPiece(product=pieces[1].product, defect=pieces[1].defect, source=Source.SHELF),
        rules(),
    )
    outbound = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND)
    batches.add_piece(clerk, outbound, sent)
    batches.dispatch_batch(clerk, outbound, rules(), carrier="顺丰速运", tracking_no="SF2", shipping_fee=Decimal(5))
    # …and an open batch again, with a piece, for the open batch's own forms.
    refill = registration.register_piece(
        clerk,
        store,
        registration.NewPiece(product=pieces[1].product, defect=pieces[1].defect, source=Source.SHELF),
        rules(),
    )
    batches.add_piece(clerk, batches.open_or_create_batch(clerk, store, Direction.OUTBOUND), refill)
    row = bulk_import.Row(2, pieces[1].product.style_code, "", "", pieces[1].defect.code, "shelf", None, "")
    imported, _made = bulk_import.import_rows(clerk, store, [row], rules(), key="fuzz")
    finance_user = session.scalars(select(User).where(User.role == Role.FINANCE)).first()
    claims = []
    for key in sorted(set(session.scalars(select(Piece.scrap_month).where(Piece.scrap_month.is_not(None))))):
        month = Month.from_key(key)
        if month < finance.current_month(rules()):
            finance.close_month(finance_user, month, rules())
            claims += finance.open_claims(finance_user, month)
    assert claims, "a closed month with supplier scrap to claim"
    # a claim the supplier disputes a piece of, for the dispute pages' forms
    from app import clock
    from app.services.quality import disputes

    finance.mark_claim_sent(finance_user, claims[0], clock.today())
    disputes.dispute_piece(finance_user, claims[0], session.scalars(disputes.claim_pieces(claims[0])).first(), "fuzz")
    for user in session.scalars(select(User)):
        tokens.create_token(user, "fuzz")
    seeds = alert_buttons(session, finance_user)
    session.commit()
    for status in PieceStatus:
        piece = session.scalars(select(Piece).where(Piece.status == status).order_by(Piece.id)).first()
        if piece is not None:
            seeds += [f"/pieces/{piece.id}", f"/bench/pieces/{piece.id}", f"/store/pieces/{piece.id}/photos"]
    for direction in Direction:
        for status in BatchStatus:
            found = select(Batch).where(Batch.direction == direction, Batch.status == status)
            for batch in {
                session.scalars(found).first(),
                session.scalars(found.where(Batch.store_id == store.id)).first(),
            }:
                if batch is not None:
                    seeds += [f"/batches/{batch.id}", f"/store/batches/{batch.id}", f"/store/receive/{batch.id}"]
                    seeds += [f"/bench/returns/{batch.id}"]
    # The counter's page of a customer's piece not yet decided (the demo's first store); the
    # pieces decided are reached by their statuses above.
    from app.models import CustomerReturn

    undecided = session.scalars(
        select(CustomerReturn.piece_id).where(CustomerReturn.decision.is_(None)).order_by(CustomerReturn.id)
    ).first()
    if undecided is not None:
        seeds.append(f"/counter/pieces/{undecided}")
    ended = finance.current_month(rules())
    for _back in range(4):
        ended = ended.previous()
    seeds.append(f"/finance/{ended}/close")  # a month that has ended and is still open
    seeds += [f"/store/batches/{outbound.id}", f"/store/imports/{imported.id}"]
    seeds.append(f"/quality/claims/{claims[0].id}")
    return seeds, clerk


def alert_buttons(session, finance: User) -> list[str]:
    """A group robot (at a closed local port: a test message fails at once) and a message that
    failed for good, so the robot's test button and the failed list's "send again" are reached."""
    from app.models import Alert, AudienceKind, DeliveryStatus, Job, OutboxMessage, RobotKind
    from app.services import alerts

    robot = alerts.add_robot(
        session, alerts.RobotTarget(RobotKind.WECOM, AudienceKind.WORKSHOP, "http://127.0.0.1:9/cgi-bin/webhook/send")
    )
    alert = session.scalars(select(Alert).order_by(Alert.id)).first()
    session.add(
        OutboxMessage(
            alert_id=alert.id,
            channel=robot.kind.value,
            recipient=f"robot:{robot.id}",
            robot_id=robot.id,
            status=DeliveryStatus.FAILED,
            attempts=5,
            last_error="URLError: [Errno 111] Connection refused",
        )
    )
    # Finance's month-end pack, queued (no worker takes it during the crawl): its page, its
    # progress and its download (404 until it is ready).
    job = Job(id="f" * 32, kind="month_pack", params={"month": "2026-09", "prepared_by": "x"}, user_id=finance.id)
    session.add(job)
    session.flush()
    return [f"/admin/alerts/robots/{robot.id}", "/admin/alerts/failed"] + [
        f"/jobs/{job.id}{tail}" for tail in ("", ".json", "/download")
    ]


def import_preview_forms(fuzzer: "Fuzzer", session) -> list[tuple[str, dict]]:
    """The import's confirmation form appears only after a good file: upload one."""
    from app.models import DefectCode, Product

    product = session.scalars(select(Product)).first()
    defect = session.scalars(select(DefectCode)).first()
    csv = f"款号 Style code,缺陷代码 Defect code,来源 Source\n{product.style_code},{defect.code},shelf\n"
    response = fuzzer.client.post(
        "/store/import", data={"file": (io.BytesIO(csv.encode()), "pieces.csv")}, content_type="multipart/form-data"
    )
    page = Page()
    page.feed(response.get_data(as_text=True))
    return [("/store/import", {**f, "action": f["action"] or "/store/import"}) for f in page.forms]


@pytest.mark.slow
def test_no_page_answers_500_to_generated_input_as_any_role(app, client, db_session):
    started = time.monotonic()
    demo.load(now=datetime.now(UTC) - timedelta(days=40))  # its scrap in a month that has ended
    db_session.commit()
    seeds, clerk = every_state(db_session)
    query_names = source_query_names()
    users = {}
    for role in Role:
        user = db_session.scalars(
            select(User).where(User.role == role, User.active.is_(True)).order_by(User.id)
        ).first()
        users[role] = user
    failures, requests, endpoints_seen, done = [], 0, set(), set()
    for user in users.values():
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
        role_client = app.test_client()
        fuzzer = Fuzzer(app, role_client, user, demo.DEMO_PASSWORD)
        fuzzer.log_in()
        starts = (
            seeds
            + ["/", "/home", "/profile"]
            + [
                r.rule
                for r in app.url_map.iter_rules()
                if not r.arguments and "GET" in (r.methods or ()) and not r.endpoint.startswith(("api.", "static"))
            ]
        )
        by_endpoint, forms = fuzzer.crawl(starts, seeds)
        if user.role == Role.STORE:
            forms += import_preview_forms(fuzzer, db_session)
        endpoints_seen |= set(by_endpoint)
        own = {f"/admin/users/{user.id}"}
        adapter = app.url_map.bind("localhost")
        for _page, form in forms:
            endpoint = _endpoint_of(adapter, form["action"], form["method"])
            key = (form["method"], endpoint, tuple(sorted(form["fields"])))
            fuzzer.fuzz_form(form, own, light=key in done)
            done.add(key)
            endpoints_seen.add(endpoint)
        get_form_names = {n for _page, f in forms if f["method"] == "get" for n in f["fields"]}
        for endpoint, urls in by_endpoint.items():
            if endpoint.endswith(("_pdf", "slip", "export", "template", "photo")):
                continue  # files: their arguments are fuzzed through fuzz_rules
            own = {n for url in urls for n, _v in parse_qsl(urlsplit(url).query)}
            own |= {n for page, f in forms if f["method"] == "get" and page in urls for n in f["fields"]}
            fuzzer.fuzz_query(urls[0], query_names | get_form_names, own, light=endpoint in done)
            done.add(endpoint)
        for rule in app.url_map.iter_rules():
            if (
                rule.rule.endswith(".json")
                and "POST" in (rule.methods or ())
                and user.role in (Role.TECHNICIAN, Role.STORE)
            ):
                fuzzer.fuzz_json(rule.rule)
                endpoints_seen.add(rule.endpoint)
        if user.role in (Role.STORE, Role.ADMIN):  # scoped by store, and allowed everywhere
            fuzzer.fuzz_rules()
        failures += fuzzer.failures
        requests += fuzzer.requests
    # The anonymous visitor: the log-in form and every page's redirect.
    anonymous = Fuzzer(app, app.test_client(), users[Role.STORE], demo.DEMO_PASSWORD)
    anonymous.log_in = lambda: None
    anonymous.fuzz_form({"action": "/login", "method": "post", "fields": {"username": "", "password": ""}}, set())
    anonymous.fuzz_rules()
    failures += anonymous.failures
    requests += anonymous.requests

    # Coverage: every HTML endpoint that takes input was reached by some role.
    takes_input = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if not r.endpoint.startswith(("api.", "static"))
        and r.endpoint != "healthz"
        and ("POST" in r.methods or r.arguments)
    }
    unreached = takes_input - endpoints_seen - SKIP_POSTS - {"pieces.photo"}
    elapsed = time.monotonic() - started
    print(f"{requests} requests in {elapsed:.0f} s; {len(endpoints_seen)} endpoints reached")
    assert failures == [], "\n".join(failures[:40])
    assert unreached == set(), sorted(unreached)
