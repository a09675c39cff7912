"""The app on a real database: SQLite in a temporary folder, or PostgreSQL when
DATABASE_URL says so (as .ci/run does). The schema is built once per run; every test
starts from empty tables."""

import os
from datetime import date
from decimal import Decimal
from itertools import count

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.models import Batch, DefectCode, Piece, Product, Region, Store, Supplier, User
from app.services import registration
from app.services.settings import rules as current_rules
from workshop.statuses import Blame, DefectKind, Source

PASSWORD = "secret-pass-1"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    # scrypt's deliberate slowness protects real passwords; tests need none of it.
    from app.models import org

    original = org.generate_password_hash
    org.generate_password_hash = lambda password: original(password, method="pbkdf2:sha256:1000")
    yield
    org.generate_password_hash = original


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only-secret",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
            "CHAIN_TIMEZONE": "Asia/Shanghai",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,  # one test turns it back on to prove forms need it
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def db_session(app):
    with app.app_context():
        yield db.session
        db.session.rollback()
        _empty_tables()


def _empty_tables() -> None:
    # Core DELETE/TRUNCATE, not the ORM: history rows refuse ORM deletes by design.
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # TRUNCATE makes new files for every table it names (a quarter of a second for all of
            # them): name only the tables a test wrote to, then restart every sequence at 1.
            written = [
                name
                for name, has_rows in conn.execute(
                    text(" UNION ALL ".join(f"SELECT '{t}', EXISTS (SELECT 1 FROM \"{t}\")" for t in tables))
                )
                if has_rows
            ]
            if written:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in written) + " CASCADE"))
            conn.execute(
                text(
                    "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
                )
            )
        else:
            for name in reversed(tables):
                conn.execute(text(f'DELETE FROM "{name}"'))
            conn.execute(text("DELETE FROM sqlite_sequence")) if conn.execute(
                text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")
            ).first() else None


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own database
    session, its own ``g`` (the logged-in user, the language). Around each request the
    test's session commits, so the request sees what the test made and the test then
    reads what the request did."""

    def open(self, *args, **kwargs):
        db.session.commit()
        ctx = self.application.app_context()
        ctx.push()
        try:
            return super().open(*args, **kwargs)
        finally:
            ctx.pop()
            db.session.commit()


@pytest.fixture()
def client(app, db_session):
    app.test_client_class = FreshContextClient
    return app.test_client()


_seq = count(1)


def fresh(session) -> None:
    """End the test session's open read transaction before it writes.

    On SQLite a transaction that has read, then writes after another connection (a test
    client request) committed, fails with "database is locked"; committing first starts
    the write on a fresh snapshot. Call it in a test before writing through ``db_session``
    after client requests.
    """
    session.commit()


@pytest.fixture()
def make_region(db_session):
    def make(name="华东区", code=None):
        fresh(db_session)
        region = Region(code=code or f"R{next(_seq)}", name=name)
        db_session.add(region)
        db_session.commit()
        return region

    return make


@pytest.fixture()
def make_store(db_session, make_region):
    def make(name="上海南京东路店", region=None, quota=1, code=None):
        fresh(db_session)
        store = Store(
            code=code or f"S{next(_seq)}",
            name=name,
            region=region or make_region(),
            weekly_quota=quota,
            contact_name="王晓燕",
            contact_phone="021-6322 1188",
            address="上海市黄浦区南京东路 800 号",
        )
        db_session.add(store)
        db_session.commit()
        return store

    return make


@pytest.fixture()
def make_user(db_session):
    def make(role="store", store=None, region=None, username=None, locale="en"):
        fresh(db_session)
        user = User(
            username=username or f"user{next(_seq)}",
            display_name=f"测试用户 {role}",
            role=role,
            store=store,
            region=region,
            locale=locale,
        )
        user.set_password(PASSWORD)
        db_session.add(user)
        db_session.commit()
        return user

    return make


@pytest.fixture()
def make_product(db_session):
    def make(name="男士加绒连帽羽绒服", cost="360.00", supplier=None, style=None):
        fresh(db_session)
        if supplier is None:
            supplier = Supplier(code=f"SUP{next(_seq)}", name="宁波雅戈服饰有限公司")
            db_session.add(supplier)
        product = Product(
            style_code=style or f"G{next(_seq):05d}",
            name=name,
            category="羽绒服",
            supplier=supplier,
            unit_cost=Decimal(cost),
            retail_price=Decimal("999.00"),
        )
        db_session.add(product)
        db_session.commit()
        return product

    return make


@pytest.fixture()
def make_defect(db_session):
    def make(kind=DefectKind.QUALITY, blame=Blame.SUPPLIER, code=None, name_zh="脱线", name_en="Open seam"):
        fresh(db_session)
        defect = DefectCode(
            code=code or f"D{next(_seq)}", name_zh=name_zh, name_en=name_en, kind=kind, suggested_blame=blame
        )
        db_session.add(defect)
        db_session.commit()
        return defect

    return make


@pytest.fixture()
def make_piece(db_session, make_store, make_user, make_product, make_defect):
    """A registered piece, made through the real registration service (committed)."""

    def make(
        store=None,
        user=None,
        product=None,
        defect=None,
        source=Source.CUSTOMER_RETURN,
        delivery_received_on: date | None = None,
        at=None,
        size="L",
        colour="藏青",
    ):
        store = store or make_store()
        user = user or make_user("store", store=store)
        fresh(db_session)
        data = registration.NewPiece(
            product=product or make_product(),
            defect=defect or make_defect(),
            source=source,
            size=size,
            colour=colour,
            delivery_received_on=delivery_received_on,
        )
        piece = registration.register_piece(user, store, data, current_rules(), at=at)
        db_session.commit()
        return piece

    return make


@pytest.fixture()
def login(client):
    def do(user, password=PASSWORD):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.data[:500]
        return user

    return do
