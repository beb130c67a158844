"""The matching page in AppTest: sample data, both directions, explanations, weights, evaluation, discrimination test, ROME reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import no_crash
from streamlit.testing.v1 import AppTest

from sandbox.text import plain

REPO_DIR = Path(__file__).resolve().parents[2]
APP = str(REPO_DIR / "sandbox" / "app.py")
ROME_DIR = REPO_DIR.parent / "shared" / "data" / "rome_v460"


def _open(monkeypatch, data_dir: Path) -> AppTest:
    monkeypatch.setenv("BAC_A_SABLE_DATA", str(data_dir))
    app = AppTest.from_file(APP, default_timeout=240)
    app.run()
    app.switch_page("pages/matching/page.py")
    app.run()
    return app


@pytest.fixture(scope="module")
def at(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    try:
        yield _open(mp, tmp_path_factory.mktemp("no-release"))
    finally:
        mp.undo()


def _text(app) -> str:
    parts = [m.value for m in app.markdown] + [w.value for w in app.warning] + [s.value for s in app.success] + [i.value for i in app.info]
    parts += [c.value for c in app.caption]
    return plain("\n".join(str(p) for p in parts))


def test_page_shows_the_ai_act_note_ranked_offers_and_their_explanations(at):
    no_crash(at)
    assert at.title[0].value == "Emploi : rapprocher offres et candidats"
    text = _text(at)
    assert "annexe III, point 4" in text and "une personne décide toujours" in text
    assert "Score" in text and "Compétences en commun" in text and "Distance" in text
    labels = [m.label for m in at.metric]
    assert any(label.startswith("Rappel dans les 10") for label in labels) and "Rang réciproque moyen (MRR)" in labels


def test_without_a_release_the_page_says_the_extract_is_used_and_how_to_get_the_full_one(at):
    info = plain("\n".join(i.value for i in at.info))
    assert "Extrait livré avec l'application" in info and "sur 1 584" in info
    assert "python -m sandbox rome import" in info and "francetravail.io" in info


def test_picking_another_candidate_and_an_offer_updates_the_lists(at):
    at.selectbox(key="matching.candidate").set_value("CAND-00006").run()
    no_crash(at)
    assert at.selectbox(key="matching.candidate").value == "CAND-00006"
    at.selectbox(key="matching.offer").set_value("OFF-0004").run()
    no_crash(at)
    assert at.selectbox(key="matching.offer").value == "OFF-0004"
    assert "Compétences en commun" in _text(at)


def test_the_discrimination_test_passes_on_the_sample(at):
    success = [plain(s.value) for s in at.success if "Classements identiques" in s.value]
    assert success and "100 % des candidats et 100 % des offres" in success[0]
    assert "Témoin : un rapprochement naïf" in _text(at)


def test_weights_all_at_zero_give_a_french_error_not_a_crash(at):
    for part in ("text", "skills", "job", "distance", "contract"):
        at.slider(key=f"matching.w_{part}").set_value(0.0)
    at.run()
    no_crash(at)
    assert any("poids positif" in e.value for e in at.error)
    at.slider(key="matching.w_distance").set_value(1.0).run()
    no_crash(at)
    assert not any("poids positif" in e.value for e in at.error)


def test_after_importing_the_official_release_the_page_uses_it(tmp_path, monkeypatch):
    if not ROME_DIR.is_dir():
        pytest.skip("../shared/data absent : pas de référentiel ROME officiel pour ce test")
    monkeypatch.setenv("BAC_A_SABLE_DATA", str(tmp_path))
    from sandbox.data.rome import import_release

    import_release(ROME_DIR)
    app = _open(monkeypatch, tmp_path)
    no_crash(app)
    text = _text(app)
    assert "Référentiel ROME 4.0 officiel, version v4.60 : 1 584 fiches métiers" in text
    assert not any("Extrait livré" in i.value for i in app.info)


def test_offers_with_skills_unknown_to_the_reference_are_ranked_not_a_crash(tmp_path, monkeypatch):
    """Regression (issue 11): the page used to end in « 'SkillNormaliser' object has no attribute 'max_words_' »."""
    app = _open(monkeypatch, tmp_path)
    offers = (
        "id;intitulé;compétences requises;commune\n"
        "X1;Technicien de maintenance;\"soudure TIG, lecture de plans ; techniques des matériaux composites\";Bondy\n"
        "X2;Agent d'entretien;nettoyage des locaux;Bondy\n"
    ).encode("utf-8")
    app.get("segmented_control")[0].set_value("Mon fichier").run()
    app.file_uploader(key="matching.offres.file").set_value([("offres.csv", offers, "text/csv")]).run()
    no_crash(app)
    olabels = app.selectbox(key="matching.offer").options
    assert any(label.startswith("X1") for label in olabels) and any(label.startswith("X2") for label in olabels)
