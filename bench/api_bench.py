"""API scan benchmark: `.venv/bin/python bench/api_bench.py [--seconds 20] [--only sqlite|postgresql]`.

The scan station through the JSON API with personal tokens (POST /api/v1/scan), the way a
handheld scanner calls it. For SQLite and for PostgreSQL: a fresh database with 100,000
pieces in transit (200 parcels of 500), 20 technicians each with an API token, the app
served by gunicorn on a free 127.0.0.1 port. Each technician scans its parcel's slip, then
its pieces at human pace (one scan every 0.5–1 s) for ``--seconds``; two technicians share
each parcel, so half the scans race for the same piece, and one scan in twenty is a misread.
Server latency is gunicorn's own time per request (``%(D)s``); afterwards the history is
counted: one *received* event per piece, as many as "received" answers.

PostgreSQL: ``--pg-url`` (default postgresql://postgres@127.0.0.1:5432/wt_api; its public
schema is dropped and rebuilt — do not run the tests on it at the same time). Results are
appended to bench/README.md under "API".
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402

PIECES = 100_000
PARCELS = 200
SCANNERS = 20
HOST = "127.0.0.1"


def app_config(url: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench-only-secret",
        "CHAIN_TIMEZONE": "Asia/Shanghai",
        "UPLOAD_FOLDER": tempfile.gettempdir(),
        "RATELIMIT_STORAGE_URI": "memory://",
        # The API's own limits stay on (600 a minute per token is far above a person's pace).
        "RATELIMIT_ENABLED": True,
    }


def build_database(url: str) -> dict:
    from app import create_app
    from app.extensions import db
    from app.models import ApiToken, Batch, DefectCode, Event, Piece, Product, Region, Store, Supplier, User
    from app.services.tokens import hash_token
    from workshop.codes import batch_code
    from workshop.statuses import Blame, DefectKind

    app = create_app(app_config(url))
    started = time.perf_counter()
    tokens = [f"wst_bench{n:03d}_" + "x" * 40 for n in range(1, SCANNERS + 1)]
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
        now = datetime.now(UTC)
        dispatched = now - timedelta(days=2)
        due = (dispatched + timedelta(days=15)).date()
        with db.engine.begin() as conn:
            conn.execute(insert(Region), [{"id": 1, "code": "R1", "name": "华东区"}])
            conn.execute(
                insert(Store),
                [
                    {
                        "id": i,
                        "code": f"S{i:04d}",
                        "name": f"上海{i}号店",
                        "region_id": 1,
                        "weekly_quota": 1,
                        "active": True,
                    }
                    for i in range(1, PARCELS + 1)
                ],
            )
            conn.execute(insert(Supplier), [{"id": 1, "code": "SUP1", "name": "宁波雅戈服饰有限公司", "active": True}])
            conn.execute(
                insert(Product),
                [
                    {
                        "id": 1,
                        "style_code": "G24001",
                        "name": "男士羽绒服",
                        "category": "羽绒服",
                        "supplier_id": 1,
                        "unit_cost": "360.00",
                        "retail_price": "999.00",
                        "active": True,
                    }
                ],
            )
            conn.execute(
                insert(DefectCode),
                [
                    {
                        "id": 1,
                        "code": "Q01",
                        "name_zh": "脱线",
                        "name_en": "Open seam",
                        "kind": DefectKind.QUALITY.value,
                        "suggested_blame": Blame.SUPPLIER.value,
                        "active": True,
                    }
                ],
            )
            conn.execute(
                insert(User),
                [
                    {
                        "id": n,
                        "username": f"tech{n:02d}",
                        "display_name": f"技师 {n}",
                        "password_hash": "-",
                        "role": "technician",
                        "locale": "zh_Hans",
                        "active": True,
                        "created_at": now,
                    }
                    for n in range(1, SCANNERS + 1)
                ],
            )
            conn.execute(
                insert(User),
                [
                    {
                        "id": SCANNERS + 1,
                        "username": "clerk",
                        "display_name": "店员",
                        "password_hash": "-",
                        "role": "store",
                        "store_id": 1,
                        "locale": "zh_Hans",
                        "active": True,
                        "created_at": now,
                    }
                ],
            )
            conn.execute(
                insert(ApiToken),
                [
                    {
                        "user_id": n,
                        "name": "scanner",
                        "prefix": token[:12],
                        "token_hash": hash_token(token),
                        "created_at": now,
                    }
                    for n, token in enumerate(tokens, start=1)
                ],
            )
            conn.execute(
                insert(Batch),
                [
                    {
                        "id": b,
                        "direction": "outbound",
                        "store_id": b,
                        "status": "dispatched",
                        "created_at": dispatched,
                        "created_by_id": SCANNERS + 1,
                        "iso_week": 202647,
                        "extra": False,
                        "carrier": "顺丰速运",
                        "tracking_no": f"SF{b:010d}",
                        "dispatched_at": dispatched,
                        "dispatched_by_id": SCANNERS + 1,
                        "expected_count": PIECES // PARCELS,
                    }
                    for b in range(1, PARCELS + 1)
                ],
            )
            per_parcel = PIECES // PARCELS
            for start in range(1, PIECES + 1, 10_000):
                rows, events = [], []
                for n in range(start, min(start + 10_000, PIECES + 1)):
                    parcel = (n - 1) // per_parcel + 1
                    rows.append(
                        {
                            "id": n,
                            "store_id": parcel,
                            "product_id": 1,
                            "size": "L",
                            "colour": "藏青",
                            "defect_id": 1,
                            "description": "",
                            "source": "customer_return",
                            "registered_at": dispatched - timedelta(days=1),
                            "registered_by_id": SCANNERS + 1,
                            "status": "in_transit",
                            "unexpected": False,
                            "batch_id": parcel,
                            "dispatched_at": dispatched,
                            "due_on": due,
                            "blame_reason": "",
                            "blame_overridden": False,
                        }
                    )
                    events.append(
                        {
                            "at": dispatched,
                            "actor_id": SCANNERS + 1,
                            "piece_id": n,
                            "batch_id": parcel,
                            "action": "dispatch",
                            "from_status": "packed",
                            "to_status": "in_transit",
                            "reason": "",
                            "data": {},
                        }
                    )
                conn.execute(insert(Piece), rows)
                conn.execute(insert(Event), events)
            if db.engine.dialect.name == "postgresql":
                for table in ("piece", "batch", "event", "user", "api_token"):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
                        )
                    )
                conn.execute(text("ANALYZE"))
        db.engine.dispose()
    return {
        "seconds": time.perf_counter() - started,
        "tokens": tokens,
        "slips": [batch_code(b) for b in range(1, PARCELS + 1)],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, workers: int, threads: int, log: Path):
        self.port, self.log = free_port(), log
        self.cmd = [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "-b",
            f"{HOST}:{self.port}",
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
            "--log-level",
            "warning",
            "--timeout",
            "60",
            f"app:create_app({app_config(url)!r})",
        ]

    def __enter__(self):
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(str(self.log) + ".err", "w"),
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/api/v1/openapi.json")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start: see {self.log}.err")

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own process group only
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def server_times(self, path: str) -> list[float]:
        times = []
        for line in self.log.read_text().splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[0] == "POST" and parts[1] == path:
                times.append(int(parts[3]) / 1000)
        return times


def scanner(port: int, token: str, slip: str, seconds: float, seed: int, answers: list, errors: list) -> None:
    from workshop.codes import parse_code, piece_code

    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept-Language": "zh-CN"}

    def post(body: dict) -> dict:
        conn.request("POST", "/api/v1/scan", json.dumps(body), headers)
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            errors.append((response.status, data[:200]))
            return {}
        return json.loads(data)

    opened = post({"code": slip})
    batch_id = opened.get("batch_id")
    parcel = parse_code(slip).number
    numbers = list(range((parcel - 1) * 500 + 1, parcel * 500 + 1))
    rng.shuffle(numbers)
    end = time.time() + seconds
    for number in numbers:
        if time.time() > end:
            break
        code = piece_code(number)
        if rng.random() < 0.05:
            code = code[:-1] + ("0" if code[-1] != "0" else "1")  # a misread check character
        answers.append(post({"code": code, "batch_id": batch_id, "mode": "receive"}))
        time.sleep(rng.uniform(0.5, 1.0))


def run_backend(name: str, url: str, seconds: float, workers: int, threads: int, workdir: Path) -> dict:
    print(f"[{name}] building {PIECES:,} pieces…", flush=True)
    built = build_database(url)
    log = workdir / f"{name}-access.log"
    answers: list[dict] = []
    errors: list = []
    with Server(url, workers, threads, log) as server:
        # Two scanners per parcel: scanners 2k and 2k+1 share parcel k+1.
        threads_ = [
            threading.Thread(
                target=scanner,
                args=(server.port, built["tokens"][n], built["slips"][n // 2], seconds, n, answers, errors),
            )
            for n in range(SCANNERS)
        ]
        for t in threads_:
            t.start()
        for t in threads_:
            t.join()
        times = server.server_times("/api/v1/scan")
    engine = create_engine(url)
    with engine.connect() as conn:
        events = conn.execute(
            text("SELECT count(*), count(DISTINCT piece_id) FROM event WHERE action = 'receive'")
        ).one()
        received = conn.execute(text("SELECT count(*) FROM piece WHERE status = 'received'")).scalar()
    engine.dispose()
    said = sum(1 for a in answers if a.get("code") == "received")
    codes: dict[str, int] = {}
    for a in answers:
        codes[a.get("code", "?")] = codes.get(a.get("code", "?"), 0) + 1
    times.sort()
    return {
        "name": name,
        "scans": len(times),
        "errors": len(errors),
        "codes": codes,
        "p50": statistics.median(times) if times else None,
        "p95": times[int(len(times) * 0.95) - 1] if times else None,
        "max": times[-1] if times else None,
        "exactly_once": events[0] == events[1] == said == received,
        "events": events[0],
        "said_received": said,
        "built": built["seconds"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--pg-url", default=os.environ.get("API_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/wt_api")
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.only in (None, "sqlite"):
            results.append(
                run_backend(
                    "SQLite", f"sqlite:///{workdir / 'bench.sqlite'}", args.seconds, args.workers, args.threads, workdir
                )
            )
        if args.only in (None, "postgresql"):
            results.append(run_backend("PostgreSQL", args.pg_url, args.seconds, args.workers, args.threads, workdir))
    lines = [
        "",
        "## API",
        "",
        f"`.venv/bin/python bench/api_bench.py --seconds {args.seconds:g}` — {datetime.now().date().isoformat()}. "
        f"POST /api/v1/scan with a Bearer token (hash lookup and rate limit on every request), {PIECES:,} pieces in transit, "
        f"{SCANNERS} technicians at human pace (0.5–1 s between scans), two per parcel, 5 % misreads; gunicorn "
        f"{args.workers} workers × {args.threads} threads on 127.0.0.1. Server latency is gunicorn's own (`%(D)s`). Target (issue 4): p95 < 50 ms.",
        "",
        "| database | scans | p50 ms | p95 ms | max ms | errors | received once each |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['scans']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {r['errors']} | "
            f"{'yes' if r['exactly_once'] else 'NO'} ({r['events']} events, {r['said_received']} answers) |"
        )
    text_out = "\n".join(lines) + "\n"
    print(text_out)
    for r in results:
        print(r["name"], r["codes"])
    if not args.no_readme:
        readme = ROOT / "bench" / "README.md"
        existing = readme.read_text() if readme.exists() else ""
        start = existing.find("\n## API\n")
        if start >= 0:
            end = existing.find("\n## ", start + 1)
            existing = existing[:start] + (existing[end:] if end >= 0 else "")
        readme.write_text(existing.rstrip("\n") + "\n" + text_out)


if __name__ == "__main__":
    main()
