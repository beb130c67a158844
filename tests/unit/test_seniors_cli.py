"""The two commands and the sample-data generator of the seniors demo."""

from __future__ import annotations

import hashlib
import json
import re

import pandas as pd

from sandbox.cli import main
from sandbox.data import read_table
from sandbox.data.generators.seniors import OUTCOME_MODEL, generate, make_register
from sandbox.data.samples import sample_dir
from sandbox.text import plain


def test_target_writes_a_pseudonymised_list_of_exactly_n(tmp_path, capsys):
    register = make_register(1500, 21)
    register.loc[3, "age"] = 52
    source = tmp_path / "registre.csv"
    source.write_bytes(register.to_csv(sep=";", index=False).encode("cp1252", errors="replace"))
    out = tmp_path / "resultats"
    private = tmp_path / "ccas"
    code = main(["target", str(source), "--outcome", "evenement_12m", "--capacity", "75", "--reserve", "10", "--out", str(out),
                 "--key-file", str(private / "cle.txt"), "--correspondence", str(private / "correspondance.csv")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "1 personne de moins de 60 ans laissée de côté (ligne 5)" in plain(captured.err)
    assert "Modèles comparés" in captured.out and "règle simple" in captured.out
    assert "Aide à la décision" in captured.out
    export = read_table(out / "visites_pseudonymisees.csv")
    assert (export["statut"] == "visite").sum() == 75 and (export["statut"] == "réserve").sum() == 10
    assert "nom" not in export.columns and "identifiant" not in export.columns and "âge" not in export.columns
    assert export["pseudonyme"].str.startswith("ps_").all()  # the sandbox's one pseudonym format
    factors = " ".join(export["facteurs principaux"].astype(str))
    assert not re.search(r"(?<![–-])\b\d{2,3}\s?ans\b(?! et plus)", factors.replace("\u00a0", " ").replace("\u202f", " "))
    assert not (out / "correspondance_pseudonymes.csv").exists()
    assert (private / "cle.txt").stat().st_mode & 0o777 == 0o600
    assert (private / "correspondance.csv").stat().st_mode & 0o777 == 0o600
    keys = read_table(private / "correspondance.csv")
    assert set(keys["identifiant"]) <= set(register["identifiant"])
    fairness = read_table(out / "equite.csv")
    assert {"sexe", "tranche d'âge", "commune"} <= set(fairness["dimension"])
    # The same key file gives the same pseudonyms on a second run.
    main(["target", str(source), "--outcome", "evenement_12m", "--capacity", "75", "--out", str(tmp_path / "bis"),
          "--key-file", str(private / "cle.txt"), "--correspondence", str(tmp_path / "autre" / "c.csv")])
    again = read_table(tmp_path / "autre" / "c.csv")
    merged = keys.merge(again, on="identifiant")
    assert len(merged) > 0 and (merged["pseudonyme_x"] == merged["pseudonyme_y"]).all()


def test_target_refuses_the_correspondence_or_the_key_beside_the_list(tmp_path, capsys):
    source = tmp_path / "registre.csv"
    make_register(400, 23).to_csv(source, sep=";", index=False)
    out = tmp_path / "resultats"
    base = ["target", str(source), "--outcome", "evenement_12m", "--capacity", "10", "--out", str(out)]
    assert main([*base, "--correspondence", str(out / "correspondance.csv")]) == 2
    assert "ne peut pas être écrite dans le dossier de la liste pseudonymisée" in plain(capsys.readouterr().err)
    assert main([*base, "--key-file", str(out / "cle.txt")]) == 2
    assert "clé de pseudonymisation ne peut pas" in plain(capsys.readouterr().err)
    assert not (out / "cle.txt").exists()


def test_target_with_a_one_class_outcome_exits_with_a_french_message(tmp_path, capsys):
    source = tmp_path / "registre.csv"
    make_register(300, 22).assign(evenement_12m="oui").to_csv(source, sep=";", index=False)
    assert main(["target", str(source), "--outcome", "evenement_12m", "--capacity", "10"]) == 2
    assert "ne prend qu'une seule valeur" in capsys.readouterr().err
    assert main(["target", str(source), "--outcome", "absente", "--capacity", "10"]) == 2
    assert "n'existe pas dans le fichier" in capsys.readouterr().err


def test_needs_index_with_weights_writes_ranking_robustness_and_map(tmp_path, capsys):
    source = sample_dir() / "seniors" / "territories.csv"
    out = tmp_path / "indice"
    code = main(["needs-index", str(source), "--weights", "taux_pauvrete_60plus=2,part_60plus_seuls=1,5", "--method", "rank",
                 "--draws", "200", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "rangs centiles pondérés" in captured.out and "dans le top 10" in captured.out
    ranking = read_table(out / "indice_besoins.csv")
    assert len(ranking) == 130 and ranking["rang"].iloc[0] == 1
    geo = json.loads((out / "indice_besoins.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == 130
    assert len(read_table(out / "robustesse.csv")) == 130


def test_needs_index_refuses_weights_that_sum_to_zero(capsys):
    source = sample_dir() / "seniors" / "territories.csv"
    weights = ",".join(f"{c}=0" for c in ("share_75plus", "alone_60plus", "poverty_60plus", "no_car_60plus",
                                           "no_lift_60plus", "gp_distance_km", "apa_rate"))
    assert main(["needs-index", str(source), "--weights", weights]) == 2
    assert "La somme des pondérations vaut zéro" in capsys.readouterr().err


def test_needs_index_learns_weights_from_an_outcome_column_and_writes_out_of_sample_values(tmp_path, capsys):
    table = read_table(sample_dir() / "seniors" / "territories.csv")
    table["demandes_ccas"] = (2 * table["taux_pauvrete_60plus"].astype(float) + table["part_75plus"].astype(float)).round(2)
    source = tmp_path / "indicateurs.csv"
    table.to_csv(source, sep=";", index=False)
    out = tmp_path / "indice"
    code = main(["needs-index", str(source), "--outcome", "demandes_ccas", "--draws", "50", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "hors échantillon" in captured.out and "poids égaux" in captured.out
    ranking = read_table(out / "indice_besoins.csv")
    assert ranking["indice_hors_echantillon"].notna().all() and len(ranking) == 130
    weights = read_table(out / "poids_appris.csv")
    assert set(weights.columns) >= {"poids", "poids_moyen_plis", "ecart_type_plis"}
    rho = read_table(out / "comparaison_rho.csv")
    assert rho["rho_spearman"].iloc[0] > rho["rho_spearman"].iloc[1]  # fitted (out of sample) beats equal weights


def test_needs_index_reads_an_insee_file_as_published_for_a_departement(tmp_path, capsys):
    lines = ["CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;TP6021;TP60AGE521;TP60AGE621"]
    for i in range(1, 13):
        lines.append(f"89{i:03d};{100 + i};{200 + i};{20000 + 150 * i};{10 + i},5;{'s' if i % 4 == 0 else str(8 + i) + ',0'};{5 + i % 5}")
    lines.append("21231;1000;2000;24000;12,0;10,0;9,0")
    source = tmp_path / "cc_filosofi_2021_COM.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["needs-index", str(source), "--scope", "89", "--draws", "20"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Filosofi 2021" in captured.out and "12 territoires" in captured.out
    assert "classés sans carte" in captured.out and "TP60AGE521" in captured.out
    assert "Valeurs manquantes pour « taux de pauvreté des ménages dont le référent a 60 à 74 ans » : 3 territoires" in plain(captured.err)


def test_generator_is_deterministic_and_matches_the_committed_sample(tmp_path):
    first = generate(tmp_path / "a", 2026)
    second = generate(tmp_path / "b", 2026)
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert [digest(p) for p in first] == [digest(p) for p in second]
    committed = sample_dir() / "seniors"
    assert [digest(p) for p in first] == [digest(committed / p.name) for p in first]
    assert sum(p.stat().st_size for p in first) < 2_000_000
    readme = (committed / "README.md").read_text(encoding="utf-8")
    assert all(f"`{term}`" in readme for term in OUTCOME_MODEL)
    assert "synthétiques" in readme


def test_generated_register_follows_its_latent_model():
    register = make_register(30_000, 23, truth=True)
    assert register["age"].min() >= 65 and 0.12 < (register["evenement_12m"] == "oui").mean() < 0.20
    # the outcome frequency matches the latent probabilities, bin by bin
    bins = pd.cut(register["true_probability"], [0, 0.1, 0.3, 1.0])
    observed = (register["evenement_12m"] == "oui").groupby(bins, observed=True).mean()
    expected = register["true_probability"].groupby(bins, observed=True).mean()
    assert (observed - expected).abs().max() < 0.02
    assert register["commune"].nunique() > 100
