"""``python -m sandbox water``: the mapping options, the files written, block reading of large files."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from sandbox import cli
from sandbox.commands import water as water_command
from sandbox.data import read_table, sample_path
from sandbox.data.generators.water import Rates, simulate
from sandbox.text import plain


def test_utility_export_through_the_column_options(tmp_path, capsys):
    out = tmp_path / "res"
    code = cli.main([
        "water", str(sample_path("water/export_releveur.csv")), "--col", "meter=user key", "--col", "volume=diff",
        "--out", str(out),
    ])
    printed = capsys.readouterr().out
    assert code == 0
    assert "5 998 relevés de 6 compteurs" in printed
    assert "index cumulé (colonne), en m³ (détecté)" in printed
    assert "passage par zéro du compteur : 1 compteur" in printed
    assert "Fuites probables en cours : 1\n" in printed  # the result's figures, as the page and the sheet read them
    assert "Eau perdue par les fuites en cours : 53 m³/an" in printed  # 6 L/h all year
    assert "Délai avant l'alerte de fuite : 2,7 jours (référence : 91,0 jours)" in plain(printed)
    assert {p.name for p in out.iterdir()} == {
        "alerts.csv", "messages.csv", "quality.csv", "quality_meters.csv", "quality.txt", "unusual_days.csv", "households.csv",
    }
    alerts = read_table(out / "alerts.csv")
    assert alerts["compteur"].tolist() == [40221789]  # meter 2 of the export leaks from 16/03 15:00 at 6 L/h
    assert alerts["début estimé"].iloc[0].startswith("16/03/2025")  # planted at 15:00 that day
    assert alerts["débit (L/h)"].iloc[0] == pytest.approx(6, abs=1)
    messages = read_table(out / "messages.csv")
    assert list(messages.columns) == ["compteur", "canal", "texte"]
    assert set(messages["canal"]) == {"courrier", "SMS"} and len(messages) == 12
    leak_sms = messages[(messages["compteur"] == 40221789) & (messages["canal"] == "SMS")]["texte"].iloc[0]
    assert "écoulement continu depuis le 16/03" in leak_sms
    quality = (out / "quality.txt").read_text(encoding="utf-8")
    assert "de 99 999,997 à 0,023 : le compteur est repassé par zéro (corrigé)" in quality


def test_households_table_with_its_own_mapping(tmp_path, capsys):
    keep = [f"C{100001 + i}" for i in range(120)]
    table = pq.read_table(sample_path("water/readings.parquet"))
    subset = table.filter(pc.is_in(table["compteur"].cast("string"), value_set=pa.array(keep)))
    pq.write_table(subset, tmp_path / "releves.parquet")
    homes = pd.read_csv(sample_path("water/households.csv"), sep=";")
    homes = homes[homes["compteur"].isin(keep)].rename(columns={"compteur": "PDS", "occupants": "nb_pers"})
    homes.to_csv(tmp_path / "logements.csv", sep=";", index=False)
    code = cli.main([
        "water", str(tmp_path / "releves.parquet"), "--households", str(tmp_path / "logements.csv"),
        "--hcol", "meter=PDS", "--hcol", "occupants=nb_pers", "--min-peers", "10", "--out", str(tmp_path / "res"),
    ])
    printed = plain(capsys.readouterr().out)
    assert code == 0
    events = pd.read_csv(sample_path("water/events.csv"), sep=";")
    leaking = sorted(set(events.loc[(events["type"] == "fuite") & events["compteur"].isin(keep), "compteur"]))
    assert f"Fuites probables : {len(leaking)} alertes sur {len(leaking)} compteurs" in printed
    alerts = read_table(tmp_path / "res" / "alerts.csv")
    assert sorted(alerts["compteur"]) == leaking
    profiles = read_table(tmp_path / "res" / "households.csv")
    assert profiles["groupe"].str.startswith("foyers").sum() >= 100  # compared thanks to --hcol occupants=nb_pers


def test_no_meter_column_and_several_meters_exit_with_a_french_message(tmp_path, capsys):
    text = "date;conso\n" + "".join(f"01/03/2025 0{h}:00:00;{h}\n01/03/2025 0{h}:00:00;{h + 1}\n" for h in range(1, 10))
    path = tmp_path / "melange.csv"
    path.write_text(text, encoding="utf-8")
    assert cli.main(["water", str(path), "--out", str(tmp_path / "res")]) == 2
    err = plain(capsys.readouterr().err)
    assert err.startswith("Erreur : Fichier « melange.csv » : le fichier n'a pas de colonne « compteur »")


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    """40 meters × 90 days hourly as a French CSV (≈ 3 MB), one unreadable date far in the file."""
    sim = simulate(40, 777, start="2025-06-01", days=90, rates=Rates(leak=0.3, gap=0.2, stuck=0.05))
    df = sim.readings.to_pandas()
    df["date_heure"] = df["date_heure"].dt.strftime("%d/%m/%Y %H:%M:%S")
    df["volume_litres"] = df["volume_litres"].map(lambda v: f"{v:.0f}")
    bad = len(df) - 1000
    df.loc[bad, "date_heure"] = "31/02/2025 08:00:00"
    path = tmp_path_factory.mktemp("big") / "releves.csv"
    df.to_csv(path, sep=";", index=False)
    return path, bad + 2, str(df.loc[bad, "compteur"])


def test_large_files_read_in_blocks_give_the_same_result(big_csv, tmp_path, capsys, monkeypatch):
    path, bad_row, bad_meter = big_csv
    assert cli.main(["water", str(path), "--out", str(tmp_path / "whole")]) == 0
    whole_err = capsys.readouterr().err
    monkeypatch.setattr(water_command, "BLOCK_BYTES", 200_000)  # about fifteen blocks
    assert cli.main(["water", str(path), "--out", str(tmp_path / "blocks")]) == 0
    blocks_err = plain(capsys.readouterr().err)
    for name in ("alerts.csv", "quality.csv", "messages.csv", "unusual_days.csv"):
        assert (tmp_path / "whole" / name).read_bytes() == (tmp_path / "blocks" / name).read_bytes(), name
    # The unreadable date is named by its row in the whole file, and by its meter.
    assert f"ligne {bad_row}" in blocks_err and f"compteur « {bad_meter} » (ligne {bad_row})" in blocks_err
    assert plain(whole_err).count(f"ligne {bad_row}") == blocks_err.count(f"ligne {bad_row}")
    alerts = read_table(tmp_path / "blocks" / "alerts.csv")
    assert len(alerts) >= 5
