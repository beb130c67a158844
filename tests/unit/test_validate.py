"""validate(): typed columns, dropped rows with warnings, each error's French message."""

from __future__ import annotations

import pandas as pd
import pytest

from sandbox.data import Column, DataError, Schema, read_table, validate
from sandbox.text import plain

POINTS = Schema(
    "points de collecte",
    (
        Column("id", "id", "identifiant"),
        Column("latitude", "latitude", min=48.0, max=49.5),
        Column("longitude", "longitude", min=1.4, max=3.6),
        Column("stream", "category", "flux", choices=("ordures ménagères", "recyclables", "verre"), aliases={"OM": "ordures ménagères"}),
        Column("volume", "number", "volume", unit="L", required=False, min=0),
        Column("bins", "integer", "nombre de bacs", required=False, default=1),
        Column("collected", "datetime", "dernière collecte", required=False),
        Column("sensor", "boolean", "capteur", required=False),
    ),
    unique=("id",),
)

CSV = (
    "ID;Lat;Lng;Flux;Volume (L);Dernière collecte;Capteur\n"
    "P1;48,85;2,35;OM;120;03/01/2024 06:30;oui\n"
    "P2;;2,36;verre;240;04/01/2024 07:00;non\n"
    "P3;48,86;2,37;Recyclables;1 100;2024-01-05 08:00:00;\n"
).encode("cp1252")


def test_types_and_mapping_suggestion():
    result = validate(read_table(CSV, "points.csv"), POINTS)
    frame = result.frame
    assert result.mapping["latitude"] == "Lat" and result.mapping["longitude"] == "Lng"
    assert result.mapping["stream"] == "Flux" and result.mapping["bins"] is None
    assert frame.index.tolist() == [0, 2]  # row 3 (P2) dropped: no latitude
    assert frame["stream"].tolist() == ["ordures ménagères", "recyclables"]  # alias and case folded
    assert frame["volume"].tolist() == [120.0, 1100.0]
    assert frame["bins"].tolist() == [1, 1]  # absent optional column → default
    assert frame["collected"].tolist() == [pd.Timestamp("2024-01-03 06:30"), pd.Timestamp("2024-01-05 08:00")]
    assert frame["sensor"].tolist()[0] is True
    assert [plain(w) for w in result.warnings] == [
        "1 ligne ignorée : valeur manquante dans « latitude » (ligne 3).",
        "Formats de date mélangés dans la colonne « Dernière collecte » : JJ/MM/AAAA hh:mm, ISO 8601 (AAAA-MM-JJ…).",
    ]
    assert result.input_rows == 3 and result.dropped_rows == 1


def test_explicit_mapping_wins_and_none_means_absent():
    df = read_table(b"code;y;x;type;vol\nA;48,8;2,3;verre;10\n", "p.csv")
    result = validate(df, POINTS, {"id": "code", "latitude": "y", "longitude": "x", "stream": "type", "volume": None})
    assert result.frame["volume"].isna().all()


def test_unknown_category_value_lists_the_allowed_ones():
    df = read_table(b"id;lat;lon;flux\nA;48,8;2,3;compost\n", "p.csv")
    with pytest.raises(DataError) as info:
        validate(df, POINTS)
    message = plain(str(info.value))
    assert "colonne « flux » : 1 valeur inconnue : « compost » (ligne 2)" in message
    assert "Valeurs attendues : « ordures ménagères », « recyclables », « verre »" in message


def test_errors_drop_keeps_the_good_rows_and_says_which_went():
    df = read_table(b"id;lat;lon;flux;volume\nA;48,8;2,3;verre;10\nB;abc;2,3;verre;5\nC;48,9;2,3;verre;-4\n", "p.csv")
    result = validate(df, POINTS, errors="drop")
    assert result.frame["id"].tolist() == ["A"]
    assert [plain(w) for w in result.warnings] == [
        "1 ligne ignorée : valeur non numérique dans « latitude » (ligne 3).",
        "1 ligne ignorée : valeur hors de la plage attendue (au moins 0 L) dans « volume » (ligne 4).",
    ]


def test_duplicate_ids_name_the_rows():
    df = read_table(b"id;lat;lon;flux\nA;48,8;2,3;verre\nB;48,8;2,3;verre\nA;48,9;2,3;verre\n", "p.csv")
    with pytest.raises(DataError) as info:
        validate(df, POINTS)
    assert "identifiants en double : « A » (lignes 2, 4)" in plain(str(info.value))


def test_integer_column_rejects_fractions():
    schema = Schema("t", (Column("n", "integer"),))
    with pytest.raises(DataError) as info:
        validate(pd.DataFrame({"n": [1, 2.5]}), schema)
    assert "1 valeur non entière : « 2.5 » (ligne 3)" in plain(str(info.value))


def test_projected_coordinates_get_a_lambert_hint():
    df = pd.DataFrame({"id": ["a"], "lat": [6_862_000.0], "lon": [652_000.0], "flux": ["verre"]})
    with pytest.raises(DataError) as info:
        validate(df, POINTS)
    assert "Lambert 93" in str(info.value)


def test_nothing_left_is_an_error():
    df = read_table(b"id;lat;lon;flux\nA;;2,3;verre\n", "p.csv")
    with pytest.raises(DataError) as info:
        validate(df, POINTS)
    assert "aucune ligne exploitable pour les points de collecte" in plain(str(info.value))


def test_mapping_to_a_column_that_does_not_exist():
    df = read_table(b"id;lat;lon;flux\nA;48,8;2,3;verre\n", "p.csv")
    with pytest.raises(DataError) as info:
        validate(df, POINTS, {"latitude": "Latitude WGS84"})
    assert "la colonne « Latitude WGS84 » indiquée pour « latitude » n'existe pas" in plain(str(info.value))


def test_schema_rejects_unknown_kinds_and_duplicate_names():
    with pytest.raises(ValueError):
        Column("x", "money")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Schema("t", (Column("a", "text"), Column("a", "number")))
