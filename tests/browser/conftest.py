"""Browser harness: the system Chromium driven by Playwright against pytest-django's live server.

Chromium comes from the operating system (``apt-get install chromium`` gives
``/usr/bin/chromium``; set ``WAGTAIL_MENTORING_CHROMIUM`` to use another binary);
Playwright never downloads a browser of its own. Outside CI a missing browser skips
these tests with the reason; in CI (``CI`` set) it fails them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _chromium_path() -> str | None:
    candidate = os.environ.get("WAGTAIL_MENTORING_CHROMIUM", "/usr/bin/chromium")
    if Path(candidate).is_file():
        return candidate
    return shutil.which("chromium")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "module_world: shares committed data across a module's tests; runs after every "
        "other test (pytest-django puts transactional tests last, and these come after).",
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
    # After pytest-django's ordering, keeping it: data committed for a whole module
    # (and flushed after it) must never be seen by a test that expects the database
    # as migrations left it.
    items.sort(key=lambda item: item.get_closest_marker("module_world") is not None)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _chromium_path()
    if path is None:
        message = (
            "No Chromium at /usr/bin/chromium: install it with `apt-get install chromium` "
            "or set WAGTAIL_MENTORING_CHROMIUM to a Chromium binary."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make around it are ordinary synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(browser, live_server):
    """A fresh browser tab whose relative URLs resolve against the live server."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
