"""A year of a 2,000-store chain on PostgreSQL, loaded with COPY.

    .venv/bin/python -m bench.year_data --pieces 1000000 \\
        --database postgresql://postgres@127.0.0.1:5432/bench_year_1m

The database is (re)created and built by the migrations (``flask db upgrade``), then every
table the daily pages read is filled the way a year of real use fills it: 20 regions,
2,000 stores, 300 suppliers, 5,000 products, 3,000 users; pieces registered evenly over the
365 days before ``NOW`` (bigger stores register more), each store's weekly outbound parcel,
the workshop's twice-weekly return parcels, every piece's events (register, label, photo,
pack, dispatch, receive, grade, repair, pack/dispatch for return, receive back; a few
marked missing), photo rows, repairs, scrap with blame and cost, closed months and the
suppliers' claims (``SC-YYYYMM-NNNN``), and the kept counters (``piece_count``,
``on_time_day``). Pieces whose life has not reached a step by ``NOW`` stop where they are,
so the workshop holds what a real one would (about 150,000 pieces at 4 M a year).

Deterministic: the same ``--pieces`` and ``--now`` give the same rows. The indexes of the
big tables are dropped during the load and rebuilt from their own definitions afterwards
(faster than maintaining them row by row); foreign keys are not checked row by row during
COPY (``session_replication_role = replica``): the rows are consistent by construction, and
``tests/app/test_year_data.py`` checks the app's invariants on a small run.
"""

from __future__ import annotations

import argparse
import bisect
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.demo import COLOURS, DEFECTS, GARMENTS, OPERATIONS, SHOES, SIZES_GARMENT, SIZES_SHOES  # noqa: E402
from workshop.claims import claim_number  # noqa: E402
from workshop.money import Month  # noqa: E402

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)  # noon in Shanghai, a Monday
TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "bench1234"
SEED = 17
REGIONS, STORES, SUPPLIERS, PRODUCTS = 20, 2000, 300, 5000
ADMINS, FINANCE, TECHNICIANS, USERS = 2, 4, 50, 3000
LIMIT_DAYS = 15
BIG_TABLES = ("piece", "event", "batch", "photo", "repair")
SIZES = {"100k": 100_000, "1m": 1_000_000, "4m": 4_000_000, "12m": 12_000_000}

REGION_NAMES = [
    "华东一区", "华东二区", "华东三区", "华南一区", "华南二区", "华北一区", "华北二区", "华中区", "西南一区", "西南二区",
    "西北区", "东北一区", "东北二区", "山东区", "河南区", "江苏区", "浙江区", "福建区", "广西区", "云贵区",
]  # fmt: skip
CITIES = ["上海", "杭州", "南京", "苏州", "广州", "深圳", "北京", "天津", "武汉", "成都", "重庆", "西安", "沈阳",
          "长春", "济南", "郑州", "无锡", "宁波", "福州", "南宁"]  # fmt: skip
STREETS = ["中山路", "人民路", "解放路", "建设路", "南京路", "和平路", "新华路", "长江路", "万达广场", "银泰城"]
CARRIERS = ["顺丰速运", "中通快递", "圆通速递", "德邦物流"]

# How the workshop decides: grade shares, and how long each step takes.
GRADE_REPAIRABLE, GRADE_NO_FAULT = 0.62, 0.13  # the rest is scrap


def q(value) -> str:
    """A value in COPY's text format (no tab, newline or backslash ever appears in ours)."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S+00")
    return str(value)


def line(*values) -> str:
    return "\t".join(map(q, values)) + "\n"


def local_day(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


# Times are whole seconds since 1970 (UTC) while the rows are made; formatting them from two
# small tables is several times faster than datetime.strftime, and COPY is fed text.
DAY = 86_400
LOCAL = 8 * 3600  # Asia/Shanghai has no summer time
_HMS = [f"{h:02d}:{m:02d}:{sec:02d}" for h in range(24) for m in range(60) for sec in range(60)]
_DATES: dict[int, str] = {}


def day_text(day: int) -> str:
    text = _DATES.get(day)
    if text is None:
        text = _DATES[day] = date.fromordinal(719163 + day).isoformat()
    return text


def ts(sec: int) -> str:
    return f"{day_text(sec // DAY)} {_HMS[sec % DAY]}+00"


def local_day_number(sec: int) -> int:
    return (sec + LOCAL) // DAY


def as_datetime(sec: int) -> datetime:
    return datetime.fromtimestamp(sec, UTC)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class Batch:
    __slots__ = ("id", "direction", "store", "dispatch", "arrival", "close", "count", "week")

    def __init__(self, bid: int, direction: str, store: int, dispatch: int, transit_days: int):
        self.id = bid
        self.direction = direction
        self.store = store
        self.dispatch = dispatch
        hour = 2 if direction == "outbound" else 3  # 10:00 / 11:00 in Shanghai
        self.arrival = (dispatch // DAY + transit_days) * DAY + hour * 3600
        self.close = self.arrival + 7200
        self.count = 0
        iso = date.fromordinal(719163 + local_day_number(dispatch)).isocalendar()
        self.week = iso.year * 100 + iso.week

    def status(self, now: int) -> str:
        if self.dispatch > now:
            return "open"
        if self.arrival > now:
            return "dispatched"
        if self.close > now:
            return "checking"
        return "closed"


class Year:
    """The rows of one year, produced in one pass over the pieces."""

    def __init__(self, pieces: int, now: datetime = NOW, seed: int = SEED):
        self.n = pieces
        self.now = now
        self.start = now - timedelta(days=365)
        self.rng = random.Random(seed)
        rng = self.rng
        # Bigger and smaller stores: a store's weight is its share of registrations.
        weights = [rng.lognormvariate(0, 0.5) for _ in range(STORES)]
        total = sum(weights)
        self.store_cum = []
        acc = 0.0
        for w in weights:
            acc += w / total
            self.store_cum.append(acc)
        self.store_weekday = [None] + [s % 5 for s in range(1, STORES + 1)]  # Mon..Fri, the store's parcel day
        self.product_cost = [0] + [rng.randint(3000, 60000) for _ in range(PRODUCTS)]  # cents
        self.product_shoe = [False] + [p % 3 == 0 for p in range(1, PRODUCTS + 1)]
        self.defect_blame = [None] + [d[4].value if d[4] else "hq" for d in DEFECTS]
        self.store_user = {}  # store -> its first clerk's user id
        self.outbound: dict[tuple[int, date], Batch] = {}
        self.returns: dict[tuple[int, date], Batch] = {}
        self.batch_seq = 0
        self.supplier_month_cents: dict[tuple[int, int], int] = defaultdict(int)
        self.counts = defaultdict(int)

    # --- the chain --------------------------------------------------------------------------

    def regions(self) -> Iterator[str]:
        for r in range(1, REGIONS + 1):
            yield line(r, f"R{r:02d}", REGION_NAMES[r - 1])

    def stores(self) -> Iterator[str]:
        rng = random.Random(SEED + 1)
        for s in range(1, STORES + 1):
            region = (s - 1) // (STORES // REGIONS) + 1
            city = CITIES[region - 1]
            yield line(
                s,
                f"S{s:04d}",
                f"{city}{rng.choice(STREETS)}{s:04d}店",
                region,
                f"{city}市{rng.choice(STREETS)} {rng.randint(1, 999)} 号",
                f"店长{s:04d}",
                f"0{rng.randint(10, 999)}-{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                1,
                True,
            )

    def suppliers(self) -> Iterator[str]:
        for s in range(1, SUPPLIERS + 1):
            city = CITIES[s % len(CITIES)]
            yield line(s, f"SUP{s:03d}", f"{city}第{s}服饰有限公司", f"经理{s}", f"0{s % 900 + 100}-8800 {s:04d}",
                       f"{city}市工业园 {s} 号", True)  # fmt: skip

    def products(self) -> Iterator[str]:
        for p in range(1, PRODUCTS + 1):
            kinds = SHOES if self.product_shoe[p] else GARMENTS
            name, category, _, _ = kinds[p % len(kinds)]
            cost = self.product_cost[p]
            yield line(p, f"ST{p:05d}", f"{name} {p:05d}", category, (p - 1) % SUPPLIERS + 1, cents(cost),
                       cents(cost * 3 - cost % 100), True)  # fmt: skip

    def defects(self) -> Iterator[str]:
        for i, (code, zh, en, kind, blame) in enumerate(DEFECTS, start=1):
            yield line(i, code, zh, en, kind.value, blame.value if blame else None, True)

    def operations(self) -> Iterator[str]:
        for i, (code, zh, en) in enumerate(OPERATIONS, start=1):
            yield line(i, code, zh, en, True)

    def users(self) -> Iterator[str]:
        secret = generate_password_hash(PASSWORD)
        at = self.start - timedelta(days=30)
        uid = 0

        def user(username, name, role, store=None, region=None):
            nonlocal uid
            uid += 1
            return line(uid, username, name, secret, role, store, region, "zh_Hans", True, at, 0)

        for i in range(1, ADMINS + 1):
            yield user(f"admin{i}", f"管理员{i}", "admin")
        for i in range(1, FINANCE + 1):
            yield user(f"finance{i}", f"财务{i}", "finance")
        self.technicians = (uid + 1, uid + TECHNICIANS)
        for i in range(1, TECHNICIANS + 1):
            yield user(f"tech{i:02d}", f"技师{i:02d}", "technician")
        for r in range(1, REGIONS + 1):
            yield user(f"region{r:02d}", f"{REGION_NAMES[r - 1]}经理", "region", region=r)
        for s in range(1, STORES + 1):
            self.store_user[s] = uid + 1
            yield user(f"s{s:04d}", f"S{s:04d}店员", "store", store=s)
        s = 0
        while uid < USERS:
            s += 1
            yield user(f"s{s:04d}b", f"S{s:04d}店员乙", "store", store=s)

    # --- parcels ----------------------------------------------------------------------------

    @staticmethod
    def _next_day(after: int, weekdays: tuple[int, ...], hour: int) -> int:
        """The first moment at ``hour`` (UTC) on one of ``weekdays`` after ``after``."""
        day = after // DAY
        moment = day * DAY + hour * 3600
        if moment <= after:
            day += 1
        while (day + 3) % 7 not in weekdays:  # 1970-01-01 was a Thursday
            day += 1
        return day * DAY + hour * 3600

    def _batch(self, table: dict, direction: str, store: int, dispatch: int) -> Batch:
        key = (store, dispatch)
        batch = table.get(key)
        if batch is None:
            self.batch_seq += 1
            transit = 2 + (store * 7 + dispatch // DAY) % 3
            batch = table[key] = Batch(self.batch_seq, direction, store, dispatch, transit)
        return batch

    # --- pieces and their history -----------------------------------------------------------

    def pieces(self, out: dict[str, list[str]], flush) -> None:
        """Walk every piece's life up to ``now``; rows go into ``out[table]``; ``flush`` empties it."""
        rng = self.rng
        now, start = epoch(self.now), epoch(self.start)
        span = now - start
        tech_lo, tech_hi = self.technicians
        event_id = photo_id = repair_id = 0
        pieces_out, events, photos, repairs = out["piece"], out["event"], out["photo"], out["repair"]
        n_defects = len(DEFECTS)
        random_, randint, uniform = rng.random, rng.randint, rng.uniform
        N = r"\N"

        def event(at, actor, piece, batch, action, before, after, data="{}"):
            nonlocal event_id
            event_id += 1
            events.append(
                f"{event_id}\t{ts(at)}\t{actor}\t{piece}\t{batch}\t{N}\t{action}\t{before}\t{after}\t\t{data}\n"
            )

        for pid in range(1, self.n + 1):
            registered = start + int(span * (pid - random_()) / self.n)
            store = min(bisect.bisect_left(self.store_cum, random_()) + 1, STORES)
            clerk = self.store_user[store]
            product = randint(1, PRODUCTS)
            shoe = self.product_shoe[product]
            defect = randint(1, n_defects)
            roll = random_()
            source = "customer_return" if roll < 0.7 else "delivery" if roll < 0.9 else "shelf"
            delivered = day_text(local_day_number(registered) - randint(1, 12)) if source == "delivery" else N
            size = rng.choice(SIZES_SHOES if shoe else SIZES_GARMENT)
            colour = rng.choice(COLOURS)
            status = "registered"
            labelled = registered + 300
            batch_id = dispatched = due = received = return_id = back_at = back_on = N
            grade = graded_at = graded_by = suggested = blame = blamed_supplier = scrap_cost = scrapped = N
            scrap_month = N
            blame_reason = ""
            overridden = "f"

            event(registered, clerk, pid, N, "register", N, "registered")
            if labelled <= now:
                event(labelled, clerk, pid, N, "print_label", "registered", "registered")
                labelled_text = ts(labelled)
            else:
                labelled_text = N
            if random_() < 0.6:
                photo_at = registered + 180
                if photo_at <= now:
                    for _ in range(1 if random_() < 0.75 else 2):
                        photo_id += 1
                        name = f"{pid:08x}{photo_id:08x}"
                        photos.append(f"{photo_id}\t{pid}\t{name}.jpg\t{name}.thumb.jpg\timage/jpeg\t"
                                      f"{randint(180_000, 420_000)}\t1600\t1200\t{ts(photo_at)}\t{clerk}\n")  # fmt: skip
                        event(
                            photo_at,
                            clerk,
                            pid,
                            N,
                            "add_photo",
                            "registered",
                            "registered",
                            f'{{"photo": "{name}.jpg"}}',
                        )

            packed_at = registered + 3600
            dispatch_at = self._next_day(packed_at, (self.store_weekday[store],), 9)
            out_batch = self._batch(self.outbound, "outbound", store, dispatch_at)
            if packed_at <= now:
                status = "packed"
                batch_id = out_batch.id
                out_batch.count += 1
                event(packed_at, clerk, pid, batch_id, "pack", "registered", "packed")
            if status == "packed" and dispatch_at <= now:
                status = "in_transit"
                dispatched = ts(dispatch_at)
                due = day_text(local_day_number(dispatch_at) + LIMIT_DAYS)
                event(dispatch_at, clerk, pid, batch_id, "dispatch", "packed", "in_transit")
            ready = None
            if status == "in_transit":
                tech = randint(tech_lo, tech_hi)
                arrive = out_batch.arrival + 30 * out_batch.count
                if random_() < 0.004:  # not in the parcel when it was checked
                    if out_batch.close <= now:
                        status = "missing"
                        event(out_batch.close, tech, pid, batch_id, "mark_missing", "in_transit", "missing")
                    arrive = out_batch.close + randint(2, 9) * DAY
                if arrive <= now:
                    event(arrive, tech, pid, batch_id, "receive", status, "received")
                    status, received = "received", ts(arrive)
                    delay = uniform(1, 6) if random_() > 0.1 else uniform(7, 14)
                    graded = arrive + int(delay * DAY)
                    if graded <= now:
                        graded_at, graded_by = ts(graded), tech
                        g = random_()
                        if g < GRADE_REPAIRABLE:
                            grade, status = "repairable", "repairable"
                        elif g < GRADE_REPAIRABLE + GRADE_NO_FAULT:
                            grade, status, ready = "no_fault", "no_fault", graded
                        else:
                            grade, status = "scrap", "scrapped"
                            suggested = self.defect_blame[defect]
                            blame = suggested if random_() < 0.9 else rng.choice(("supplier", "store", "hq"))
                            blame_reason = "技师判定" if blame != suggested else "按缺陷代码建议"
                            overridden = "t" if blame != suggested else "f"
                            supplier = (product - 1) % SUPPLIERS + 1
                            blamed_supplier = supplier if blame == "supplier" else N
                            cost = self.product_cost[product]
                            scrap_cost, scrapped = cents(cost), graded_at
                            local = date.fromordinal(719163 + local_day_number(graded))
                            scrap_month = local.year * 100 + local.month
                            if blame == "supplier":
                                self.supplier_month_cents[(supplier, scrap_month)] += cost
                        event(graded, tech, pid, N, "grade", "received", status)
                        if grade == "repairable":
                            repaired = graded + int(uniform(1, 5) * DAY)
                            if repaired <= now:
                                status, ready = "repaired", repaired
                                minutes = randint(10, 120)
                                op = OPERATIONS[(defect + product) % len(OPERATIONS)][0]
                                repair_id += 1
                                repairs.append(
                                    f'{repair_id}\t{pid}\t{defect}\t["{op}"]\t\t{minutes}\t{ts(repaired)}\t{tech}\n'
                                )
                                event(repaired, tech, pid, N, "repair", "repairable", "repaired",
                                      f'{{"operations": ["{op}"], "minutes": {minutes}, "parts": []}}')  # fmt: skip
            if ready is not None:
                pack_at = ready + 7200
                if pack_at <= now:
                    before = status
                    ret_dispatch = self._next_day(pack_at, (1, 4), 8)  # Tuesdays and Fridays
                    ret = self._batch(self.returns, "return", store, ret_dispatch)
                    ret.count += 1
                    return_id = ret.id
                    status = "packed_for_return"
                    event(pack_at, tech, pid, ret.id, "pack_return", before, status)
                    if ret.dispatch <= now:
                        status = "returning"
                        event(ret.dispatch, tech, pid, ret.id, "dispatch_return", "packed_for_return", status)
                        back = ret.arrival + 20 * ret.count
                        if back <= now:
                            status, back_at, back_on = "back_at_store", ts(back), day_text(local_day_number(back))
                            event(back, clerk, pid, ret.id, "receive_back", "returning", status)
            self.counts[status] += 1
            pieces_out.append(
                f"{pid}\t{store}\t{product}\t{size}\t{colour}\t{defect}\t\t{source}\t{delivered}\t{ts(registered)}\t"
                f"{clerk}\t{status}\tf\t{labelled_text}\t{batch_id}\t{dispatched}\t{due}\t{received}\t{return_id}\t"
                f"{back_at}\t{back_on}\t{grade}\t{graded_at}\t{graded_by}\t{suggested}\t{blame}\t{blame_reason}\t"
                f"{overridden}\t{blamed_supplier}\t{scrap_cost}\t{scrapped}\t{scrap_month}\n"
            )
            if pid % 20_000 == 0:
                flush()
        self.last_ids = {"event": event_id, "photo": photo_id, "repair": repair_id}

    def batches(self, out: list[str]) -> Iterator[str]:
        """The parcels, and their own events (opened, dispatched, check started and closed)."""
        now, event_id = epoch(self.now), self.last_ids["event"]
        tech_lo, tech_hi = self.technicians
        rows = sorted([*self.outbound.values(), *self.returns.values()], key=lambda b: b.id)
        for b in rows:
            status = b.status(now)
            clerk = self.store_user[b.store]
            tech = tech_lo + b.id % (tech_hi - tech_lo + 1)
            opener, receiver = (clerk, tech) if b.direction == "outbound" else (tech, clerk)
            created = b.dispatch - (6 if b.direction == "outbound" else 3) * DAY
            dispatched = status != "open"
            check = status in ("checking", "closed")
            closed = status == "closed"
            extra = dispatched and b.direction == "outbound" and b.id % 41 == 0
            local = date.fromordinal(719163 + local_day_number(b.dispatch))
            charge = local.year * 100 + local.month if extra else None
            yield line(b.id, b.direction, b.store, status, as_datetime(created), opener, b.week if dispatched else None,
                       extra, "25.00" if extra else None, charge, CARRIERS[b.id % 4] if dispatched else "",
                       f"SF{b.id:010d}" if dispatched else "", as_datetime(b.dispatch) if dispatched else None,
                       opener if dispatched else None, b.count if dispatched else None,
                       as_datetime(b.arrival) if check else None, as_datetime(b.close) if closed else None,
                       receiver if closed else None, 1)  # fmt: skip
            for at, actor, action, before, after, happened in (
                (created, opener, "batch_open", None, "open", True),
                (b.dispatch, opener, "batch_dispatch", "open", "dispatched", dispatched),
                (b.arrival, receiver, "batch_start_check", "dispatched", "checking", check),
                (b.close, receiver, "batch_close_check", "checking", "closed", closed),
            ):
                if happened:
                    event_id += 1
                    out.append(
                        line(event_id, as_datetime(at), actor, None, b.id, None, action, before, after, "", "{}")
                    )
        self.last_ids["event"] = event_id

    def months_and_claims(self, events: list[str]) -> tuple[list[str], list[str]]:
        """Months before the current one are closed; each supplier with scrap has its claim."""
        current = Month.of(local_day(self.now))
        months, claims, event_id = [], [], self.last_ids["event"]
        finance = ADMINS + 1
        month = Month.of(local_day(self.start))
        claim_id = 0
        while month.key < current.key:
            nxt = month.next()
            closed_at = datetime(nxt.year, nxt.month, 5, 2, tzinfo=UTC)
            months.append(line(month.key, True, closed_at, finance))
            event_id += 1
            events.append(line(event_id, closed_at, finance, None, None, month.key, "month_close", "open", "closed",
                               "", "{}"))  # fmt: skip
            seq = 0
            for supplier in range(1, SUPPLIERS + 1):
                amount = self.supplier_month_cents.get((supplier, month.key))
                if not amount:
                    continue
                seq += 1
                claim_id += 1
                older = nxt.next().key < current.key
                status = "settled" if older else "sent"
                sent = closed_at.date() + timedelta(days=1)
                settled = sent + timedelta(days=25) if older else None
                claims.append(line(claim_id, supplier, month.key, status, cents(amount), sent, settled,
                                   cents(amount) if older else None, "", closed_at, claim_number(month, seq),
                                   sent + timedelta(days=30)))  # fmt: skip
                for at, action, before, after in (
                    (closed_at, "claim_open", None, "open"),
                    (datetime.combine(sent, closed_at.time(), UTC), "claim_sent", "open", "sent"),
                ):
                    event_id += 1
                    events.append(line(event_id, at, finance, None, None, month.key, action, before, after, "",
                                       f'{{"claim": {claim_id}, "supplier_id": {supplier}}}'))  # fmt: skip
            month = nxt
        self.last_ids["event"] = event_id
        return months, claims


COLUMNS = {
    "region": "id, code, name",
    "store": "id, code, name, region_id, address, contact_name, contact_phone, weekly_quota, active",
    "supplier": "id, code, name, contact_name, contact_phone, address, active",
    "product": "id, style_code, name, category, supplier_id, unit_cost, retail_price, active",
    "defect_code": "id, code, name_zh, name_en, kind, suggested_blame, active",
    "repair_operation": "id, code, name_zh, name_en, active",
    "user": "id, username, display_name, password_hash, role, store_id, region_id, locale, active, created_at, "
    "session_generation",
    "piece": "id, store_id, product_id, size, colour, defect_id, description, source, delivery_received_on, "
    "registered_at, registered_by_id, status, unexpected, labelled_at, batch_id, dispatched_at, due_on, received_at, "
    "return_batch_id, back_at, back_on, grade, graded_at, graded_by_id, suggested_blame, blame, blame_reason, "
    "blame_overridden, blamed_supplier_id, scrap_cost, scrapped_at, scrap_month",
    "event": "id, at, actor_id, piece_id, batch_id, month, action, from_status, to_status, reason, data",
    "photo": "id, piece_id, stored_name, thumb_name, content_type, size_bytes, width, height, uploaded_at, "
    "uploaded_by_id",
    "repair": "id, piece_id, defect_id, operations, note, minutes, repaired_at, repaired_by_id",
    "batch": "id, direction, store_id, status, created_at, created_by_id, iso_week, extra, shipping_fee, "
    "charge_month, carrier, tracking_no, dispatched_at, dispatched_by_id, expected_count, check_started_at, "
    "closed_at, closed_by_id, parcels",
    "accounting_month": "month, closed, closed_at, closed_by_id",
    "claim": "id, supplier_id, month, status, amount, sent_on, settled_on, paid_amount, note, updated_at, number, "
    "due_on",
}


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def plain_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def bench_app(url: str, **config):
    """The app on the bench database (the migrations, the recount and the pages use it)."""
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url), "RATELIMIT_ENABLED": False, **config})


def recreate(url: str) -> None:
    """Drop and create the database, then build its schema with the migrations."""
    from flask_migrate import upgrade

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    app = bench_app(url)
    with app.app_context():
        upgrade()
        from app.extensions import db

        db.engine.dispose()


def load(url: str, pieces: int, now: datetime = NOW, log=print) -> Year:
    """Recreate the database at ``url`` and fill it with a year of ``pieces`` pieces."""
    url = plain_url(url)
    started = time.monotonic()
    recreate(url)
    log(f"schema built by the migrations in {time.monotonic() - started:.0f} s")
    year = Year(pieces, now)
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)",
            [list(BIG_TABLES)],
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')

        def copy(table: str, rows) -> None:
            with conn.cursor().copy(f'COPY "{table}" ({COLUMNS[table]}) FROM STDIN') as cp:
                chunk: list[str] = []
                for row in rows:
                    chunk.append(row)
                    if len(chunk) >= 5000:
                        cp.write("".join(chunk))
                        chunk.clear()
                if chunk:
                    cp.write("".join(chunk))

        for table, rows in (
            ("region", year.regions()),
            ("store", year.stores()),
            ("supplier", year.suppliers()),
            ("product", year.products()),
            ("defect_code", year.defects()),
            ("repair_operation", year.operations()),
            ("user", year.users()),
        ):
            copy(table, rows)
        conn.commit()  # the dropped indexes' locks go before the other connections write
        # Pieces, events, photos and repairs stream into four COPYs at once, one per connection.
        tables = ("piece", "event", "photo", "repair")
        out: dict[str, list[str]] = {t: [] for t in tables}
        with ExitStack() as stack:
            copies = {}
            for table in tables:
                c = stack.enter_context(psycopg.connect(url))
                c.execute("SET session_replication_role = replica")
                c.execute("SET synchronous_commit = off")
                copies[table] = (
                    c,
                    stack.enter_context(c.cursor().copy(f'COPY "{table}" ({COLUMNS[table]}) FROM STDIN')),
                )

            def flush() -> None:
                for table, rows in out.items():
                    if rows:
                        copies[table][1].write("".join(rows))
                        rows.clear()

            year.pieces(out, flush)
            flush()
            stack.close()  # ends each COPY and commits its connection
        log(f"pieces, events, photos, repairs loaded in {time.monotonic() - started:.0f} s")
        batch_events: list[str] = []
        copy("batch", year.batches(batch_events))
        months, claims = year.months_and_claims(batch_events)
        copy("event", batch_events)
        copy("accounting_month", months)
        copy("claim", claims)
        for table in ("region", "store", "supplier", "product", "defect_code", "repair_operation", "user", *BIG_TABLES,
                      "claim"):  # fmt: skip
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
            )
        conn.commit()
        log(f"batches, months, claims loaded in {time.monotonic() - started:.0f} s")
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            conn.execute(definition)
        conn.commit()
        log(f"indexes rebuilt in {time.monotonic() - started:.0f} s")
    recount(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    log(f"kept counters recounted, vacuumed and analysed in {time.monotonic() - started:.0f} s")
    return year


def recount(url: str) -> None:
    """The kept figures, counted from scratch by the app's own services (flask recount-pieces)."""
    from app.extensions import db
    from app.services import piece_counts
    from app.services.quality import summary

    app = bench_app(url)
    with app.app_context():
        piece_counts.recount()
        summary.recount(db.session)  # supplier quality's kept figures
        db.session.commit()
        db.engine.dispose()


def size_report(url: str) -> list[tuple[str, int, int]]:
    """(table, rows, bytes with its indexes and TOAST) of the biggest tables."""
    with psycopg.connect(plain_url(url)) as conn:
        return conn.execute(
            "SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
            "ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 8"
        ).fetchall()


def database_for(size: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/bench_year_{size}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pieces", type=int, default=100_000)
    parser.add_argument("--database", help="PostgreSQL URL (default: bench_year_100k / _1m / _4m by size)")
    args = parser.parse_args()
    label = {v: k for k, v in SIZES.items()}.get(args.pieces, str(args.pieces))
    url = args.database or database_for(label)
    year = load(url, args.pieces)
    print("pieces by status:", dict(sorted(year.counts.items())))
    for table, rows, size in size_report(url):
        print(f"{table:>18} {rows:>12,} rows {size / 2**20:>10,.0f} MB")


if __name__ == "__main__":
    main()
