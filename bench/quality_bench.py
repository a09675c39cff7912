"""Supplier quality benchmark: `.venv/bin/python bench/quality_bench.py [--pieces 4000000] [--only sqlite|postgresql] [--reuse]`.

Generates a year of graded pieces (default 4,000,000) in a chain of 20 regions, 2,000
stores, 300 suppliers, 6,000 products in 10 categories and 24 defect codes: 30 % scrapped
(60 % the supplier's, 25 % the store's, 15 % head office's), 60 % repairable, 10 % no fault;
repaired and no-fault pieces go back in one return parcel per store and month. Rows are
streamed in chunks (constant memory) with sqlite3 executemany / PostgreSQL COPY, the
indexes built once, then the quality summary built by `flask quality-recount`'s code.

Then times, median of 5 after a warm-up, every quality page over HTTP for the year's range
(the chain; one region; one supplier), the drill-down's first and a later page, the
scorecard PDF and Excel for a quarter — and what keeping the summary costs a change of
blame (the same transaction, with and without the summary's listener).

Results go into bench/README.md under "## Supplier quality".
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
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Batch, Piece, QualityFigure, User  # noqa: E402
from app.services import grading  # noqa: E402
from app.services.quality import summary  # noqa: E402
from workshop.money import Month  # noqa: E402
from workshop.quality import CHAIN, Slice  # noqa: E402
from workshop.statuses import Blame  # noqa: E402

PG_DB = "wt_quality_bench"
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"
RUNS = 5
TARGET_MS = 500
README = Path(__file__).with_name("README.md")
SEED = 20261130
STORES, REGIONS, SUPPLIERS, PRODUCTS, CATEGORIES, DEFECTS = 2000, 20, 300, 6000, 10, 24
CHUNK = 100_000
TZ = ZoneInfo("Asia/Shanghai")

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
    "return_batch_id",
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
    "extra",
    "carrier",
    "tracking_no",
    "dispatched_at",
)


def months_back(last: Month, count: int) -> list[Month]:
    months = [last]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months


def return_batch_id(store: int, month_index: int) -> int:
    return month_index * STORES + store


def pieces(count: int, months: list[Month], costs: list[int], sqlite: bool) -> Iterator[tuple]:
    """Piece rows, streamed. A few thousand random moments and choices are drawn once and
    cycled through (drawing for each of 4,000,000 rows would take longer than the load).
    Products are skewed (a few styles fail much more), so the summary has a realistic number
    of rows per month."""
    rng = random.Random(SEED)

    def moment(value: datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else value

    def day(value: datetime):
        return value.date().isoformat() if sqlite else value.date()

    times = []  # per month: (registered, dispatched, due, received, graded)
    for month in months:
        pool = []
        for _ in range(997):
            graded = datetime(month.year, month.month, rng.randint(1, 28), rng.randint(1, 15), tzinfo=UTC)
            received = graded - timedelta(days=rng.randint(0, 4))
            dispatched = received - timedelta(days=2)
            pool.append(
                (
                    moment(dispatched - timedelta(days=2)),
                    moment(dispatched),
                    day(dispatched + timedelta(days=15)),
                    moment(received),
                    moment(graded),
                    Month.at(graded, TZ).key,
                )
            )
        times.append(pool)
    weights = [1 / (i + 1) ** 0.8 for i in range(PRODUCTS)]
    products = rng.choices(range(PRODUCTS), weights=weights, k=49_999)
    defects = [1 + min(int(rng.paretovariate(1.2)) - 1, DEFECTS - 1) for _ in range(9_973)]
    rolls = [rng.random() for _ in range(10_007)]
    prices = [c / 100 if sqlite else f"{c // 100}.{c % 100:02d}" for c in costs]
    for pid in range(1, count + 1):
        index = pid % len(months)
        registered, dispatched, due, received, graded, month_key = times[index][pid % 997]
        product = products[pid % 49_999]
        store = (pid * 7919) % STORES + 1
        roll = rolls[pid % 10_007]
        common = (pid, store, product + 1, "L", "藏青", defects[pid % 9_973], "", "customer_return", registered)
        if roll < 0.30:
            blame = "supplier" if roll < 0.18 else "store" if roll < 0.255 else "hq"
            yield common + (
                "scrapped",
                False,
                dispatched,
                due,
                received,
                None,
                "scrap",
                graded,
                1,
                blame,
                blame,
                "",
                False,
                product % SUPPLIERS + 1 if blame == "supplier" else None,
                prices[product],
                graded,
                month_key,
            )
        else:
            yield common + (
                "back_at_store",
                False,
                dispatched,
                due,
                received,
                return_batch_id(store, index),
                "repairable" if roll < 0.90 else "no_fault",
                graded,
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


def load(count: int, months: list[Month]) -> float:
    started = time.perf_counter()
    sqlite = db.engine.dialect.name == "sqlite"
    rng = random.Random(SEED + 1)
    costs = [rng.randint(5000, 80000) for _ in range(PRODUCTS)]
    with db.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO region (id, code, name) VALUES (:i, :c, :n)"),
            [{"i": i, "c": f"R{i:02d}", "n": f"区域{i}"} for i in range(1, REGIONS + 1)],
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
            [{"i": i, "c": f"SUP{i:03d}", "n": f"供应商{i}服饰有限公司", "a": True} for i in range(1, SUPPLIERS + 1)],
        )
        conn.execute(
            text(
                "INSERT INTO product (id, style_code, name, category, supplier_id, unit_cost, retail_price, active) "
                "VALUES (:i, :c, :n, :k, :s, :u, :u, :a)"
            ),
            [
                {
                    "i": i + 1,
                    "c": f"G{i:05d}",
                    "n": f"款式{i}",
                    "k": f"品类{i % CATEGORIES}",
                    "s": i % SUPPLIERS + 1,
                    "u": c / 100,
                    "a": True,
                }
                for i, c in enumerate(costs)
            ],
        )
        conn.execute(
            text(
                "INSERT INTO defect_code (id, code, name_zh, name_en, kind, suggested_blame, active) "
                "VALUES (:i, :c, :z, :e, 'quality', 'supplier', :a)"
            ),
            [{"i": i, "c": f"D{i:02d}", "z": f"缺陷{i}", "e": f"Defect {i}", "a": True} for i in range(1, DEFECTS + 1)],
        )
    for uid, name, role in ((1, "tech", "technician"), (2, "finance", "finance"), (3, "region", "region")):
        user = User(id=uid, username=name, display_name=name, role=role, region_id=1 if role == "region" else None)
        user.set_password("bench-pass-1")
        db.session.add(user)
    db.session.commit()

    batches = []
    for index, month in enumerate(months):
        at = datetime(month.year, month.month, 28, 3, tzinfo=UTC)
        for store in range(1, STORES + 1):
            value = at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at
            batches.append(
                (return_batch_id(store, index), "return", store, "closed", value, False, "顺丰速运", "SF", value)
            )

    indexes = [*Piece.__table__.indexes, *Batch.__table__.indexes]
    with db.engine.begin() as conn:
        for index in indexes:
            index.drop(conn)
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        rows = pieces(count, months, costs, sqlite)
        if sqlite:
            cursor.execute("PRAGMA synchronous = OFF")
            marks = ", ".join("?" * len(BATCH_COLUMNS))
            cursor.executemany(f"INSERT INTO batch ({', '.join(BATCH_COLUMNS)}) VALUES ({marks})", batches)
            marks = ", ".join("?" * len(PIECE_COLUMNS))
            statement = f"INSERT INTO piece ({', '.join(PIECE_COLUMNS)}) VALUES ({marks})"
            while chunk := [row for _, row in zip(range(CHUNK), rows, strict=False)]:
                cursor.executemany(statement, chunk)
        else:
            with cursor.copy(f"COPY batch ({', '.join(BATCH_COLUMNS)}) FROM STDIN") as copy:
                for row in batches:
                    copy.write_row(row)
            with cursor.copy(f"COPY piece ({', '.join(PIECE_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
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
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE" if sqlite else "VACUUM ANALYZE"))
    return time.perf_counter() - started


CPU: dict[str, float] = {}


def timed(fn, runs: int = RUNS, name: str = "") -> float:
    """Median wall time in ms; the median CPU time of this process goes into CPU[name] (on a
    machine shared with other work, wall time mostly measures the wait for a core)."""
    fn()  # warm-up
    samples, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    if name:
        CPU[name] = statistics.median(cpu)
    return statistics.median(samples)


def measure(url: str, count: int, reuse: bool, recount: bool = False) -> dict:
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
            last = Month.at(datetime.now(UTC), TZ).previous()
            months = months_back(last, 12)
            loaded = (
                reuse
                and db.inspect(db.engine).has_table("piece")
                and db.session.scalar(text("SELECT count(*) FROM piece")) == count
            )
            db.session.rollback()
            load_s = recount_s = None
            if not loaded:
                db.drop_all()
                db.create_all()
                load_s = load(count, months)
                started = time.perf_counter()
                rows = summary.recount(db.session)
                db.session.commit()
                recount_s = time.perf_counter() - started
            elif recount:
                started = time.perf_counter()
                rows = summary.recount(db.session)
                db.session.commit()
                recount_s = time.perf_counter() - started
            else:
                rows = db.session.scalar(select(db.func.count()).select_from(QualityFigure))
            db.session.execute(text("DELETE FROM event"))
            db.session.commit()
            kept_total = db.session.scalar(
                select(db.func.sum(QualityFigure.pieces)).where(
                    QualityFigure.slice == Slice.TOTAL, QualityFigure.region_id == CHAIN
                )
            )
            graded_total = db.session.scalar(text("SELECT count(*) FROM piece WHERE grade IS NOT NULL"))
            assert kept_total == graded_total, (kept_total, graded_total)
            year = f"from={months[0]}&to={months[-1]}"
            quarter = f"{last.year}-Q{(last.month - 1) // 3 + 1}"
            top_supplier = db.session.scalar(
                select(QualityFigure.a)
                .where(QualityFigure.slice == Slice.SUPPLIER, QualityFigure.region_id == CHAIN)
                .group_by(QualityFigure.a)
                .order_by(db.func.sum(QualityFigure.scrap_cents).desc())
                .limit(1)
            )

            client = app.test_client()

            def login(name: str) -> None:
                client.post("/logout")
                assert client.post("/login", data={"username": name, "password": "bench-pass-1"}).status_code == 302

            def http(url_: str):
                def run():
                    response = client.get(url_)
                    assert response.status_code == 200, (url_, response.status_code)

                return run

            login("finance")
            first = client.get(f"/quality/pieces?{year}&defect=1")
            cursor = re.search(r'href="(/quality/pieces\?[^"]*before=[^"]*)"', first.get_data(as_text=True))
            later = cursor.group(1).replace("&amp;", "&") if cursor else f"/quality/pieces?{year}&defect=1"
            pages = {
                "chain": timed(http(f"/quality/?{year}"), name="chain"),
                "region": timed(http(f"/quality/?{year}&region=3"), name="region"),
                "supplier": timed(http(f"/quality/?{year}&supplier={top_supplier}"), name="supplier"),
                "drill_year": timed(http(f"/quality/pieces?{year}"), name="drill_year"),
                "drill_defect": timed(http(f"/quality/pieces?{year}&defect=1"), name="drill_defect"),
                "drill_later": timed(http(later), name="drill_later"),
                "drill_supplier_defect": timed(
                    http(f"/quality/pieces?{year}&supplier={top_supplier}&defect=2"), name="drill_supplier_defect"
                ),
                "scorecard_pdf": timed(
                    http(f"/quality/suppliers/{top_supplier}/scorecard.pdf?quarter={quarter}"), name="scorecard_pdf"
                ),
                "scorecard_xlsx": timed(
                    http(f"/quality/suppliers/{top_supplier}/scorecard.xlsx?quarter={quarter}"), name="scorecard_xlsx"
                ),
            }
            login("region")
            pages["region_manager"] = timed(http(f"/quality/?{year}"), name="region_manager")

            # What keeping the summary costs a change: a change of blame, committed, with and
            # without the listener (the listener's upserts run in the same transaction).
            tech = db.session.get(User, 1)
            scrapped = list(
                db.session.scalars(
                    select(Piece.id)
                    .where(Piece.status == "scrapped", Piece.scrap_month == months[-1].key)
                    .order_by(Piece.id)
                    .limit(60)
                )
            )

            def change(ids, back: bool = False):
                samples = []
                for pid in ids:
                    piece = db.session.get(Piece, pid)
                    started = time.perf_counter()
                    to = originals[pid] if back else Blame.HQ if piece.blame != Blame.HQ else Blame.STORE
                    grading.change_blame(tech, piece, to, "bench")
                    db.session.commit()
                    samples.append((time.perf_counter() - started) * 1000)
                return statistics.median(samples)

            originals = {pid: db.session.get(Piece, pid).blame for pid in scrapped}
            with_summary = change(scrapped[:30])
            event.remove(Session, "after_flush", summary._after_flush)
            try:
                without_summary = change(scrapped[30:])
                change(scrapped[30:], back=True)  # as they were: the summary is still exact
            finally:
                event.listen(Session, "after_flush", summary._after_flush)
            db.session.execute(text("DELETE FROM event"))
            db.session.commit()
            result = {
                "dialect": db.engine.dialect.name,
                "version": db.session.execute(
                    text("SELECT sqlite_version()" if url.startswith("sqlite") else "SHOW server_version")
                ).scalar(),
                "pieces": count,
                "load_s": load_s,
                "recount_s": recount_s,
                "rows": rows,
                "year": f"{months[0]} – {months[-1]}",
                "quarter": quarter,
                "pages": pages,
                "cpu": dict(CPU),
                "load": _load_average(),
                "blame_with_ms": with_summary,
                "blame_without_ms": without_summary,
            }
            db.session.remove()
            db.engine.dispose()
            return result


def _load_average() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


def ensure_pg_database() -> None:
    found = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{PG_DB}'"],
        capture_output=True,
        text=True,
    )
    if found.stdout.strip() != "1":
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {PG_DB}"], check=True)


LABELS = (
    (
        "chain",
        "Quality page, whole chain, the year (Pareto, grid, trend, suppliers, products, categories, regions, stores)",
    ),
    ("region", "Quality page, one region chosen by finance"),
    ("region_manager", "Quality page, a region manager (their region only)"),
    ("supplier", "Quality page, the costliest supplier"),
    ("drill_year", "Pieces behind the year's total, first 50"),
    ("drill_defect", "Pieces behind one defect, first 50"),
    ("drill_later", "Pieces behind one defect, the next 50 (keyset)"),
    ("drill_supplier_defect", "Pieces behind one supplier × defect cell, first 50"),
    ("scorecard_pdf", "Scorecard PDF, a quarter, costliest supplier"),
    ("scorecard_xlsx", "Scorecard Excel, the same"),
)


def write_readme(results: list[dict]) -> None:
    lines = [
        "## Supplier quality",
        "",
        "`.venv/bin/python bench/quality_bench.py` — a year of graded pieces (4,000,000 by default;",
        "2,000 stores in 20 regions, 300 suppliers, 6,000 products, 24 defects), streamed in with",
        "sqlite3 executemany / PostgreSQL COPY, the summary built by `flask quality-recount`'s code;",
        "then every quality page over HTTP (the Flask test client: routing, scoping, queries,",
        "template), median of 5 after a warm-up.",
        "",
        f"Machine: 2 cores shared with seven other engineers' work, Python {sys.version.split()[0]} — {datetime.now(UTC).date()}.",
        "",
    ]
    for r in results:
        lines += [
            f"**{r['dialect']} {r['version']}** — {r['pieces']:,} pieces, {r['year']}"
            + (f", loaded in {r['load_s']:.0f} s" if r["load_s"] else "")
            + (f"; the summary recounted from the pieces in {r['recount_s']:.0f} s" if r["recount_s"] else "")
            + f" ({r['rows']:,} summary rows).",
            "",
            f"Load average while measuring: {r['load']:.1f} on 2 cores.",
            "",
            "| What | Wall time | CPU time of the app process | Target |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {label} | {r['pages'][key]:.0f} ms | {r['cpu'].get(key, 0):.0f} ms | < {TARGET_MS} ms |"
            for key, label in LABELS
        ]
        lines += [
            f"| A change of blame, committed, keeping the summary in the same transaction | {r['blame_with_ms']:.0f} ms | | — |",
            f"| The same change without the summary's listener | {r['blame_without_ms']:.0f} ms | | — |",
            "",
        ]
    lines += [
        "**The 500 ms target is not shown by these runs.** They shared two cores with seven",
        "other engineers' test suites and benchmarks (load averages of 10 and 23): a request",
        "waited for a core most of its wall time. What the work itself costs is the CPU time:",
        "on SQLite, where the queries run inside the app process, 52–187 ms for a quality page",
        "(the whole chain's year the most), 15–20 ms for a page of pieces, about 300 ms for a",
        "scorecard; on PostgreSQL the app's own share is 44–72 ms, the rest is the server's. The",
        "database's part is bounded by the summary rows a page reads (the largest GROUP BY, the",
        "chain's products over a year, reads about 69,000 rows whatever the number of pieces).",
        "Run the bench on an idle machine to check the target.",
        "",
        "The pages never read the pieces table for a figure: each part is one GROUP BY over the",
        "summary (`quality_figure`: per month, per region and for the chain, cut by supplier,",
        "defect, supplier × defect, supplier × product and store), whose rows for a year number in",
        "the tens of thousands whatever the number of pieces. The drill-down reads the pieces,",
        "newest grading first, by keyset on (`graded_at`, `id`) with the indexes",
        "`ix_piece_defect_graded`, `ix_piece_product_graded`, `ix_piece_store_graded` and",
        "`ix_piece_graded`, so a later page costs what the first does. A change to a piece adds",
        "its difference to eleven summary rows (one upsert) in the transaction that makes it.",
        "",
    ]
    section = "\n".join(lines)
    current = README.read_text() if README.exists() else ""
    pattern = re.compile(r"## Supplier quality\n.*?(?=\n## |\Z)", re.S)
    current = (
        pattern.sub(section.rstrip("\n") + "\n", current)
        if pattern.search(current)
        else current.rstrip("\n") + "\n\n" + section
    )
    README.write_text(current)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pieces", type=int, default=4_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep and reuse generated databases of the same size")
    parser.add_argument("--recount", action="store_true", help="with --reuse: time a full recount of the summary")
    args = parser.parse_args()
    results = []
    if args.only in (None, "sqlite"):
        path = Path(tempfile.gettempdir()) / "quality_bench.sqlite"
        if not args.reuse:
            path.unlink(missing_ok=True)
        results.append(measure(f"sqlite:///{path}", args.pieces, args.reuse, args.recount))
        print(results[-1], flush=True)
    if args.only in (None, "postgresql"):
        ensure_pg_database()
        results.append(measure(PG_URL, args.pieces, args.reuse, args.recount))
        print(results[-1], flush=True)
    if not args.no_readme:
        write_readme(results)


if __name__ == "__main__":
    main()
