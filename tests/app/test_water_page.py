"""The water page in AppTest: sample data, a household with a leak, settings, the run published for the project sheet."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import no_crash
from streamlit.testing.v1 import AppTest

from sandbox.text import plain

APP = str(Path(__file__).resolve().parents[2] / "sandbox" / "app.py")


@pytest.fixture(scope="module")
def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/water/page.py")
    at.run()
    return at


def test_sample_run_shows_a_leak_household_first_with_its_alert_and_messages(page):
    at = page
    no_crash(at)
    assert at.title[0].value == "Eau : fuites et conseils personnalisés"
    household = at.selectbox(key="water.meter")
    assert household.value == "C100008" and "fuite probable" in household.format_func(household.value)
    alerts = [e.value for e in at.error if "Fuite probable" in e.value]
    assert alerts and "depuis le 30/04/2025" in alerts[0]
    letter = " ".join(m.value for m in at.markdown)
    assert "écoulement d'eau continu depuis le 30/04/2025" in plain(letter)
    assert any("écoulement continu" in i.value for i in at.info)  # the SMS
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Fuites en cours"] == "26"
    run = at.session_state["runs"]["water"]
    keys = [f.key for f in run.figures]
    assert keys == ["leaks", "detection_days", "m3_leaks", "m3_consumption", "m3_saved", "eur_saved"]
    assert run.figure("leaks").value == 26  # the figures the sheet reads are the ones on screen
    delay = float(metrics["Délai avant l'alerte"].split("\xa0")[0].replace(",", "."))
    assert run.figure("detection_days").value == pytest.approx(delay, abs=0.05)
    assert run.figure("detection_days").baseline == 91.0 and delay < 5
    # Default campaign: every analysed home, 5 % effect, 20 % control homes left out of the saving.
    consumption, saved = run.figure("m3_consumption"), run.figure("m3_saved")
    assert saved.value == pytest.approx(0.05 * consumption.baseline)
    assert consumption.value == pytest.approx(consumption.baseline - saved.value)
    assert run.data.rows == 4_377_991 and not run.personal_data


def test_picking_a_household_without_a_leak_shows_its_comparison(page):
    at = page
    at.selectbox(key="water.meter").select("C100002").run()
    no_crash(at)
    assert not [e for e in at.error if "Fuite probable" in e.value]
    captions = " ".join(c.value for c in at.caption)
    assert "Comparé aux foyers" in captions


def test_settings_rerun_the_analysis(page):
    at = page
    at.slider(key="water.nights").set_value(7).run()
    no_crash(at)
    metrics = {m.label: m.value for m in at.metric}
    delay = float(metrics["Délai avant l'alerte"].split("\xa0")[0].replace(",", "."))
    assert delay > 6  # seven nights in a row before the alert
    at.number_input(key="water.price").set_value(3.0).run()
    assert at.session_state["runs"]["water"].parameters["Prix de l'eau (€/m³)"] == "3,00"


def test_without_the_households_there_is_no_comparison(page):
    at = page
    at.toggle(key="water.use_homes").set_value(False).run()
    no_crash(at)
    captions = " ".join(c.value for c in at.caption)
    assert "Sans description des logements" in captions
    assert "Foyers au-dessus de la moyenne de leurs pairs" not in at.selectbox(key="water.target").options
