"""Fixtures shared by every tier. The pure tier (tests/workshop) needs none of them."""

import os
import shutil

import pytest

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
