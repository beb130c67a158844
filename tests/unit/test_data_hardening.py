"""Regression tests for the data items of issue 14: headers, dates, UTF-16, column counts."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from sandbox.data import Column, DataError, Schema, parse_datetimes, read_table, validate
from sandbox.data.read import MAX_COLUMNS, _unique_names
from sandbox.text import plain

READINGS = Schema("relevés", columns=(Column("when", "datetime", "date et heure", synonyms=("date",)), Column("n", "number", "n")))


# --- #4 duplicate headers: linear, and a French error for absurd widths --------------------------


def test_renaming_20000_duplicate_headers_is_linear():
    names = _unique_names(["x"] * 20_000)  # quadratic or worse took hours
    assert len(set(names)) == 20_000
    assert names[:3] == ["x", "x (2)", "x (3)"] and names[-1] == "x (20000)"
    assert _unique_names(["a", "a (2)", "a"]) == ["a", "a (2)", "a (3)"]


@pytest.mark.parametrize("width", [4_000, 20_000])
def test_a_header_of_thousands_of_columns_errors_in_french(width):
    data = (";".join(["x"] * width) + "\n" + ";".join(["1"] * width) + "\n").encode()
    with pytest.raises(DataError) as info:
        read_table(data, "large.csv")
    message = plain(str(info.value))
    french = lambda n: f"{n:,}".replace(",", " ")  # noqa: E731
    assert f"le tableau compte {french(width)} colonnes, au-delà de la limite de {french(MAX_COLUMNS)}" in message
    assert "large.csv" in message


def test_many_duplicate_headers_within_the_limit_are_read():
    df = read_table((";".join(["x"] * 1_500) + "\n" + ";".join(["1"] * 1_500) + "\n").encode(), "l.csv")
    assert df.shape == (1, 1_500) and df.columns[-1] == "x (1500)"


# --- #7 dates ---------------------------------------------------------------------------------------


def test_two_digit_years_are_read_in_the_21st_century():
    parsed = parse_datetimes(pd.Series(["02/03/26", "31/12/25"]))
    assert parsed.values.tolist() == [pd.Timestamp("2026-03-02"), pd.Timestamp("2025-12-31")]
    assert not parsed.invalid.any()


def test_out_of_range_and_mixed_dates_never_raise_pandas_errors():
    values = pd.Series(["02/03/2026", "31/12/9999", "2026-03-04 10:00", "02/03/26 12:00", "9999-12-31", "01/01/1500", "demain"])
    parsed = parse_datetimes(values)
    assert parsed.values.iloc[:4].tolist()[0] == pd.Timestamp("2026-03-02")
    assert parsed.values.iloc[2] == pd.Timestamp("2026-03-04 10:00")
    assert parsed.values.iloc[3] == pd.Timestamp("2026-03-02 12:00")
    assert parsed.invalid.tolist() == [False, True, False, False, True, True, True]
    # Native timestamps (a workbook, Parquet) and Excel serial numbers beyond pandas' range.
    native = pd.Series(pd.to_datetime(["9999-12-31", "2024-01-02"]).as_unit("s"))
    assert parse_datetimes(native).invalid.tolist() == [True, False]
    assert parse_datetimes(pd.Series([45_000.0, 2_958_465.0])).invalid.tolist() == [False, True]


def test_validate_names_the_rows_of_unreadable_dates():
    df = read_table("date;n\n02/03/2026;1\n31/12/9999;2\n2026-03-04;3\n02/03/26;4\n".encode(), "releves.csv")
    with pytest.raises(DataError) as info:
        validate(df, READINGS)
    message = plain(str(info.value))
    assert "releves.csv" in message and "« date »" in message
    assert "31/12/9999" in message and "ligne 3" in message
    assert "entre 1678 et 2261" in message
    ok = validate(df, READINGS, errors="drop")
    assert (ok.frame.index + 2).tolist() == [2, 4, 5]
    assert any("mélangés" in w for w in ok.warnings)


def test_check_command_reports_bad_dates_in_french_without_traceback(tmp_path):
    path = tmp_path / "releves.csv"
    path.write_text("compteur;date;volume\nA;02/03/2026 10:00;1\nA;31/12/9999;2\nA;02/03/26 12:00;4\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "sandbox", "check", str(path), "--schema", "water.READINGS"],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr and "OutOfBounds" not in run.stderr
    assert "31/12/9999" in run.stderr and "ligne 3" in plain(run.stderr)


# --- #15 UTF-16 without a byte-order mark -----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_csv_is_read_with_or_without_bom(encoding):
    text = "id;nom;conso\r\n1;Élise;3,5\r\n2;Zoë;4\r\n"
    df = read_table(text.encode(encoding), "export.csv")
    assert df.to_dict("list") == {"id": [1, 2], "nom": ["Élise", "Zoë"], "conso": [3.5, 4.0]}


def test_real_binary_is_still_called_binary():
    with pytest.raises(DataError, match="contenu binaire"):
        read_table(b"\x00\x01\x02\x03\xfe\xff\x00\x00" * 64, "donnees.csv")
