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
