"""Data layer: read_table and validate on a large French export (vs pandas.read_csv); the workbook guard's share of a read."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bench._util import timed
from sandbox.data import Column, Schema, read_table, validate
from sandbox.data.read import check_workbook

ROWS = 1_000_000
WORKBOOK_ROWS = {"xlsx": 100_000, "ods": 20_000}
SCHEMA = Schema(
    "relevés",
    (
        Column("meter", "id", synonyms=("compteur",)),
        Column("timestamp", "datetime", synonyms=("date",)),
        Column("volume", "number", min=0),
    ),
)


def make_export(path: Path, rows: int, french_dates: bool) -> None:
    """A cp1252, ;-separated export with decimal commas, like a utility's."""
    rng = np.random.default_rng(0)
    stamps = pd.date_range("2024-01-01", periods=rows, freq="min")
    fmt = "%d/%m/%Y %H:%M:%S" if french_dates else "%Y-%m-%d %H:%M:%S"
    frame = pd.DataFrame(
        {
            "Compteur": np.char.add("CPT-", (rng.integers(0, 5000, rows)).astype(str)),
            "Date": stamps.strftime(fmt),
            "Volume": rng.gamma(1.5, 8.0, rows).round(2),
        }
    )
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="cp1252")


def workbooks(tmp: str) -> None:
    """The guard reads each sheet's XML by chunks before the reader: what it costs on ordinary files."""
    rng = np.random.default_rng(0)
    for ext, rows in WORKBOOK_ROWS.items():
        frame = pd.DataFrame(
            {
                "compteur": [f"C{i % 5000:05d}" for i in range(rows)],
                "date": pd.date_range("2024-01-01", periods=rows, freq="h").strftime("%d/%m/%Y %H:%M"),
                "volume": rng.gamma(1.5, 8.0, rows).round(2),
                "commune": rng.choice(["Créteil", "Montreuil", "Vincennes"], rows),
            }
        )
        path = Path(tmp) / f"releves.{ext}"
        frame.to_excel(path, index=False, engine="openpyxl" if ext == "xlsx" else "odf")
        data = path.read_bytes()
        guard = timed(lambda: check_workbook(data, path.name), repeat=5)
        read = timed(lambda: read_table(data, path.name), repeat=3)
        print(f"Classeur {ext.upper()} ordinaire, {rows:,} lignes × 4 colonnes, {len(data) / 1e6:.1f} Mo".replace(",", " "))
        print(f"  garde-fou check_workbook (taille décompressée, étendue, répétitions) : {guard}")
        print(f"  read_table (garde-fou compris)                                      : {read}")
        print(f"  part du garde-fou dans la lecture : {guard.median / read.median:.1%}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workbooks(tmp)
        for french in (False, True):
            path = Path(tmp) / "export.csv"
            make_export(path, ROWS, french)
            size = path.stat().st_size / 1e6
            label = "dates JJ/MM/AAAA" if french else "dates ISO"
            baseline = timed(lambda: pd.read_csv(path, sep=";", decimal=",", encoding="cp1252"), repeat=3)
            ours = timed(lambda: read_table(path), repeat=3)
            df = read_table(path)
            checked = timed(lambda: validate(df, SCHEMA), repeat=3)
            print(f"{ROWS:,} lignes, {size:.0f} Mo, {label}".replace(",", " "))
            print(f"  pandas.read_csv (séparateur et décimale donnés à la main) : {baseline}")
            print(f"  read_table (détection automatique)                       : {ours}  → ratio {ours.median / baseline.median:.2f}×")
            print(f"  validate (types, dates, plages)                          : {checked}")
            print(f"  débit lecture + validation : {ROWS / (ours.median + checked.median) / 1e6:.1f} M lignes/s")


if __name__ == "__main__":
    main()
