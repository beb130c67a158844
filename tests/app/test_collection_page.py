"""The collection page in AppTest: figures against today's rounds, fleet changes, « pourquoi ce point ? », errors in French."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import no_crash
from streamlit.testing.v1 import AppTest

from sandbox.text import plain

APP = str(Path(__file__).resolve().parents[2] / "sandbox" / "app.py")
KEY = "collection"


@pytest.fixture(scope="module")
def at():
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    app.session_state[f"{KEY}.time_limit"] = 1  # the solver's budget, in seconds: short in tests
    app.switch_page("pages/collection/page.py")
    app.run()
    assert app.slider(key=f"{KEY}.time_limit").value == 1
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: plain(m.value) for m in app.metric}


def test_default_run_shows_the_figures_against_today(at):
    no_crash(at)
    values = metrics(at)
    for label in ("Distance totale", "Heures d'équipage", "Camions utilisés", "Émissions de CO₂",
                  "Remplissage moyen par voyage", "Points non collectés aujourd'hui",
                  "Erreur de la prévision à un jour"):
        assert label in values
    deltas = {m.label: m.delta for m in at.metric}
    assert "vs actuel" in deltas["Distance totale"] and deltas["Distance totale"].startswith("−")
    distance = next(m for m in at.metric if m.label == "Distance totale")
    assert distance.proto.color == distance.proto.MetricColor.GREEN  # fewer km is good news, shown in green
    assert any("Référence : 3 tournées actuelles" in plain(c.value) for c in at.caption)
    assert at.session_state["runs"]["collection"].figure("km").baseline > 0
    assert any("Facteur de détour" in e.label for e in at.slider)


def test_fewer_trucks_change_the_figures_and_say_when_the_fleet_is_too_small(at):
    at.number_input(key=f"{KEY}.vehicles").set_value(1).run()
    no_crash(at)
    assert metrics(at)["Camions utilisés"] == "1"
    # One truck of 7 h is not proved too small for 230 bins (the bound is 1 truck): the page says that no plan was
    # found in time, with the true bound and what to try, and shows the best partial plan.
    warning = next(plain(w.value) for w in at.warning if "aucun plan desservant tous les points" in w.value.lower())
    assert "avec 1 camion" in warning and "il faut au moins 1 camion" in warning and "un camion de plus" in warning
    at.number_input(key=f"{KEY}.vehicles").set_value(3).run()
    no_crash(at)


def test_why_this_point_and_the_map_views(at):
    at.selectbox(key=f"{KEY}.why").select("OM-010").run()
    no_crash(at)
    assert any("OM-010" in m.value and "camion" in m.value for m in at.markdown)
    at.segmented_control(key=f"{KEY}.view").set_value("Tournées actuelles").run()
    no_crash(at)
    at.segmented_control(key=f"{KEY}.view").set_value("Secteurs équilibrés").run()
    no_crash(at)


def test_skipping_nearly_empty_bins_shows_the_risk(at):
    at.toggle(key=f"{KEY}.skip").set_value(True).run()
    no_crash(at)
    values = metrics(at)
    assert int(values["Points non collectés aujourd'hui"]) > 0
    assert "Débordements attendus" in values
    at.toggle(key=f"{KEY}.skip").set_value(False).run()


def test_a_bin_larger_than_a_truck_is_a_french_error_and_the_page_goes_on(at):
    at.selectbox(key=f"{KEY}.stream").select("verre").run()
    at.number_input(key=f"{KEY}.capacity.verre").set_value(2000).run()
    no_crash(at)
    errors = [plain(e.value) for e in at.error]
    assert any("dépasse" in e and "capacité d'un camion" in e and "lignes" in e for e in errors), errors
    assert any(e.label == "Comment ça marche ?" for e in at.expander)
    at.number_input(key=f"{KEY}.capacity.verre").set_value(60000).run()
    no_crash(at)
    assert "Distance totale" in metrics(at)
