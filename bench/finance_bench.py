"""Finance benchmark: `.venv/bin/python bench/finance_bench.py [--pieces 1000000] [--only sqlite|postgresql]`.

Generates a chain (20 regions, 2,000 stores, 300 suppliers, 5,000 products) with N pieces
over twelve months (30 % scrapped: 60 % supplier, 25 % store, 15 % head office) and
100,000 outbound batches (5 % extra, charged), loaded with bulk inserts (sqlite3
executemany; PostgreSQL COPY). Then times, on each database, median of 7 after a warm-up:

- the month's allocation (`finance.allocation`), and the whole month page over HTTP;
- the drill-down's first page (`finance.party_pieces` paginated 50) for head office (the
  largest party) and for the largest supplier, and the drill-down page over HTTP;
- the floor: the same GROUP BYs and the first-page query written by hand in SQL.

Results go into bench/README.md under "## Finance".
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Batch, Piece, User  # noqa: E402
from app.services import finance  # noqa: E402
from workshop.money import Month  # noqa: E402
from workshop.statuses import Blame  # noqa: E402

PG_DB = "wt_finance_bench"
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"
RUNS = 7
TARGET_MS = 500
README = Path(__file__).with_name("README.md")
SEED = 20261123

PIECE_COLUMNS = (
    "id",
    "store_id",
    "product_id",
    "size",
    "colour",
    "defect_id",
    "description",
    "source",
    "registered_at",
    "status",
    "unexpected",
    "dispatched_at",
    "due_on",
    "received_at",
    "grade",
    "graded_at",
    "graded_by_id",
    "suggested_blame",
    "blame",
    "blame_reason",
    "blame_overridden",
    "blamed_supplier_id",
    "scrap_cost",
    "scrapped_at",
    "scrap_month",
)
BATCH_COLUMNS = (
    "id",
    "direction",
    "store_id",
    "status",
    "created_at",
    "iso_week",
    "extra",
    "shipping_fee",
    "charge_month",
    "carrier",
    "tracking_no",
    "dispatched_at",
    "expected_count",
)
STORES, REGIONS, SUPPLIERS, PRODUCTS, DEFECTS, BATCHES = 2000, 20, 300, 5000, 30, 100_000


def months_back(last: Month, count: int) -> list[Month]:
    months = [last]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months


def generate(pieces: int, months: list[Month], sqlite: bool):
    """Rows as tuples, ready for executemany / COPY. Dates in UTC (naive text on SQLite)."""
    rng = random.Random(SEED)
    costs = [Decimal(rng.randint(5000, 80000)) / 100 for _ in range(PRODUCTS)]

    def moment(value: datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else value

    def day_text(value):
        return value.isoformat() if sqlite else value

    def money(value: Decimal):
        return float(value) if sqlite else value

    piece_rows = []
    for pid in range(1, pieces + 1):
        month = months[pid % len(months)]
        at = datetime(month.year, month.month, rng.randint(1, 28), rng.randint(1, 15), tzinfo=UTC)
        product = rng.randrange(PRODUCTS)
        store = rng.randint(1, STORES)
        scrapped = rng.random() < 0.30
        dispatched = at - timedelta(days=3)
        if scrapped:
            roll = rng.random()
            blame = "supplier" if roll < 0.60 else "store" if roll < 0.85 else "hq"
            piece_rows.append(
                (
                    pid,
                    store,
                    product + 1,
                    "L",
                    "藏青",
                    rng.randint(1, DEFECTS),
                    "",
                    "customer_return",
                    moment(at - timedelta(days=5)),
                    "scrapped",
                    False,
                    moment(dispatched),
                    day_text((dispatched + timedelta(days=15)).date()),
                    moment(at - timedelta(days=1)),
                    "scrap",
                    moment(at),
                    1,
                    blame,
                    blame,
                    "A quality defect: a manufacturing fault is charged to the supplier.",
                    False,
                    product % SUPPLIERS + 1 if blame == "supplier" else None,
                    money(costs[product]),
                    moment(at),
                    month.key,
                )
            )
        else:
            piece_rows.append(
                (
                    pid,
                    store,
                    product + 1,
                    "M",
                    "黑色",
                    rng.randint(1, DEFECTS),
                    "",
                    "customer_return",
                    moment(at - timedelta(days=5)),
                    "back_at_store",
                    False,
                    moment(dispatched),
                    day_text((dispatched + timedelta(days=15)).date()),
                    moment(at - timedelta(days=1)),
                    "repairable",
                    moment(at),
                    1,
                    None,
                    None,
                    "",
                    False,
                    None,
                    None,
                    None,
                    None,
                )
            )
    batch_rows = []
    for bid in range(1, BATCHES + 1):
        month = months[bid % len(months)]
        at = datetime(month.year, month.month, rng.randint(1, 28), 2, tzinfo=UTC)
        extra = rng.random() < 0.05
        week = at.isocalendar()
        batch_rows.append(
            (
                bid,
                "outbound",
                rng.randint(1, STORES),
                "closed",
                moment(at),
                week.year * 100 + week.week,
                extra,
                money(Decimal("20.00")) if extra else None,
                month.key if extra else None,
                "顺丰速运",
                f"SF{bid}",
                moment(at),
                10,
            )
        )
    return costs, piece_rows, batch_rows


def load(pieces: int, months: list[Month]) -> float:
    """Reference rows through the ORM (few), the bulk through the driver. Returns seconds."""
    started = time.perf_counter()
    sqlite = db.engine.dialect.name == "sqlite"
    costs, piece_rows, batch_rows = generate(pieces, months, sqlite)
    with db.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO region (id, code, name) VALUES (:i, :c, :n)"),
            [{"i": i, "c": f"R{i}", "n": f"区域{i}"} for i in range(1, REGIONS + 1)],
        )
        conn.execute(
            text(
                "INSERT INTO store (id, code, name, region_id, address, contact_name, contact_phone, weekly_quota, active) "
                "VALUES (:i, :c, :n, :r, '', '', '', 1, :a)"
            ),
            [
                {"i": i, "c": f"S{i:04d}", "n": f"门店{i}", "r": i % REGIONS + 1, "a": True}
                for i in range(1, STORES + 1)
            ],
        )
        conn.execute(
            text(
                "INSERT INTO supplier (id, code, name, contact_name, contact_phone, address, active) "
                "VALUES (:i, :c, :n, '', '', '', :a)"
            ),
            [{"i": i, "c": f"SUP{i:03d}", "n": f"供应商{i}有限公司", "a": True} for i in range(1, SUPPLIERS + 1)],
        )
        conn.execute(
            text(
                "INSERT INTO product (id, style_code, name, category, supplier_id, unit_cost, retail_price, active) "
                "VALUES (:i, :c, :n, '羽绒服', :s, :u, :u, :a)"
            ),
            [
                {
                    "i": i + 1,
                    "c": f"G{i:05d}",
                    "n": f"男士羽绒服{i}",
                    "s": i % SUPPLIERS + 1,
                    "u": float(c) if sqlite else c,
                    "a": True,
                }
                for i, c in enumerate(costs)
            ],
        )
        conn.execute(
            text(
                "INSERT INTO defect_code (id, code, name_zh, name_en, kind, suggested_blame, active) "
                "VALUES (:i, :c, '脱线', 'Open seam', 'quality', 'supplier', :a)"
            ),
            [{"i": i, "c": f"D{i:02d}", "a": True} for i in range(1, DEFECTS + 1)],
        )
    tech = User(id=1, username="tech", display_name="技师一", role="technician")
    tech.set_password("bench-pass-1")
    clerk = User(id=2, username="finance", display_name="会计一", role="finance")
    clerk.set_password("bench-pass-1")
    db.session.add_all([tech, clerk])
    db.session.commit()

    # Bulk load without the piece and batch indexes, then build them once (much faster).
    indexes = [*Piece.__table__.indexes, *Batch.__table__.indexes]
    with db.engine.begin() as conn:
        for index in indexes:
            index.drop(conn)
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if sqlite:
            cursor.execute("PRAGMA synchronous = OFF")
            marks = ", ".join("?" * len(PIECE_COLUMNS))
            cursor.executemany(f"INSERT INTO piece ({', '.join(PIECE_COLUMNS)}) VALUES ({marks})", piece_rows)
            marks = ", ".join("?" * len(BATCH_COLUMNS))
            cursor.executemany(f"INSERT INTO batch ({', '.join(BATCH_COLUMNS)}) VALUES ({marks})", batch_rows)
        else:
            with cursor.copy(f"COPY piece ({', '.join(PIECE_COLUMNS)}) FROM STDIN") as copy:
                for row in piece_rows:
                    copy.write_row(row)
            with cursor.copy(f"COPY batch ({', '.join(BATCH_COLUMNS)}) FROM STDIN") as copy:
                for row in batch_rows:
                    copy.write_row(row)
            for table in ("region", "store", "supplier", "product", "defect_code", "user", "piece", "batch"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
                )
        raw.commit()
    finally:
        raw.close()
    with db.engine.begin() as conn:
        for index in indexes:
            index.create(conn)
    # VACUUM cannot run in a transaction; on PostgreSQL it also sets the visibility map.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE" if sqlite else "VACUUM ANALYZE"))
    return time.perf_counter() - started


def timed(fn, runs: int = RUNS) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


FLOOR_ALLOCATION = [
    "SELECT blamed_supplier_id, count(*), sum(scrap_cost) FROM piece WHERE scrap_month = :m AND blame = 'supplier' GROUP BY blamed_supplier_id",
    "SELECT store_id, count(*), sum(scrap_cost) FROM piece WHERE scrap_month = :m AND blame = 'store' GROUP BY store_id",
    "SELECT count(*), sum(scrap_cost) FROM piece WHERE scrap_month = :m AND blame = 'hq'",
    "SELECT store_id, count(*), sum(shipping_fee) FROM batch WHERE charge_month = :m AND extra GROUP BY store_id",
]
FLOOR_PAGE = [
    "SELECT count(*) FROM piece WHERE scrap_month = :m AND blame = 'hq'",
    "SELECT p.id, p.scrap_cost, p.blame, p.blame_reason, pr.style_code, pr.name, u.display_name FROM piece p "
    'JOIN product pr ON pr.id = p.product_id LEFT JOIN "user" u ON u.id = p.graded_by_id '
    "WHERE p.scrap_month = :m AND p.blame = 'hq' ORDER BY p.id LIMIT 50",
]


def measure(url: str, pieces: int, reuse: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench-only",
                "CHAIN_TIMEZONE": "Asia/Shanghai",
                "UPLOAD_FOLDER": tmp,
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            last = Month.at(datetime.now(UTC), ZoneInfo("Asia/Shanghai")).previous()
            months = months_back(last, 12)
            loaded = (
                reuse
                and db.inspect(db.engine).has_table("piece")
                and db.session.scalar(text("SELECT count(*) FROM piece")) == pieces
            )
            db.session.rollback()  # end the session's read before DDL on another connection
            load_s = None
            if not loaded:
                db.drop_all()
                db.create_all()
                load_s = load(pieces, months)
            db.session.execute(text("DELETE FROM event"))
            db.session.execute(text("DELETE FROM accounting_month"))
            db.session.commit()
            month = last.previous()
            figures = finance.allocation(month)
            top_supplier = max(figures.suppliers, key=lambda line: line.pieces)

            def allocation():
                db.session.expire_all()
                finance._allocation(month, closed=False)  # never the closed-month cache

            def first_page(blame, party):
                def run():
                    db.session.expire_all()
                    page = db.paginate(finance.party_pieces(month, blame, party), page=1, per_page=50, error_out=False)
                    assert len(page.items) == min(50, page.total)

                return run

            def floor(statements):
                def run():
                    with db.engine.connect() as conn:
                        for sql in statements:
                            conn.execute(text(sql), {"m": month.key}).all()

                return run

            client = app.test_client()
            assert client.post("/login", data={"username": "finance", "password": "bench-pass-1"}).status_code == 302

            def http(url_):
                def run():
                    response = client.get(url_)
                    assert response.status_code == 200, response.status_code

                return run

            result = {
                "dialect": db.engine.dialect.name,
                "version": db.session.execute(
                    text("SELECT sqlite_version()" if url.startswith("sqlite") else "SHOW server_version")
                ).scalar(),
                "load_s": load_s,
                "pieces": pieces,
                "month": str(month),
                "scrapped_in_month": figures.pieces,
                "hq_pieces": figures.hq.pieces,
                "top_supplier_pieces": top_supplier.pieces,
                "allocation_ms": timed(allocation),
                "floor_allocation_ms": timed(floor(FLOOR_ALLOCATION)),
                "page_hq_ms": timed(first_page(Blame.HQ, None)),
                "page_supplier_ms": timed(first_page(Blame.SUPPLIER, top_supplier.party_id)),
                "floor_page_ms": timed(floor(FLOOR_PAGE)),
                "http_month_ms": timed(http(f"/finance/?month={month}")),
                "http_drill_ms": timed(http(f"/finance/{month}/hq")),
            }
            # The usual state: every month before the last one is closed, finance looks at the last.
            admin = db.session.get(User, 2)
            for closing in months[:-1]:
                finance.close_month(admin, closing, _rules())
            db.session.commit()
            result["http_month_usual_ms"] = timed(http(f"/finance/?month={last}"))
            result["usual_month"] = str(last)
            db.session.execute(text("DELETE FROM event"))
            db.session.execute(text("DELETE FROM accounting_month"))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
            return result


def _rules():
    from app.services.settings import rules

    return rules()


def ensure_pg_database() -> None:
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{PG_DB}'"],
        capture_output=True,
        text=True,
    )
    if exists.stdout.strip() != "1":
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {PG_DB}"], check=True)


def write_readme(results: list[dict]) -> None:
    lines = [
        "## Finance",
        "",
        "`.venv/bin/python bench/finance_bench.py` — generates the data (bulk inserts: sqlite3 executemany,",
        "PostgreSQL COPY), then times each query as the median of 7 runs after one warm-up. The",
        '"floor" is the same work written by hand in SQL (the GROUP BYs; the count and the first',
        "50 rows), without the ORM, the money arithmetic or the page.",
        "",
        f"Machine: 2 cores, Python {sys.version.split()[0]} — {datetime.now(UTC).date()}.",
        "",
    ]
    for r in results:
        lines += [
            f"**{r['dialect']} {r['version']}** — {r['pieces']:,} pieces over 12 months"
            + (f", generated and loaded in {r['load_s']:.0f} s; " if r["load_s"] else " (reused); ")
            + f"month {r['month']}: {r['scrapped_in_month']:,} scrapped pieces, head office {r['hq_pieces']:,}, "
            f"largest supplier {r['top_supplier_pieces']:,}.",
            "",
            "| What | Time | Target |",
            "|---|---|---|",
            f"| Month allocation, `finance.allocation` (5 queries) | {r['allocation_ms']:.1f} ms | < {TARGET_MS} ms |",
            f"| Floor: the same GROUP BYs by hand | {r['floor_allocation_ms']:.1f} ms | floor |",
            f"| Drill-down first page (50), head office, with its count | {r['page_hq_ms']:.1f} ms | < {TARGET_MS} ms |",
            f"| Drill-down first page (50), largest supplier | {r['page_supplier_ms']:.1f} ms | < {TARGET_MS} ms |",
            f"| Floor: count + first 50 rows by hand (head office) | {r['floor_page_ms']:.1f} ms | floor |",
            f"| Whole month page over HTTP, worst case: no month closed (month + previous + 12-month chart) | {r['http_month_ms']:.1f} ms | — |",
            f"| Whole drill-down page over HTTP (head office) | {r['http_drill_ms']:.1f} ms | < {TARGET_MS} ms |",
            f"| Whole month page over HTTP, usual state: months before {r['usual_month']} closed | {r['http_month_usual_ms']:.1f} ms | < {TARGET_MS} ms |",
            "",
        ]
    lines += [
        "Every query filters on indexed columns (`ix_piece_scrap_figures`, `ix_batch_charge_month`,",
        "`ix_adjustment_month`); sums are taken in whole cents in the database. The month page",
        "runs two allocations (the month and the one before) and the 12-month chart (one GROUP BY",
        "over the open months of the range). A closed month's figures cannot change (month_guard),",
        "so `finance` keeps them per process, keyed by the moment of closing: in the usual state",
        "only the open months are queried. The allocation timings above never use that cache.",
        "`ix_piece_scrap_figures` covers (`scrap_month, blame, blamed_supplier_id, store_id,",
        "scrap_cost`), so the GROUP BYs read the index alone (migration 0002).",
        "",
    ]
    section = "\n".join(lines)
    current = README.read_text() if README.exists() else ""
    pattern = re.compile(r"## Finance\n.*?(?=\n## |\Z)", re.S)
    current = (
        pattern.sub(section.rstrip("\n") + "\n", current)
        if pattern.search(current)
        else current.rstrip("\n") + "\n\n" + section
    )
    README.write_text(current)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pieces", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep and reuse generated databases of the same size")
    args = parser.parse_args()
    results = []
    if args.only in (None, "sqlite"):
        path = Path(tempfile.gettempdir()) / "finance_bench.sqlite"
        if not args.reuse:
            path.unlink(missing_ok=True)
        results.append(measure(f"sqlite:///{path}", args.pieces, args.reuse))
        print(results[-1], flush=True)
    if args.only in (None, "postgresql"):
        ensure_pg_database()
        results.append(measure(PG_URL, args.pieces, args.reuse))
        print(results[-1], flush=True)
    if not args.no_readme:
        write_readme(results)


if __name__ == "__main__":
    main()
