"""Every role's home page in a real browser, in Chinese and English, desktop and phone,
with no critical or serious accessibility violation."""

import pytest
from sqlalchemy import select

from tests.e2e.conftest import DESKTOP, PHONE, axe_violations, log_in, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _languages_as_they_were(live_server):
    """A language chosen here is kept on the demo user: give each user back the choice they had,
    so that the tests after these see the users as the demo made them."""
    from app.extensions import db
    from app.models import User

    with live_server.app.app_context():
        before = dict(db.session.execute(select(User.id, User.locale)).tuples().all())
        db.session.rollback()
    yield
    with live_server.app.app_context():
        for user in db.session.scalars(select(User).where(User.id.in_(list(before)))):
            user.locale = before[user.id]
        db.session.commit()


ROLES = ["store", "region", "tech", "finance", "admin"]


@pytest.mark.parametrize("username", ROLES)
def test_each_role_logs_in_and_sees_its_home_page_in_chinese_and_english(new_page, username):
    page = new_page(locale="zh-CN")
    log_in(page, username)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("button", name="退出登录").is_visible()
    screenshot(page, f"home-{username}-zh-desktop")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Log out").is_visible()
    page.set_viewport_size(PHONE)
    screenshot(page, f"home-{username}-en-phone")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="中文").click()  # the choice is kept: leave the user in Chinese
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-CN"


MAIN_PAGES = [
    ("/login", None),
    ("/home", "store"),
    ("/store/", "store"),
    ("/store/register", "store"),
    ("/store/batch", "store"),
    ("/store/receive", "store"),
    ("/home", "tech"),
    ("/bench/scan", "tech"),
    ("/bench/returns", "tech"),
    ("/bench/deadlines", "tech"),
    ("/bench/incoming", "tech"),
    ("/store/?status=in_workshop", "tech"),
    ("/home", "finance"),
    ("/finance/", "finance"),
    ("/finance/claims", "finance"),
    ("/home", "region"),
    ("/bench/deadlines", "region"),
    ("/admin/", "admin"),
    ("/admin/products/", "admin"),
    ("/profile", "store"),
]


@pytest.mark.parametrize("path, username", MAIN_PAGES)
def test_main_pages_have_no_critical_or_serious_accessibility_violations(new_page, path, username):
    page = new_page(locale="zh-CN")
    if username:
        log_in(page, username)
    page.goto(path)
    assert axe_violations(page) == []
    name = path.strip("/").replace("/", "-") or "login"
    screenshot(page, f"{name}-{username}-zh-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-{username}-zh-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow, f"{path} is wider than a phone's screen"
