"""The benchmark's year of data keeps the app's invariants (a small run, PostgreSQL only).

bench/year_data.py loads rows with COPY, past the services; this checks at 3,000 pieces that
what it writes is what the services would have written: every piece's history ends in its
status, parcels and pieces agree, the kept counters equal a recount, no reference dangles,
claims carry their numbers and amounts — and the pages open on it.
"""

import gc
import re
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import text

from bench import year_data

PIECES = 3000


@pytest.fixture(scope="module")
def year_url(app):
    with app.app_context():
        from app.extensions import db

        if db.engine.dialect.name != "postgresql":
            pytest.skip("the year's generator loads PostgreSQL with COPY")
        base = db.engine.url
    name = f"{base.database}_year_data"
    url = f"postgresql://{base.username or 'postgres'}@{base.host or '127.0.0.1'}:{base.port or 5432}/{name}"
    if base.password:
        url = url.replace("@", f":{base.password}@", 1)
    year = year_data.load(url, PIECES, log=lambda *_: None)
    yield url, year
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_every_piece_s_history_is_a_chain_of_moves_ending_in_its_status(year_url):
    url, year = year_url
    assert sum(year.counts.values()) == PIECES and rows(url, "SELECT count(*) FROM piece") == [(PIECES,)]
    broken = rows(
        url,
        """SELECT p.id FROM piece p JOIN LATERAL (
             SELECT to_status FROM event e WHERE e.piece_id = p.id ORDER BY e.id DESC LIMIT 1) last ON true
           WHERE last.to_status <> p.status""",
    )
    assert broken == []
    gaps = rows(
        url,
        """SELECT piece_id FROM (SELECT piece_id, from_status,
             lag(to_status) OVER (PARTITION BY piece_id ORDER BY id) AS before FROM event WHERE piece_id IS NOT NULL) x
           WHERE before IS NOT NULL AND from_status IS DISTINCT FROM before""",
    )
    assert gaps == []


def test_parcels_and_their_pieces_agree(year_url):
    url, _ = year_url
    assert rows(
        url,
        """SELECT count(*) FROM piece p LEFT JOIN batch b ON b.id = p.batch_id
           WHERE p.batch_id IS NOT NULL AND (b.id IS NULL OR b.direction <> 'outbound' OR b.store_id <> p.store_id)""",
    ) == [(0,)]
    assert rows(
        url,
        """SELECT count(*) FROM piece p LEFT JOIN batch b ON b.id = p.return_batch_id
           WHERE p.return_batch_id IS NOT NULL AND (b.id IS NULL OR b.direction <> 'return' OR b.store_id <> p.store_id)""",
    ) == [(0,)]
    # A dispatched parcel expects what it carries; its pieces' clocks started with it.
    assert rows(
        url,
        """SELECT count(*) FROM batch b WHERE b.direction = 'outbound' AND b.status <> 'open'
           AND b.expected_count <> (SELECT count(*) FROM piece p WHERE p.batch_id = b.id)""",
    ) == [(0,)]
    assert rows(
        url,
        """SELECT count(*) FROM piece p JOIN batch b ON b.id = p.batch_id
           WHERE p.dispatched_at IS NOT NULL AND (p.dispatched_at <> b.dispatched_at
             OR p.due_on <> (b.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date + 15)""",
    ) == [(0,)]
    running = ("in_transit", "missing", "received", "repairable", "repaired", "no_fault", "packed_for_return")
    assert rows(
        url, f"SELECT count(*) FROM piece WHERE status IN {running} AND (due_on IS NULL OR back_on IS NOT NULL)"
    ) == [(0,)]
    assert rows(url, "SELECT count(*) FROM piece WHERE status = 'back_at_store' AND back_on IS NULL") == [(0,)]


def test_no_reference_dangles(year_url):
    url, _ = year_url
    foreign_keys = rows(
        url,
        """SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] WHERE c.contype = 'f'""",
    )
    assert len(foreign_keys) > 20
    for table, column, target in foreign_keys:
        dangling = rows(
            url,
            f"SELECT count(*) FROM {table} t LEFT JOIN {target} r ON r.id = t.{column} "
            f"WHERE t.{column} IS NOT NULL AND r.id IS NULL",
        )
        assert dangling == [(0,)], f"{table}.{column} → {target}"


def test_claims_carry_their_number_and_their_supplier_s_scrap(year_url):
    url, _ = year_url
    claims = rows(url, "SELECT number, month FROM claim ORDER BY id")
    assert claims
    for number, month in claims:
        assert re.fullmatch(rf"SC-{month}-\d{{4}}", number)
    wrong = rows(
        url,
        """SELECT c.number FROM claim c WHERE c.amount <> (SELECT sum(scrap_cost) FROM piece p
           WHERE p.scrap_month = c.month AND p.blame = 'supplier' AND p.blamed_supplier_id = c.supplier_id)""",
    )
    assert wrong == []
    closed = rows(url, "SELECT count(*) FROM accounting_month WHERE closed")[0][0]
    assert closed == 12 and rows(url, "SELECT count(*) FROM event WHERE action = 'month_close'") == [(closed,)]


# The bench app's engine is a second one beside the suite's: a pooled connection a request's
# background work left behind may be collected after the dispose below.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_kept_counters_equal_a_recount_and_the_pages_open(year_url):
    url, _ = year_url
    bench_app = year_data.bench_app(url, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test-only-secret",
                                    NOW=lambda: year_data.NOW + timedelta(hours=1))  # fmt: skip
    from app.extensions import db
    from app.services import piece_counts

    with bench_app.app_context():
        assert piece_counts.differences() == []
        assert db.session.execute(text("SELECT count(*) FROM store")).scalar() == year_data.STORES
        db.engine.dispose()
    for username, pages in (
        ("tech01", ["/home", "/bench/deadlines", "/bench/returns"]),
        ("admin1", ["/home", "/admin/stores/"]),
        ("region01", ["/home", "/store/", "/finance/statements"]),
        ("finance1", ["/finance/"]),
    ):
        client = bench_app.test_client()
        response = client.post("/login", data={"username": username, "password": year_data.PASSWORD})
        assert response.status_code == 302, username
        for page in pages:
            assert client.get(page).status_code == 200, (username, page)
    with bench_app.app_context():
        db.session.remove()
        db.engine.dispose()
    # A connection left behind is collected now, under this test's filter, not in a later test.
    gc.collect()
