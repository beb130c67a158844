"""Every page of the app renders in AppTest without an error; the home page shows a card per demo.

Parametrised over the app's own page list (``sandbox.registry.all_pages``),
so a new page is covered without editing this file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import no_crash
from streamlit.testing.v1 import AppTest

from sandbox import registry

APP = str(Path(__file__).resolve().parents[2] / "sandbox" / "app.py")
PAGES = registry.all_pages()


def run_page(path: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if path != registry.HOME.path:
        at.switch_page(path)
        at.run()
    return at


@pytest.mark.parametrize("entry", PAGES, ids=[p.key for p in PAGES])
def test_page_renders_without_error(entry):
    at = run_page(entry.path)
    no_crash(at)
    assert at.title, "every page opens with its title"


def test_home_has_a_card_per_available_demo():
    at = run_page(registry.HOME.path)
    subheaders = [s.value for s in at.subheader]
    assert subheaders == [d.title for d in registry.available_demos()]
    assert any("Vos données restent sur votre poste" in i.value for i in at.info)


def test_sidebar_commune_selector_lists_the_130_communes():
    at = run_page(registry.HOME.path)
    commune = at.sidebar.selectbox(key="commune")
    assert len(commune.options) == 131  # the whole métropole + 130 communes
    commune.select("93048").run()
    assert at.session_state["commune"] == "93048"
