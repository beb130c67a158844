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
    assert read_module._sheet_extent(io.BytesIO(sheet)) == (1_048_576, 16_384, 2)


def test_broken_workbook_gets_a_french_message():
    data = _workbook([["a"], [1]])
    broken = data[: len(data) // 2]
    with pytest.raises(DataError, match="classeur"):
        read_table(broken, "abime.xlsx")


def test_frame_from_workbook_keeps_spreadsheet_rows():
    df = read_table(_workbook([["a"], [1], [None], [3]]), "trous.xlsx")
    assert isinstance(df, pd.DataFrame) and (df.index + 2).tolist() == [2, 4]


# --- OpenDocument: repeated rows and columns (issue 14 #1, ODS) -----------------------------

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def _ods(*tables: str) -> bytes:
    """A minimal ODS whose tables hold the given rows XML."""
    body = "".join(f'<table:table table:name="Feuille{i}">{rows}</table:table>' for i, rows in enumerate(tables, 1))
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        archive.writestr("content.xml", content)
    return out.getvalue()


def _cell(value: object, repeat: int = 1) -> str:
    kind, attr = ("float", f' office:value="{value}"') if isinstance(value, (int, float)) else ("string", "")
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="{kind}"{attr}{rep}><text:p>{value}</text:p></table:table-cell>'


def _empty(repeat: int = 1) -> str:
    return f'<table:table-cell table:number-columns-repeated="{repeat}"/>'


def _row(cells: str, repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rep}>{cells}</table:table-row>"


def test_ods_repeating_one_cell_over_the_whole_grid_is_refused_before_the_reader():
    # 1,048,576 repeated rows × 16,384 repeated columns of a non-empty cell: < 1 KB on disk.
    data = _ods(_row(_cell("id")) + _row(_cell("x", 16_384), 1_048_576))
    assert len(data) < 1_000
    with pytest.raises(DataError, match=r"s'étend sur 1\s048\s577 lignes et 16\s384 colonnes .*au-delà de la limite") as info:
        read_table(data, "repetitions.ods")
    assert "repetitions.ods" in str(info.value) and "répétées" in str(info.value)
    with pytest.raises(DataError, match="au-delà de la limite"):
        list_sheets(data, "repetitions.ods")


@pytest.mark.parametrize(
    "rows",
    [
        _row(_cell("id")) + _row(_cell("x", 100), 100_000),  # 10 M cells from 2 written: 30 s and 1.7 GB before
        _row(_cell("id") + _empty(16_383), 1_048_576),  # one value per row, a million rows
        _row(_cell("id")) + _row(_empty(50), 1_048_570) + _row(_cell("z")),  # a far value after empty rows
    ],
    ids=["repeated-block", "repeated-rows", "far-value"],
)
def test_ods_sparse_or_repeated_sheet_is_refused(rows):
    with pytest.raises(DataError, match="aussi creuse"):
        read_table(_ods(rows), "creux.ods")


def test_ods_second_table_is_checked_too():
    data = _ods(_row(_cell("id")) + _row(_cell(1)), _row(_cell("x", 3_000)))
    with pytest.raises(DataError, match=r"3\s000 colonnes .*, au-delà de la limite de 2\s000 colonnes"):
        read_table(data, "deux.ods")


def test_ods_with_libreoffice_trailing_repeats_still_reads():
    # LibreOffice pads rows with empty repeated cells and ends a sheet with a million empty rows.
    data = _ods(
        _row(_cell("id") + _cell("nom") + _empty(1_022))
        + _row(_cell(1) + _cell("Élise") + _empty(1_022))
        + _row(_cell(2) + _cell("Noé") + _empty(1_022), 2)  # two identical rows, written once
        + _row(_empty(1_024), 1_048_572)
    )
    df = read_table(data, "libreoffice.ods")
    assert df.to_dict("list") == {"id": [1, 2, 2], "nom": ["Élise", "Noé", "Noé"]}


def test_ods_written_by_pandas_reads(tmp_path):
    frame = pd.DataFrame({"compteur": [f"C{i:04d}" for i in range(300)], "volume": [i / 4 for i in range(300)]})
    path = tmp_path / "releves.ods"
    frame.to_excel(path, index=False, engine="odf")
    check_workbook(path, "releves.ods")  # no error
    assert read_table(path)["volume"].sum() == pytest.approx(frame["volume"].sum())


def test_ods_scan_reads_across_chunk_boundaries(monkeypatch):
    monkeypatch.setattr(read_module, "_SCAN_CHUNK", 7)
    content = _row(_cell("a") + _empty(9)) + _row(_cell("b", 30), 1_000) + _row(_empty(99), 5_000)
    xml = f"<office:spreadsheet {_ODS_NS}><table:table>{content}</table:table></office:spreadsheet>".encode()
    assert read_module._ods_extents(io.BytesIO(xml)) == [(1_001, 30, 2)]


def test_ods_entity_declarations_are_refused():
    content = '<!DOCTYPE x [<!ENTITY r "<table:table-row/>">]>'
    data = _ods(_row(_cell("id")))  # a plain ODS, then an entity declaration slipped into content.xml
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "content.xml":
                body = body.replace(b"?>", b"?>" + content.encode(), 1)
            dst.writestr(item.filename, body)
    with pytest.raises(DataError, match="abîmé"):
        read_table(out.getvalue(), "entites.ods")


def test_xlsx_two_far_cells_in_narrow_columns_are_refused():
    # A1 and B1048576: within 20 M cells, but 2 M cells of rectangle for 2 written (10 s of reading before).
    data = _replace_sheet(_workbook([["x"]]), _sparse_sheet(None, "B1048576"))
    with pytest.raises(DataError, match="n'en écrit que 2 .*aussi creuse"):
        read_table(data, "deux_cellules.xlsx")


def test_xlsx_dense_sheet_past_the_sparse_floor_still_reads(monkeypatch):
    monkeypatch.setattr(read_module, "SPARSE_SHEET_CELLS", 10)  # a 4×3 dense sheet is then « large »
    data = _workbook([["a", "b", "c"], [1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert read_table(data, "dense.xlsx")["c"].tolist() == [3, 6, 9]
