"""Workbooks that would exhaust memory are refused before the reader sees them (issue 14 #1).

The crafted files are tiny zips written here. The sparse one (cells A1 and
XFD1048576) made calamine abort the whole process: if a guard regresses,
this test process dies instead of failing, which the runner reports too.
"""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from sandbox.data import DataError, list_sheets, read_table
from sandbox.data import read as read_module
from sandbox.data.read import check_workbook


def _workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace_sheet(data: bytes, sheet_xml: bytes, *, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The same workbook with its first worksheet replaced by *sheet_xml*."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", compress) as dst:
        for item in src.infolist():
            content = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else src.read(item.filename)
            dst.writestr(item.filename, content)
    return out.getvalue()


_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _sparse_sheet(dimension: str | None, far_cell: str | None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    far = b""
    if far_cell:
        row = re.sub(r"[A-Z]", "", far_cell)
        far = f'<row r="{row}"><c r="{far_cell}" t="inlineStr"><is><t>z</t></is></c></row>'.encode()
    return (
        _SHEET_HEAD + dim + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        + far + b"</sheetData></worksheet>"
    )


@pytest.mark.parametrize(
    ("dimension", "far_cell"),
    [("A1:XFD1048576", "XFD1048576"), ("A1:XFD1048576", None), (None, "XFD1048576"), ("A1", "ZZ900000")],
    ids=["declared-and-placed", "declared-only", "placed-only", "wide-and-long"],
)
def test_sparse_sheet_spanning_the_grid_is_refused(dimension, far_cell):
    data = _replace_sheet(_workbook([["x"]]), _sparse_sheet(dimension, far_cell))
    assert len(data) < 8_000  # a few kilobytes, as in the report
    with pytest.raises(DataError, match=r"s'étend sur .* au-delà de la limite") as info:
        read_table(data, "piege.xlsx")
    assert "piege.xlsx" in str(info.value)
    with pytest.raises(DataError, match="au-delà de la limite"):
        list_sheets(data, "piege.xlsx")


def test_sheet_with_too_many_columns_is_refused():
    data = _replace_sheet(_workbook([["x"]]), _sparse_sheet("A1:CZZ1", "CZZ1"))
    with pytest.raises(DataError, match="colonnes"):
        read_table(data, "large.xlsx")


def test_zip_bomb_workbook_is_refused_from_its_directory(monkeypatch, tmp_path):
    # A dense sheet inflating ~40x; the limit is lowered so the test stays tiny and fast.
    rows = b"".join(
        f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}"><v>0</v></c></row>'.encode() for i in range(1, 40_001)
    )
    sheet = _SHEET_HEAD + b"<sheetData>" + rows + b"</sheetData></worksheet>"
    data = _replace_sheet(_workbook([["a", "b"]]), sheet)
    monkeypatch.setattr(read_module, "MAX_WORKBOOK_UNCOMPRESSED", 1 << 20)
    with pytest.raises(DataError, match="une fois décompressé, au-delà de la limite de 1 Mo"):
        read_table(data, "dense.xlsx")
    path = tmp_path / "dense.xlsx"
    path.write_bytes(data)
    with pytest.raises(DataError, match="décompressé"):
        read_table(path)


def test_ordinary_workbooks_still_read(tmp_path):
    data = _workbook([["id", "conso"], [1, 3.5], [2, 4]])
    assert read_table(data, "ok.xlsx").to_dict("list") == {"id": [1, 2], "conso": [3.5, 4.0]}
    check_workbook(data, "ok.xlsx")  # no error
    path = tmp_path / "ok.xlsx"
    path.write_bytes(data)
    assert list_sheets(path) == ["Sheet"]
    # A declared dimension within the limits is fine, even with a namespace prefix.
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:dimension ref="A1:B2"/><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>id</x:t></x:is></x:c></x:row>'
        b'<x:row r="2"><x:c r="A2"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )
    assert read_table(_replace_sheet(data, sheet), "prefixe.xlsx")["id"].tolist() == [7]


def test_extent_scan_reads_across_chunk_boundaries(monkeypatch):
    monkeypatch.setattr(read_module, "_SCAN_CHUNK", 64)
    sheet = _sparse_sheet(None, "XFD1048576")
    assert read_module._sheet_extent(io.BytesIO(sheet)) == (1_048_576, 16_384)


def test_broken_workbook_gets_a_french_message():
    data = _workbook([["a"], [1]])
    broken = data[: len(data) // 2]
    with pytest.raises(DataError, match="classeur"):
        read_table(broken, "abime.xlsx")


def test_frame_from_workbook_keeps_spreadsheet_rows():
    df = read_table(_workbook([["a"], [1], [None], [3]]), "trous.xlsx")
    assert isinstance(df, pd.DataFrame) and (df.index + 2).tolist() == [2, 4]
