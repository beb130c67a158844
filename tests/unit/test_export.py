"""The one French CSV writer: separator, decimals, BOM, and no formula from a cell."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from sandbox.data.export import FORMULA_TRIGGERS, neutralise, safe_cell, to_csv_bytes, write_csv


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_every_trigger_is_neutralised(trigger):
    text = f"{trigger}HYPERLINK(\"http://evil.example\";\"clic\")"
    assert safe_cell(text) == "'" + text
    rows = _rows(to_csv_bytes(pd.DataFrame({"nom": [text, "Dupont"]})))
    assert rows[1] == ["'" + text]
    assert rows[2] == ["Dupont"]


def test_numbers_stay_numbers_and_text_negative_is_quoted():
    frame = pd.DataFrame(
        {
            "solde": [-2.5, 10.0],
            "n": np.array([-3, 4], dtype="int64"),
            "texte": ["-3", "3"],
            "mixte": [-7, "=A1"],  # object column: the number stays, the text is neutralised
        }
    )
    rows = _rows(to_csv_bytes(frame))
    assert rows[0] == ["solde", "n", "texte", "mixte"]
    assert rows[1] == ["-2,5", "-3", "'-3", "-7"]
    assert rows[2] == ["10,0", "4", "3", "'=A1"]
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame[["solde", "n"]])), sep=";", decimal=",", encoding="utf-8-sig")
    assert back["solde"].tolist() == [-2.5, 10.0]
    assert back["n"].tolist() == [-3, 4]


def test_headers_categories_strings_and_missing_values():
    frame = pd.DataFrame(
        {
            "=cmd": pd.Categorical(["@x", "y"]),
            "s": pd.array(["+1", None], dtype="string"),
            "o": [None, np.nan],
        }
    )
    rows = _rows(to_csv_bytes(frame))
    assert rows == [["'=cmd", "s", "o"], ["'@x", "'+1", ""], ["y", "", ""]]


def test_the_input_frame_is_not_modified():
    frame = pd.DataFrame({"a": ["=1"]})
    neutralise(frame)
    to_csv_bytes(frame)
    assert frame["a"].tolist() == ["=1"]
    assert list(frame.columns) == ["a"]


def test_dates_decimal_point_and_write(tmp_path):
    frame = pd.DataFrame({"quand": pd.to_datetime(["2026-03-02 08:15"]), "x": [0.5]})
    data = to_csv_bytes(frame, date_format="%d/%m/%Y %H:%M", decimal=".")
    assert _rows(data)[1] == ["02/03/2026 08:15", "0.5"]
    assert b"\r\n" in data
    out = write_csv(frame, tmp_path / "t.csv", date_format="%d/%m/%Y")
    assert _rows(out.read_bytes())[1] == ["02/03/2026", "0,5"]


def test_separator_inside_a_cell_is_quoted():
    rows = _rows(to_csv_bytes(pd.DataFrame({"a": ["x;y", 'dit "oui"']})))
    assert rows[1:] == [["x;y"], ['dit "oui"']]


def test_feedback_export_neutralises_a_formula_comment(tmp_path):
    from sandbox.workshop.feedback import FeedbackStore, to_csv

    store = FeedbackStore(tmp_path / "f.sqlite3")
    store.add("water", '=HYPERLINK("http://evil.example";"voir")', page="Eau", category="Question", parameters={"Seuil": -2})
    rows = _rows(to_csv(store.list()))
    assert rows[1][5] == "'=HYPERLINK(\"http://evil.example\";\"voir\")"
    assert rows[1][6] == "Seuil = -2"
