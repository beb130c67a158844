"""read_table on real files: encodings, separators, number formats, workbooks, and each bad input."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

from sandbox.data import DataError, list_sheets, read_table, validate
from sandbox.data.schemas.reference import COMMUNES
from sandbox.text import plain

NNBSP, NBSP = "\u202f", "\u00a0"


def test_cp1252_semicolon_decimal_commas_thousands_and_french_dates():
    text = (
        "Compteur;Date relevé;Consommation (m³);Index\r\n"
        f"Dupré-Évry;01/02/2024 06:00:00;3,5;1{NBSP}234\r\n"
        f"Œuvre Sœur;15/02/2024 18:30:00;0,25;12{NBSP}345,5\r\n"
        "Hôtel de ville;29/02/2024 00:00:00;1 234,75;1 000 000\r\n"
    )
    df = read_table(text.encode("cp1252"), "export.csv")
    assert df.attrs["separator"] == ";" and df.attrs["encoding"] == "cp1252"
    assert list(df.columns) == ["Compteur", "Date relevé", "Consommation (m³)", "Index"]
    assert df["Compteur"].tolist() == ["Dupré-Évry", "Œuvre Sœur", "Hôtel de ville"]
    assert df["Consommation (m³)"].tolist() == [3.5, 0.25, 1234.75]
    assert df["Index"].tolist() == [1234.0, 12345.5, 1_000_000.0]

    from sandbox.data import Column, Schema

    schema = Schema("relevés", (Column("meter", "id", synonyms=("compteur",)), Column("date", "datetime", synonyms=("date releve",))))
    typed = validate(df, schema).frame
    assert typed["date"].tolist() == [
        pd.Timestamp("2024-02-01 06:00"),
        pd.Timestamp("2024-02-15 18:30"),
        pd.Timestamp("2024-02-29 00:00"),
    ]


def test_utf8_bom_comma_separated_iso_dates():
    data = "\ufeffid,latitude,longitude,date\n1,48.85,2.35,2024-03-01\n2,48.9,2.4,2024-03-02\n".encode("utf-8")
    df = read_table(data, "points.csv")
    assert list(df.columns) == ["id", "latitude", "longitude", "date"]  # no BOM left in the first name
    assert df["latitude"].tolist() == [48.85, 48.9]
    assert df["date"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-02")]


def test_narrow_no_break_space_between_thousands_in_utf8():
    df = read_table(f"id;montant\n1;1{NNBSP}234{NNBSP}567,5\n".encode(), "x.csv")
    assert df["montant"].tolist() == [1234567.5]


def test_tab_separated_utf16_export():
    data = "id\tvaleur\n1\t2,5\n2\t3\n".encode("utf-16")
    df = read_table(data, "export.txt")
    assert df["valeur"].tolist() == [2.5, 3.0]


def test_one_column_file_is_not_split_on_commas_in_values():
    df = read_table("commune\nParis\nSaint-Denis, Seine-Saint-Denis\nVincennes\n".encode(), "communes.csv")
    assert list(df.columns) == ["commune"]
    assert df["commune"].tolist()[1] == "Saint-Denis, Seine-Saint-Denis"


def test_semicolon_wins_over_decimal_commas():
    df = read_table(b"a;b\n1,5;2,5\n3,5;4,5\n", "x.csv")
    assert df["a"].tolist() == [1.5, 3.5] and df["b"].tolist() == [2.5, 4.5]


def test_quoted_separator_and_newline_inside_values():
    df = read_table(b'id;texte\n1;"un; deux"\n2;"ligne\nsuivante"\n', "x.csv")
    assert df["texte"].tolist() == ["un; deux", "ligne\nsuivante"]


def test_codes_with_leading_zeros_stay_text():
    df = read_table(b"cp;insee;tel\n01000;01053;0612345678\n75001;75056;0102030405\n", "x.csv")
    assert df["cp"].tolist() == ["01000", "75001"]
    assert df["insee"].tolist() == ["01053", "75056"]


def test_english_and_french_grouping():
    df = read_table(b"a;b\n1.234,5;1,234.5\n2.000,25;10,000.5\n", "x.csv")
    assert df["a"].tolist() == [1234.5, 2000.25]
    assert df["b"].tolist() == [1234.5, 10000.5]


def test_blank_rows_dropped_but_rows_keep_their_spreadsheet_number():
    df = read_table(b"a;b\n1;2\n;\n3;4\n", "x.csv")
    assert df.index.tolist() == [0, 2]  # index + 2 = spreadsheet row


@pytest.fixture
def workbook() -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["x"]}).to_excel(writer, sheet_name="Lisez-moi", index=False)
        pd.DataFrame(
            {"Commune": ["Montreuil", "Vincennes"], "Conso": ["3,5", "4"], "Date": pd.to_datetime(["2024-01-02", "2024-01-03"])}
        ).to_excel(writer, sheet_name="Données", index=False)
    return buffer.getvalue()


def test_xlsx_named_sheet_and_numbers_written_as_text(workbook):
    assert list_sheets(workbook, "classeur.xlsx") == ["Lisez-moi", "Données"]
    df = read_table(workbook, "classeur.xlsx", sheet="Données")
    assert df["Commune"].tolist() == ["Montreuil", "Vincennes"]
    assert df["Conso"].tolist() == [3.5, 4.0]
    assert df["Date"].tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03")]
    assert read_table(workbook, "classeur.xlsx").columns.tolist() == ["note"]  # first sheet by default


def test_missing_sheet_lists_the_available_ones(workbook):
    with pytest.raises(DataError) as info:
        read_table(workbook, "classeur.xlsx", sheet="Budget")
    assert re.search("classeur.xlsx.*feuille « Budget » n'existe pas.*Lisez-moi.*Données", plain(str(info.value)))


def test_ods_workbook():
    buffer = io.BytesIO()
    pd.DataFrame({"id": [1, 2], "volume": [2.5, 3.0]}).to_excel(buffer, engine="odf", index=False)
    df = read_table(buffer.getvalue(), "tableur.ods")
    assert df["volume"].tolist() == [2.5, 3.0]


def test_parquet():
    buffer = io.BytesIO()
    pd.DataFrame({"id": ["a", "b"], "v": [1.0, np.nan]}).to_parquet(buffer)
    df = read_table(buffer.getvalue(), "big.parquet")
    assert df["id"].tolist() == ["a", "b"]


def test_a_path_reads_like_bytes(tmp_path):
    path = tmp_path / "points.csv"
    path.write_bytes("id;valeur\n1;2,5\n".encode("cp1252"))
    assert read_table(path)["valeur"].tolist() == [2.5]
    assert read_table(path).attrs["filename"] == "points.csv"


def test_a_workbook_renamed_csv_is_still_read(workbook):
    assert read_table(workbook, "export.csv").columns.tolist() == ["note"]


# --- each DataError, checked for its message -------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "vide.csv", r"Fichier « vide\.csv » : le fichier est vide"),
        (b"  \n \n", "blancs.csv", r"le fichier est vide"),
        (bytes(range(256)) * 4, "binaire.csv", r"ne contient pas de texte \(contenu binaire\)"),
        (b"%PDF-1.7 ...", "scan.csv", r"format non pris en charge \(un PDF\)"),
        (b"a;b\n1;2\n", "notes.docx", r"format non pris en charge \(un fichier \.docx\).*Formats acceptés"),
        (b"not a workbook", "faux.xlsx", r"porte l'extension d'un classeur mais n'en est pas un"),
        (b"a;b\n", "entete.csv", r"aucune ligne de données \(seulement l'en-tête\)"),
        (b"a;b\n1;2\n3\n4;5;6\n", "bancal.csv", r"2 lignes n'ont pas le même nombre de colonnes.*\(lignes 3, 4\).*point-virgule"),
    ],
)
def test_bad_files_get_a_french_message_naming_the_file(data, name, expected):
    with pytest.raises(DataError) as info:
        read_table(data, name)
    assert re.search(expected, plain(str(info.value))), str(info.value)


def test_row_limit_is_stated():
    with pytest.raises(DataError) as info:
        read_table(b"a\n" + b"1\n" * 11, "long.csv", max_rows=10)
    assert "le tableau compte 11 lignes, au-delà de la limite de 10" in plain(str(info.value))


def test_missing_column_names_expected_and_available():
    df = read_table(b"code;name\n75056;Paris\n", "communes.csv")
    with pytest.raises(DataError) as info:
        validate(df, COMMUNES)
    message = plain(str(info.value))
    assert "communes.csv" in message and "colonnes obligatoires introuvables" in message
    assert "population" in message and "Colonnes du fichier : « code », « name »" in message


def test_text_in_a_numeric_column_names_rows_and_values():
    df = read_table(b"code_insee;nom;population;latitude;longitude\n75056;Paris;2100000;48,85;2,35\n"
                    b"93066;Saint-Denis;environ 150000;48,93;2,35\n", "communes.csv")
    with pytest.raises(DataError) as info:
        validate(df, COMMUNES)
    message = plain(str(info.value))
    assert message.startswith("Fichier « communes.csv », colonne « population » : 1 valeur non numérique : « environ 150000 » (ligne 3).")


def test_out_of_range_latitude_names_the_row_and_the_range():
    df = read_table(b"code_insee;nom;population;latitude;longitude\n75056;Paris;1;48,85;2,35\n"
                    b"93066;Saint-Denis;1;2,35;48,93\n", "communes.csv")
    with pytest.raises(DataError) as info:
        validate(df, COMMUNES)
    message = plain(str(info.value))
    assert "colonne « latitude »" in message and "hors de la plage attendue (entre 48 et 49,5 °)" in message
    assert "(ligne 3)" in message
