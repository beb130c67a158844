"""Checks on the reference table of the communes of the Métropole du Grand Paris.

The table lives in ``sample_data/communes_mgp.csv`` (see ``sample_data/README.md``).
Geography: communes as of 1 January 2025, i.e. after the merger of Saint-Denis and
Pierrefitte-sur-Seine into the commune nouvelle of Saint-Denis (93066), which
brought the métropole from 131 to 130 communes.
"""

from pathlib import Path

import pandas as pd
import pytest

CSV_PATH = Path(__file__).resolve().parents[2] / "sample_data" / "communes_mgp.csv"

EXPECTED_COLUMNS = [
    "code_insee",
    "nom",
    "code_departement",
    "departement",
    "ept",
    "population",
    "latitude",
    "longitude",
]

EXPECTED_ROWS = 130

EXPECTED_PER_DEPARTEMENT = {"75": 1, "91": 6, "92": 36, "93": 39, "94": 47, "95": 1}

DEPARTEMENT_NAMES = {
    "75": "Paris",
    "91": "Essonne",
    "92": "Hauts-de-Seine",
    "93": "Seine-Saint-Denis",
    "94": "Val-de-Marne",
    "95": "Val-d'Oise",
}

EXPECTED_PER_EPT = {
    "Paris": 1,
    "Vallée Sud Grand Paris": 11,
    "Grand Paris Seine Ouest": 8,
    "Paris Ouest La Défense": 11,
    "Boucle Nord de Seine": 7,
    "Plaine Commune": 8,
    "Paris Terres d'Envol": 8,
    "Est Ensemble": 9,
    "Grand Paris Grand Est": 14,
    "Paris Est Marne & Bois": 13,
    "Grand Paris Sud Est Avenir": 16,
    "Grand-Orly Seine Bièvre": 24,
}


@pytest.fixture(scope="module")
def communes() -> pd.DataFrame:
    return pd.read_csv(
        CSV_PATH,
        dtype={"code_insee": str, "code_departement": str},
        encoding="utf-8",
    )


def row(communes: pd.DataFrame, code: str) -> pd.Series:
    match = communes[communes["code_insee"] == code]
    assert len(match) == 1, f"expected exactly one row for {code}"
    return match.iloc[0]


def test_columns(communes):
    assert list(communes.columns) == EXPECTED_COLUMNS


def test_row_count(communes):
    assert len(communes) == EXPECTED_ROWS


def test_no_missing_values(communes):
    assert not communes.isna().any().any()


def test_codes_are_five_digit_strings(communes):
    assert communes["code_insee"].str.fullmatch(r"\d{5}").all()


def test_codes_and_names_unique(communes):
    assert communes["code_insee"].is_unique
    assert communes["nom"].is_unique


def test_code_starts_with_departement(communes):
    assert (
        communes.apply(lambda r: r["code_insee"].startswith(r["code_departement"]), axis=1)
    ).all()


def test_departements(communes):
    counts = communes["code_departement"].value_counts().to_dict()
    assert counts == EXPECTED_PER_DEPARTEMENT


def test_departement_names(communes):
    for code, name in communes[["code_departement", "departement"]].itertuples(index=False):
        assert DEPARTEMENT_NAMES[code] == name


def test_epts(communes):
    counts = communes["ept"].value_counts().to_dict()
    assert len(counts) == 12
    assert counts == EXPECTED_PER_EPT


def test_paris_is_one_row_not_arrondissements(communes):
    assert (communes["code_departement"] == "75").sum() == 1
    assert not communes["code_insee"].str.startswith("751").any()


def test_merged_communes_absent(communes):
    # Pierrefitte-sur-Seine (93059) is a commune déléguée of Saint-Denis since 2025-01-01.
    assert "93059" not in set(communes["code_insee"])


def test_points_in_mgp_bounding_box(communes):
    assert communes["latitude"].between(48.60, 49.00).all()
    assert communes["longitude"].between(2.05, 2.65).all()


def test_populations(communes):
    assert pd.api.types.is_integer_dtype(communes["population"])
    assert (communes["population"] > 1000).all()
    total = communes["population"].sum()
    assert 7_000_000 <= total <= 7_300_000


@pytest.mark.parametrize(
    "code, nom, dep, ept, pop_min, pop_max, lat, lon",
    [
        ("75056", "Paris", "75", "Paris", 2_000_000, 2_250_000, 48.8566, 2.3522),
        ("95018", "Argenteuil", "95", "Boucle Nord de Seine", 95_000, 115_000, 48.95, 2.24),
        ("93066", "Saint-Denis", "93", "Plaine Commune", 140_000, 160_000, 48.94, 2.36),
        ("93048", "Montreuil", "93", "Est Ensemble", 100_000, 120_000, 48.86, 2.45),
        ("92012", "Boulogne-Billancourt", "92", "Grand Paris Seine Ouest", 110_000, 125_000, 48.84, 2.24),
        ("94081", "Vitry-sur-Seine", "94", "Grand-Orly Seine Bièvre", 85_000, 100_000, 48.79, 2.39),
        ("91687", "Viry-Châtillon", "91", "Grand-Orly Seine Bièvre", 28_000, 35_000, 48.67, 2.37),
    ],
)
def test_spot_checks(communes, code, nom, dep, ept, pop_min, pop_max, lat, lon):
    r = row(communes, code)
    assert r["nom"] == nom
    assert r["code_departement"] == dep
    assert r["ept"] == ept
    assert pop_min <= r["population"] <= pop_max
    assert abs(r["latitude"] - lat) < 0.02
    assert abs(r["longitude"] - lon) < 0.02


@pytest.mark.parametrize(
    "code, nom",
    [
        ("94038", "L'Haÿ-les-Roses"),
        ("94068", "Saint-Maur-des-Fossés"),
        ("93031", "Épinay-sur-Seine"),
        ("93039", "L'Île-Saint-Denis"),
        ("93070", "Saint-Ouen-sur-Seine"),
        ("92004", "Asnières-sur-Seine"),
    ],
)
def test_official_names(communes, code, nom):
    assert row(communes, code)["nom"] == nom


def test_essonne_communes_in_grand_orly_seine_bievre(communes):
    essonne = communes[communes["code_departement"] == "91"]
    assert set(essonne["nom"]) == {
        "Athis-Mons",
        "Juvisy-sur-Orge",
        "Morangis",
        "Paray-Vieille-Poste",
        "Savigny-sur-Orge",
        "Viry-Châtillon",
    }
    assert (essonne["ept"] == "Grand-Orly Seine Bièvre").all()
