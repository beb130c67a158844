"""Each bad input of the issue: a French message naming the rows and the meters, and the other meters still analysed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sandbox.data import DataError, read_table, validate
from sandbox.data.schemas.water import READINGS
from sandbox.models.water import Readings, WaterParams, analyse
from sandbox.text import plain

HOURS = 24 * 8
TIMES = pd.date_range("2025-03-01 01:00", periods=HOURS, freq="h")


def _litres(meter: str) -> np.ndarray:
    rng = np.random.default_rng(abs(hash(meter)) % 1000)
    hour = np.arange(HOURS) % 24
    use = np.where(np.isin(hour, [7, 8, 19, 20, 21]), rng.integers(10, 60, HOURS), 0).astype(float)
    if meter == "A":  # a leak of 4 L/h from 02/03 at 14:00
        use[np.arange(HOURS) >= 24 + 14] += 4.0
    return use


def _rows(meters=("A", "B", "C"), fmt="%d/%m/%Y %H:%M:%S", index=False) -> list[list[str]]:
    rows = []
    for m in meters:
        litres = _litres(m)
        values = 1000 + np.cumsum(litres) if index else litres
        for t, v in zip(TIMES, values):
            rows.append([m, t.strftime(fmt), f"{v:.1f}".replace(".", ",")])
    return rows


def _csv(rows: list[list[str]], header=("compteur", "date_heure", "volume_litres")) -> bytes:
    return ("\n".join([";".join(header)] + [";".join(r) for r in rows]) + "\n").encode("utf-8")


def _run(data: bytes, name: str = "releves.csv", mapping=None):
    df = read_table(data, name)
    v = validate(df, READINGS, mapping, errors="drop")
    readings = Readings.from_validated(v)
    return v, analyse(readings, None, WaterParams())


def _row_of(rows: list[list[str]], meter: str, k: int) -> int:
    """Spreadsheet row of the k-th reading of *meter* (header = row 1)."""
    return [i for i, r in enumerate(rows) if r[0] == meter][k] + 2


def _leak_found_on_a(result) -> None:
    assert [a.meter for a in result.leaks.alerts] == ["A"]
    assert result.leaks.alerts[0].start == pd.Timestamp("2025-03-02 14:00")


def test_unparseable_dates_are_named_by_row_and_meter_and_the_rest_is_analysed():
    rows = _rows()
    bad = [_row_of(rows, "B", 40), _row_of(rows, "B", 41)]
    rows[bad[0] - 2][1] = "32/13/2025 25:00:00"
    rows[bad[1] - 2][1] = "hier soir"
    v, result = _run(_csv(rows))
    notes = plain(" ".join(result.quality.notes))
    assert f"lignes {bad[0]}, {bad[1]}" in notes and "illisible comme date" in notes
    assert f"compteur « B » (lignes {bad[0]}, {bad[1]})" in notes
    _leak_found_on_a(result)
    assert set(result.analysed_meters()) == {"A", "B", "C"}
    gaps = result.quality.gaps
    assert gaps[gaps["compteur"] == "B"]["heures"].tolist() == [2.0]  # the two unreadable hours are a gap, not a leak


def test_a_mix_of_date_formats_is_read_and_reported():
    rows = [r for r in _rows(("A", "B")) if r[0] == "A"] + _rows(("B",), fmt="%Y-%m-%dT%H:%M:%S")
    v, result = _run(_csv(rows))
    notes = plain(" ".join(result.quality.notes))
    assert "Formats de date mélangés" in notes and "JJ/MM/AAAA hh:mm:ss" in notes and "ISO 8601" in notes
    _leak_found_on_a(result)
    i = result.series.meter_position("B")
    np.testing.assert_array_equal(result.series.volume[i][: HOURS], _litres("B"))


def test_day_and_month_swapped_on_some_rows_are_out_of_sequence():
    rows = _rows(("A", "B"))
    k = _row_of(rows, "B", 30)  # 02/03/2025 07:00 written the American way
    rows[k - 2][1] = pd.Timestamp(TIMES[30]).strftime("%m/%d/%Y %H:%M:%S")
    v, result = _run(_csv(rows))
    issues = result.quality.issues
    back = issues[issues["problème"] == "relevé hors séquence"]
    assert back["compteur"].tolist() == ["B"] and back["lignes"].tolist() == [str(k)]
    _leak_found_on_a(result)


def test_a_cumulative_index_going_backwards_is_named_and_the_rest_is_analysed():
    rows = _rows(index=True)
    k = _row_of(rows, "C", 100)
    value = float(rows[k - 2][2].replace(",", "."))
    rows[k - 2][2] = f"{value - 500:.1f}".replace(".", ",")  # the index drops by 500 L on one reading
    data = _csv(rows, header=("compteur", "date_heure", "index"))
    v, result = _run(data)
    assert result.quality.conversion.kind == "index"
    issues = result.quality.issues
    back = issues[issues["problème"] == "index en recul"]
    assert back["compteur"].tolist() == ["C"] and back["lignes"].iloc[0] == str(k)
    assert f"ligne {k - 1}" in plain(back["détail"].iloc[0])
    assert result.quality.status("C") == "à vérifier"
    _leak_found_on_a(result)


def test_volumes_with_text_are_ignored_by_row_and_meter():
    rows = _rows()
    bad = [_row_of(rows, "C", 5), _row_of(rows, "C", 6), _row_of(rows, "B", 50)]
    rows[bad[0] - 2][2] = "erreur"
    rows[bad[1] - 2][2] = "12 L"
    rows[bad[2] - 2][2] = "N/D"
    v, result = _run(_csv(rows))
    notes = plain(" ".join(result.quality.notes))
    assert "non numérique" in notes and "volume consommé" in notes
    assert f"compteur « C » (lignes {bad[0]}, {bad[1]})" in notes
    assert f"compteur « B » (ligne {bad[2]})" in notes
    _leak_found_on_a(result)
    assert set(result.analysed_meters()) == {"A", "B", "C"}


def test_readings_without_a_meter_id_are_named_and_left_out():
    rows = _rows()
    bad = [_row_of(rows, "B", 12), _row_of(rows, "B", 13)]
    for k in bad:
        rows[k - 2][0] = ""
    v, result = _run(_csv(rows))
    notes = plain(" ".join(result.quality.notes))
    assert f"2 relevés sans identifiant de compteur ignorés (lignes {bad[0]}, {bad[1]})" in notes
    assert sorted(result.meters) == ["A", "B", "C"]
    _leak_found_on_a(result)


def test_a_meter_with_three_readings_is_named_and_not_analysed():
    rows = _rows(("A", "B"))
    rows += [["D", t.strftime("%d/%m/%Y %H:%M:%S"), "3,0"] for t in TIMES[:3]]
    v, result = _run(_csv(rows))
    issues = result.quality.issues
    few = issues[issues["problème"] == "trop peu de relevés"]
    assert few["compteur"].tolist() == ["D"]
    last = len(rows) + 1  # spreadsheet row of the last line (header = row 1)
    assert f"3 relevés seulement (lignes {last - 2}, {last - 1}, {last})" in plain(few["détail"].iloc[0])
    assert result.quality.status("D") == "non analysable"
    assert "D" not in set(result.messages.table["compteur"])
    _leak_found_on_a(result)


def test_a_file_without_a_meter_column_is_one_meter():
    rows = [r[1:] for r in _rows(("A",))]
    v, result = _run(_csv(rows, header=("date_heure", "volume_litres")))
    assert v.mapping["meter"] is None
    assert list(result.meters) == ["compteur unique"]
    assert any("un seul compteur" in n for n in result.quality.notes)
    assert [a.meter for a in result.leaks.alerts] == ["compteur unique"]


def test_several_meters_without_a_meter_column_get_a_french_error():
    rows = [r[1:] for r in _rows(("A", "B"))]
    with pytest.raises(DataError) as err:
        _run(_csv(rows, header=("date_heure", "volume_litres")), name="sans_compteur.csv")
    message = plain(str(err.value))
    assert message.startswith("Fichier « sans_compteur.csv » : le fichier n'a pas de colonne « compteur »")
    assert "--col meter=COLONNE" in message


def test_a_file_with_neither_volume_nor_index_gets_a_french_error():
    rows = [r[:2] for r in _rows(("A",))]
    with pytest.raises(DataError, match="volumes consommés ou une colonne d'index"):
        _run(_csv(rows, header=("compteur", "date_heure")))
