"""Matching inputs: each bad input gets a French message naming the rows, and the other rows still match."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from sandbox.cli import main as cli
from sandbox.data import DataError, read_table, validate
from sandbox.data.generators.matching import generate
from sandbox.data.schemas.matching import CANDIDATES, OFFERS, check_kind, table_kind
from sandbox.models.matching import Matcher
from sandbox.text import plain

OFFERS_CSV = (
    "id_offre;intitulé;description;compétences requises;commune;type de contrat;heures hebdomadaires;date de début\n"
    "O1;Animateur périscolaire (H/F);Accueil du soir dans les écoles.;\"BAFA ; jeux collectifs\";Bondy;CDD;24;01/09/2026\n"
    "O2;Agent d'entretien;;nettoyage des locaux, autolaveuse;Bobigny;Titulaire;35;\n"
    "O3;Jardinier;Entretien des parcs.;\"tonte; taille des haies\";Bondy;CDI;35;15/09/2026\n"
)
CANDIDATES_CSV = (
    "id_candidat;métier recherché;compétences;expérience;commune;rayon de mobilité (km);disponibilité\n"
    "C1;animatrice;;Titulaire du BAFA, j'anime des grands jeux.;Bondy;10;immédiate\n"
    "C2;agent d'entretien;nettoyage des locaux;;Lyon;15;01/09/2026\n"
    "C3;jardinier;tonte;Jardinier depuis 5 ans.;Bondy;vingt;01/09/2026\n"
    "C4;agente d'entretien;autolaveuse;;Bobigny;5 km;\n"
    "C1;jardinière;tonte;;Bondy;10;\n"
)


def _tables():
    offers = validate(read_table(OFFERS_CSV.encode("utf-8"), "offres.csv"), OFFERS, errors="drop")
    candidates = validate(read_table(CANDIDATES_CSV.encode("utf-8"), "candidats.csv"), CANDIDATES, errors="drop")
    return candidates, offers


@pytest.fixture(scope="module")
def fitted():
    candidates, offers = _tables()
    matcher = Matcher(reference_date=pd.Timestamp("2026-09-01")).fit(candidates.frame, offers.frame)
    return candidates, offers, matcher, matcher.rank(3)


def _warning(warnings, words: str) -> str:
    found = [plain(w) for w in warnings if words in plain(w)]
    assert found, f"no warning with {words!r} in {warnings}"
    return found[0]


def test_duplicate_ids_are_named_and_the_other_rows_still_match(fitted):
    candidates, _, _, result = fitted
    text = _warning(candidates.warnings, "en double")
    assert "ligne 6" in text and "« C1 »" in text
    assert sorted(result.frame["candidate_id"].unique()) == ["C1", "C2", "C3", "C4"]


def test_no_skills_for_a_row_falls_back_on_the_text_and_says_so(fitted):
    _, _, matcher, result = fitted
    text = _warning(matcher.warnings_, "sans compétences renseignées")
    assert "1 candidat" in text and "ligne 2" in text and "texte de l'expérience" in text
    best = result.for_candidate("C1").iloc[0]
    assert best["offer_id"] == "O1" and "BAFA" in best["matched_skills"]


def test_empty_descriptions_are_named_and_still_ranked(fitted):
    _, _, matcher, result = fitted
    text = _warning(matcher.warnings_, "sans description")
    assert "1 offre" in text and "ligne 3" in text
    assert result.for_candidate("C4").iloc[0]["offer_id"] == "O2"


def test_unknown_communes_are_named_and_keep_matching_without_distance(fitted):
    _, _, matcher, result = fitted
    text = _warning(matcher.warnings_, "commune est inconnue")
    assert "« Lyon »" in text and "ligne 3" in text
    rows = result.for_candidate("C2")
    assert rows.iloc[0]["offer_id"] == "O2" and len(rows) == 3  # no distance filter for an unknown place
    assert rows["distance"].eq(0.5).all() and rows["distance_km"].isna().all()


def test_a_mobility_radius_that_is_not_a_number_gets_the_default(fitted):
    _, _, matcher, result = fitted
    text = _warning(matcher.warnings_, "rayon de mobilité n'est pas un nombre")
    assert "« vingt »" in text and "ligne 4" in text and "10 km par défaut" in text
    radius = result.frame.drop_duplicates("candidate_id").set_index("candidate_id")["radius_km"]
    assert radius["C3"] == 10 and radius["C4"] == 5  # « 5 km » is read
    assert result.for_candidate("C3").iloc[0]["offer_id"] == "O3"


def test_an_offers_file_uploaded_as_candidates_says_which_file_is_expected():
    offers_df = read_table(OFFERS_CSV.encode("utf-8"), "offres.csv")
    assert table_kind(offers_df.columns) == "offres"
    assert table_kind(read_table(CANDIDATES_CSV.encode("utf-8"), "c.csv").columns) == "candidats"
    with pytest.raises(DataError) as err:
        check_kind(offers_df.columns, "candidats", "offres.csv")
    message = plain(str(err.value))
    assert message.startswith("Fichier « offres.csv » : ce fichier ressemble à un fichier d'offres d'emploi")
    assert "le fichier des candidats" in message and "« métier recherché »" in message
    check_kind(offers_df.columns, "offres", "offres.csv")  # in the right place: no error


def test_cli_writes_the_matches_and_refuses_swapped_files(tmp_path, capsys, monkeypatch):
    (tmp_path / "offres.csv").write_text(OFFERS_CSV, encoding="utf-8")
    (tmp_path / "candidats.csv").write_text(CANDIDATES_CSV, encoding="utf-8")
    out = tmp_path / "matches.csv"
    key_file = tmp_path / "cle.txt"
    key_file.write_text("une clé secrète de test", encoding="utf-8")
    code = cli(["match", str(tmp_path / "candidats.csv"), str(tmp_path / "offres.csv"), "--top", "2", "--out", str(out), "--pseudonymiser", "--cle-fichier", str(key_file)])
    assert code == 0
    frame = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    assert frame.groupby("candidate_id").size().max() == 2 and frame["candidate_id"].str.startswith("ps_").all()
    err = plain(capsys.readouterr().err)
    assert "« vingt »" in err and "en double" in err
    assert cli(["match", str(tmp_path / "offres.csv"), str(tmp_path / "candidats.csv")]) == 2
    assert "semblent inversés" in plain(capsys.readouterr().err)
    assert cli(["match", str(tmp_path / "offres.csv"), str(tmp_path / "offres.csv")]) == 2
    assert "ressemble à un fichier d'offres" in plain(capsys.readouterr().err)
    assert cli(["match", str(tmp_path / "candidats.csv"), str(tmp_path / "offres.csv"), "--poids", "age=1"]) == 2


def test_generator_is_deterministic_small_and_plants_matches(tmp_path):
    first = generate(tmp_path / "a", 2026)
    second = generate(tmp_path / "b", 2026)
    digest = lambda paths: [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]  # noqa: E731
    assert digest(first) == digest(second)
    assert sum(p.stat().st_size for p in first) < 2_000_000
    candidates = pd.read_csv(first[1], sep=";", dtype=str)
    offers = pd.read_csv(first[0], sep=";", dtype=str)
    assert len(offers) == 300 and len(candidates) == 1000
    planted = candidates["offres_retenues"].dropna()
    assert 0.6 < len(planted) / len(candidates) < 0.8
    assert set(" ; ".join(planted).split(" ; ")) <= set(offers["id_offre"])


# Offers whose skills the reference does not know (issue 11: « 'SkillNormaliser' object has no attribute 'max_words_' »).
UNKNOWN_SKILLS_OFFERS = (
    "id;intitulé;compétences requises;commune\n"
    "X1;Technicien de maintenance;\"soudure TIG, lecture de plans d'un ouvrage ; techniques des matériaux composites\";Bondy\n"
    "X2;Agent d'entretien;nettoyage des locaux;Bondy\n"
)
UNKNOWN_SKILLS_CANDIDATES = (
    "identifiant;métier recherché;compétences;commune\n"
    "P1;technicien maintenance;soudure TIG;Bondy\n"
    "P2;agent d'entretien;nettoyage des locaux;Bondy\n"
)


def test_offers_with_skills_unknown_to_the_reference_do_not_crash_and_keep_whole_phrases(tmp_path, capsys):
    (tmp_path / "offres.csv").write_text(UNKNOWN_SKILLS_OFFERS, encoding="utf-8")
    (tmp_path / "candidats.csv").write_text(UNKNOWN_SKILLS_CANDIDATES, encoding="utf-8")
    out = tmp_path / "m.csv"
    assert cli(["match", str(tmp_path / "candidats.csv"), str(tmp_path / "offres.csv"), "--out", str(out)]) == 0
    frame = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype={"candidate_id": str})
    best = frame[frame["rank"] == 1].set_index("candidate_id")["offer_id"]
    assert best["P1"] == "X1" and best["P2"] == "X2"  # « id » and « identifiant » are the identifiers
    row = frame[(frame["candidate_id"] == "P1") & (frame["offer_id"] == "X1")].iloc[0]
    assert "soudure" in row["matched_skills"]
    assert "techniques des matériaux composites" in row["missing_required"]  # a whole phrase, not « des matériaux »


def test_match_col_maps_columns_of_each_file_and_the_error_message_is_true(tmp_path, capsys):
    offers = UNKNOWN_SKILLS_OFFERS.replace("intitulé", "poste proposé").replace("id;", "numéro;")
    candidates = UNKNOWN_SKILLS_CANDIDATES.replace("métier recherché", "souhait")
    (tmp_path / "offres.csv").write_text(offers, encoding="utf-8")
    (tmp_path / "candidats.csv").write_text(candidates, encoding="utf-8")
    args = ["match", str(tmp_path / "candidats.csv"), str(tmp_path / "offres.csv")]
    assert cli(args) == 2
    message = plain(capsys.readouterr().err)
    assert "colonne obligatoire introuvable" in message and "--col ATTENDUE=COLONNE" in message
    out = tmp_path / "m.csv"
    code = cli([*args, "--col-offres", "offer_id=numéro", "--col", "title=poste proposé", "--col-candidats", "métier recherché=souhait", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    frame = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str)
    assert set(frame["offer_id"]) == {"X1", "X2"} and set(frame["candidate_id"]) == {"P1", "P2"}
    capsys.readouterr()
    assert cli([*args, "--col", "salaire=numéro"]) == 2
    assert "Option --col : la colonne attendue « salaire » n'existe pas" in plain(capsys.readouterr().err)


def test_the_pseudonymisation_key_never_comes_from_the_command_line(tmp_path, capsys, monkeypatch):
    (tmp_path / "offres.csv").write_text(OFFERS_CSV, encoding="utf-8")
    (tmp_path / "candidats.csv").write_text(CANDIDATES_CSV, encoding="utf-8")
    args = ["match", str(tmp_path / "candidats.csv"), str(tmp_path / "offres.csv")]
    monkeypatch.delenv("BAC_A_SABLE_CLE", raising=False)
    assert cli([*args, "--pseudonymiser"]) == 2
    assert "Clé de pseudonymisation absente" in plain(capsys.readouterr().err)
    with pytest.raises(SystemExit):  # the old form « --pseudonymiser SECRET » is refused by the parser
        cli([*args, "--pseudonymiser", "secret-en-clair", "--out", str(tmp_path / "x.csv")])
    capsys.readouterr()
    monkeypatch.setenv("BAC_A_SABLE_CLE", "clé tirée de l'environnement")
    out, table = tmp_path / "out" / "m.csv", tmp_path / "apart" / "correspondance.csv"
    assert cli([*args, "--pseudonymiser", "--out", str(out), "--correspondance", str(table)]) == 0
    pseudo = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str)
    corr = pd.read_csv(table, sep=";", encoding="utf-8-sig", dtype=str)
    assert pseudo["candidate_id"].str.startswith("ps_").all() and set(corr["identifiant"]) == {"C1", "C2", "C3", "C4"}
    assert (table.stat().st_mode & 0o777) == 0o600
    assert cli([*args, "--pseudonymiser", "--out", str(out), "--correspondance", str(out.parent / "c.csv")]) == 2
    assert "même dossier" in plain(capsys.readouterr().err)


def test_match_exports_neutralise_formula_cells(tmp_path):
    offers = OFFERS_CSV.replace("Animateur périscolaire (H/F)", "=1+1 Animateur")
    (tmp_path / "offres.csv").write_text(offers, encoding="utf-8")
    (tmp_path / "candidats.csv").write_text(CANDIDATES_CSV, encoding="utf-8")
    out = tmp_path / "m.csv"
    assert cli(["match", str(tmp_path / "candidats.csv"), str(tmp_path / "offres.csv"), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "'=1+1 Animateur" in text and ";=1+1" not in text
