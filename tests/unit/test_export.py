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


# --- The fast writer against pandas' own (the writer before the fast path, kept here as the oracle) ---

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sandbox.data.export import _fast_csv_bytes  # noqa: E402


def _pandas_csv_bytes(frame, *, decimal=",", date_format=None, index=False, header=True) -> bytes:
    """``to_csv_bytes`` as it was: pandas writes the neutralised frame."""
    text = neutralise(frame).to_csv(
        sep=";", decimal=decimal, date_format=date_format, index=index, header=header, lineterminator="\r\n"
    )
    return text.encode("utf-8-sig")


_TRICKY = st.sampled_from([";", '"', "\n", "\r", "\r\n", "=", "+", "-", "@", "\t", "'", " ", "é", ",", ".", "€", "\x00", "a"])
_TEXT = st.lists(st.one_of(_TRICKY, st.characters(exclude_categories=("Cs",))), max_size=6).map("".join)
_FLOAT64 = st.one_of(
    st.floats(),
    st.sampled_from([0.0, -0.0, 1e-320, 5e-324, 1.7976931348623157e308, 1e16, 1e15, 0.1 + 0.2, -2.5, 61.1, 15.0]),
)
_FLOAT32 = st.floats(width=32)


def _column(kind: str, n: int) -> st.SearchStrategy:
    """A column of *n* values of one kind, as the app's tables hold them."""
    if kind == "float64":
        return st.lists(_FLOAT64, min_size=n, max_size=n).map(lambda v: pd.Series(v, dtype="float64"))
    if kind == "float32":
        return st.lists(_FLOAT32, min_size=n, max_size=n).map(lambda v: pd.Series(v, dtype="float32"))
    if kind in ("int64", "int8", "uint16", "uint64"):
        info = np.iinfo(kind)
        return st.lists(st.integers(int(info.min), int(info.max)), min_size=n, max_size=n).map(lambda v: pd.Series(v, dtype=kind))
    if kind == "bool":
        return st.lists(st.booleans(), min_size=n, max_size=n).map(lambda v: pd.Series(v, dtype=bool))
    maybe_text = st.one_of(_TEXT, st.none(), st.just(np.nan), st.just(pd.NA))
    if kind in ("str", "string", "string[pyarrow]", "object"):
        dtype = {"str": "str", "string": "string", "string[pyarrow]": "string[pyarrow]", "object": object}[kind]
        return st.lists(maybe_text, min_size=n, max_size=n).map(lambda v: pd.Series(v, dtype=dtype))
    if kind == "mixed":
        cell = st.one_of(maybe_text, st.integers(-5, 5), _FLOAT64)
        return st.lists(cell, min_size=n, max_size=n).map(lambda v: pd.Series(v, dtype=object))
    if kind == "Int64":
        return st.lists(st.one_of(st.none(), st.integers(-99, 99)), min_size=n, max_size=n).map(lambda v: pd.Series(v, dtype="Int64"))
    if kind == "category":
        return st.lists(st.one_of(st.none(), st.sampled_from(["=a", "b;c", "d"])), min_size=n, max_size=n).map(lambda v: pd.Series(v, dtype="category"))
    assert kind == "datetime"
    moments = st.datetimes(min_value=pd.Timestamp("1990-01-01").to_pydatetime(), max_value=pd.Timestamp("2040-01-01").to_pydatetime())
    return st.lists(st.one_of(st.none(), moments), min_size=n, max_size=n).map(lambda v: pd.Series(pd.to_datetime(v)))


_FAST_KINDS = ["float64", "float32", "int64", "int8", "uint16", "uint64", "bool", "str", "string", "string[pyarrow]", "object"]
_ALL_KINDS = [*_FAST_KINDS, "mixed", "Int64", "category", "datetime"]


@st.composite
def _frames(draw, kinds):
    n_rows = draw(st.integers(0, 5))
    n_columns = draw(st.integers(1, 4))
    names = draw(st.lists(st.one_of(_TEXT, st.sampled_from(["score", "=x", "-y", "a;b"])), min_size=n_columns, max_size=n_columns))
    columns = [draw(_column(draw(st.sampled_from(kinds)), n_rows)) for _ in range(n_columns)]
    frame = pd.concat([c.rename(i) for i, c in enumerate(columns)], axis=1) if columns else pd.DataFrame()
    frame.columns = names
    return frame.iloc[draw(st.integers(0, 2)) :]  # a slice too: Arrow arrays with an offset


@settings(max_examples=400, deadline=None)
@given(frame=_frames(_ALL_KINDS), decimal=st.sampled_from([",", "."]), header=st.booleans(), index=st.booleans())
def test_the_writer_writes_what_pandas_writes(frame, decimal, header, index):
    options = {"decimal": decimal, "header": header, "index": index, "date_format": "%d/%m/%Y %H:%M"}
    assert to_csv_bytes(frame, **options) == _pandas_csv_bytes(frame, **options)


@settings(max_examples=400, deadline=None)
@given(frame=_frames(_FAST_KINDS), decimal=st.sampled_from([",", "."]), header=st.booleans())
def test_the_fast_path_writes_what_pandas_writes(frame, decimal, header):
    assert to_csv_bytes(frame, decimal=decimal, header=header) == _pandas_csv_bytes(frame, decimal=decimal, header=header)
    if frame.shape[0] and frame.shape[1] > 1:  # the frames the fast path is for do take it
        assert _fast_csv_bytes(neutralise(frame), decimal, header) is not None


def test_a_match_like_frame_is_written_as_pandas_writes_it():
    """Floats rounded for reading, -0.0, inf, empty text, separators and quotes inside cells, formula-like cells."""
    rng = np.random.default_rng(3)
    n = 500
    frame = pd.DataFrame(
        {
            "candidate_id": pd.array([f"CAND-{i:05d}" for i in range(n)], dtype="str"),
            "rank": np.arange(n, dtype="int64") % 10 + 1,
            "score": np.round(rng.uniform(0, 100, n), 1),
            "text": np.round(rng.uniform(0, 1, n), 3).astype("float32"),
            "distance_km": np.where(rng.uniform(size=n) < 0.1, np.nan, np.round(rng.uniform(0, 50, n), 1)),
            "extreme": rng.choice([-0.0, 0.0, np.inf, -np.inf, 1e-300, 1e300, 1e16], n),
            "matched_skills": pd.array(rng.choice(["a ; b", 'dit "oui"', "", None, "-x", "=1+1", "ligne\nsuivante"], n), dtype="str"),
        }
    )
    for part in (frame, frame.iloc[7:], frame.sample(frac=1, random_state=1)):
        for decimal in (",", "."):
            assert _fast_csv_bytes(neutralise(part), decimal, True) is not None
            assert to_csv_bytes(part, decimal=decimal) == _pandas_csv_bytes(part, decimal=decimal)
