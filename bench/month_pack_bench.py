"""Month-end pack benchmark: `.venv/bin/python bench/month_pack_bench.py [--pieces 1000000] [--only sqlite|postgresql]`.

Loads the finance benchmark's chain (20 regions, 2,000 stores, 300 suppliers; N pieces over
twelve months, bulk inserts) and builds the month-end pack of the last full month — every
supplier's claim statement and every store's statement, as one ZIP — as a background job on
RQ (Redis database 5), done by one and then by two `flask worker --burst --simple` processes
started for the run (the job split in as many parts). Times the wall clock from the workers'
start to the pack being ready, and reads each worker's peak memory (max RSS) from the kernel.

Results go into bench/README.md under "## Month-end pack".
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from finance_bench import load, months_back  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Job, JobState, User  # noqa: E402
from app.services import month_pack  # noqa: E402
from workshop.money import Month  # noqa: E402
from workshop.roles import Role  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/5"
PG_DB = "alerts_month_pack_bench"
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"
README = Path(__file__).with_name("README.md")


def high_water_mib(pid: int) -> int | None:
    """The process's peak resident memory so far (VmHWM: its own, reset by exec)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) // 1024 if found else None


def run_workers(count: int, env: dict) -> tuple[float, list[int]]:
    """Start ``count`` burst workers; wait for them; (seconds, peak RSS of each in MiB).

    The peak is read from /proc while each worker runs: a child's rusage max RSS would
    start from this (large) process's, which fork and exec carry over."""
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "flask"), "worker", "--burst", "--simple"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    peaks = [0] * count
    while any(w.poll() is None for w in workers):
        for i, worker in enumerate(workers):
            peaks[i] = max(peaks[i], high_water_mib(worker.pid) or 0)
        time.sleep(0.1)
    if any(w.returncode != 0 for w in workers):
        raise RuntimeError(f"a worker failed: {[w.returncode for w in workers]}")
    return time.perf_counter() - started, peaks


def measure(url: str, pieces: int, reuse: bool) -> dict:
    from redis import Redis

    redis = Redis.from_url(REDIS_URL)
    redis.ping()
    with tempfile.TemporaryDirectory() as tmp:
        config = {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-only",
            "CHAIN_TIMEZONE": "Asia/Shanghai",
            "UPLOAD_FOLDER": tmp,
            "JOB_FOLDER": str(Path(tmp) / "jobs"),
            "REDIS_URL": REDIS_URL,
            "BACKGROUND": "rq",
        }
        app = create_app(config)
        env = {
            **os.environ,
            "FLASK_APP": "wsgi.py",
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-only",
            "REDIS_URL": REDIS_URL,
            "JOB_FOLDER": config["JOB_FOLDER"],
            "UPLOAD_FOLDER": tmp,
        }
        with app.app_context():
            last = Month.at(datetime.now(UTC), ZoneInfo("Asia/Shanghai")).previous()
            loaded = (
                reuse
                and db.inspect(db.engine).has_table("job")
                and db.session.scalar(text("SELECT count(*) FROM piece")) == pieces
            )
            db.session.rollback()
            load_s = None
            if not loaded:
                db.drop_all()
                db.create_all()
                load_s = load(pieces, months_back(last, 12))
            month = last.previous()
            finance_user = db.session.scalars(select(User).where(User.role == Role.FINANCE)).first()
            if finance_user is None:
                finance_user = User(username="finance", display_name="财务 王", role=Role.FINANCE, password_hash="-")
                db.session.add(finance_user)
                db.session.commit()
            runs = {}
            for workers in (1, 2):
                redis.flushdb()
                job_id = month_pack.start(db.session, finance_user, month, parts=workers)
                db.session.commit()  # queues the parts on Redis
                seconds, peaks = run_workers(workers, env)
                job = db.session.get(Job, job_id, populate_existing=True)
                assert job.state == JobState.DONE, job.error
                with zipfile.ZipFile(job.result_path) as pack:
                    names = pack.namelist()
                    size = sum(i.file_size for i in pack.infolist())
                runs[workers] = {
                    "seconds": seconds,
                    "job_seconds": (job.finished_at - job.created_at).total_seconds(),
                    "peaks": peaks,
                    "statements": len(names),
                    "suppliers": sum(n.startswith("suppliers/") for n in names),
                    "stores": sum(n.startswith("stores/") for n in names),
                    "mib": size / 2**20,
                }
                print(workers, runs[workers], flush=True)
            version = db.session.scalar(
                text("SELECT sqlite_version()" if url.startswith("sqlite") else "SELECT version()")
            )
            db.session.remove()
            db.engine.dispose()
    redis.flushdb()
    return {
        "database": url.split(":")[0].split("+")[0],
        "version": version,
        "pieces": pieces,
        "month": str(month),
        "load_s": load_s,
        "runs": runs,
    }


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
        "## Month-end pack",
        "",
        "`.venv/bin/python bench/month_pack_bench.py` — the finance benchmark's chain (2,000 stores, 300",
        "suppliers, 1,000,000 pieces over twelve months); the pack of one month (every supplier's claim",
        "statement and every store's statement, one ZIP) built as a job on RQ (Redis database 5) by one,",
        "then two `flask worker --burst --simple` processes (the job split in as many parts; the last part",
        "merges). Wall clock from starting the workers to the pack being ready, worker start-up included;",
        "peak memory is each worker's high-water resident size (VmHWM), read while it runs.",
        "",
        f"Machine: 2 cores shared with other work, Python {sys.version.split()[0]} — {datetime.now(UTC):%Y-%m-%d}.",
        "",
    ]
    for r in results:
        one, two = r["runs"][1], r["runs"][2]
        loaded = f", loaded in {r['load_s']:.0f} s" if r["load_s"] else ""
        lines += [
            f"**{r['database']} {r['version'].split(' on ')[0]}** — {r['pieces']:,} pieces{loaded}; month {r['month']}: "
            f"{one['statements']:,} statements ({one['suppliers']} suppliers, {one['stores']:,} stores), "
            f"{one['mib']:.0f} MiB of PDF.",
            "",
            "| Workers | Pack ready after | Speed-up | Peak memory per worker |",
            "|---|---|---|---|",
            f"| 1 | {one['seconds']:.1f} s | 1.0× | {', '.join(f'{p} MiB' for p in one['peaks'])} |",
            f"| 2 | {two['seconds']:.1f} s | {one['seconds'] / two['seconds']:.2f}× | {', '.join(f'{p} MiB' for p in two['peaks'])} |",
            "",
        ]
    section = "\n".join(lines)
    current = README.read_text()
    pattern = re.compile(r"## Month-end pack\n.*?(?=\n## |\Z)", re.S)
    current = (
        pattern.sub(lambda _: section.rstrip("\n") + "\n", current)
        if pattern.search(current)
        else current.rstrip("\n") + "\n\n" + section
    )
    README.write_text(current)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pieces", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep and reuse a generated database of the same size")
    args = parser.parse_args()
    results = []
    if args.only in (None, "sqlite"):
        path = Path(tempfile.gettempdir()) / "month_pack_bench.sqlite"
        if not args.reuse:
            path.unlink(missing_ok=True)
        results.append(measure(f"sqlite:///{path}", args.pieces, args.reuse))
    if args.only in (None, "postgresql"):
        ensure_pg_database()
        results.append(measure(PG_URL, args.pieces, args.reuse))
    if not args.no_readme:
        write_readme(results)


if __name__ == "__main__":
    main()
