"""Store desk benchmark: `.venv/bin/python bench/store_bench.py [--postgres URL]`.

Times registering 300 pieces from a spreadsheet through the app's own pages (the test
client, no network): the preview (upload, read, check every cell, sign the rows) and the
all-or-nothing import (check again, register 300 pieces with their history events, commit).
Median of 5 runs after a warm-up, on SQLite in a temporary folder and, when a URL is given,
on PostgreSQL (its tables are dropped and recreated: use a scratch database).

Results go into bench/README.md under "## Store desk".
"""

from __future__ import annotations

import argparse
import html
import io
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import DefectCode, Product, Region, Store, Supplier, User  # noqa: E402
from workshop.statuses import Blame, DefectKind  # noqa: E402

ROWS = 300
RUNS = 5
README = Path(__file__).with_name("README.md")
HEADING = "## Store desk"
HEADER = "款号 Style code,尺码 Size,颜色 Colour,缺陷代码 Defect code,来源 Source,到货日期 Delivery received on,问题描述 Description"


def make_app(url: str, folder: Path):
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
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        region = Region(code="EAST", name="华东区")
        store = Store(code="SH001", name="上海南京东路店", region=region)
        supplier = Supplier(code="SUP01", name="宁波雅戈服饰有限公司")
        db.session.add_all(
            [
                region,
                store,
                supplier,
                Product(
                    style_code="G10001",
                    name="男士加绒连帽羽绒服",
                    category="羽绒服",
                    supplier=supplier,
                    unit_cost=Decimal("360"),
                    retail_price=Decimal("999"),
                ),
                DefectCode(
                    code="Q01",
                    name_zh="脱线",
                    name_en="Open seam",
                    kind=DefectKind.QUALITY,
                    suggested_blame=Blame.SUPPLIER,
                ),
            ]
        )
        clerk = User(username="clerk", display_name="王晓燕", role="store", store=store, locale="zh_Hans")
        clerk.set_password("bench-pass")
        db.session.add(clerk)
        db.session.commit()
    return app


def csv_file() -> bytes:
    today = date.today().isoformat()
    lines = [HEADER] + [f"G10001,L,藏青,Q01,到货发现,{today},第 {i} 件 左袖脱线" for i in range(ROWS)]
    return "\r\n".join(lines).encode("gbk")


def measure(app) -> tuple[float, float]:
    client = app.test_client()
    client.post("/login", data={"username": "clerk", "password": "bench-pass"})
    data = csv_file()
    previews, imports = [], []
    for run in range(RUNS + 1):
        started = time.perf_counter()
        page = client.post(
            "/store/import", data={"file": (io.BytesIO(data), "pieces.csv")}, content_type="multipart/form-data"
        ).get_data(as_text=True)
        middle = time.perf_counter()
        token = html.unescape(re.search(r'name="rows" value="([^"]+)"', page)[1])
        response = client.post("/store/import/confirm", data={"rows": token})
        ended = time.perf_counter()
        assert response.status_code == 302, response.status_code
        if run:  # the first run warms caches and the connection pool
            previews.append(middle - started)
            imports.append(ended - middle)
    return statistics.median(previews), statistics.median(imports)


def write_readme(results: list[tuple[str, float, float]]) -> None:
    lines = [
        HEADING,
        "",
        "`.venv/bin/python bench/store_bench.py [--postgres URL]` — registering 300 pieces from a GBK CSV",
        f"through the pages (test client), median of {RUNS} runs after a warm-up.",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()} — {date.today().isoformat()}.",
        "",
        "| Database | Preview (upload, check every cell) | Import (check again, register 300, commit) | Target |",
        "|---|---|---|---|",
    ]
    for name, preview, imported in results:
        lines.append(f"| {name} | {preview * 1000:.0f} ms | {imported * 1000:.0f} ms | import < 1 s |")
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
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        targets = [("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite'}")]
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)))
        for name, url in targets:
            app = make_app(url, Path(folder))
            with app.app_context():
                preview, imported = measure(app)
                db.session.remove()
                db.engine.dispose()
            print(f"{name}: preview {preview * 1000:.0f} ms, import {imported * 1000:.0f} ms")
            results.append((name, preview, imported))
    write_readme(results)


if __name__ == "__main__":
    main()
