"""Capacity selection (exactly N, ties by lot, reserve, minimum share per commune), evaluation and the fairness report."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.data import DataError
from sandbox.models.seniors import (
    age_band,
    evaluate_capacity,
    fairness_report,
    pseudonymise,
    select_within_capacity,
)
from sandbox.text import plain


def test_exactly_n_in_score_order_with_the_next_ones_in_reserve():
    scores = np.array([0.10, 0.90, 0.30, 0.80, 0.50, 0.70, 0.20, 0.60])
    selection = select_within_capacity(scores, 3, reserve=2)
    assert selection.selected.tolist() == [1, 3, 5]
    assert selection.reserve.tolist() == [7, 4]
    assert selection.cutoff == 0.7 and selection.tied == 1 and selection.notes == ()
    frame = selection.to_frame(ids=list("abcdefgh"), scores=scores)
    assert frame["identifiant"].tolist() == ["b", "d", "f", "h", "e"]
    assert frame["statut"].tolist() == ["visite"] * 3 + ["réserve"] * 2


def test_ties_at_the_cutoff_are_drawn_by_lot_fairly_and_reproducibly():
    scores = np.array([0.9, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.1, 0.1])
    first = select_within_capacity(scores, 5, reserve=3, seed=11)
    assert len(first.selected) == 5 and first.selected[:2].tolist() in ([0, 1], [1, 0])
    assert first.tied == 6 and first.tied_selected == 3
    assert set(first.reserve.tolist()) < {2, 3, 4, 5, 6, 7}  # the reserve opens with the tied people left out
    assert "6 personnes ont exactement le même score" in plain(first.notes[0])
    again = select_within_capacity(scores, 5, reserve=3, seed=11)
    assert again.selected.tolist() == first.selected.tolist()
    counts = np.zeros(len(scores))
    for seed in range(600):
        counts[select_within_capacity(scores, 5, seed=seed).selected] += 1
    assert counts[:2].tolist() == [600, 600] and counts[8:].tolist() == [0, 0]
    # each of the six tied people is drawn half of the time (3 places for 6): 300 ± 4 standard deviations
    assert np.all(np.abs(counts[2:8] - 300) < 4 * np.sqrt(600 * 0.25))


def test_scores_equal_up_to_float_noise_are_ties():
    scores = np.array([0.3, 0.1 + 0.2, 0.2])  # 0.30000000000000004
    assert select_within_capacity(scores, 1).tied == 2


def test_capacity_beyond_the_register_and_invalid_capacity():
    everyone = select_within_capacity([0.2, 0.4], 5)
    assert sorted(everyone.selected.tolist()) == [0, 1] and everyone.reserve.size == 0
    assert "dépasse le nombre de personnes" in everyone.notes[0]
    with pytest.raises(DataError, match="(?i)capacité invalide"):
        select_within_capacity([0.2, 0.4], 0)
    with pytest.raises(DataError, match="manquant"):
        select_within_capacity([0.2, np.nan], 1)


def test_minimum_share_per_commune_gives_each_its_visits():
    rng = np.random.default_rng(0)
    scores = np.concatenate([rng.uniform(0.5, 1.0, 80), rng.uniform(0.0, 0.4, 20)])
    communes = np.array(["A"] * 80 + ["B"] * 20, dtype=object)
    plain_list = select_within_capacity(scores, 20, groups=communes)
    assert (communes[plain_list.selected] == "B").sum() == 0
    fair = select_within_capacity(scores, 20, groups=communes, min_share=0.2)
    assert len(fair.selected) == 20
    assert (communes[fair.selected] == "B").sum() == 4  # ceil(0.2 × 20)
    assert set(fair.forced.tolist()) == set(fair.selected[communes[fair.selected] == "B"].tolist())
    b_scores = scores[communes == "B"]
    assert sorted(scores[fair.forced].tolist()) == sorted(np.sort(b_scores)[-4:].tolist())  # B's own highest scores
    assert fair.quotas == {"A": 4, "B": 4}
    with pytest.raises(DataError) as caught:
        select_within_capacity(scores, 20, groups=communes, min_share=0.6)
    assert "les parts minimales demandent 24 visites pour une capacité de 20" in plain(str(caught.value)).lower()


def test_evaluation_counts_people_in_need_reached_by_each_list():
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 1, 0], dtype=bool)
    model = np.array([0.9, 0.8, 0.1, 0.2, 0.1, 0.3, 0.2, 0.1, 0.7, 0.2])
    rule = np.array([0, 0, 0, 0, 0, 0, 0, 3, 2, 1], dtype=float)
    evaluation = evaluate_capacity(y, model, rule, 3)
    assert (evaluation.model_reached, evaluation.rule_reached) == (3, 1)
    assert evaluation.random_expected == pytest.approx(0.9)
    assert evaluation.lift == pytest.approx(3 / 0.9) and evaluation.recall == 1.0


def test_fairness_report_flags_a_planted_recall_disparity():
    rng = np.random.default_rng(1)
    n = 4000
    group = np.where(rng.random(n) < 0.5, "F", "H").astype(object)
    need = rng.random(n) < 0.2
    score = rng.random(n) + need * 1.0
    score[(group == "H") & need] -= 0.8  # planted: men in need are scored as if they were not
    selection = select_within_capacity(score, 800)
    tiny = np.where(np.arange(n) < 12, "Ablon-sur-Seine", "Paris").astype(object)
    report = fairness_report(selection.mask(n), {"sex": group, "commune": tiny}, need)
    table = report.table.set_index(["dimension", "group"])
    assert table.loc[("sex", "H"), "recall"] < table.loc[("sex", "F"), "recall"] - 0.3
    assert table.loc[("sex", "H"), "flagged"] and table.loc[("sex", "F"), "flagged"]
    assert "rappel" in table.loc[("sex", "H"), "flag"] and "inférieur" in table.loc[("sex", "H"), "flag"]
    assert not table.loc[("commune", "Ablon-sur-Seine"), "flagged"]
    assert table.loc[("commune", "Ablon-sur-Seine"), "flag"] == "effectif trop faible pour juger"
    assert "sexe « H »" in plain(report.summary_fr())
    assert report.overall_rate == pytest.approx(0.2)


def test_fairness_report_without_disparity_flags_nothing():
    rng = np.random.default_rng(2)
    n = 5000
    group = np.where(rng.random(n) < 0.5, "F", "H").astype(object)
    need = rng.random(n) < 0.2
    score = rng.random(n) + need * 1.0
    report = fairness_report(select_within_capacity(score, 1000).mask(n), {"sex": group}, need)
    assert not report.table["flagged"].any()
    assert report.summary_fr().startswith("Aucun écart signalé")
    export = report.to_frame()
    assert list(export["dimension"]) == ["sexe", "sexe"]


def test_age_bands_and_pseudonyms():
    assert age_band(np.array([60, 74, 75, 84, 85, 101])).tolist() == [
        "60–74 ans", "60–74 ans", "75–84 ans", "75–84 ans", "85 ans et plus", "85 ans et plus",
    ]
    a = pseudonymise(["R1", "R2", "R1"], b"k1" * 8)
    assert a[0] == a[2] and a[0] != a[1]
    assert pseudonymise(["R1"], b"k2" * 8)[0] != a[0]
    with pytest.raises(ValueError):
        pseudonymise(["R1"], b"")
