"""Fixtures of the browser tests: Debian's Chromium through Playwright, against the live server.

The live server runs in a thread of the test process and the Celery worker in another, as they do in
production as separate processes: the import that the consent starts travels through the broker to
the worker, and the browser watches its progress. Both need a database that other threads can open
with their own connections, so these tests run on SQLite files (see `django_db_modify_db_settings`
in tests/conftest.py) and scripts/test runs them in a pass of their own.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from billpay import celery_app
from tests.browser.journey import AXE_SOURCE, Journey, artifacts_root
from tests.services import service_missing

CHROMIUM = os.environ.get("BILLPAY_CHROMIUM", "/usr/bin/chromium")
# From docs/toolchain.md: what Debian's Chromium needs to run headless in a container.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One Chromium for the session; each test opens its own context."""
    if not Path(CHROMIUM).is_file() or not os.access(CHROMIUM, os.X_OK):
        service_missing("chromium", f"no executable at {CHROMIUM} (apt-get install chromium)")
    if not AXE_SOURCE.is_file():
        service_missing("axe-core", f"no {AXE_SOURCE} (npm ci installs it from package-lock.json)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is in the dev extra
        service_missing("Playwright", str(exc))
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
    # thread with a running loop unless told that this is deliberate (the test only reads rows
    # between steps, while the browser waits).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def celery_worker(tmp_path: Path) -> Iterator[None]:
    """A Celery worker on a broker of this test's own: tasks leave the web request as messages
    and run in the worker's thread, never eagerly inside the request that enqueued them."""
    broker, processed, control = tmp_path / "broker", tmp_path / "processed", tmp_path / "control"
    for folder in (broker, processed, control):
        folder.mkdir()
    changes = {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            "data_folder_in": str(broker),
            "data_folder_out": str(broker),
            "processed_folder": str(processed),
            "control_folder": str(control),
            "store_processed": False,
            "polling_interval": 0.1,
        },
        "task_always_eager": False,
        "worker_hijack_root_logger": False,
    }
    saved = {key: celery_app.conf[key] for key in changes}
    celery_app.conf.update(changes)
    _drop_cached_connections()
    try:
        # The filesystem transport polls in 2 s blocks and runs one more cycle when told to stop.
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        celery_app.conf.update(saved)
        _drop_cached_connections()


def _drop_cached_connections() -> None:
    # The app caches its broker and producer pools on first use; a config change takes effect only
    # once they are rebuilt (what Celery itself does after a fork).
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def site(settings: Any, live_server: Any) -> str:
    """The live server's URL, which the sandbox's consent page also lives under and returns to."""
    url = live_server.url
    settings.SITE_URL = url
    settings.SANDBOX_LINK_BASE_URL = f"{url}/sandbox"
    settings.SANDBOX_REDIRECT_URL = (
        f"{url}/onboarding/callback?companyId={{companyId}}&connectionId={{connectionId}}"
        "&statusCode={statusCode}&errorMessage={errorMessage}"
    )
    # A sandbox platform of a realistic size: two pages of the inbox, several suppliers.
    settings.SANDBOX_LINK_SEED_BILLS = 40
    settings.SANDBOX_LINK_SEED_SUPPLIERS = 8
    # Signing up hashes a password; the real hasher's cost is not what these tests measure.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return str(url)


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """This test's folder of screenshots and axe results, emptied first."""
    name = request.node.name.replace("[", "-").replace("]", "").replace("/", "-")
    folder = artifacts_root() / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


# The screens the journey runs on: a laptop's, and a phone's (390 CSS px, an iPhone 12-15).
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _journey(
    chromium: Any, site: str, artifacts: Path, *, javascript: bool, viewport: str = "desktop"
) -> Iterator[Journey]:
    context = chromium.new_context(
        base_url=site,
        java_script_enabled=javascript,
        viewport=VIEWPORTS[viewport],
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    journey = Journey(page=page, site=site, folder=artifacts, javascript=javascript)
    try:
        yield journey
    finally:
        journey.write_summary()
        context.close()


@pytest.fixture
def journey(
    request: pytest.FixtureRequest,
    chromium: Any,
    site: str,
    artifacts: Path,
    celery_worker: None,
) -> Iterator[Journey]:
    """A user's browser with JavaScript on; a test may choose the screen, by a key of VIEWPORTS
    (`@pytest.mark.parametrize("journey", ["phone"], indirect=True)`)."""
    viewport = getattr(request, "param", "desktop")
    yield from _journey(chromium, site, artifacts, javascript=True, viewport=viewport)


@pytest.fixture
def journey_without_js(
    chromium: Any, site: str, artifacts: Path, celery_worker: None
) -> Iterator[Journey]:
    """A user's browser with JavaScript off: every page must still work (progressive enhancement)."""
    yield from _journey(chromium, site, artifacts, javascript=False)
