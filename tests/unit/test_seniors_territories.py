"""Seniors on real public data: any French territory, INSEE files as published, weights learnt from an observed need."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sandbox.data import DataError, read_table, validate
from sandbox.data.insee import insee_indicators, recognise
from sandbox.data.schemas.seniors import TERRITORIES
from sandbox.data.territories import resolve_territories
from sandbox.models.seniors import analyse_territories, fit_weights, needs_index, prepare_territories
from sandbox.text import plain

REPO_DIR = Path(__file__).resolve().parents[2]
SHARED = REPO_DIR.parent / "shared" / "data"
FIXTURE = REPO_DIR / "tests" / "fixtures" / "seniors" / "filosofi_extrait.csv"


def _read(path: Path) -> pd.DataFrame:
    return read_table(path.read_bytes(), path.name)


def test_a_hand_made_filosofi_file_with_secret_cells_and_decimal_commas():
    frame = _read(FIXTURE)
    assert recognise(frame).kind == "filosofi" and recognise(frame).year == 2021
    built = insee_indicators([frame], scope="mgp", filenames=[FIXTURE.name])
    # Paris rather than its arrondissement; Pierrefitte (93059) merged into Saint-Denis (93066).
    assert sorted(built.frame.index) == ["75056", "92012", "93048", "93066", "94081"]
    assert built.frame.loc["92012", "poverty_75plus"] != built.frame.loc["92012", "poverty_75plus"]  # « s » is missing, not 0
    assert np.isnan(built.frame.loc["93048", "poverty_75plus"])  # empty is missing too
    assert built.frame.loc["94081", "poverty_60_74"] == 19.0
    # Weighted by persons in fiscal households: (30 × 900 + 34 × 300) / 1200 = 31.0
    assert built.frame.loc["93066", "poverty_60_74"] == pytest.approx(31.0)
    assert "fusionnées" in " ".join(built.warnings)
    assert built.sources["poverty_75plus"].formula == "TP60AGE621" and built.sources["poverty_75plus"].year == 2021
    everything = insee_indicators([frame])
    assert {"2A004", "97411", "89024", "75101"} <= set(everything.frame.index)


def test_filosofi_as_published_filtered_to_the_metropole():
    path = SHARED / "insee" / "cc_filosofi_2021_COM.csv"
    if not path.is_file():
        pytest.skip("../shared/data absent: the published Filosofi 2021 commune file is needed")
    built = insee_indicators([_read(path)], scope="mgp", filenames=[path.name])
    assert len(built.frame) == 130
    assert built.frame.loc["75056", "median_living_std"] == 29730
    assert built.frame["poverty_60_74"].isna().sum() == 22 and built.frame["poverty_75plus"].isna().sum() == 52
    validated = validate(built.frame.reset_index(drop=True), TERRITORIES)
    table = prepare_territories(validated.frame, sources={k: v.sentence() for k, v in built.sources.items()})
    assert len(table.frame) == 130 and table.frame["mapped"].all()
    assert table.imputed == {"poverty_rate": 3, "poverty_60_74": 22, "poverty_75plus": 52}
    assert table.directions == {"median_living_std": -1}
    index = needs_index(table)
    assert index.table.loc["93066", "rank"] <= 10  # Saint-Denis: among the poorest of the métropole
    yonne = insee_indicators([_read(path)], scope="89")
    assert len(yonne.frame) > 400 and all(code.startswith("89") for code in yonne.frame.index)


def test_a_departement_table_including_corsica_and_overseas():
    frame = pd.DataFrame({
        "departement": ["01", "2A", "2B", "75", "89", "971", "974", "Yonne"],
        "part_75plus": [9.8, 12.1, 11.5, 8.5, 13.2, 8.0, 6.5, 13.2],
        "taux_pauvrete_60plus": [8.0, 14.0, 15.5, 12.0, 11.0, 25.0, 28.0, 11.0],
    })
    with pytest.raises(DataError, match="même territoire") as caught:  # « Yonne » and 89 are the same département
        prepare_territories(validate(frame, TERRITORIES).frame)
    assert "lignes 6, 9" in plain(str(caught.value))
    table = prepare_territories(validate(frame.iloc[:7], TERRITORIES).frame)
    assert list(table.frame.index) == ["01", "2A", "2B", "75", "89", "971", "974"]
    assert set(table.frame["kind"]) == {"departement"} and not table.frame["mapped"].any()
    assert table.frame.loc["2A", "label"] == "Corse-du-Sud (2A)"
    assert needs_index(table, {"share_75plus": 0, "poverty_60plus": 1}).top(1).index[0] == "974"


def test_an_iris_table_is_mapped_on_its_communes():
    frame = pd.DataFrame({
        "IRIS": ["930480101", "930480102", "930660101", "751150101", "690010101", "2A0040101"],
        "part_75plus": [7.0, 8.5, 5.0, 11.0, 9.0, 12.0],
        "taux_pauvrete_60plus": [17.0, 12.0, 24.0, 8.0, 10.0, 13.0],
    })
    kinds = resolve_territories(frame["IRIS"], header="IRIS")
    assert set(kinds["kind"]) == {"iris"}
    table = prepare_territories(validate(frame, TERRITORIES).frame)
    assert table.frame.loc["751150101", "code_insee"] == "75056"  # an IRIS of an arrondissement belongs to Paris
    assert table.frame["mapped"].tolist() == [True, True, True, True, False, False]
    assert needs_index(table).by_commune().loc["93048", "areas"] == 2


def test_a_mixed_table_with_unknown_codes_names_the_rows_and_keeps_the_others():
    frame = pd.DataFrame({
        "code_insee": ["93066", "ABCDE-1", "89024", "00000", "Montreuil", "2A004", "20123", "Plaine Commune"],
        "share_75plus": [6.0, 7.0, 12.0, 8.0, 7.5, 11.0, 9.0, 6.5],
        "poverty_60plus": [24.0, 10.0, 11.0, 9.0, 18.0, 13.0, 12.0, 22.0],
    })
    table = prepare_territories(frame, filename="mixte.csv")
    assert list(table.frame.index) == ["93066", "ABCDE-1", "89024", "93048", "2A004", "Plaine Commune"]
    assert table.frame.loc["ABCDE-1", "kind"] == "named" and table.frame.loc["Plaine Commune", "kind"] == "ept"
    text = plain(" ".join(table.warnings))
    assert "2 lignes sans territoire reconnu" in text and "« 00000 », « 20123 »" in text and "(lignes 5, 8)" in text
    assert "mélange des niveaux" in text


def _planted(seed: int, n: int = 130, noise: float = 0.3):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.normal(size=(n, 4)), columns=["share_75plus", "alone_80plus", "poverty_75plus", "gp_access"])
    truth = {"share_75plus": 0.5, "alone_80plus": 0.0, "poverty_75plus": 0.3, "gp_access": 0.2}
    # gp_access is « higher = less need »: the need grows when it falls.
    need = 0.5 * x["share_75plus"] + 0.3 * x["poverty_75plus"] - 0.2 * x["gp_access"] + rng.normal(0, noise, n)
    frame = x.assign(code_insee=[f"Zone {i}" for i in range(n)], outcome=need)
    return frame, truth


def test_the_fit_recovers_planted_weights_and_beats_equal_weights_out_of_sample():
    frame, truth = _planted(3)
    table = prepare_territories(frame)
    assert table.directions == {"gp_access": -1}
    fit = fit_weights(table, outcome_label="planté")
    for name, weight in truth.items():
        assert fit.weights[name] == pytest.approx(weight, abs=0.08)
    assert fit.rho_fitted > fit.rho_equal + 0.05
    assert fit.rho_single["gp_access"] > 0  # oriented: less access, more need
    assert fit.scheme.startswith("validation croisée en laissant")
    assert len(fit.fold_weights) == 130 and fit.stability()["ecart_type_plis"].max() < 0.05
    assert fit.out_of_sample.notna().all()
    kfold = fit_weights(table, cv=5, seed=1)
    assert len(kfold.fold_weights) == 5 and kfold.rho_fitted > kfold.rho_equal


def test_too_few_territories_for_a_fit_warn_or_refuse_in_french():
    frame, _ = _planted(4, n=20)
    fit = fit_weights(prepare_territories(frame))
    assert "fragiles" in fit.warnings[0]
    few = frame.head(12).copy()
    few.loc[few.index[:6], "outcome"] = np.nan
    with pytest.raises(DataError, match="Seulement 6 territoires avec un besoin observé"):
        fit_weights(prepare_territories(few))


def test_an_indicator_taken_as_the_outcome_is_left_out_of_the_index():
    frame, _ = _planted(5)
    run = analyse_territories(prepare_territories(frame.drop(columns="outcome")), outcome="poverty_75plus", draws=20, use_fitted=True)
    assert "poverty_75plus" not in run.index.indicators and run.fit.observed == 130
    exported = run.to_frame()
    assert {"besoin_observe", "indice_hors_echantillon"} <= set(exported.columns)
    assert {f.key for f in run.figures()} >= {"top_stability", "rho_fitted"}
