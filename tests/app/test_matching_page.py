"""The matching page in AppTest: sample data, both directions, explanations, weights, evaluation, discrimination test."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sandbox.text import plain
from sandbox.ui.safety import UNEXPECTED_ERROR

APP = str(Path(__file__).resolve().parents[2] / "sandbox" / "app.py")


@pytest.fixture(scope="module")
def at():
    app = AppTest.from_file(APP, default_timeout=180)
    app.run()
    app.switch_page("pages/matching/page.py")
    app.run()
    return app


def _text(app) -> str:
    parts = [m.value for m in app.markdown] + [w.value for w in app.warning] + [s.value for s in app.success] + [i.value for i in app.info]
    return plain("\n".join(str(p) for p in parts))


def test_page_shows_the_ai_act_note_ranked_offers_and_their_explanations(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.error if e.value == UNEXPECTED_ERROR]
    assert at.title[0].value == "Emploi : rapprocher offres et candidats"
    text = _text(at)
    assert "annexe III, point 4" in text and "une personne décide toujours" in text
    assert "Score" in text and "Compétences en commun" in text and "Distance" in text
    labels = [m.label for m in at.metric]
    assert any(label.startswith("Rappel dans les 10") for label in labels) and "Rang réciproque moyen (MRR)" in labels


def test_picking_another_candidate_and_an_offer_updates_the_lists(at):
    at.selectbox(key="matching.candidate").set_value("CAND-00006").run()
    assert not at.exception
    assert at.selectbox(key="matching.candidate").value == "CAND-00006"
    at.selectbox(key="matching.offer").set_value("OFF-0004").run()
    assert not at.exception
    assert "Compétences en commun" in _text(at) or "Aucun candidat" in _text(at)


def test_the_discrimination_test_passes_on_the_sample(at):
    success = [plain(s.value) for s in at.success if "Classements identiques" in s.value]
    assert success and "100 % des candidats et 100 % des offres" in success[0]
    assert "Témoin : un rapprochement naïf" in _text(at)


def test_weights_all_at_zero_give_a_french_error_not_a_crash(at):
    for part in ("texte", "competences", "metier", "distance", "contrat"):
        at.slider(key=f"matching.w_{part}").set_value(0.0)
    at.run()
    assert not at.exception
    assert any("poids positif" in e.value for e in at.error)
    at.slider(key="matching.w_distance").set_value(1.0).run()
    assert not at.exception and not any("poids positif" in e.value for e in at.error)
