"""README screenshots (``make screenshots``): the home page and each demo on its sample data.

Deselected from the normal run (marker ``screenshots``); the PNG files are committed.
"""

from __future__ import annotations

import pytest
from streamlit_helpers import assert_no_error_box, open_page, wait_for_app

from sandbox import REPO_DIR, registry

SHOTS = REPO_DIR / "docs" / "screenshots"


@pytest.mark.screenshots
@pytest.mark.parametrize("entry", [registry.HOME, *registry.available_demos()], ids=lambda e: e.key)
def test_screenshot(page, app_url, entry):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 1000})
    open_page(page, app_url, "" if entry is registry.HOME else entry.url)
    if entry.key == "ocr":  # the OCR page reads only on request
        page.get_by_role("button", name="Lire les documents").click()
        wait_for_app(page, timeout=120_000)
    result = page.locator('iframe, [data-testid="stVegaLiteChart"], [data-testid="stImage"]')
    if entry is not registry.HOME and result.count():
        result.first.scroll_into_view_if_needed()  # show the result (map, chart or page), not only the inputs
        page.mouse.wheel(0, -250)
    page.wait_for_timeout(2500)  # let maps and charts finish drawing
    assert_no_error_box(page)
    page.screenshot(path=str(SHOTS / f"{entry.key}.png"))
