"""``WaterAnalysis.figures()`` and ``exports()``: the one source of the page's, the command's and the sheet's figures."""

from __future__ import annotations

import pandas as pd
import pytest

from sandbox.data import load_sample, validate
from sandbox.data.schemas.water import READINGS
from sandbox.models.water import BILLING_DELAY_DAYS, Readings, WaterParams, analyse
from sandbox.models.water.messages import LETTER, SMS
from sandbox.models.water.quality import STATUS_CHECK, STATUS_OK, STATUS_UNUSABLE

LEAKING = "40221789"  # meter 2 of the utility export leaks 6 L/h from 16/03/2025 15:00


@pytest.fixture(scope="module")
def export():
    frame = load_sample("water/export_releveur")
    return analyse(Readings.from_validated(validate(frame, READINGS)), params=WaterParams(price_eur_m3=4.0))


def test_figures_have_stable_keys_and_the_values_of_the_planted_leak(export):
    figures = {f.key: f for f in export.figures()}
    assert list(figures) == ["leaks", "detection_days", "m3_leaks", "m3_consumption", "m3_saved", "eur_saved"]
    assert figures["leaks"].value == 1.0
    # 6 L/h all year long: 6 × 24 × 365 / 1000 = 52.56 m³.
    assert figures["m3_leaks"].value == pytest.approx(52.56, rel=0.02)
    assert figures["m3_leaks"].value == export.leaks.m3_per_year
    # Three nights of continuous flow after a start at 15:00: the alert comes between 2.5 and 3 days later,
    # against the 91 days of a half-yearly bill.
    assert 2.5 < figures["detection_days"].value < 3.0
    assert figures["detection_days"].baseline == BILLING_DELAY_DAYS == 91.0
    assert figures["detection_days"].change == pytest.approx(figures["detection_days"].value / 91 - 1)


def test_default_campaign_is_every_analysed_meter_with_five_percent(export):
    figures = {f.key: f for f in export.figures()}
    campaign = export.campaign()
    assert campaign.n_target == len(export.analysed_meters()) == 6
    assert figures["m3_saved"].value == pytest.approx(0.05 * campaign.baseline_m3_year)
    assert figures["m3_consumption"].baseline == pytest.approx(campaign.baseline_m3_year)
    assert figures["m3_consumption"].value == pytest.approx(0.95 * campaign.baseline_m3_year)
    assert figures["eur_saved"].value == pytest.approx(4.0 * figures["m3_saved"].value)


def test_a_chosen_campaign_is_the_one_reported(export):
    chosen = export.campaign([LEAKING], effect=0.10, control_share=0.0)
    figures = {f.key: f for f in export.figures(chosen)}
    use = export.usage.set_index("compteur").loc[LEAKING, "litres_jour_annee"]
    assert figures["m3_consumption"].baseline == pytest.approx(use * 365 / 1000)
    assert figures["m3_saved"].value == pytest.approx(0.10 * use * 365 / 1000)
    assert figures["leaks"].value == 1.0  # the leak figures do not depend on the campaign


def test_no_alert_gives_zero_leaks_and_no_delay():
    times = pd.date_range("2025-03-01 00:00", periods=24 * 30, freq="h")
    litres = [0.0 if t.hour < 6 else 10.0 for t in times]
    result = analyse(Readings.from_arrays(["A"] * len(times), times, litres))
    figures = {f.key: f for f in result.figures()}
    assert result.detection_days() is None
    assert figures["leaks"].value == 0.0 and figures["m3_leaks"].value == 0.0 and figures["detection_days"].value == 0.0


def test_exports_are_the_command_files_with_days_as_text(export):
    tables = export.exports()
    assert list(tables) == ["alerts.csv", "messages.csv", "quality.csv", "quality_meters.csv", "unusual_days.csv",
                            "households.csv"]
    alerts = tables["alerts.csv"]
    assert alerts["compteur"].astype(str).tolist() == [LEAKING]
    assert alerts["en cours"].tolist() == ["oui"]
    assert alerts["première nuit"].tolist() == ["17/03/2025"]  # the 1 h – 5 h window after the 15:00 start
    messages = tables["messages.csv"]
    assert set(messages["canal"]) == {LETTER, SMS} and len(messages) == 12
    assert set(tables["quality_meters.csv"]["état"]) <= {STATUS_OK, STATUS_CHECK, STATUS_UNUSABLE}
    assert len(tables["households.csv"]) == 6
