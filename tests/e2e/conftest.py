"""A real browser (Debian's chromium, driven by Playwright) against a real server.

The app runs as tests/live.py serves it, with the demo chain and a journey store of its own.
Without chromium the tests skip with the reason (and fail in CI).
"""

from pathlib import Path

import pytest

from tests.live import live_app

HERE = Path(__file__).parent
SCREENSHOTS = HERE / "screenshots"
AXE = HERE / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _journey_store() -> None:
    """A store of its own for the week's journey, with nothing in flight yet."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Region, Store, User

    region = db.session.scalars(select(Region).where(Region.code == "EAST")).one()
    store = Store(
        code="SH009",
        name="上海静安寺店",
        region=region,
        address="上海市静安区南京西路 1618 号",
        contact_name="周静",
        contact_phone="021-6288 0000",
    )
    clerk = User(username="jingan", display_name="周静（静安寺店）", role="store", store=store)
    clerk.set_password("demo1234")
    db.session.add_all([store, clerk])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, chromium_path):
    with live_app(tmp_path_factory.mktemp("e2e"), "e2e", prepare=_journey_store) as server:
        yield server


@pytest.fixture(scope="session")
def browser(playwright, chromium_path):
    browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()


@pytest.fixture()
def new_page(browser, live_server):
    contexts = []

    def make(locale="zh-CN", viewport=DESKTOP, **kwargs):
        context = browser.new_context(locale=locale, viewport=viewport, base_url=live_server.base_url, **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, username: str, password: str = "demo1234") -> None:
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("button[type=submit].primary").click()
    page.wait_for_url("**/home")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def axe_violations(page, impacts=("critical", "serious")) -> list[dict]:
    # Evaluated through the debugger protocol: the page's CSP (rightly) refuses an inline <script>.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
