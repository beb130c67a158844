"""Messages, peers, profiles and the campaign simulator: the rules a water report must follow."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sandbox.data import load_sample, validate
from sandbox.data.schemas.water import HOUSEHOLDS, READINGS
from sandbox.models.water import (
    BLAMING_WORDS,
    PeerComparison,
    ProfileSegmenter,
    Readings,
    WaterParams,
    analyse,
    build_series,
    compare_peers,
    compose_messages,
    simulate_campaign,
    sms_segments,
)
from sandbox.models.water.messages import APPROVAL, APPROVAL_EFFICIENT
from sandbox.text import plain

PERIOD = (pd.Timestamp("2025-10-03"), pd.Timestamp("2026-01-01"))


def _peers(rows: list[dict]) -> PeerComparison:
    base = {"groupe": "foyers de 2 personnes en appartement", "pairs": 40, "moyenne": 250.0, "econome": 170.0,
            "comparable": True, "raison": ""}
    table = pd.DataFrame([{**base, **r} for r in rows])
    return PeerComparison(table, PERIOD, 20)


def test_a_household_below_average_gets_the_approving_signal_with_the_comparison():
    peers = _peers([
        {"compteur": "bas", "litres_jour": 200.0, "position": "sous la moyenne"},
        {"compteur": "sobre", "litres_jour": 150.0, "position": "parmi les plus économes"},
        {"compteur": "haut", "litres_jour": 320.0, "position": "au-dessus de la moyenne"},
    ])
    msgs = compose_messages(["bas", "sobre", "haut"], peers=peers)
    low, efficient, high = (msgs.for_meter(m) for m in ("bas", "sobre", "haut"))
    # Below average: the comparison AND the approval (Schultz et al. 2007), in the letter and the SMS.
    assert "250" in low["courrier"] and plain(APPROVAL) in plain(low["courrier"])
    assert low["SMS"].startswith("Bravo !")
    assert plain(APPROVAL_EFFICIENT) in plain(efficient["courrier"])
    # Above average: the comparison, no approval, the saving at stake in m³ and euros.
    assert "Bravo" not in high["courrier"] and "☺" not in high["courrier"]
    assert "économiseriez environ 26" in plain(high["courrier"])  # (320 − 250) × 365 / 1000 = 25.6 m³
    assert "123 € par an" in plain(high["courrier"])  # 25.55 m³ × 4.81 €/m³
    parts = msgs.parts.set_index("compteur")
    assert parts.loc["bas", "approbation"] and parts.loc["sobre", "approbation"] and not parts.loc["haut", "approbation"]


def test_no_comparison_without_enough_similar_households():
    hours = 24 * 30
    times = pd.date_range("2025-03-01 01:00", periods=hours, freq="h")
    meters = [f"M{i:02d}" for i in range(15)]
    litres = np.concatenate([4.0 + i + np.arange(hours) % 3 for i in range(15)])
    series = build_series(Readings.from_arrays(np.repeat(meters, hours), np.tile(times, 15), litres), unit="L")
    homes = pd.DataFrame({"meter": meters, "occupants": [3] * 15, "housing": ["maison"] * 15})
    few = compare_peers(series, homes, min_peers=20)
    assert not few.table["comparable"].any()
    assert "seulement 14 foyers semblables" in plain(few.table["raison"].iloc[0])
    msgs = compose_messages(meters, peers=few)
    for text in msgs.table["texte"]:
        assert "semblables" not in text and "Bravo" not in text
    assert not msgs.parts["comparaison"].any()
    enough = compare_peers(series, homes, min_peers=10)
    assert enough.table["comparable"].all()
    assert enough.row("M00")["groupe"] == "foyers de 3 personnes en maison"
    # Without the description of the homes: no comparison at all.
    assert not compare_peers(series, None).table["comparable"].any()


def test_peers_fall_back_on_the_number_of_occupants_when_the_housing_group_is_small():
    hours = 24 * 30
    times = pd.date_range("2025-03-01 01:00", periods=hours, freq="h")
    meters = [f"M{i:02d}" for i in range(30)]
    litres = np.concatenate([4.0 + i % 7 + np.arange(hours) % 2 for i in range(30)])
    series = build_series(Readings.from_arrays(np.repeat(meters, hours), np.tile(times, 30), litres), unit="L")
    homes = pd.DataFrame({"meter": meters, "occupants": [2] * 30, "housing": ["maison"] * 3 + ["appartement"] * 27})
    peers = compare_peers(series, homes, min_peers=20)
    assert peers.row("M00")["groupe"] == "foyers de 2 personnes"  # only 2 other houses: fallback
    assert peers.row("M10")["groupe"] == "foyers de 2 personnes en appartement"
    # The chart shows the whole group each household was compared with.
    assert len(peers.peers_of("M00")) == peers.row("M00")["pairs"] + 1 == 30
    assert len(peers.peers_of("M10")) == peers.row("M10")["pairs"] + 1 == 27


@pytest.fixture(scope="module")
def sample_analysis():
    readings = Readings.from_validated(validate(load_sample("water/readings"), READINGS, errors="drop"))
    homes = validate(load_sample("water/households"), HOUSEHOLDS, errors="drop").frame
    return analyse(readings, homes, WaterParams())


def test_sample_messages_follow_the_rules(sample_analysis):
    a = sample_analysis
    parts = a.messages.parts.set_index("compteur")
    texts = a.messages.table
    assert set(texts["canal"]) == {"courrier", "SMS"}
    assert len(texts) == 2 * len(a.analysed_meters())
    # Never a blaming word.
    lowered = " ".join(texts["texte"]).lower()
    assert [w for w in BLAMING_WORDS if w in lowered] == []
    # Every household below its peers' average has the approving signal; none above has it.
    below = parts[parts["position"].isin(["sous la moyenne", "parmi les plus économes"])]
    above = parts[parts["position"] == "au-dessus de la moyenne"]
    assert len(below) > 100 and len(above) > 100
    assert below["approbation"].all() and not above["approbation"].any()
    # Each ongoing leak opens its household's letter and is the SMS.
    for alert in a.leaks.ongoing():
        msg = a.messages.for_meter(alert.meter)
        assert msg["courrier"].split("\n\n")[1].startswith("Votre compteur")
        assert "écoulement continu" in msg["SMS"]
    # A tip fitted to the profile, and SMS no longer than two messages.
    assert set(parts["conseil"]) <= set(a.segments.names_) | {"général"}
    assert parts["segments_sms"].max() <= 2


def test_profiles_are_named_and_fit_the_planted_habits(sample_analysis):
    seg = sample_analysis.segments
    assert len(seg.names_) == 5 and len(set(seg.names_)) == 5
    # Gardens water in summer: the « Arrosage l'été » profile gathers houses with a garden.
    homes = load_sample("water/households").set_index("compteur")
    frame = seg.to_frame().set_index("compteur")
    gardeners = frame[frame["segment"] == "Arrosage l'été"].index
    assert len(gardeners) >= 5
    assert (homes.loc[gardeners, "jardin"] == "oui").mean() > 0.9


def test_campaign_savings_and_sample_size():
    rng = np.random.default_rng(3)
    before = rng.lognormal(np.log(250), 0.5, 4000)
    after = before * rng.lognormal(0, 0.2, 4000)
    res = simulate_campaign(after, effect=0.05, control_share=0.2, price_eur_m3=4.0, before=before, after=after)
    assert (res.n_treated, res.n_control) == (3200, 800)
    assert res.saved_m3_year == pytest.approx(0.05 * after.mean() * 3200 * 365 / 1000)
    assert res.saved_eur_year == pytest.approx(res.saved_m3_year * 4.0)
    # Known formula: N = (z_0.975 + z_0.8)² σ² (1 − ρ²) / (δ² c (1 − c)).
    sd, rho = after.std(ddof=1), res.rho
    expected = (1.959964 + 0.841621) ** 2 * sd**2 * (1 - rho**2) / ((0.05 * after.mean()) ** 2 * 0.16)
    assert res.n_required == pytest.approx(expected, rel=1e-3)
    assert 0.9 < rho < 1 and res.detectable
    no_control = simulate_campaign(after, control_share=0.0)
    assert not no_control.detectable and "témoin" in no_control.verdict()


def test_sms_segments_count_gsm_and_unicode():
    assert sms_segments("Bravo ! 120 L/jour, moins que des foyers semblables.") == 1
    assert sms_segments("é" * 160) == 1 and sms_segments("é" * 161) == 2
    assert sms_segments("€" * 80) == 1 and sms_segments("€" * 81) == 2  # € takes two GSM characters
    assert sms_segments("ê" * 71) == 2  # not in the GSM alphabet: UCS-2, 70 per SMS


def test_segmenter_follows_the_estimator_contract():
    seg = ProfileSegmenter(n_segments=3, seed=7)
    assert seg.get_params() if hasattr(seg, "get_params") else True
    assert (seg.n_segments, seg.seed) == (3, 7)
    hours = 24 * 30
    h = np.arange(hours) % 24
    curves = {
        "matin": np.where((h >= 6) & (h <= 8), 40.0, 0.0) + np.where(h == 20, 5.0, 0.0),
        "soir": np.where((h >= 19) & (h <= 21), 40.0, 0.0) + np.where(h == 7, 5.0, 0.0),
        "journée": np.where((h >= 10) & (h <= 16), 20.0, 0.0) + np.where(h == 7, 5.0, 0.0),
    }
    times = pd.date_range("2025-03-01 01:00", periods=hours, freq="h")
    meters, values = [], []
    for name, curve in curves.items():
        for k in range(20):
            meters.append(f"{name}{k}")
            values.append(curve * (1 + 0.05 * k))
    r = Readings.from_arrays(np.repeat(meters, hours), np.tile(times, len(meters)), np.concatenate(values))
    fitted = seg.fit(build_series(r, unit="L"))
    assert fitted is seg
    names = seg.to_frame().set_index("compteur")["segment"]
    assert set(names[[f"matin{k}" for k in range(20)]]) == {"Pic du matin"}
    assert set(names[[f"soir{k}" for k in range(20)]]) == {"Pic du soir"}
    assert set(names[[f"journée{k}" for k in range(20)]]) == {"Présence en journée"}
