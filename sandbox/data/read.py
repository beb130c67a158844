"""``read_table``: one reader for the tables users bring.

CSV from French business software (``;`` separators, cp1252, decimal
commas, spaces between thousands), CSV in UTF-8 with or without a BOM,
Excel (XLSX, XLS) and OpenDocument (ODS) workbooks, and Parquet.
Whatever the bytes, the only exception it raises is
:class:`~sandbox.data.errors.DataError`, in French.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import os
import re
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from sandbox.data.errors import DataError
from sandbox.data.numbers import parse_numbers
from sandbox.text import num, plural, q

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
SHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
PARQUET_EXTENSIONS = (".parquet",)
EXTENSIONS = CSV_EXTENSIONS + SHEET_EXTENSIONS + PARQUET_EXTENSIONS
UPLOAD_TYPES = [e.lstrip(".") for e in EXTENSIONS]

DEFAULT_MAX_ROWS = 5_000_000
#: More columns than any table of the demos: refused at once with a French message.
MAX_COLUMNS = 2_000
#: Workbooks are zip files: refuse those that would inflate beyond this (a « zip bomb »)…
MAX_WORKBOOK_UNCOMPRESSED = 400 << 20
#: …or whose sheets declare or place cells over more than this many cells (the reader
#: allocates the whole rectangle: A1 and XFD1048576 alone would ask for 512 GiB).
MAX_SHEET_CELLS = 20_000_000
#: A sheet's rectangle may exceed this many cells only if the file writes at least one cell
#: in :data:`MAX_SPARSITY` of them: reading costs seconds per million cells of rectangle, so
#: a few bytes (two far-apart cells, or an ODS cell « repeated » a million times) must not
#: buy a minute of server time.
SPARSE_SHEET_CELLS = 1_000_000
MAX_SPARSITY = 20
SEPARATORS = (";", ",", "\t", "|")
SEPARATOR_NAMES = {";": "le point-virgule", ",": "la virgule", "\t": "la tabulation", "|": "la barre verticale"}
NULL_VALUES = ["", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "#N/A", "#VALEUR!", "#VALUE!"]

_SNIFF_BYTES = 1 << 20
_CHUNK = 16 << 20
_MAGIC = {
    b"PK\x03\x04": "zip",
    b"\xd0\xcf\x11\xe0": "ole",
    b"PAR1": "parquet",
    b"%PDF": "pdf",
    b"\x89PNG": "image",
    b"\xff\xd8\xff": "image",
    b"GIF8": "image",
    b"II*\x00": "image",
    b"MM\x00*": "image",
}


def read_table(
    data: bytes | str | os.PathLike,
    filename: str | None = None,
    *,
    sheet: str | int | None = None,
    max_rows: int | None = DEFAULT_MAX_ROWS,
) -> pd.DataFrame:
    """Read a CSV, Excel, OpenDocument or Parquet table into a DataFrame.

    Parameters
    ----------
    data : bytes or path
        The file's content (an upload) or its path (large files are then
        read without loading them twice).
    filename : str, optional
        The name the user knows the file by; its extension chooses the
        reader when the content does not say. Defaults to the path's name.
    sheet : str or int, optional
        Workbook sheet (name or 0-based position); the first by default.
    max_rows : int or None
        Refuse larger tables with a clear message (``None``: no limit).

    Returns
    -------
    DataFrame
        Header from the first row; columns of numbers (including ``3,5``
        and ``1 234``) as numbers; ISO dates as timestamps; the rest as
        text. The index is 0-based, so ``index + 2`` is the spreadsheet
        row. ``df.attrs["filename"]`` names the file.

    Raises
    ------
    DataError
        Empty, binary or unreadable file, unknown format, missing sheet,
        ragged rows, too many rows.

    Examples
    --------
    >>> df = read_table("id;conso\\n1;3,5\\n2;1 234\\n".encode("cp1252"), "releves.csv")
    >>> df["conso"].tolist()
    [3.5, 1234.0]
    """
    path = None
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        filename = filename or path.name
        try:
            size = path.stat().st_size
            with open(path, "rb") as fh:
                head = fh.read(_SNIFF_BYTES)
        except OSError as exc:
            raise DataError(f"le fichier n'a pas pu être ouvert ({exc.strerror})", filename=filename) from None
    else:
        data = bytes(data)
        size = len(data)
        head = data[:_SNIFF_BYTES]
    filename = filename or "tableau"
    if size == 0 or not head.strip():
        raise DataError("le fichier est vide", filename=filename, hint="Choisissez un fichier qui contient un tableau.")

    kind = _detect_kind(head, filename)
    try:
        if kind == "csv":
            df = _read_csv(path if path is not None else data, head, filename)
        elif kind == "sheet":
            df = _read_sheet(path if path is not None else data, filename, sheet)
        else:
            df = _read_parquet(path if path is not None else data, filename)
    except DataError:
        raise
    except MemoryError:
        raise DataError("le fichier est trop volumineux pour la mémoire disponible", filename=filename) from None
    except Exception as exc:  # any parser failure on untrusted bytes becomes a French message
        raise DataError(
            "le contenu n'a pas pu être lu comme un tableau",
            filename=filename,
            hint=f"Vérifiez qu'il s'agit bien d'un fichier {Path(filename).suffix or 'CSV'} valide (détail : {_short(exc)}).",
        ) from None
    return _finish(df, filename, max_rows)


def list_sheets(data: bytes | str | os.PathLike, filename: str | None = None) -> list[str]:
    """Names of the sheets of a workbook (an empty list for other formats)."""
    if isinstance(data, (str, os.PathLike)):
        filename = filename or Path(data).name
        with open(data, "rb") as fh:
            head = fh.read(8)
    else:
        head = bytes(data[:8])
    if _detect_kind(head, filename or "") != "sheet":
        return []
    check_workbook(Path(data) if isinstance(data, (str, os.PathLike)) else bytes(data), filename or "classeur")
    try:
        source = data if isinstance(data, (str, os.PathLike)) else io.BytesIO(data)
        return [str(s) for s in pd.ExcelFile(source, engine="calamine").sheet_names]
    except Exception:
        raise DataError("le classeur n'a pas pu être ouvert", filename=filename) from None


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _detect_kind(head: bytes, filename: str) -> str:
    ext = Path(filename).suffix.lower()
    magic = next((k for m, k in _MAGIC.items() if head.startswith(m)), None)
    if magic in ("zip", "ole"):
        if ext in SHEET_EXTENSIONS or ext in CSV_EXTENSIONS or not ext:
            return "sheet"
        raise _unknown_format(filename, "une archive ou un document bureautique")
    if magic == "parquet":
        return "parquet"
    if magic == "pdf":
        raise _unknown_format(filename, "un PDF")
    if magic == "image":
        raise _unknown_format(filename, "une image")
    if ext in SHEET_EXTENSIONS:
        raise DataError(
            "le fichier porte l'extension d'un classeur mais n'en est pas un (contenu illisible)",
            filename=filename,
            hint="Rouvrez-le dans votre tableur et enregistrez-le à nouveau au format XLSX, ODS ou CSV.",
        )
    if ext in PARQUET_EXTENSIONS:
        raise DataError("le fichier n'est pas un fichier Parquet valide", filename=filename)
    if ext and ext not in CSV_EXTENSIONS:
        raise _unknown_format(filename, f"un fichier {ext}")
    return "csv"


def _unknown_format(filename: str, what: str) -> DataError:
    return DataError(
        f"format non pris en charge ({what})",
        filename=filename,
        hint="Formats acceptés : CSV (séparateur ; , ou tabulation), XLSX, XLS, ODS et Parquet.",
    )


# --- CSV ---------------------------------------------------------------------------------


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the bytes look like UTF-16 text without a byte-order mark.

    Latin text in UTF-16 has a zero byte in every other position (odd positions
    for little-endian, even for big-endian) and decodes cleanly.

    >>> _utf16_without_bom("id;nom\\r\\n1;Élise\\r\\n".encode("utf-16-le"))
    'utf-16-le'
    >>> _utf16_without_bom("id;nom\\n".encode("utf-16-be")), _utf16_without_bom(b"PK\\x03\\x04\\x00\\x00")
    ('utf-16-be', None)
    """
    sample = head[:4096]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    for encoding, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.7 * len(zeros) and other.count(0) <= 0.05 * len(other):
            try:
                text = sample.decode(encoding)
            except UnicodeDecodeError:
                continue
            if all(c.isprintable() or c in "\r\n\t" for c in text):
                return encoding
    return None


def _detect_encoding(source: bytes | Path, head: bytes, filename: str) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head and (utf16 := _utf16_without_bom(head)):
        return utf16
    if b"\x00" in head:
        raise DataError(
            "le fichier ne contient pas de texte (contenu binaire)",
            filename=filename,
            hint="Exportez vos données au format CSV, XLSX ou ODS depuis votre logiciel.",
        )
    if _decodes(source, "utf-8"):
        return "utf-8"
    return "cp1252" if _decodes(source, "cp1252") else "latin-1"


def _decodes(source: bytes | Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        if isinstance(source, Path):
            with open(source, "rb") as fh:
                while chunk := fh.read(_CHUNK):
                    decoder.decode(chunk)
        else:
            view = memoryview(source)
            for start in range(0, len(view), _CHUNK):
                decoder.decode(view[start : start + _CHUNK])
        decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False


def _sample_lines(head: bytes, encoding: str) -> list[str]:
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    if len(head) >= _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # possibly cut in the middle
    return [line for line in lines if line.strip()][:200]


def detect_separator(lines: list[str]) -> str | None:
    """The separator that splits every sample line into as many fields as the header.

    ``None`` when no candidate does (a one-column file). Ties go to ``;``,
    then tab, then ``,``: French exports use ``;`` because of decimal commas.

    >>> detect_separator(["id;conso", "1;3,5", "2;4,25"])
    ';'
    >>> detect_separator(["commune", "Paris", "Saint-Denis, 93"]) is None
    True
    """
    best, best_score = None, 0.0
    for sep in SEPARATORS:
        counts = [len(row) for row in csv.reader(lines, delimiter=sep)]
        if not counts or counts[0] < 2:
            continue
        consistency = sum(c == counts[0] for c in counts) / len(counts)
        score = consistency - (0.001 * SEPARATORS.index(sep))
        if consistency >= 0.5 and score > best_score:
            best, best_score = sep, score
    return best


def _read_csv(source: bytes | Path, head: bytes, filename: str) -> pd.DataFrame:
    encoding = _detect_encoding(source, head, filename)
    if encoding.startswith("utf-16"):
        raw = source.read_bytes() if isinstance(source, Path) else source
        try:
            source = raw.decode(encoding).encode("utf-8")
        except UnicodeDecodeError:
            raise DataError(
                "le fichier semble encodé en UTF-16 mais contient des caractères invalides",
                filename=filename,
                hint="Enregistrez-le à nouveau en « CSV UTF-8 » depuis votre tableur.",
            ) from None
        head, encoding = source[:_SNIFF_BYTES], "utf-8"
    lines = _sample_lines(head, encoding)
    if not lines:
        raise DataError("le fichier est vide", filename=filename)
    sep = detect_separator(lines)
    header = next(csv.reader(lines[:1], delimiter=sep or "\x1f"))
    if not any(h.strip() for h in header):
        raise DataError("la première ligne (en-tête) est vide", filename=filename, hint="La première ligne doit donner le nom des colonnes.")

    bad_rows: list[tuple[int | None, int, int]] = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        bad_rows.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    _check_columns(len(header), filename)
    names = _unique_names(header)
    # Codes with a leading zero (postcodes, INSEE codes, phone numbers) stay text.
    column_types: dict[str, pa.DataType] = {
        names[i]: pa.string() for i in _leading_zero_columns(lines[1:], sep, len(names))
    }
    quoted = '"' in "".join(lines)
    for _ in range(len(names) + 1):
        bad_rows.clear()
        stream = pa.input_stream(str(source) if isinstance(source, Path) else pa.py_buffer(source))
        try:
            table = pacsv.read_csv(
                stream,
                read_options=pacsv.ReadOptions(
                    encoding=encoding, column_names=names, skip_rows=1, block_size=8 << 20
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=sep or "\x1f",
                    quote_char='"',
                    newlines_in_values=quoted,
                    invalid_row_handler=on_invalid_row,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=column_types,
                    null_values=NULL_VALUES,
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                ),
            )
            break
        except pa.ArrowInvalid as exc:
            match = re.search(r"In CSV column #(\d+): .*conversion error", str(exc))
            if not match:
                raise
            column_types[names[int(match.group(1))]] = pa.string()
    else:  # pragma: no cover - every column forced to text and still failing
        raise DataError("le contenu n'a pas pu être lu comme un tableau", filename=filename)

    if bad_rows:
        expected = len(names)
        found = Counter(actual for _, _, actual in bad_rows).most_common(1)[0][0]
        count = len(bad_rows)
        verb = "n'a" if count == 1 else "n'ont"
        raise DataError(
            f"{plural(count, 'ligne')} {verb} pas le même nombre de colonnes "
            f"que l'en-tête ({num(found)} au lieu de {num(expected)})",
            filename=filename,
            rows=_ragged_rows(source, encoding, sep, expected),
            hint=(
                f"Le séparateur reconnu est {SEPARATOR_NAMES.get(sep or '', 'absent (une seule colonne)')}. "
                "Vérifiez les guillemets autour des textes qui contiennent ce séparateur."
            ),
        )
    df = table.to_pandas(date_as_object=False)
    df.attrs["separator"] = sep
    df.attrs["encoding"] = encoding
    return df


_LEADING_ZERO = re.compile(r"^[+-]?0\d")


def _leading_zero_columns(lines: list[str], sep: str | None, width: int) -> set[int]:
    found = set()
    for record in csv.reader(lines, delimiter=sep or "\x1f"):
        for i, value in enumerate(record[:width]):
            if _LEADING_ZERO.match(value.strip()):
                found.add(i)
    return found


def _ragged_rows(source: bytes | Path, encoding: str, sep: str | None, expected: int, limit: int = 5) -> list[int]:
    """Spreadsheet row numbers of the first records whose field count differs from the header's."""
    raw = source.open("rb") if isinstance(source, Path) else io.BytesIO(source)
    with io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="") as text:
        found = []
        for number, record in enumerate(csv.reader(text, delimiter=sep or "\x1f"), start=1):
            if number > 1 and record and len(record) != expected:
                found.append(number)
                if len(found) >= limit:
                    break
        return found


def _unique_names(header: list[str]) -> list[str]:
    """Strip the names, name the blank ones ``colonne_<i>`` and number repeats: ``x``, ``x (2)``, ``x (3)``.

    Linear in the number of columns (a header of 20,000 times the same name is instant).

    >>> _unique_names(["x", " x ", "", "x (2)", "x"])
    ['x', 'x (2)', 'colonne_3', 'x (2) (2)', 'x (3)']
    """
    names: list[str] = []
    taken: set[str] = set()
    next_suffix: dict[str, int] = {}
    for i, raw in enumerate(header, start=1):
        name = raw.strip().lstrip("\ufeff").strip() or f"colonne_{i}"
        if name in taken:
            base, k = name, next_suffix.get(name, 2)
            while name in taken:
                name, k = f"{base} ({k})", k + 1
            next_suffix[base] = k
        taken.add(name)
        names.append(name)
    return names


# --- workbooks and Parquet -----------------------------------------------------------------


def _check_columns(count: int, filename: str) -> None:
    if count > MAX_COLUMNS:
        raise DataError(
            f"le tableau compte {num(count)} colonnes, au-delà de la limite de {num(MAX_COLUMNS)}",
            filename=filename,
            hint="Vérifiez le séparateur et la première ligne, ou gardez seulement les colonnes utiles.",
        )


#: Every ``r="…"`` attribute: ``A1``-like on cells, digits only on rows (two passes: each is a fast C loop). Any element, and any
#: attribute name ending in ``r``, is counted: a literal start keeps the search fast, and
#: counting too much can only refuse, never let a far cell through.
_REF_COLUMN = re.compile(rb'r="([A-Z]{1,3})\d')
_REF_ROW = re.compile(rb'r="[A-Z]{0,3}(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
_SCAN_CHUNK = 4 << 20
_SCAN_OVERLAP = 512


def _column_number(letters: bytes) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16384."""
    number = 0
    for c in letters:
        number = number * 26 + (c - 64)
    return number


_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")


def _sheet_extent(stream: io.BufferedIOBase) -> tuple[int, int, int]:
    """(rows, columns, cells written) a worksheet XML declares or reaches, read by chunks (never held whole)."""
    rows = cols = written = 0
    tail = b""
    while chunk := stream.read(_SCAN_CHUNK):
        # Cells are counted in the new bytes only (a tag cut by the chunk edge is counted twice at most).
        edge = tail[-8:] + chunk
        plain = edge.count(b"<c ") + edge.count(b"<c>") + edge.count(b"<c/")
        written += plain or len(_CELL_TAG.findall(edge))  # the regex only for prefixed names (<x:c …>)
        text = tail + chunk
        for match in _DIMENSION.finditer(text) if b"dimension" in text else ():
            for letters, digits in ((match.group(1), match.group(2)), (match.group(3), match.group(4))):
                if letters:
                    cols = max(cols, _column_number(letters))
                if digits:
                    rows = max(rows, int(digits))
        cols = max(cols, 0, *map(_column_number, set(_REF_COLUMN.findall(text))))
        rows = max(rows, max(map(int, _REF_ROW.findall(text)), default=0))
        tail = text[-_SCAN_OVERLAP:]
    return rows, cols, written


#: Opening tags of tables, rows and cells, and closing tags of tables and rows (a cell's closing
#: tag changes nothing: not matching it saves a third of the work). Groups: closing name, opening
#: name, attributes. The reader (calamine) only knows the literal ``table:`` prefix (a table, row
#: or cell under another prefix is not read at all), so neither does the guard: 2x faster.
_ODS_TAG = re.compile(
    rb"<(?:/table:(table-row|table)|table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*))>"
)
_ROWS_REPEATED = re.compile(rb"number-rows-repeated\s*=\s*[\"'](\d+)")
_COLUMNS_REPEATED = re.compile(rb"number-columns-repeated\s*=\s*[\"'](\d+)")
#: No tag of a real spreadsheet is this long; a longer one is refused rather than buffered.
_MAX_TAG = 1 << 20


def _repeat(pattern: re.Pattern, attributes: bytes) -> int:
    found = pattern.search(attributes)
    return max(1, int(found.group(1))) if found else 1


def _ods_extents(stream: io.BufferedIOBase) -> list[tuple[int, int, int]]:
    """(rows, columns, cells written) of each table of an ODS ``content.xml``, streamed.

    Rows and columns are counted after ``table:number-rows-repeated`` and
    ``table:number-columns-repeated``, up to the last non-empty cell (the
    reader materialises that rectangle; the empty rows and columns that
    LibreOffice repeats to the end of the sheet are not counted). « Written »
    counts the non-empty cell elements actually present in the file.

    >>> xml = (b'<table:table><table:table-row table:number-rows-repeated="1000">'
    ...        b'<table:table-cell office:value-type="float" table:number-columns-repeated="30"/>'
    ...        b'<table:table-cell table:number-columns-repeated="9000"/></table:table-row></table:table>')
    >>> _ods_extents(io.BytesIO(xml))
    [(1000, 30, 1)]
    """
    extents: list[tuple[int, int, int]] = []
    depth = row = row_repeat = column = rows = cols = written = 0
    row_has_value = False
    tail = b""
    while chunk := stream.read(_SCAN_CHUNK):
        text = tail + chunk
        if b"<!ENTITY" in text:
            raise ValueError("entity declaration")
        cut = text.rfind(b"<")
        end = text.rfind(b">")
        if cut <= end:  # every tag in the buffer is complete
            cut = len(text)
        tail = text[cut:]
        if len(tail) > _MAX_TAG:
            raise ValueError("tag too long")
        for closed, name, attributes in _ODS_TAG.findall(text[:cut]):
            closing = bool(closed)
            name = closed or name
            self_closing = attributes.endswith(b"/")
            if name == b"table-cell" or name == b"covered-table-cell":  # a cell (or one covered by a merge)
                column += _repeat(_COLUMNS_REPEATED, attributes) if b"repeated" in attributes else 1
                if not self_closing or b"value-type" in attributes:
                    written += 1
                    row_has_value = True
                    if column > cols:
                        cols = column
            elif name == b"table-row":
                if not closing:
                    row_repeat, column, row_has_value = (
                        _repeat(_ROWS_REPEATED, attributes) if b"repeated" in attributes else 1
                    ), 0, False
                if closing or self_closing:
                    row += row_repeat
                    if row_has_value and row > rows:
                        rows = row
                    row_repeat = 1
            else:  # a table
                if not closing:
                    depth += 1
                    if depth == 1:
                        row = rows = cols = written = 0
                if closing or self_closing:
                    if depth == 1:
                        extents.append((rows, cols, written))
                    depth = max(0, depth - 1)
    if depth >= 1:  # truncated content: still report what was seen
        extents.append((rows, cols, written))
    return extents


def _check_extent(rows: int, cols: int, written: int, filename: str, hint: str) -> None:
    """Refuse a sheet whose rectangle is too large, or too large for the cells the file really writes."""
    cells = rows * cols
    extent = (
        f"une feuille du classeur s'étend sur {plural(rows, 'ligne')} et {plural(cols, 'colonne')} "
        f"({plural(cells, 'cellule')})"
    )
    if cols > MAX_COLUMNS:
        raise DataError(f"{extent}, au-delà de la limite de {num(MAX_COLUMNS)} colonnes", filename=filename, hint=hint)
    if cells > MAX_SHEET_CELLS:
        raise DataError(f"{extent}, au-delà de la limite de {num(MAX_SHEET_CELLS)} cellules", filename=filename, hint=hint)
    if cells > SPARSE_SHEET_CELLS and cells > MAX_SPARSITY * written:
        raise DataError(
            f"{extent} alors que le fichier n'en écrit que {num(written)} (cellules répétées ou très "
            f"éloignées) : au-delà de la limite de {num(SPARSE_SHEET_CELLS)} cellules pour une feuille aussi creuse",
            filename=filename,
            hint=hint,
        )


def check_workbook(source: bytes | Path, filename: str) -> None:
    """Refuse a workbook that would exhaust memory before it reaches the reader.

    An XLSX or ODS file is a zip archive: its members' total uncompressed size
    must stay under :data:`MAX_WORKBOOK_UNCOMPRESSED`; each XLSX worksheet
    must declare (``<dimension>``) and use (cell references) a rectangle of at
    most :data:`MAX_SHEET_CELLS` cells and :data:`MAX_COLUMNS` columns; each
    ODS table likewise, counting its repeated rows and columns up to its last
    non-empty cell. Past :data:`SPARSE_SHEET_CELLS`, the rectangle must also
    hold at least one cell written in the file per :data:`MAX_SPARSITY`
    cells (two far-apart cells or one cell repeated a million times are
    refused: their bytes are few, the reader's work is not). Only small
    pieces of the archive are read at a time. Legacy XLS files (not zip) are
    left to the reader.

    Raises
    ------
    DataError
        In French, naming the file and the limit.
    """
    handle = source if isinstance(source, Path) else io.BytesIO(source)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError):
        return  # not a zip (XLS) or a broken one: the reader says so
    refuse_hint = (
        "Rouvrez-le dans votre tableur, supprimez les lignes et colonnes vides ou répétées en fin de feuille, "
        "et enregistrez-le à nouveau (ou exportez-le en CSV)."
    )
    with archive:
        members = archive.infolist()
        total = sum(m.file_size for m in members)
        if total > MAX_WORKBOOK_UNCOMPRESSED:
            raise DataError(
                f"le classeur occupe {num(total / (1 << 20))} Mo une fois décompressé, "
                f"au-delà de la limite de {num(MAX_WORKBOOK_UNCOMPRESSED >> 20)} Mo",
                filename=filename,
                hint="Découpez-le ou exportez les données utiles en CSV.",
            )
        for member in members:
            name = member.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                scan = lambda stream: [_sheet_extent(stream)]  # noqa: E731
            elif name == "content.xml":
                scan = _ods_extents
            else:
                continue
            try:
                with archive.open(member) as stream:
                    extents = scan(stream)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError):
                raise DataError("le classeur est abîmé (une feuille ne peut pas être décompressée)", filename=filename, hint=refuse_hint) from None
            for rows, cols, written in extents:
                _check_extent(rows, cols, written, filename, refuse_hint)


def _read_sheet(source: bytes | Path, filename: str, sheet: str | int | None) -> pd.DataFrame:
    check_workbook(source, filename)
    handle = source if isinstance(source, Path) else io.BytesIO(source)
    try:
        book = pd.ExcelFile(handle, engine="calamine")
    except Exception:
        raise DataError(
            "le classeur n'a pas pu être ouvert (fichier abîmé, protégé par mot de passe ou d'un autre format)",
            filename=filename,
            hint="Rouvrez-le dans votre tableur et enregistrez-le à nouveau au format XLSX, ODS ou CSV.",
        ) from None
    sheets = [str(s) for s in book.sheet_names]
    if not sheets:
        raise DataError("le classeur ne contient aucune feuille", filename=filename)
    if sheet is None:
        sheet = 0
    if isinstance(sheet, int) and not 0 <= sheet < len(sheets) or isinstance(sheet, str) and sheet not in sheets:
        raise DataError(
            f"la feuille {q(sheet)} n'existe pas dans le classeur",
            filename=filename,
            hint="Feuilles disponibles : " + ", ".join(q(s) for s in sheets) + ".",
        )
    df = pd.read_excel(book, sheet_name=sheet, header=0, dtype=object)
    _check_columns(df.shape[1], filename)
    df.columns = _unique_names([("" if str(c).startswith("Unnamed:") else str(c)) for c in df.columns])
    return df.infer_objects()


def _read_parquet(source: bytes | Path, filename: str) -> pd.DataFrame:
    handle = source if isinstance(source, Path) else io.BytesIO(source)
    return pd.read_parquet(handle)


# --- common finish -------------------------------------------------------------------------


def _finish(df: pd.DataFrame, filename: str, max_rows: int | None) -> pd.DataFrame:
    attrs = dict(df.attrs)
    df.columns = _unique_names([str(c) for c in df.columns])
    # Columns with neither a name nor a value (a trailing separator) are noise.
    empty_unnamed = [c for c in df.columns if re.fullmatch(r"colonne_\d+", c) and df[c].isna().all()]
    df = df.drop(columns=empty_unnamed)
    if df.shape[1] == 0:
        raise DataError("le fichier ne contient aucune colonne", filename=filename)
    blank = df.isna().all(axis=1)
    if blank.any():
        df = df[~blank]  # keeps the index: index + 2 is still the spreadsheet row
    if len(df) == 0:
        raise DataError(
            "le tableau ne contient aucune ligne de données (seulement l'en-tête)",
            filename=filename,
            hint="Vérifiez que vous avez exporté les données et pas seulement les titres des colonnes.",
        )
    if max_rows is not None and len(df) > max_rows:
        raise DataError(
            f"le tableau compte {num(len(df))} lignes, au-delà de la limite de {num(max_rows)}",
            filename=filename,
            hint="Découpez le fichier (par période ou par secteur) ou utilisez la ligne de commande, "
            "qui accepte une limite plus haute (--max-rows).",
        )
    for name in df.columns:
        col = df[name]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            df[name] = _convert_text_column(col)
    df.attrs.update(attrs)
    df.attrs["filename"] = filename
    return df


def _convert_text_column(col: pd.Series) -> pd.Series:
    """Numbers written as text (``3,5``, ``1 234``) become numbers; the rest stays text."""
    present = col.notna()
    if not present.any():
        return col
    if col.dtype == object:
        kinds = {type(v) for v in col[present]}
        if kinds - {str}:
            if all(issubclass(k, (int, float)) and not issubclass(k, bool) for k in kinds):
                return pd.to_numeric(col, errors="coerce")
            if all(issubclass(k, (datetime.date, pd.Timestamp)) for k in kinds):
                return pd.to_datetime(col, errors="coerce")
            col = col.map(lambda v: v if isinstance(v, str) or pd.isna(v) else str(v))
    # Decide on a sample first: a long column of identifiers is not parsed in full.
    sample = col[present].head(1000)
    if parse_numbers(sample)[1].any() or sample.astype("str").str.strip().str.match(_LEADING_ZERO).any():
        return col.astype("str").where(present)
    values, invalid = parse_numbers(col)
    if not invalid.any():
        return values
    return col.astype("str").where(present)
