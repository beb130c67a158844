"""Importing the official ROME 4.0 release: a small hand-made release, each bad release, the shared real one, the commands."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from sandbox.cli import main as cli
from sandbox.data import DataError
from sandbox.data.rome import import_release, index_info, load_index, read_release, remove_index
from sandbox.text import plain

REPO_DIR = Path(__file__).resolve().parents[2]
SHARED_ROME = REPO_DIR.parent / "shared" / "data" / "rome_v460"

# A tiny release with the layout of ROME 4.0 (made up for the tests: three job sheets).
FILES = {
    "referentiel_code_rome": (
        '"code_rome","code_fiche_metier","code_ogr","libelle_rome"\n'
        '"K2204","1","10","Agent / Agente de nettoyage"\n'
        '"G1203","2","11","Animateur / Animatrice de loisirs"\n'
        '"A1203","3","12","Jardinier / Jardinière"\n'
    ),
    "referentiel_appellation": (
        '"code_ogr","libelle_appellation_long","libelle_appellation_court","code_rome"\n'
        '"100","Agent / Agente d\'entretien des locaux","Agent d\'entretien","K2204"\n'
        '"101","Technicien / Technicienne de surface","Technicien de surface","K2204"\n'
        '"102","Animateur périscolaire / Animatrice périscolaire","Animateur périscolaire","G1203"\n'
        '"103","Jardinier paysagiste / Jardinière paysagiste","Jardinier paysagiste","A1203"\n'
    ),
    "referentiel_competence": (
        '"code_ogr","nature","libelle_competence"\n'
        '"500","Compétence","Nettoyer des locaux, des surfaces"\n'
        '"501","Compétence","Animer des activités ludiques"\n'
        '"502","Compétence","Tondre une pelouse"\n'
    ),
    "referentiel_savoir": '"code_ogr_savoir","libelle_savoir"\n"600","Règles d\'hygiène"\n"601","Botanique"\n',
    "liens_rome_referentiels": (
        '"code_rome","code_compo_bloc","code_rubrique","code_ogr"\n'
        '"K2204","5","1","500"\n"K2204","6","","600"\n"G1203","5","1","501"\n"A1203","5","1","502"\n"A1203","6","","601"\n'
    ),
    "rubrique_mobilite": '"code_rome","code_rome_cible","numero_ordre"\n"K2204","A1203","1"\n"A1203","K2204","1"\n',
    "texte": (
        '"code_rome","code_compo_bloc","libelle_type_texte","position_phrase","libelle_texte"\n'
        '"K2204","3","definition","1","Nettoie et entretient les locaux."\n'
        '"A1203","3","definition","1","Entretient les espaces verts."\n'
    ),
}


def write_release(folder: Path, version: str = "460", skip: str | None = None, change: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, text in {**FILES, **(change or {})}.items():
        if table != skip:
            (folder / f"unix_{table}_v{version}_utf8.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BAC_A_SABLE_DATA", str(tmp_path / "data"))
    load_index.cache_clear()
    yield tmp_path / "data"
    load_index.cache_clear()


def _error(path) -> str:
    with pytest.raises(DataError) as err:
        read_release(path)
    return plain(str(err.value))


def test_a_small_release_is_read_checked_and_stored_in_the_data_folder(tmp_path, data_dir):
    index = import_release(write_release(tmp_path / "rel"))
    assert index.info["version"] == "v4.60" and index.info["jobs"] == 3 and index.info["titles"] == 4
    assert index.info["skills"] == 3 and index.info["knowledge"] == 2 and index.info["mobility"] == 2
    assert (data_dir / "rome" / "current" / "manifest.json").is_file()
    assert not (REPO_DIR / "sandbox" / "data" / "reference" / "jobs.parquet").exists()
    assert index_info()["version"] == "v4.60"
    loaded = load_index()
    assert sorted(loaded.jobs["code"]) == ["A1203", "G1203", "K2204"]
    assert "Nettoyer des locaux, des surfaces" in set(loaded.skills["label"])  # whole phrase, comma kept
    assert loaded.jobs.set_index("code").at["K2204", "definition"] == "Nettoie et entretient les locaux."
    assert remove_index() and index_info() is None and load_index() is None


def test_the_published_zip_is_accepted_too(tmp_path):
    folder = write_release(tmp_path / "rel")
    archive = tmp_path / "RefRomeCsv.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.iterdir():
            z.write(path, f"RefRomeCsv/{path.name}")
    assert import_release(archive).info["jobs"] == 3


def test_a_missing_file_is_named(tmp_path):
    message = _error(write_release(tmp_path / "rel", skip="rubrique_mobilite"))
    assert "fichiers absents du référentiel" in message and "unix_rubrique_mobilite_vXXX_utf8.csv" in message
    assert "francetravail.io" in message


def test_a_rome_3_release_is_refused_with_the_version(tmp_path):
    message = _error(write_release(tmp_path / "rel", version="346"))
    assert "version v3.46 du ROME" in message and "seule la version 4.0" in message


def test_mixed_versions_are_refused(tmp_path):
    folder = write_release(tmp_path / "rel")
    (folder / "unix_texte_v460_utf8.csv").rename(folder / "unix_texte_v459_utf8.csv")
    assert "plusieurs versions mélangés (v4.59, v4.60)" in _error(folder)


def test_a_truncated_csv_is_named(tmp_path):
    cut = FILES["referentiel_appellation"][:-25]  # a download stopped in the middle of a line
    message = _error(write_release(tmp_path / "rel", change={"referentiel_appellation": cut}))
    assert "unix_referentiel_appellation_v460_utf8.csv" in message and "tronqué" in message


def test_a_wrong_layout_names_the_missing_columns(tmp_path):
    message = _error(write_release(tmp_path / "rel", change={"referentiel_code_rome": '"code","libelle"\n"K2204","x"\n'}))
    assert "colonnes absentes" in message and "« code_rome »" in message


def test_a_path_that_is_not_a_release(tmp_path):
    (tmp_path / "notes.txt").write_text("bonjour", encoding="utf-8")
    assert "ni un dossier ni une archive zip" in _error(tmp_path / "notes.txt")
    assert "Chemin introuvable" in _error(tmp_path / "nowhere")


def test_commands_import_info_and_errors(tmp_path, capsys, data_dir):
    assert cli(["rome", "info"]) == 0
    assert "Extrait livré avec l'application" in plain(capsys.readouterr().out)
    assert cli(["rome", "import", str(write_release(tmp_path / "rel"))]) == 0
    assert "Référentiel ROME v4.60 importé" in plain(capsys.readouterr().out)
    # The title coder is fitted at import and saved beside the index, keyed on this release.
    assert (data_dir / "rome" / "current" / "codeur_rome.npz").is_file()
    assert cli(["rome", "info"]) == 0
    out = plain(capsys.readouterr().out)
    assert "Référentiel ROME 4.0 officiel, version v4.60 : 3 fiches métiers" in out
    assert cli(["rome", "import", str(write_release(tmp_path / "bad", skip="texte"))]) == 2
    assert "fichiers absents" in plain(capsys.readouterr().err)


def test_the_shared_official_release(tmp_path):
    if not SHARED_ROME.is_dir():
        pytest.skip("../shared/data absent : pas de référentiel ROME v4.60 pour ce test")
    index = import_release(SHARED_ROME)
    info = index.info
    assert (info["version"], info["jobs"], info["titles"]) == ("v4.60", 1584, 13120)
    assert info["skills"] > 15_000 and info["knowledge"] > 10_000 and info["mobility"] > 10_000
    from sandbox.models.matching import load_reference

    ref = load_reference()
    assert ref.is_official and len(ref.jobs) == 1584 and ref.related["A1101"]


def test_the_coder_saved_at_import_codes_as_a_fresh_one_and_a_new_import_replaces_it(tmp_path):
    from sandbox.data.rome import index_stamp, load_fitted
    from sandbox.models.matching import RomeNormaliser, load_reference, official_reference
    from sandbox.models.matching._rome import saved_stamp

    assert cli(["rome", "import", str(write_release(tmp_path / "rel"))]) == 0
    ref = load_reference()
    assert ref.stamp == index_stamp(load_index()) and load_fitted("codeur_rome", saved_stamp(ref)) is not None
    titles = ["Agente d'entretien H/F", "animatrice periscolaire", "jardinière paysagiste confirmée", "technicienne de surface"]
    reloaded = RomeNormaliser(ref).fit().code(titles)
    fresh = RomeNormaliser(official_reference(load_index())).fit().code(titles)  # no stamp: fitted, not read
    assert reloaded["code_rome"].tolist() == ["K2204", "G1203", "A1203", "K2204"]
    assert reloaded.equals(fresh)
    # A new import (another manifest) changes the stamp: the old saved coder is not read for it.
    import_release(write_release(tmp_path / "rel2", change={"texte": FILES["texte"].replace("Nettoie", "Lave")}))
    assert load_reference().stamp != ref.stamp and load_fitted("codeur_rome", saved_stamp(ref)) is None


def test_rome_code_after_an_import_reads_neither_scikit_learn_nor_streamlit(tmp_path, data_dir):
    # The coder saved at import is read back without scikit-learn (imported only to fit) and the command does
    # not load the app: start-up is most of `rome code` on a short file.
    import os
    import subprocess
    import sys

    import sandbox

    assert cli(["rome", "import", str(write_release(tmp_path / "rel"))]) == 0
    table = tmp_path / "intitules.csv"
    table.write_text("id;intitule\n1;Agent d'entretien H/F\n2;animatrice periscolaire\n", encoding="utf-8")
    script = (
        "import sys\n"
        "from sandbox.cli import main\n"
        f"code = main(['rome', 'code', {str(table)!r}, '--out', {str(tmp_path / 'codes.csv')!r}])\n"
        "print(code, sorted(m for m in ('sklearn', 'streamlit') if m in sys.modules))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "BAC_A_SABLE_DATA": str(data_dir), "PYTHONPATH": str(Path(sandbox.__file__).resolve().parents[1])}, timeout=120)
    assert run.stdout.strip().splitlines()[-1] == "0 []", run.stderr[-2000:]
    assert "K2204" in (tmp_path / "codes.csv").read_text(encoding="utf-8-sig")


# -- the reference and its skill index, saved beside the imported release --------------------------------


def _fresh_reference():
    """The reference built from the imported index, not read back from what is saved beside it."""
    from sandbox.data.rome import index_stamp
    from sandbox.models.matching import official_reference

    index = load_index()
    return official_reference(index, stamp=index_stamp(index))


def _assert_same_sheet_words(ref):
    from sandbox.models.matching import official_reference

    computed = official_reference(load_index())  # no stamp: nothing read from the data folder
    assert ref._stored_words is not None
    assert [ref.sheet_words(c) for c in ref.jobs["code"]] == [computed.sheet_words(c) for c in computed.jobs["code"]]


def _forget_loaded():
    """Forget, in this process, the reference and the skill indexes already loaded (the next ones are read from disk)."""
    from sandbox.models.matching import _reference, _skills

    _reference._OFFICIAL_CACHE.clear()
    _skills._INDEX_CACHE.clear()


def _assert_same_reference(got, expected):
    import pandas as pd

    for name in ("jobs", "skills"):
        a, b = getattr(got, name), getattr(expected, name)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        assert list(a.dtypes) == list(b.dtypes) and a.index.dtype == b.index.dtype and a.index.name == b.index.name
    assert got.related == expected.related and list(got.related) == list(expected.related)
    assert (got.source, got.version, got.stamp) == (expected.source, expected.version, expected.stamp)


def _assert_same_skills(got, expected, cells):
    import numpy as np

    assert got.forms_ == expected.forms_ and list(got.forms_) == list(expected.forms_)
    assert got.keys_ == expected.keys_ and got.labels_ == expected.labels_ and got.max_words_ == expected.max_words_
    a, b = got._reference_index._arrays(), expected._reference_index._arrays()
    assert a.keys() == b.keys() and all(a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]) for k in a)
    assert got.parse_many(cells) == expected.parse_many(cells)


def test_prepare_reference_saves_what_the_matcher_fits_beside_a_release_imported_by_the_page(tmp_path, data_dir):
    """The page imports with import_release, then prepare_reference (as the command does): the next start reads all back."""
    from sandbox.models.matching import _reference, _skills, prepare_reference

    import_release(write_release(tmp_path / "rel"))
    current = data_dir / "rome" / "current"
    assert not (current / f"{_skills.STORED_INDEX}.npz").exists()
    ref = prepare_reference()
    assert ref.is_official
    for name in ("codeur_rome", _reference.STORED_REFERENCE, _skills.STORED_INDEX, _reference.STORED_WORDS):
        assert (current / f"{name}.npz").is_file(), name


SKILL_CELLS = ["Nettoyer des locaux, des surfaces ; règles d'hygiène", "netoyer des locaux", "tondre la pelouse, botanique",
               "Animer des activités ludiques | BAFA", "HACCP et liaison froide", "soudure à l'arc", None, ""]


def test_the_reference_and_its_skill_index_are_saved_at_import_and_read_back_as_built(tmp_path, data_dir, monkeypatch):
    from sandbox.models.matching import SkillNormaliser, _reference, _skills, load_reference

    # Few keys would be scanned whole: lower the threshold so that the shortlist index is saved and read back too.
    monkeypatch.setattr(_skills, "EXACT_KEYS", 5)
    assert cli(["rome", "import", str(write_release(tmp_path / "rel"))]) == 0
    current = data_dir / "rome" / "current"
    for name in (_reference.STORED_REFERENCE, _skills.STORED_INDEX, _reference.STORED_WORDS):
        assert (current / f"{name}.npz").is_file(), name
    _forget_loaded()

    def no_build(*args, **kwargs):
        raise AssertionError("built although what is saved beside the release fits it")

    with monkeypatch.context() as m:
        m.setattr(_reference, "official_reference", no_build)
        m.setattr(_skills._ReferenceIndex, "build", no_build)
        ref = load_reference()
        loaded = SkillNormaliser(ref).fit()
    assert ref.is_official and ref.jobs.at["K2204", "definition"] == "Nettoie et entretient les locaux."
    _assert_same_reference(ref, _fresh_reference())
    assert loaded._reference_index._grams is not None
    fresh = SkillNormaliser(_fresh_reference()).fit()  # its own stamp: the index is built again for this object
    _assert_same_skills(loaded, fresh, SKILL_CELLS)
    assert "Nettoyer des locaux, des surfaces" in loaded.parse("netoyer des locaux, des surfaces")
    _assert_same_sheet_words(ref)


@pytest.mark.parametrize("damage", ["garbage", "other release", "uneven arrays"])
def test_a_damaged_or_foreign_saved_file_is_never_used_and_is_rebuilt(tmp_path, data_dir, monkeypatch, damage):
    from sandbox.data.rome import load_fitted, save_fitted
    from sandbox.models.matching import SkillNormaliser, _reference, _skills, load_reference

    monkeypatch.setattr(_skills, "EXACT_KEYS", 5)
    assert cli(["rome", "import", str(write_release(tmp_path / "rel"))]) == 0
    current = data_dir / "rome" / "current"
    expected_ref = _fresh_reference()
    expected = SkillNormaliser(expected_ref).fit()
    expected_words = [expected_ref.sheet_words(c) for c in expected_ref.jobs["code"]]
    for name in (_reference.STORED_REFERENCE, _skills.STORED_INDEX, _reference.STORED_WORDS):
        path = current / f"{name}.npz"
        if damage == "garbage":
            path.write_bytes(b"PK\x03\x04 not really a zip")
        elif damage == "other release":
            save_fitted(name, "another release|" + "0" * 16, {"keys": __import__("numpy").zeros(3, dtype="uint8")})
        else:
            with __import__("numpy").load(path) as saved:
                arrays = {k: saved[k] for k in saved.files}
            stamp = str(arrays.pop("__stamp__"))
            for k in arrays:
                if k.endswith(".counts") or k in ("skills", "offsets"):
                    arrays[k] = arrays[k][:-1]
            save_fitted(name, stamp, arrays)
    _forget_loaded()
    ref = load_reference()
    _assert_same_reference(ref, expected_ref)
    _assert_same_skills(SkillNormaliser(ref).fit(), expected, SKILL_CELLS)
    assert [ref.sheet_words(c) for c in ref.jobs["code"]] == expected_words and ref._stored_words is None
    # Built again, and saved again for the next start.
    assert load_fitted(_reference.STORED_REFERENCE, f"{ref.stamp}|{_reference.code_digest()}") is not None
    assert load_fitted(_skills.STORED_INDEX, f"{ref.stamp}|{_skills._index_digest()}") is not None
    assert load_fitted(_reference.STORED_WORDS, f"{ref.stamp}|{_reference._words_digest()}") is not None
    _forget_loaded()
    assert [load_reference().sheet_words(c) for c in ref.jobs["code"]] == expected_words and load_reference()._stored_words is not None


def test_a_change_to_the_code_or_the_extract_is_never_answered_with_a_file_saved_before(tmp_path, data_dir, monkeypatch):
    from sandbox.models.matching import SkillNormaliser, _reference, _skills, load_reference

    assert cli(["rome", "import", str(write_release(tmp_path / "rel"))]) == 0
    _forget_loaded()
    built = []
    original = _skills._ReferenceIndex.build.__func__
    monkeypatch.setattr(_skills._ReferenceIndex, "build", classmethod(lambda cls, ref: built.append(1) or original(cls, ref)))
    SkillNormaliser(load_reference()).fit()
    assert built == []
    _forget_loaded()
    monkeypatch.setattr(_reference, "code_digest", lambda *modules: "another version")
    SkillNormaliser(load_reference()).fit()
    assert built == [1]


def test_without_an_imported_release_nothing_is_saved(data_dir):
    from sandbox.models.matching import SkillNormaliser, load_reference

    skills = SkillNormaliser(load_reference()).fit()
    assert load_reference().source == "extrait" and skills.normalise("SST") == "sauveteur secouriste du travail"
    assert not list(data_dir.rglob("*.npz"))


def test_the_shared_release_reads_back_its_reference_and_skill_index_as_built(tmp_path):
    if not SHARED_ROME.is_dir():
        pytest.skip("../shared/data absent : pas de référentiel ROME v4.60 pour ce test")
    from sandbox.models.matching import SkillNormaliser, load_reference
    from sandbox.models.matching._reference import store_sheet_words

    import_release(SHARED_ROME)
    _forget_loaded()
    first = SkillNormaliser(load_reference()).fit()  # built and saved
    assert store_sheet_words(first.reference_)
    _forget_loaded()
    ref = load_reference()
    loaded = SkillNormaliser(ref).fit()  # read back
    assert ref is not first.reference_ and loaded._reference_index is not first._reference_index
    _assert_same_reference(ref, _fresh_reference())
    cells = SKILL_CELLS + ["Techniques de nettoyage ; Utilisation d'autolaveuse", "conduite d'engins de chantier, CACES R482",
                           "Accueil du public | gestion de conflits", "sauvteur secouriste du travial ; permis poids-lourd",
                           "Entretenir les espaces verts, tailler les haies", "comptabilité publique M14 ; marchés publics"]
    _assert_same_skills(loaded, first, cells)
    _assert_same_sheet_words(ref)
