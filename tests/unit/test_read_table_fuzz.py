"""Property: whatever the bytes, read_table raises DataError or returns a table — nothing else."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.data import DataError, read_table

NAMES = st.sampled_from(["x.csv", "x.txt", "x.tsv", "x.xlsx", "x.xls", "x.ods", "x.parquet", "x", "x.json"])

# Bytes that look like the start of real formats, so the fuzzer reaches deeper than the sniffing.
PREFIXES = st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"PAR1", b"\xef\xbb\xbf", b"\xff\xfe", b"a;b\n", b'"a","b"\n'])

CSV_LIKE = st.lists(
    st.lists(st.text(alphabet=st.characters(codec="cp1252"), max_size=8), min_size=1, max_size=5), min_size=1, max_size=8
).map(lambda rows: "\n".join(";".join(r) for r in rows).encode("cp1252", errors="replace"))


def _check(data: bytes, name: str) -> None:
    try:
        df = read_table(data, name)
    except DataError as exc:
        assert str(exc)  # a message, in French, is always there
    else:
        assert isinstance(df, pd.DataFrame) and len(df) > 0 and df.shape[1] > 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=PREFIXES, body=st.binary(max_size=600), name=NAMES)
def test_arbitrary_bytes_only_raise_data_error(prefix, body, name):
    _check(prefix + body, name)


@settings(max_examples=200, deadline=None)
@given(data=CSV_LIKE, name=st.sampled_from(["x.csv", "x.txt"]))
def test_csv_like_text_only_raises_data_error(data, name):
    _check(data, name)
