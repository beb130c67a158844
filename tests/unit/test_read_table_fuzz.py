"""Property: whatever the bytes, read_table returns a table or raises DataError with a French message naming the file."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.data import DataError, read_table
from sandbox.text import plain

NAMES = st.sampled_from(["x.csv", "x.txt", "x.tsv", "x.xlsx", "x.xls", "x.ods", "x.parquet", "x", "x.json"])

# Bytes that look like the start of real formats, so the fuzzer reaches deeper than the sniffing.
PREFIXES = st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"PAR1", b"\xef\xbb\xbf", b"\xff\xfe", b"a;b\n", b'"a","b"\n'])

CSV_LIKE = st.lists(
    st.lists(st.text(alphabet=st.characters(codec="cp1252"), max_size=8), min_size=1, max_size=5), min_size=1, max_size=8
).map(lambda rows: "\n".join(";".join(r) for r in rows).encode("cp1252", errors="replace"))


# A French sentence has some of these words; a library's own message has some of the others.
FRENCH_WORDS = re.compile(r"\b(le|la|les|un|une|des|du|de|est|pas|fichier|ligne|lignes|colonnes|format)\b")
ENGLISH_WORDS = re.compile(
    r"\b(the|could|cannot|can't|invalid|error|expected|unexpected|failed|not|file|line|column|of|to|is)\b", re.IGNORECASE
)
# The library's own words may follow, for the curious, inside a final « (détail : …) ».
DETAIL = re.compile(r"\(détail : .*\)", re.DOTALL)


def assert_french_message(exc: DataError, name: str) -> None:
    """The message names the file first, then says in French what is wrong (no library English outside « détail »)."""
    message = plain(str(exc))
    assert exc.filename == name
    assert message.startswith(f"Fichier « {name} » : "), message
    assert "Traceback" not in message
    prose = DETAIL.sub("", message[len(f"Fichier « {name} » : ") :])
    assert FRENCH_WORDS.search(prose), message
    assert not ENGLISH_WORDS.search(prose), message


def _check(data: bytes, name: str) -> None:
    try:
        df = read_table(data, name)
    except DataError as exc:
        assert_french_message(exc, name)
    else:
        assert isinstance(df, pd.DataFrame) and len(df) > 0 and df.shape[1] > 0


def test_the_message_check_tells_french_from_a_library_message():
    assert_french_message(DataError("le fichier est vide.", filename="x.csv"), "x.csv")
    with pytest.raises(AssertionError):
        assert_french_message(DataError("Could not open Parquet input source", filename="x.csv"), "x.csv")
    with pytest.raises(AssertionError):
        assert_french_message(DataError("le fichier est vide.", filename="y.csv"), "x.csv")
    with pytest.raises(AssertionError):  # French words do not excuse English ones outside the detail
        assert_french_message(DataError("le fichier: 'utf-8' codec can't decode", filename="x.csv"), "x.csv")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=PREFIXES, body=st.binary(max_size=600), name=NAMES)
def test_arbitrary_bytes_only_raise_data_error(prefix, body, name):
    _check(prefix + body, name)


@settings(max_examples=200, deadline=None)
@given(data=CSV_LIKE, name=st.sampled_from(["x.csv", "x.txt"]))
def test_csv_like_text_only_raises_data_error(data, name):
    _check(data, name)
