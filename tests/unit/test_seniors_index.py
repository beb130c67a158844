"""Territory mode: the composite needs index on hand-computed cases, its robustness, and bad territory tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sandbox.data import DataError, load_sample, read_table, validate
from sandbox.data.communes import load_communes, load_outlines
from sandbox.data.schemas.seniors import TERRITORIES
from sandbox.models.seniors import (
    index_robustness,
    needs_index,
    parse_weights,
    prepare_territories,
)
from sandbox.text import plain

# Three territories, two indicators. By hand (population standard deviation):
#   a = 1, 2, 3      → mean 2,  sd √(2/3) = 0.816497 → z_a = −1.224745, 0, +1.224745
#   b = 30, 10, 20   → mean 20, sd √(200/3) = 8.164966 → z_b = +1.224745, −1.224745, 0
# Weights a = 3, b = 1 → index = (3 z_a + z_b) / 4:
#   X = (−3.674235 + 1.224745) / 4 = −0.612372
#   Y = (0 − 1.224745) / 4         = −0.306186
#   Z = (3.674235 + 0) / 4         = +0.918559
HAND = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [30.0, 10.0, 20.0]}, index=["X", "Y", "Z"])


def test_weighted_zscores_match_the_hand_computation():
    result = needs_index(HAND, {"a": 3, "b": 1}, method="zscore")
    assert result.table["index"].tolist() == pytest.approx([-0.612372, -0.306186, 0.918559], abs=1e-6)
    assert result.table["rank"].tolist() == [3, 2, 1]
    assert result.weights == pytest.approx({"a": 0.75, "b": 0.25})
    assert result.table["norm_a"].tolist() == pytest.approx([-1.224745, 0.0, 1.224745], abs=1e-6)


def test_percentile_ranks_average_ties_and_minmax_by_hand():
    frame = pd.DataFrame({"a": [5.0, 5.0, 1.0, 9.0], "b": [0.0, 10.0, 20.0, 30.0]}, index=list("PQRS"))
    ranks = needs_index(frame, {"a": 1, "b": 1}, method="rank")
    # a: ranks 2.5, 2.5, 1, 4 → (r − 1) / 3 × 100 = 50, 50, 0, 100; b: 0, 33.3, 66.7, 100
    assert ranks.table["norm_a"].tolist() == pytest.approx([50, 50, 0, 100])
    assert ranks.table["index"].tolist() == pytest.approx([25, 25 + 100 / 6, 100 / 3, 100])
    minmax = needs_index(frame, {"a": 1, "b": 0}, method="minmax")
    assert minmax.table["index"].tolist() == pytest.approx([50, 50, 0, 100])
    assert minmax.table["rank"].tolist() == [2, 2, 4, 1]  # equal indices share a rank


def test_direction_reverses_an_indicator_where_high_means_less_need():
    frame = pd.DataFrame({"need": [1.0, 2.0, 3.0], "doctors": [3.0, 2.0, 1.0]}, index=list("ABC"))
    result = needs_index(frame, method="zscore", directions={"doctors": -1})
    assert result.table["rank"].tolist() == [3, 2, 1]


def test_principal_component_of_two_collinear_indicators():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [10.0, 20.0, 30.0, 40.0], "c": [1.0, 0.0, 0.0, 1.0]}, index=list("ABCD"))
    result = needs_index(frame, method="pca")
    # a and b are the same direction; c is uncorrelated with them: PC1 = (a + b) / √2 in z-scores.
    assert result.loadings["a"] == pytest.approx(1 / np.sqrt(2), abs=1e-9)
    assert result.loadings["b"] == pytest.approx(1 / np.sqrt(2), abs=1e-9)
    assert result.loadings["c"] == pytest.approx(0.0, abs=1e-9)
    assert result.explained_variance == pytest.approx(2 / 3)
    z = (frame["a"] - 2.5) / frame["a"].std(ddof=0)
    assert result.table["index"].tolist() == pytest.approx((np.sqrt(2) * z).tolist())
    assert result.weights == pytest.approx({"a": 0.5, "b": 0.5, "c": 0.0}, abs=1e-9)


def test_weights_that_sum_to_zero_get_a_french_message():
    with pytest.raises(DataError, match="somme des pondérations vaut zéro"):
        needs_index(HAND, {"a": 0, "b": 0})
    with pytest.raises(DataError, match="somme des pondérations vaut zéro"):
        parse_weights("a=1,b=-1", ("a", "b"))
    with pytest.raises(DataError, match="(?i)poids négatif"):
        parse_weights("a=2,b=-1", ("a", "b"))
    with pytest.raises(DataError, match="(?i)indicateur inconnu"):
        needs_index(HAND, {"c": 1})


def test_parse_weights_reads_names_labels_file_columns_and_decimal_commas():
    indicators = ("share_75plus", "poverty_60plus", "apa_rate")
    weights = parse_weights(
        "part_75plus=2; Taux de pauvreté des 60 ans et plus=0,5", indicators, {"part_75plus": "share_75plus"}
    )
    assert weights == {"share_75plus": 2.0, "poverty_60plus": 0.5, "apa_rate": 1.0}
    with pytest.raises(DataError, match="(?i)mal écrite"):
        parse_weights("share_75plus", indicators)


def test_robustness_without_spread_keeps_the_top_and_large_spread_moves_the_boundary():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"], index=[f"T{i}" for i in range(40)])
    frame.loc["T0"] = [5.0, 5.0, 5.0]  # far ahead on every indicator: always first
    fixed = index_robustness(frame, method="zscore", top=10, draws=50, spread=0.0, seed=1)
    assert fixed.mean_overlap == 1.0
    assert set(fixed.table["top_frequency"].unique()) == {0.0, 1.0}
    moving = index_robustness(frame, method="zscore", top=10, draws=300, spread=0.9, seed=1)
    assert moving.table.loc["T0", "top_frequency"] == 1.0
    assert moving.table.loc["T0", "rank_p95"] == 1
    assert moving.mean_overlap < 1.0
    again = index_robustness(frame, method="zscore", top=10, draws=300, spread=0.9, seed=1)
    assert again.mean_overlap == moving.mean_overlap  # seeded
    boot = index_robustness(frame, method="pca", top=10, draws=100, seed=1)
    assert 0 < boot.mean_overlap <= 1 and "rééchantillonne" in boot.summary_fr()


def _territories() -> pd.DataFrame:
    return validate(load_sample("seniors/territories"), TERRITORIES).frame


def test_sample_index_finds_the_deprived_territories_the_generator_planted():
    table = prepare_territories(_territories())
    assert table.indicators == (
        "share_75plus", "alone_60plus", "poverty_60plus", "no_car_60plus", "no_lift_60plus", "gp_distance_km", "apa_rate",
    )
    index = needs_index(table, {"poverty_60plus": 3, "apa_rate": 2, "alone_60plus": 1, "share_75plus": 0,
                                "no_car_60plus": 0, "no_lift_60plus": 0, "gp_distance_km": 0})
    ept = load_communes().set_index("code_insee")["ept"]
    deprived = {"Plaine Commune", "Est Ensemble", "Paris Terres d'Envol"}  # deprivation ≥ 1.1 in the generator
    top = index.top(10)
    assert sum(ept[c] in deprived for c in top["code_insee"]) >= 8
    geo = index.to_geojson(load_outlines())
    assert len(geo["features"]) == 130
    assert all(f["properties"]["index"] is not None for f in geo["features"])
    assert index.to_frame()["rang"].tolist() == sorted(index.to_frame()["rang"].tolist())


def test_communes_outside_the_metropole_are_kept_unknown_codes_dropped_and_iris_codes_read():
    csv = (
        "code_commune;nom;part_75plus;taux_pauvrete_60plus;taux_apa_60plus\n"
        "93066;Saint-Denis;6,1;19,5;8,0\n"
        "Montreiul;;8,0;14,0;7,0\n"
        "69123;Lyon;9,0;10,0;6,0\n"
        "75056;Paris;9,8;;6,5\n"
        "92012;Boulogne-Billancourt;10,2;7,0;5,0\n"
        "930480101;Montreuil – Bas-Montreuil;7,0;17,0;7,5\n"
        "930480102;Montreuil – Croix-de-Chavaux;8,5;12,0;7,0\n"
        "99999;Nulle part;8,5;12,0;7,0\n"
    ).encode("cp1252")
    frame = validate(read_table(csv, "indicateurs.csv"), TERRITORIES).frame
    table = prepare_territories(frame, filename="indicateurs.csv")
    assert list(table.frame.index) == ["93066", "Montreiul", "69123", "75056", "92012", "930480101", "930480102"]
    assert table.frame.loc["930480101", "code_insee"] == "93048"
    assert table.frame["mapped"].tolist() == [True, False, False, True, True, True, True]
    assert table.frame.loc["69123", "kind"] == "commune" and table.frame.loc["Montreiul", "kind"] == "named"
    text = plain(" ".join(table.warnings))
    assert "1 ligne sans territoire reconnu" in text and "« 99999 »" in text and "(ligne 9)" in text
    assert "vouliez-vous dire « Montreuil »" in text
    assert "Valeurs manquantes pour « taux de pauvreté des 60 ans et plus » : 1 territoire (ligne 5)" in text
    assert table.frame.loc["75056", "poverty_60plus"] == pytest.approx(13.0)  # median of 19.5, 14, 10, 7, 17, 12
    assert table.frame.loc["75056", "imputed"] == "poverty_60plus" and table.frame.loc["93066", "imputed"] == ""
    assert table.imputed == {"poverty_60plus": 1}
    communes = needs_index(table).by_commune()
    assert communes.loc["93048", "areas"] == 2


def test_unusable_territory_tables_raise_french_errors():
    base = {"code_insee": ["93066", "75056", "92012", "94081", "93048"], "share_75plus": [6.0, 9.5, 10.1, 7.2, 6.8]}
    with pytest.raises(DataError, match="(?i)au moins deux indicateurs"):
        prepare_territories(pd.DataFrame(base))
    with pytest.raises(DataError, match="(?i)aucun territoire n'a été reconnu") as caught:
        prepare_territories(pd.DataFrame({"code_insee": ["00000", "99999"], "share_75plus": [1.0, 2.0], "apa_rate": [1.0, 2.0]}))
    assert "lignes 2, 3" in plain(str(caught.value))
    duplicated = pd.DataFrame({**base, "apa_rate": [1.0, 2, 3, 4, 5]})
    duplicated.loc[4, "code_insee"] = "Saint-Denis"
    with pytest.raises(DataError, match="(?i)même territoire") as caught:
        prepare_territories(duplicated, filename="doublons.csv")
    assert "lignes 2, 6" in plain(str(caught.value)) and "doublons.csv" in str(caught.value)
    with pytest.raises(DataError, match="(?i)au moins 5"):
        prepare_territories(pd.DataFrame({"code_insee": ["93066", "75056"], "share_75plus": [1.0, 2.0], "apa_rate": [3.0, 1.0]}))


def test_paris_arrondissements_are_areas_of_the_commune_of_paris():
    frame = pd.DataFrame(
        {
            "code_insee": ["75115", "75120", "93066", "92012", "94081", "93048"],
            "population_60plus": [50_000, 30_000, 20_000, 25_000, 10_000, 18_000],
            "share_75plus": [11.0, 8.0, 6.0, 10.0, 7.0, 6.5],
            "poverty_60plus": [8.0, 16.0, 19.0, 7.0, 12.0, 17.0],
        }
    )
    table = prepare_territories(frame)
    assert list(table.frame.index[:2]) == ["75115", "75120"]
    assert set(table.frame.loc[["75115", "75120"], "code_insee"]) == {"75056"}
    index = needs_index(table)
    paris = index.by_commune().loc["75056"]
    expected = (index.table.loc["75115", "index"] * 50_000 + index.table.loc["75120", "index"] * 30_000) / 80_000
    assert paris["areas"] == 2 and paris["index"] == pytest.approx(expected)
