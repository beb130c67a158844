"""Coding job titles to ROME: noise (case, accents, typos, gender, abbreviations, extra words), confidence, « métier non reconnu », descriptions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sandbox.cli import main as cli
from sandbox.models.matching import UNKNOWN_JOB, RomeNormaliser, bundled_reference, official_reference
from sandbox.models.matching._rome import expand_abbreviations, gender_forms, title_key
from sandbox.text import plain

REPO_DIR = Path(__file__).resolve().parents[2]
SHARED_ROME = REPO_DIR.parent / "shared" / "data" / "rome_v460"


@pytest.fixture(scope="module")
def extract():
    return RomeNormaliser(bundled_reference()).fit()


@pytest.fixture(scope="module")
def official():
    if not SHARED_ROME.is_dir():
        pytest.skip("../shared/data absent : pas de référentiel ROME v4.60 pour ce test")
    from sandbox.data.rome import read_release

    return RomeNormaliser(official_reference(read_release(SHARED_ROME))).fit()


def test_title_keys_drop_gender_case_accents_and_job_ad_noise():
    assert title_key("AIDE-SOIGNANTE confirmée (H/F) - CDI") == title_key("aide soignant")
    assert title_key("Agente d'entretien F/H temps plein") == title_key("agent d'entretien")
    assert gender_forms("Agent / Agente de service hospitalier") == ["Agent de service hospitalier", "Agente de service hospitalier"]
    assert "agent territorial spécialisé des écoles maternelles" in expand_abbreviations("ATSEM")
    assert "accompagnant éducatif petite enfance" in expand_abbreviations("titulaire CAP AEPE")


@pytest.mark.parametrize(
    "title, code",
    [
        ("AGENT D'ENTRETIEN", "K2204"),
        ("agente d entretien des locaux", "K2204"),
        ("Animatrice periscolaire H/F", "G1203"),
        ("auxilliaire de puériculture", "J1304"),  # typo
        ("périscolaire animateur", "G1203"),  # word order
        ("Cuisinier confirmé en restauration collective - CDD 6 mois", "G1602"),  # extra words
    ],
)
def test_noisy_titles_on_the_bundled_extract(extract, title, code):
    assert extract.suggest(title)[0].code == code


def test_code_returns_code_confidence_alternatives_and_unknown_below_the_threshold(extract):
    table = extract.code(["Agent d'entretien", "astronaute de combat", None])
    assert list(table.columns) == ["code_rome", "libelle_rome", "confiance", "intitule_proche", "alternatives"]
    assert table.loc[0, "code_rome"] == "K2204" and table.loc[0, "confiance"] >= 0.9
    assert table.loc[0, "alternatives"].count("|") == 2  # the top 3
    assert table.loc[1, "code_rome"] is None and table.loc[1, "libelle_rome"] == UNKNOWN_JOB
    assert table.loc[2, "libelle_rome"] == UNKNOWN_JOB and table.loc[2, "confiance"] == 0.0


@pytest.mark.parametrize(
    "title, code",
    [
        ("ATSEM", "K1308"),
        ("ASH H/F", "J1301"),
        ("AVS", "K2113"),
        ("AESH - CDD", "K2113"),
        ("Aide-soignante (H/F)", "J1501"),
        ("AIDE SOIGNANT DIPLOME", "J1501"),
        ("maçonne", "F1703"),
        ("macon confirmé", "F1703"),
        ("conductrice de bus", "N4103"),
        ("Plombier chauffagiste", "F1603"),
        ("Auxiliaire de puericulture", "J1304"),
        ("secretaire de mairie", "K1406"),  # the official title is in K1406
    ],
)
def test_noisy_titles_and_abbreviations_on_the_official_release(official, title, code):
    assert code in [s.code for s in official.suggest(title)][:1]


def test_the_description_decides_with_an_ambiguous_title(official):
    alone = official.suggest("Chauffeur")
    with_text = official.suggest("Chauffeur", description="Conduite d'un autobus urbain sur les lignes régulières du réseau, accueil des voyageurs")
    assert alone[0].score < 90  # ambiguous on its own
    assert with_text[0].code == "N4103"


def test_rome_code_command_writes_ids_codes_confidence_and_alternatives(tmp_path, capsys):
    table = tmp_path / "offres.csv"
    pd.DataFrame({"ref": ["O1", "O2", "O3"], "Intitulé du poste": ["Agent d'entretien H/F", "animatrice périscolaire", "xqzt wvb"]}).to_csv(table, sep=";", index=False)
    out = tmp_path / "codes.csv"
    assert cli(["rome", "code", str(table), "--out", str(out)]) == 0
    coded = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str)
    assert coded["identifiant"].tolist() == ["O1", "O2", "O3"]
    assert coded["code_rome"].tolist()[:2] == ["K2204", "G1203"] and pd.isna(coded.loc[2, "code_rome"])
    assert coded.loc[2, "libelle_rome"] == UNKNOWN_JOB and "alternatives" in coded.columns
    assert "« métier non reconnu »" in plain(capsys.readouterr().err)
    assert cli(["rome", "code", str(table), "--out", str(out), "--col", "intitule=Poste"]) == 2
    assert "« Poste » indiquée pour « intitule » n'existe pas" in plain(capsys.readouterr().err)
    assert cli(["rome", "code", str(table), "--out", str(out), "--col", "Intitulé du poste=ref"]) == 2
    assert "la colonne attendue « Intitulé du poste » n'existe pas" in plain(capsys.readouterr().err)


@pytest.mark.parametrize(
    "title, code",
    [
        ("aide a domicle", "K1304"),  # a typo in a word the reference knows, and the exact title wins over « Responsable de secteur d'aide à domicile »
        ("boulnger", "D1102"),
        ("couvruer zingueur", "F1619"),
        ("trieuse de dehcets F/H", "K2304"),
    ],
)
def test_typos_are_corrected_to_words_the_reference_knows(official, title, code):
    assert official.suggest(title)[0].code == code


def test_the_code_holding_the_typed_title_comes_first(official):
    # « Comptable » is an official title of M1203; « Chef comptable » (M1206) shares the word, and its sheet
    # speaks more of accounting: the sheet's words must not outrank the very title typed.
    best = official.suggest("COMPTABLE H/F")
    assert best[0].code == "M1203" and best[0].score >= 90
    assert best[1].score < best[0].score


# A small hand-made reference: every title below is held out of it, and its sheet is told by the words
# it shares with the *other* titles of that sheet (« bus », « ovin », « moutons »), not by one near title.
TOY_SHEETS = {
    "N4103": ("Conduite de transport en commun sur route", ["Machiniste receveur de bus", "Conducteur d'autobus", "Conducteur de car scolaire", "Chauffeur de bus", "Conducteur de bus urbain"]),
    "N4101": ("Conduite de transport de marchandises sur longue distance", ["Conducteur routier", "Conducteur de camion", "Chauffeur poids lourd", "Conducteur de semi-remorque", "Chauffeur livreur"]),
    "A1409": ("Élevage de lapins et volailles", ["Éleveur de volailles", "Aviculteur", "Ouvrier d'élevage avicole", "Éleveur de lapins"]),
    "A1410": ("Élevage ovin ou caprin", ["Éleveur d'ovins", "Berger d'ovins", "Ouvrier d'élevage ovin", "Chevrier", "Tondeur de moutons"]),
    "K2204": ("Nettoyage de locaux", ["Agent d'entretien", "Agent de nettoyage", "Technicien de surface", "Agent de propreté"]),
}


def toy_reference(stamp: str = ""):
    from sandbox.models.matching._reference import Reference

    jobs = pd.DataFrame([{"code": c, "label": label, "titles": titles, "definition": ""} for c, (label, titles) in TOY_SHEETS.items()])
    skills = pd.DataFrame([{"skill": "Nettoyer des locaux", "codes": ["K2204"], "forms": ["Nettoyer des locaux"], "training": "", "kind": "savoir-faire"}])
    return Reference(jobs=jobs.set_index("code", drop=False), skills=skills.set_index("skill", drop=False), stamp=stamp)


@pytest.mark.parametrize(
    "title, code",
    [
        ("conducteur de bus", "N4103"),  # « conducteur » is in both sheets, « bus » only in N4103
        ("Conductrice de minibus H/F", "N4103"),
        ("ouvrier ovin", "A1410"),
        ("éleveuse de moutons", "A1410"),  # « éleveur » leans to A1409 (two titles), « moutons » decides
    ],
)
def test_a_title_never_seen_goes_to_the_sheet_of_its_discriminating_words(title, code):
    coder = RomeNormaliser(toy_reference()).fit()
    best = coder.suggest(title)
    assert best[0].code == code and best[0].score > best[1].score


def test_the_sheet_model_weighs_the_words_of_all_the_titles_of_a_sheet():
    coder = RomeNormaliser(toy_reference()).fit()
    keys = [title_key(t) for t in ("éleveur de moutons", "chauffeur de bus", "agent de surface")]
    probabilities = coder._sheet_probabilities(keys, coder.char_.transform(keys))
    assert probabilities.sum(axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
    assert [coder.codes_[i] for i in probabilities.argmax(axis=1)] == ["A1410", "N4103", "K2204"]


def test_a_suggestion_names_one_of_its_own_titles_or_none():
    # Codes found by their sheet's words only (no title of theirs is close) carry no title, never another sheet's.
    coder = RomeNormaliser(toy_reference()).fit()
    suggestions = coder.suggest("conducteur de bus", k=5)
    assert len(suggestions) == 5
    for s in suggestions:
        label, titles = TOY_SHEETS[s.code]
        assert s.title in ["", *(f for t in [label, *titles] for f in gender_forms(t))]


def test_the_fitted_coder_is_saved_beside_the_imported_release_and_read_back(tmp_path, monkeypatch):
    from sandbox.models.matching import _rome

    monkeypatch.setenv("BAC_A_SABLE_DATA", str(tmp_path))
    (tmp_path / "rome" / "current").mkdir(parents=True)
    titles = ["conducteur de bus", "ouvrier ovin", "Agent d'entretien H/F", "xqzt", "eleveuse de moutons"]
    first = RomeNormaliser(toy_reference(stamp="release-1")).fit()
    saved = tmp_path / "rome" / "current" / "codeur_rome.npz"
    assert saved.is_file()

    def no_refit(self, ref):
        raise AssertionError("refitted although a saved coder of the same release exists")

    with monkeypatch.context() as m:
        m.setattr(_rome.RomeNormaliser, "_fit", no_refit)
        again = RomeNormaliser(toy_reference(stamp="release-1")).fit()
    pd.testing.assert_frame_equal(again.code(titles), first.code(titles))
    assert [s[0].code if s else None for s in again.suggest_many(titles)] == ["N4103", "A1410", "K2204", None, "A1410"]

    # Another release (another stamp) or a damaged file: fitted again, never a crash.
    fitted = []
    original = _rome.RomeNormaliser._fit
    monkeypatch.setattr(_rome.RomeNormaliser, "_fit", lambda self, ref: fitted.append(1) or original(self, ref))
    RomeNormaliser(toy_reference(stamp="release-2")).fit()
    saved.write_bytes(b"not a zip")
    coder = RomeNormaliser(toy_reference(stamp="release-2")).fit()
    assert fitted == [1, 1] and coder.suggest("ouvrier ovin")[0].code == "A1410"
    # The same release read with other code (the coder's module, the text reading or the extract changed): fitted again.
    RomeNormaliser(toy_reference(stamp="release-2")).fit()
    assert fitted == [1, 1]
    monkeypatch.setattr("sandbox.models.matching._reference.code_digest", lambda *modules: "other code")
    RomeNormaliser(toy_reference(stamp="release-2")).fit()
    assert fitted == [1, 1, 1]
    # Without a stamp (a reference not read from the data folder), nothing is written.
    saved.unlink()
    RomeNormaliser(toy_reference()).fit()
    assert not saved.exists()


def test_the_transforms_used_to_code_are_bit_for_bit_scikit_learns(extract):
    # Coding reads the fitted vocabularies without importing scikit-learn: same vectors, to the last bit.
    from sandbox.models.matching._rome import _Tfidf

    docs = [*extract.keys_, "", "a", "É  x\ty", "aid soignant aid", "AIDE-SOIGNANTE (H/F)", "zzz qqq", "l'été à l'école"]
    for name, vectorizer in zip(RomeNormaliser._VECTORIZERS, RomeNormaliser._vectorizers()):
        vectorizer.fit(extract.keys_[::2])
        ours = _Tfidf.of(vectorizer, dict(zip(RomeNormaliser._VECTORIZERS, RomeNormaliser._KINDS))[name])
        for batch in (docs, docs[::-1], docs[:1]):
            expected, got = vectorizer.transform(batch), ours.transform(batch)
            assert got.shape == expected.shape and got.dtype == expected.dtype, name
            for part in ("indptr", "indices", "data"):
                assert (getattr(got, part) == getattr(expected, part)).all(), (name, part)
        assert ours.transform([]).shape == (0, len(vectorizer.vocabulary_))


def test_coding_nothing_gives_an_empty_table(extract):
    table = extract.code([])
    assert table.empty and list(table.columns) == ["code_rome", "libelle_rome", "confiance", "intitule_proche", "alternatives"]
    assert extract.suggest_many([]) == []
