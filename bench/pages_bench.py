"""The pages people open every day, timed through the real app on a year of data.

    .venv/bin/python -m bench.pages_bench                 # the sizes whose databases exist
    .venv/bin/python -m bench.pages_bench --sizes 100k 1m # these only
    .venv/bin/python -m bench.pages_bench --generate      # (re)generate missing databases first

Each size is a database made by bench/year_data.py (bench_year_100k, bench_year_1m,
bench_year_4m). Every page of every role and the API's lists is requested through the app
(Flask's test client: the whole request — log-in session, scope, queries, template — minus
the network), once to warm up, then ``RUNS`` times; the median is its server time. The
table goes into bench/README.md between the ``pages-bench`` markers, with the ratio of each
page's time at the largest size to its time at 100 k.
"""

from __future__ import annotations

import argparse
import gc
import logging
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import year_data  # noqa: E402

RUNS = 5
TARGET_MS = 300
RATIO = 1.5
README = Path(__file__).with_name("README.md")
BEGIN, END = "<!-- pages-bench:begin -->", "<!-- pages-bench:end -->"


def facts(url: str) -> dict:
    """Ids the pages need: the busiest store, a region, months, a big supplier, a running piece."""
    with psycopg.connect(year_data.plain_url(url)) as conn:

        def one(sql: str, *args):
            return conn.execute(sql, args).fetchone()[0]

        store = one("SELECT store_id FROM piece_count GROUP BY store_id ORDER BY sum(n) DESC, store_id LIMIT 1")
        previous = one("SELECT max(month) FROM accounting_month WHERE closed")
        supplier = one(
            "SELECT blamed_supplier_id FROM piece WHERE scrap_month = %s AND blame = 'supplier' "
            "GROUP BY blamed_supplier_id ORDER BY count(*) DESC LIMIT 1",
            previous,
        )
        running = one("SELECT id FROM piece WHERE status = 'received' ORDER BY id LIMIT 1")
        region = one("SELECT region_id FROM store WHERE id = %s", store)
        return {
            "store": store,
            "store_user": f"s{store:04d}",
            "region_user": f"region{region:02d}",
            "month": f"{previous // 100}-{previous % 100:02d}",
            "supplier": supplier,
            "running": running,
        }


def pages(f: dict) -> list[tuple[str, str, str]]:
    """(role's user, page name, URL) — every main page of every role, and the API's lists."""
    m, day = f["month"], (year_data.NOW - timedelta(days=7)).date().isoformat()
    week_ago = (year_data.NOW - timedelta(days=14)).date().isoformat()
    store, region = f["store_user"], f["region_user"]
    return [
        (store, "store: home", "/home"),
        (store, "store: its pieces, first page", "/store/"),
        (store, "store: its pieces, page 5", "/store/?page=5"),
        (store, "store: the open parcel", "/store/batch"),
        (store, "store: parcels to receive back", "/store/receive"),
        (store, "store: charges statements", "/finance/statements"),
        (region, "region: home (store table)", "/home"),
        (region, "region: its pieces, first page", "/store/"),
        (region, "region: its pieces, page 20", "/store/?page=20"),
        (region, "region: statements", "/finance/statements"),
        ("tech01", "technician: home", "/home"),
        ("tech01", "technician: deadline board", "/bench/deadlines"),
        ("tech01", "technician: deadline board, overdue", "/bench/deadlines?clock=overdue"),
        ("tech01", "technician: deadline board, at risk", "/bench/deadlines?clock=at_risk"),
        ("tech01", "technician: deadline board, received", "/bench/deadlines?status=received"),
        ("tech01", "technician: deadline board, page 20", "/bench/deadlines?page=20"),
        ("tech01", "technician: returns board", "/bench/returns"),
        ("tech01", "technician: scan station", "/bench/scan"),
        ("tech01", "technician: parcels on the way in", "/bench/incoming"),
        ("tech01", "technician: a piece's card", f"/bench/pieces/{f['running']}"),
        ("finance1", "finance: home", "/home"),
        ("finance1", "finance: month page (last closed month)", f"/finance/?month={m}"),
        ("finance1", "finance: month page (this month)", "/finance/"),
        ("finance1", "finance: drill-down, head office, first page", f"/finance/{m}/hq"),
        ("finance1", "finance: drill-down, head office, page 10", f"/finance/{m}/hq?page=10"),
        ("finance1", "finance: drill-down, largest supplier", f"/finance/{m}/supplier?party={f['supplier']}"),
        ("finance1", "finance: claims", "/finance/claims"),
        ("finance1", "finance: export, month's head-office pieces, CSV", f"/finance/export/pieces.csv?month={m}&kind=hq"),
        ("finance1", "finance: export, month's head-office pieces, XLSX",
         f"/finance/export/pieces.xlsx?month={m}&kind=hq"),  # fmt: skip
        ("admin1", "admin: home", "/home"),
        ("admin1", "admin: all pieces, first page", "/store/"),
        ("admin1", "admin: stores (2,000), page 2", "/admin/stores/?page=2"),
        ("admin1", "admin: products (5,000), page 2", "/admin/products/?page=2"),
        ("admin1", "admin: users (3,000), page 2", "/admin/users/?page=2"),
        ("admin1", "admin: users, search", "/admin/users/?q=s0042"),
        ("api:admin1", "API: pieces, first page", "/api/v1/pieces"),
        ("api:admin1", "API: pieces, a week's registrations", f"/api/v1/pieces?registered_from={week_ago}&registered_to={day}"),
        ("api:admin1", "API: batches", "/api/v1/batches"),
        ("api:admin1", "API: deadlines", "/api/v1/deadlines"),
        ("api:admin1", "API: deadlines, overdue", "/api/v1/deadlines?clock=overdue"),
        ("api:admin1", "API: finance month", f"/api/v1/finance/months/{m}"),
        ("api:admin1", "API: claims", "/api/v1/finance/claims"),
        (f"api:{store}", "API: a store's pieces", "/api/v1/pieces"),
    ]  # fmt: skip


class Session:
    """The app on one size's database, with a logged-in client per user and API tokens."""

    def __init__(self, url: str):
        from app.extensions import db

        self.db = db
        self.app = year_data.bench_app(
            url, SECRET_KEY="bench-only", WTF_CSRF_ENABLED=False, NOW=lambda: year_data.NOW + timedelta(hours=1)
        )
        self.facts = facts(url)
        self.clients: dict[str, object] = {}
        self.headers: dict[str, dict] = {}

    def client_for(self, who: str):
        from app.models import User
        from app.services import tokens

        if who.startswith("api:"):
            username = who[4:]
            if username not in self.headers:
                with self.app.app_context():
                    user = self.db.session.scalar(self.db.select(User).where(User.username == username))
                    _, secret = tokens.create_token(user, "pages bench")
                    self.db.session.commit()
                self.headers[username] = {"Authorization": f"Bearer {secret}"}
            return self.app.test_client(), self.headers[username]
        if who not in self.clients:
            c = self.app.test_client()
            response = c.post("/login", data={"username": who, "password": year_data.PASSWORD})
            assert response.status_code == 302, (who, response.status_code)
            self.clients[who] = c
        return self.clients[who], {}

    def get(self, who: str, path: str) -> tuple[float, int]:
        client, extra = self.client_for(who)
        gc.collect()
        started = time.perf_counter()
        response = client.get(path, headers=extra)
        response.get_data()
        return (time.perf_counter() - started) * 1000, response.status_code

    def close(self) -> None:
        with self.app.app_context():
            self.db.engine.dispose()


def measure_all(sizes: list[str], runs: int = RUNS, only: str | None = None, log=print):
    """{size: {page name: (median ms, status)}}, the sizes taking turns request by request, so
    that the load of a shared machine falls on every size alike (the ratios are fair)."""
    sessions = {size: Session(year_data.database_for(size)) for size in sizes}
    logging.getLogger("workshop").setLevel(logging.WARNING)  # after create_app, which sets it
    results: dict[str, dict[str, tuple[float, int]]] = {size: {} for size in sizes}
    plans = {size: pages(sessions[size].facts) for size in sizes}
    for i, (_who, name, _path) in enumerate(plans[sizes[0]]):
        if only and not re.search(only, name):
            continue
        times: dict[str, list[float]] = {size: [] for size in sizes}
        status: dict[str, int] = {}
        for run in range(runs + 1):
            for size in sizes:
                who, _, path = plans[size][i]
                ms, status[size] = sessions[size].get(who, path)
                if run:
                    times[size].append(ms)
        for size in sizes:
            results[size][name] = (statistics.median(times[size]), status[size])
        log(f"  {name:<58} " + "  ".join(f"{results[s][name][0]:>8.1f} ms {status[s]}" for s in sizes))
    for session in sessions.values():
        session.close()
    return results


def table(sizes: list[str], results: dict[str, dict[str, tuple[float, int]]]) -> str:
    names = list(next(iter(results.values())).keys())
    last = sizes[-1]
    head = f"| page (server time, median) | {' | '.join(sizes)} | {last}/100k | target |"
    lines = [head, "|" + "---|" * (len(sizes) + 3)]
    for name in names:
        cells = []
        for size in sizes:
            ms, status = results[size].get(name, (float("nan"), 0))
            cells.append(f"{ms:,.0f} ms" + ("" if status == 200 else f" (**{status}**)"))
        base, top = results[sizes[0]].get(name, (0, 0))[0], results[last].get(name, (0, 0))[0]
        ratio = f"{top / base:.2f}" if base and len(sizes) > 1 else "—"
        ok = top < TARGET_MS and (len(sizes) == 1 or (base and top / base < RATIO))
        lines.append(f"| {name} | {' | '.join(cells)} | {ratio} | {'yes' if ok else '**no**'} |")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text()
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in readme:
        readme = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, readme, flags=re.S)
    else:
        readme += "\n" + block + "\n"
    README.write_text(readme)


def exists(url: str) -> bool:
    try:
        with psycopg.connect(year_data.plain_url(url), connect_timeout=3) as conn:
            return conn.execute("SELECT count(*) FROM piece_count").fetchone() is not None
    except psycopg.Error:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="*", default=["100k", "1m", "4m"], choices=list(year_data.SIZES))
    parser.add_argument("--generate", action="store_true", help="generate the sizes whose database is missing")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--only", help="a regular expression: only the pages whose name matches")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    sizes = []
    for size in args.sizes:
        url = year_data.database_for(size)
        if not exists(url):
            if not args.generate:
                print(f"{size}: no database {url} (python -m bench.year_data --pieces {year_data.SIZES[size]})")
                continue
            year_data.load(url, year_data.SIZES[size])
        sizes.append(size)
    print("sizes:", ", ".join(sizes))
    results = measure_all(sizes, args.runs, args.only) if sizes else {}
    if results and not args.no_readme and not args.only:
        write_readme(table(list(results), results))
        print(table(list(results), results))


if __name__ == "__main__":
    main()
