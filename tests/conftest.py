"""Fixtures shared by every tier. The pure tier (tests/workshop) needs none of them."""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "app" / "translations"
# What makes a test slow: a real browser, a live server, rendering and decoding paper, fuzzing.
SLOW_PATHS = ("tests/e2e/", "tests/labels/")
SLOW_NAMES = ("browser", "_live", "schemathesis")

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_tool(name: str, package: str) -> str:
    """The path of a command-line tool; skip (or fail in CI) with a clear reason without it."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed: apt-get install {package}"
        if IN_CI:
            pytest.fail(message + " (CI requires it)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_tool("chromium", "chromium")


@pytest.fixture(scope="session")
def playwright(chromium_path):
    """One Playwright for the whole run: its sync API cannot be started twice at once."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        yield p


def compile_catalogues() -> None:
    """Compile each catalogue whose .mo is missing or older than its .po (plain pytest works)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with open(po, "rb") as f:
            catalogue = read_po(f, locale=po.parent.parent.name)
        with open(mo, "wb") as f:
            write_mo(f, catalogue)


def pytest_sessionstart(session) -> None:
    compile_catalogues()


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        path = Path(str(item.fspath)).relative_to(ROOT).as_posix()
        if path.startswith(SLOW_PATHS) or any(name in path for name in SLOW_NAMES):
            item.add_marker(pytest.mark.slow)
        if path.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.e2e)
