"""Spare parts benchmark: `.venv/bin/python bench/spares_bench.py [--postgres URL] [--movements N]`.

5,000 parts on the workshop's shelves and 1,000,000 ledger movements (a fifth of them on
one much-used part, the rest spread over the others), then through the app's own pages (the
test client, no network): the stock page (first page, a page deep in the codes, a search,
the parts to order) and the much-used part's ledger (newest page and a page deep in its
history). Median of 5 runs after a warm-up, on SQLite in a temporary folder and, when a URL
is given, on PostgreSQL (its tables are dropped and recreated: use a scratch database).

Results go into bench/README.md under "## Spare parts".
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import PartStock, SparePart, StockLocation, StockMovement, User  # noqa: E402

PARTS = 5_000
RUNS = 5
TARGET_MS = 300
README = Path(__file__).with_name("README.md")
HEADING = "## Spare parts"
CHUNK = 20_000


def make_app(url: str, folder: Path, *, keep: bool = False):
    app = create_app(
        {
            "SECRET_KEY": "bench-only",
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "CHAIN_TIMEZONE": "Asia/Shanghai",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        if keep:
            return app
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
    return app


def fill(movements: int) -> tuple[int, int]:
    """The parts, their shelves and the ledger; returns (location id, the much-used part's id)."""
    rng = random.Random(15)
    tech = User(username="tech", display_name="张师傅", role="technician", locale="zh_Hans")
    tech.set_password("bench-pass")
    location = StockLocation(key="workshop")
    db.session.add_all([tech, location])
    db.session.flush()
    db.session.execute(
        insert(SparePart),
        [
            {
                "code": f"P{n:05d}",
                "name_zh": f"备件 {n} 号 树脂拉链",
                "name_en": f"Part no. {n}, resin zip",
                "unit": "条",
                "active": True,
            }
            for n in range(PARTS)
        ],
    )
    part_ids = list(db.session.scalars(select(SparePart.id).order_by(SparePart.id)))
    db.session.execute(
        insert(PartStock),
        [
            {
                "location_id": location.id,
                "part_id": pid,
                "on_hand": 0,
                "average_cost": Decimal("2.5000"),
                "reorder_point": 20 if n % 10 == 0 else 0,
                "reorder_quantity": 100,
                "shelf": f"{chr(65 + n % 26)}-{n % 100:02d}",
            }
            for n, pid in enumerate(part_ids)
        ],
    )
    stock_ids = dict(db.session.execute(select(PartStock.part_id, PartStock.id)).all())
    db.session.commit()
    hot = part_ids[0]
    balance = dict.fromkeys(part_ids, 0)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = []
    for n in range(movements):
        pid = hot if n % 5 == 0 else part_ids[rng.randrange(PARTS)]
        if balance[pid] < 5:
            quantity, kind = 100, "receive"
        else:
            quantity, kind = -rng.randint(1, 3), "issue"
        balance[pid] += quantity
        rows.append(
            {
                "stock_id": stock_ids[pid],
                "location_id": location.id,
                "part_id": pid,
                "kind": kind,
                "quantity": quantity,
                "unit_cost": Decimal("2.5000"),
                "value": Decimal(quantity) * Decimal("2.50"),
                "balance": balance[pid],
                "at": start + timedelta(seconds=30 * n),
                "actor_id": tech.id,
                "reason": "",
            }
        )
        if len(rows) == CHUNK:
            db.session.execute(insert(StockMovement), rows)
            db.session.commit()
            rows = []
    if rows:
        db.session.execute(insert(StockMovement), rows)
    for pid, on_hand in balance.items():
        if on_hand:
            db.session.execute(
                text("UPDATE part_stock SET on_hand = :n WHERE id = :id"), {"n": on_hand, "id": stock_ids[pid]}
            )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return location.id, hot


def timed(client, url: str) -> float:
    times = []
    for run in range(RUNS + 1):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        if run:
            times.append(elapsed)
    return statistics.median(times)


def measure(app, location: int, hot: int) -> list[tuple[str, float]]:
    client = app.test_client()
    client.post("/login", data={"username": "tech", "password": "bench-pass"})
    with app.app_context():
        deep = db.session.scalar(
            select(StockMovement.id).where(StockMovement.part_id == hot).order_by(StockMovement.id).offset(500).limit(1)
        )
        count = db.session.scalar(select(func.count()).select_from(StockMovement).where(StockMovement.part_id == hot))
    return [
        ("For comparison, at the same moment: the home page", timed(client, "/home")),
        ("Stock page, first 50 parts", timed(client, f"/spares/{location}/")),
        ("Stock page, 50 parts deep in the codes (after P04000)", timed(client, f"/spares/{location}/?after=P04000")),
        ("Stock page, a search by name (拉链)", timed(client, f"/spares/{location}/?q=%E6%8B%89%E9%93%BE")),
        ("Parts to order (at or below their reorder point)", timed(client, f"/spares/{location}/to-order")),
        (f"A part's ledger, newest 50 of its {count:,} movements", timed(client, f"/spares/{location}/parts/{hot}")),
        (
            "The same ledger, 50 movements deep in its history",
            timed(client, f"/spares/{location}/parts/{hot}?before={deep}"),
        ),
    ]


def write_readme(movements: int, results: list[tuple[str, list[tuple[str, float]]]]) -> None:
    lines = [
        HEADING,
        "",
        f"`.venv/bin/python bench/spares_bench.py [--postgres URL]` — {PARTS:,} parts and {movements:,} ledger movements",
        "(a fifth of them on one part), pages through the test client, median of "
        f"{RUNS} runs after a warm-up. Keyset pages: the stock page by part code, a ledger by movement id.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()} — "
        f"{date.today().isoformat()}; load average {os.getloadavg()[0]:.1f} while it ran (a machine shared with",
        "other work: the same pages take a fraction of this on an idle machine).",
        "",
        "| Database | Page | Time | Target |",
        "|---|---|---|---|",
    ]
    for database, rows in results:
        lines += [
            f"| {database} | {what} | {seconds * 1000:.1f} ms | {'—' if what.startswith('For comparison') else f'< {TARGET_MS} ms'} |"
            for what, seconds in rows
        ]
    section = "\n".join(lines) + "\n"
    current = README.read_text() if README.exists() else ""
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(section + "\n", current).rstrip() + "\n"
    else:
        updated = current.rstrip() + ("\n\n" if current else "") + section
    README.write_text(updated)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a scratch PostgreSQL database URL (its tables are dropped)")
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--measure-only", action="store_true", help="PostgreSQL: keep the data of a previous run")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        targets = [] if args.no_sqlite else [("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite'}")]
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)))
        for name, url in targets:
            keep = args.measure_only and name == "PostgreSQL"
            app = make_app(url, Path(folder), keep=keep)
            with app.app_context():
                started = time.perf_counter()
                if keep:
                    location = db.session.scalar(select(StockLocation.id))
                    hot = db.session.scalar(select(SparePart.id).order_by(SparePart.id))
                else:
                    location, hot = fill(args.movements)
                print(f"{name}: filled in {time.perf_counter() - started:.0f} s")
                db.session.remove()
            rows = measure(app, location, hot)
            with app.app_context():
                db.engine.dispose()
            for what, seconds in rows:
                print(f"{name}: {what}: {seconds * 1000:.1f} ms")
            results.append((name, rows))
    write_readme(args.movements, results)


if __name__ == "__main__":
    main()
