"""Browser tests: Playwright driving Debian's Chromium against ``streamlit run`` on localhost.

Fixtures
--------
app_url : the base URL of a Streamlit server started for the test session.
page : a fresh browser tab; requests to any host other than the app's are
    blocked and recorded in ``external_requests`` (the app must make none).
external_requests : the list of blocked URLs for the current test.

A failing test leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from streamlit_helpers import wait_for_server

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = os.environ.get("SANDBOX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("browser"))  # applied by tests/conftest.py's xdist scheduler


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {
        **os.environ,
        "SANDBOX_FEEDBACK_DB": str(tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "streamlit", "run", "sandbox/app.py",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_for_server(server, url, log_path, poll=0.3)
    yield url
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="session")
def browser(app_url):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium absent ({CHROMIUM}) : make test l'installe (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        # Streamlit 1.67 answers the very first session of a fresh server that opens a page
        # by its URL with a « Page not found » dialog (the page itself runs). One visit of
        # the home page first, so that the tests can open pages by URL like a user would.
        warm = chromium.new_page()
        warm.goto(app_url)
        warm.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=90_000)
        warm.close()
        yield chromium
        chromium.close()


@pytest.fixture
def external_requests() -> list[str]:
    return []


@pytest.fixture
def page(browser, app_url, external_requests, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR", accept_downloads=True)
    app_host = urlparse(app_url).netloc

    def guard(route):
        url = route.request.url
        if urlparse(url).netloc == app_host or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            external_requests.append(url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
