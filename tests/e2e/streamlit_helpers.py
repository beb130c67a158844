"""Small helpers to drive a Streamlit app with Playwright (find by label, wait with expect)."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from playwright.sync_api import Page, expect

from sandbox import registry
from sandbox.ui.safety import UNEXPECTED_ERROR


def wait_for_app(page: Page, timeout: float = 60_000) -> None:
    """Wait until the script has finished running (the app is idle).

    A click starts a rerun a moment later: first give the rerun a short
    chance to start, so that an app still idle from before is not mistaken
    for an app done with the rerun.
    """
    app = page.locator('[data-testid="stApp"]')
    try:
        expect(app).not_to_have_attribute("data-test-script-state", "notRunning", timeout=700)
    except AssertionError:
        pass  # the rerun was already over, or there was none
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=timeout)


def open_page(page: Page, app_url: str, key: str = "") -> None:
    """Open a page of the app by its URL path (``""`` for home) and wait for it."""
    page.goto(f"{app_url}/{key}")
    wait_for_app(page)


def open_demo(page: Page, app_url: str, slug: str, timeout: float = 120_000) -> None:
    """Open a page of the app as a user does: the home page, then its link in the sidebar.

    *slug* is the page's key in :mod:`sandbox.registry` (``"collection"``,
    ``"sheet"``…). Going through the navigation avoids the stray « Page not
    found » dialog that Streamlit sometimes shows when a fresh session opens a
    page by its URL. Waits for the page's title and for the script to finish.
    """
    entries = {entry.key: entry for entry in registry.all_pages()}
    assert slug in entries, f"aucune page {slug!r} dans le registre (clés : {sorted(entries)})"
    title = entries[slug].title
    open_page(page, app_url)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    expect(page.locator("h1").first).to_have_text(title, timeout=timeout)
    wait_for_app(page, timeout=timeout)


def assert_no_error_box(page: Page) -> None:
    """The one thing that must not happen on any page: an exception or the generic error."""
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.get_by_text(UNEXPECTED_ERROR[:40])).to_have_count(0)


def upload(page: Page, name: str, data: bytes, mime: str = "text/csv", index: int = 0) -> None:
    """Put a file into the n-th file uploader of the page and wait for the rerun."""
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').nth(index).set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )
    wait_for_app(page)


def wait_for_server(server: subprocess.Popen, url: str, log_path: Path, *, timeout: float = 90, poll: float = 0.3) -> None:
    """Wait until ``streamlit run`` answers its health check; fail the test with the end of its log otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail("le serveur Streamlit n'a pas démarré :\n" + log_path.read_text(errors="replace")[-3000:])
        time.sleep(poll)
