"""Fairness of the matching: protected data never read, the discrimination test on the real pipeline, pseudonymised exports (the one keyed pseudonym of sandbox.privacy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sandbox.data import validate
from sandbox.data.generators.matching import make_dataset
from sandbox.data.schemas.matching import CANDIDATES, OFFERS
from sandbox.models.matching import (
    Matcher,
    counterfactual,
    discrimination_test,
    flip_gender,
    protected_columns,
    MatchResult,
)
from sandbox.models.matching._prepare import CANDIDATE_FEATURES, OFFER_FEATURES
from sandbox.models.matching._text import tokens


@pytest.fixture(scope="module")
def data():
    offers, candidates = make_dataset(100, 250, seed=5)
    return validate(candidates, CANDIDATES, errors="drop").frame, validate(offers, OFFERS, errors="drop").frame


def test_rankings_do_not_move_when_first_names_and_gender_marks_change(data):
    candidates, offers = data
    report = discrimination_test(candidates, offers, k=10, seed=7)
    assert report.n_changed > 200  # nearly every profile has a gender mark or a first name
    assert report.identical_offer_lists == 1.0
    assert report.identical_candidate_lists == 1.0
    assert report.max_score_change == 0.0
    assert report.passed
    # The test has teeth: a naive matcher on the raw text moves most rankings.
    assert report.control_offer_lists < 0.9 and report.control_candidate_lists < 0.9


def test_the_counterfactual_really_changes_names_and_gender():
    frame = pd.DataFrame({
        "candidate_id": ["1", "2"],
        "desired_job": ["aide-soignante", "animateur"],
        "experience": ["Je m'appelle Marie. Elle est aide-soignante diplômée.", "Mohamed, 34 ans. Il est animateur motivé, né à Bondy."],
        "Sexe": ["F", "H"],
    })
    cf = counterfactual(frame, seed=3)
    a, b = cf.frame["experience"].tolist()
    assert "Marie" not in a and "aide-soignant diplômé" in a and a.count("Il est") == 1
    assert "Mohamed" not in b and "animatrice motivée" in b and "née" in b
    assert cf.frame["desired_job"].tolist() == ["aide-soignant", "animatrice"]
    assert set(cf.changed["column"]) == {"desired_job", "experience"}
    assert flip_gender("M. Diallo, policier") == "Mme Diallo, policière"


def test_names_the_model_does_not_know_are_not_read_either(data):
    candidates, offers = data
    matcher = Matcher().fit(candidates, offers)
    before = matcher.rank(10, details=False).frame
    renamed = candidates.copy()
    renamed["experience"] = "Oluwaseun Zbigniewska, " + renamed["experience"].fillna("")
    after = Matcher().fit(renamed, offers).rank(10, details=False).frame
    pd.testing.assert_frame_equal(before, after)
    assert "oluwaseun" not in Matcher().fit(renamed, offers).text_.vocabulary_


def test_protected_columns_are_never_read(data):
    candidates, offers = data
    rng = np.random.default_rng(0)
    extra = candidates.assign(
        Nom=[f"Nom{i}" for i in range(len(candidates))],
        Sexe=rng.choice(["F", "H"], len(candidates)),
        Âge=rng.integers(18, 65, len(candidates)),
        Nationalité=rng.choice(["française", "malienne", "portugaise"], len(candidates)),
        Adresse=[f"{i} rue de la Paix" for i in range(len(candidates))],
    )
    shuffled = extra.assign(Sexe=extra["Sexe"].to_numpy()[::-1], Âge=extra["Âge"].to_numpy()[::-1])
    base = Matcher().fit(candidates, offers).rank(10).frame
    m1 = Matcher().fit(extra, offers)
    m2 = Matcher().fit(shuffled, offers)
    pd.testing.assert_frame_equal(base, m1.rank(10).frame)
    pd.testing.assert_frame_equal(base, m2.rank(10).frame)
    assert set(m1.protected_columns_) == {"Nom", "Sexe", "Âge", "Nationalité", "Adresse"}
    assert set(m1.candidates_.frame.columns).isdisjoint({"Nom", "Sexe", "Âge", "Nationalité", "Adresse", "name"})
    assert not set(protected_columns(CANDIDATE_FEATURES + OFFER_FEATURES))


def test_identity_words_are_removed_from_texts():
    assert tokens("Mme Fatoumata Diallo, 45 ans, malienne, mère de deux enfants, aide-soignante") == tokens("M. Pierre Diallo, 29 ans, français, père de deux enfants, aide-soignant")


def test_pseudonymised_export_has_no_name_and_stable_keyed_pseudonyms():
    frame = pd.DataFrame({"candidate_id": ["C1", "C2", "C1"], "name": ["Ana Silva", "Léo Petit", "Ana Silva"], "offer_id": ["O1", "O1", "O2"]})
    out, table = MatchResult(frame, "offers", 2, {}).pseudonymised("secret-1")
    assert "name" not in out.columns and not out.astype(str).apply(lambda c: c.str.contains("Silva")).any().any()
    assert out["candidate_id"].iloc[0] == out["candidate_id"].iloc[2] != out["candidate_id"].iloc[1]
    assert not set(out["candidate_id"]) & {"C1", "C2"}
    assert dict(zip(table["pseudonyme"], table["identifiant"]))[out["candidate_id"].iloc[0]] == "C1"
    other, _ = MatchResult(frame, "offers", 2, {}).pseudonymised("secret-2")
    assert other["candidate_id"].iloc[0] != out["candidate_id"].iloc[0]
