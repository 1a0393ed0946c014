"""Shared pytest fixtures. Each section belongs to one part of the test suite."""

from __future__ import annotations

import os
import shutil

import pytest

# ----------------------------------------------------------------------------------------------------
# Browser: headless Chromium through Playwright (tests marked ``browser``)

CHROMIUM_INSTALL_HINT = "chromium not found: install it with `apt-get update && apt-get install -y chromium`"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing_browser(message: str) -> None:
    """Skip locally, but fail on CI, where the browser is installed on purpose."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    executable = shutil.which("chromium")
    if executable is None:
        _missing_browser(CHROMIUM_INSTALL_HINT)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("playwright not installed: install it with `pip install playwright` (no browser download)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# ----------------------------------------------------------------------------------------------------
