"""Column-name suggestion and the --col option."""

from __future__ import annotations

import pytest

from sandbox.data import Column, DataError, Schema, normalise_name, parse_mapping_options, suggest_mapping

READINGS = Schema(
    "relevés",
    (
        Column("meter", "id", "compteur", synonyms=("user key", "pdl", "id compteur")),
        Column("timestamp", "datetime", "date", synonyms=("datetime",)),
        Column("index", "number", "index", required=False, synonyms=("meter reading",)),
        Column("volume", "number", "volume", required=False, synonyms=("diff",)),
    ),
)


def test_a_real_utility_export_header_is_recognised():
    mapping = suggest_mapping(["user key", "datetime", "meter reading", "diff"], READINGS)
    assert mapping == {"meter": "user key", "timestamp": "datetime", "index": "meter reading", "volume": "diff"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [("LATITUDE", "latitude"), ("Lat.", "latitude"), ("latitude (WGS84)", "latitude"), ("Lng", "longitude"), ("Long", "longitude")],
)
def test_case_accents_punctuation_and_synonyms(header, expected):
    schema = Schema("p", (Column("latitude", "latitude"), Column("longitude", "longitude")))
    assert suggest_mapping([header], schema)[expected] == header


def test_accent_and_spacing_insensitive():
    schema = Schema("c", (Column("consommation", "number"),))
    assert suggest_mapping(["  Consommation_(m³)  "], schema)["consommation"] == "  Consommation_(m³)  "
    assert suggest_mapping(["CONSO"], schema)["consommation"] == "CONSO"
    assert normalise_name("Électricité – Côte-d’Or") == "electricite cote d or"


def test_each_column_is_used_once_and_unrelated_names_are_not_forced():
    schema = Schema("p", (Column("latitude", "latitude"), Column("longitude", "longitude")))
    assert suggest_mapping(["nom", "adresse"], schema) == {"latitude": None, "longitude": None}
    assert suggest_mapping(["lat"], schema) == {"latitude": "lat", "longitude": None}


def test_col_options():
    assert parse_mapping_options(["meter=user key", "volume = diff", "index="]) == {
        "meter": "user key", "volume": "diff", "index": None,
    }
    with pytest.raises(DataError, match="--col"):
        parse_mapping_options(["meter"])


def test_mapping_module_does_not_import_the_schema_module():
    import ast
    from pathlib import Path

    import sandbox.data.mapping as mapping_module

    tree = ast.parse(Path(mapping_module.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "sandbox.data.schema" not in imported  # the mapping ↔ schema circle stays open (issue 15)
    assert suggest_mapping(["Lat", "lng"], READINGS.columns) == suggest_mapping(["Lat", "lng"], READINGS)
