"""The water sample data: deterministic, within budget, shaped as documented, with its ground truth."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sandbox.data import load_sample, sample_dir
from sandbox.data.generators.water import generate, iter_chunks, simulate

FILES = ("readings.parquet", "households.csv", "events.csv", "export_releveur.csv")


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_committed_samples_are_what_the_generator_writes_with_seed_2026(tmp_path):
    paths = generate(tmp_path, 2026)
    assert [p.name for p in paths] == list(FILES)
    committed = sample_dir() / "water"
    for name in FILES:
        assert _digest(tmp_path / "water" / name) == _digest(committed / name), name
    assert sum((committed / n).stat().st_size for n in FILES) <= 8 * 1024 * 1024


def test_households_do_not_depend_on_the_chunk_size():
    small = [c.readings for c in iter_chunks(12, 5, days=20, chunk_size=5)]
    whole = [c.readings for c in iter_chunks(12, 5, days=20, chunk_size=12)]
    a = pd.concat([t.to_pandas() for t in small], ignore_index=True)
    b = whole[0].to_pandas()
    pd.testing.assert_frame_equal(a.astype({"compteur": str}), b.astype({"compteur": str}))


def test_sample_shape_and_ground_truth():
    readings = pq.read_table(sample_dir() / "water" / "readings.parquet")
    assert readings.column_names == ["compteur", "date_heure", "volume_litres"]
    homes = load_sample("water/households")
    assert len(homes) == 500 and set(homes["logement"]) == {"appartement", "maison"}
    # 500 meters × 8760 hours, less the planted gaps, plus the planted duplicates.
    events = pd.read_csv(sample_dir() / "water" / "events.csv", sep=";", parse_dates=["debut", "fin"])
    gaps = events[events["type"] == "lacune"]
    missing = int(((gaps["fin"] - gaps["debut"]) / pd.Timedelta(hours=1)).sum())
    duplicates = int((events["type"] == "doublon").sum())
    assert readings.num_rows == 500 * 8760 - missing + duplicates
    leaks = events[events["type"] == "fuite"]
    assert len(leaks) >= 30 and leaks["debit_l_h"].between(2, 50).all()
    assert {"compteur bloqué", "valeur figée", "lacune", "remplissage de piscine"} <= set(events["type"])
    export = load_sample("water/export_releveur")
    assert list(export.columns) == ["user key", "datetime", "meter reading", "diff"]
    assert export["datetime"].iloc[0] == "01/03/2025 01:00:00"
    raw = (sample_dir() / "water" / "export_releveur.csv").read_text(encoding="utf-8").splitlines()
    assert raw[2] .split(";")[2].count(",") == 1  # decimal commas


def test_planted_leaks_are_continuous_flows_on_the_meter():
    sim = simulate(30, 99, days=60)
    df = sim.readings.to_pandas()
    for rec in sim.events[sim.events["type"] == "fuite"].itertuples():
        one = df[df["compteur"] == rec.compteur].set_index("date_heure")["volume_litres"]
        after = one[(one.index > rec.debut + pd.Timedelta(hours=1)) & (one.index <= rec.debut + pd.Timedelta(days=3))]
        assert (after >= np.floor(rec.debit_l_h * 0.6)).all()
