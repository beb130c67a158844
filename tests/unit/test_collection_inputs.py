"""Each bad input of the collection demo gets a French message naming the rows, and the rest keeps working."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sandbox.data import DataError, read_table, validate
from sandbox.data.schemas.collection import HISTORY, POINTS, SITES
from sandbox.models.collection.inputs import check_coordinates, matrix_from_table
from sandbox.models.collection.labels import Status
from sandbox.models.collection.plan import Fleet, plan_collection
from sandbox.models.collection.times import parse_clock
from sandbox.models.collection.fill import forecast_fill
from sandbox.text import plain

DEPOT = (48.8601, 2.4795)
HEADER = "identifiant;latitude;longitude;flux;contenance_l\n"


def points_csv(*rows: str) -> pd.DataFrame:
    return read_table((HEADER + "\n".join(rows) + "\n").encode("utf-8"), "points.csv")


def good_rows(n: int = 6) -> list[str]:
    rng = np.random.default_rng(0)
    return [
        f"P{i};{48.855 + rng.uniform(0, 0.015):.5f};{2.43 + rng.uniform(0, 0.03):.5f};ordures ménagères;660".replace(".", ",")
        for i in range(n)
    ]


def plan(frame: pd.DataFrame, **kwargs):
    kwargs.setdefault("fleet", Fleet(vehicles=2, capacity_l=5000))
    return plan_collection(frame, DEPOT, time_limit=0.3, seed=0, **kwargs)


def test_the_sample_columns_are_recognised_without_mapping(repo):
    df = read_table(repo / "sample_data/collection/points.csv")
    result = validate(df, POINTS)
    assert result.mapping["id"] == "identifiant" and result.mapping["container_l"] == "contenance_l"
    assert result.mapping["tw_end"] == "fin_creneau" and result.mapping["sector"] == "secteur"
    assert len(result.frame) == 400
    sites = validate(read_table(repo / "sample_data/collection/sites.csv"), SITES).frame
    assert sorted(sites["role"]) == ["dépôt", "exutoire"]
    history = validate(read_table(repo / "sample_data/collection/history.csv"), HISTORY).frame
    assert history["emptied"].dtype == "boolean" and history["date"].min() == pd.Timestamp("2026-03-02")


def test_missing_coordinates_are_dropped_with_their_rows_named_and_the_rest_is_planned():
    df = points_csv(*good_rows(5), "P9;;2,44;ordures ménagères;660")
    result = validate(df, POINTS)
    assert any("ligne 7" in plain(w) and "latitude" in w for w in result.warnings)
    assert len(plan(result.frame).points) == 5


def test_non_numeric_coordinates_name_the_rows():
    df = points_csv(*good_rows(3), "P9;48,86;deux virgule quatre;ordures ménagères;660")
    with pytest.raises(DataError) as err:
        validate(df, POINTS)
    text = plain(str(err.value))
    assert "« longitude »" in text and "(ligne 5)" in text and "non numérique" in text


def test_swapped_latitude_and_longitude_are_detected_said_and_put_back():
    rows = good_rows(4)
    rows.append("P8;2,45;48,862;ordures ménagères;660")
    frame = validate(points_csv(*rows), POINTS).frame
    fixed, warnings = check_coordinates(frame)
    assert fixed.loc[4, ["latitude", "longitude"]].tolist() == [48.862, 2.45]
    assert "inversées" in warnings[0] and "ligne 6" in plain(warnings[0])
    result = plan(frame)
    assert len(result.points) == 5 and any("inversées" in w for w in result.warnings)


def test_points_far_outside_ile_de_france_are_said_and_left_out():
    rows = good_rows(4) + ["P8;43,2965;5,3698;ordures ménagères;660"]  # Marseille
    frame = validate(points_csv(*rows), POINTS).frame
    result = plan(frame)
    assert len(result.points) == 4
    warning = plain(next(w for w in result.warnings if "Île-de-France" in w))
    assert "ligne 6" in warning and "« P8 »" in warning


def test_no_point_in_ile_de_france_is_an_error():
    frame = validate(points_csv("P1;43,29;5,37;verre;3000", "P2;0;0;verre;3000"), POINTS).frame
    with pytest.raises(DataError) as err:
        plan(frame)
    assert "Île-de-France" in str(err.value) and "lignes 2, 3" in plain(str(err.value))


def test_duplicate_ids_name_the_rows():
    rows = good_rows(4) + [good_rows(6)[5].replace("P5", "P1")]
    with pytest.raises(DataError) as err:
        validate(points_csv(*rows), POINTS)
    text = plain(str(err.value))
    assert "« P1 »" in text and "lignes 3, 6" in text


def test_demand_larger_than_a_truck_names_the_rows():
    rows = good_rows(3) + ["P7;48,86;2,44;verre;4000"]
    frame = validate(points_csv(*rows), POINTS).frame
    with pytest.raises(DataError) as err:
        plan(frame, fleet=Fleet(vehicles=2, capacity_l=3000))
    text = plain(str(err.value))
    assert "« P7 »" in text and "(ligne 5)" in text and "capacité" in text


def test_fleet_too_small_says_how_many_trucks_and_serves_what_it_can():
    rng = np.random.default_rng(1)
    rows = [
        f"Q{i};{48.85 + rng.uniform(0, 0.02):.5f};{2.42 + rng.uniform(0, 0.05):.5f};verre;3000".replace(".", ",")
        for i in range(40)
    ]
    frame = validate(points_csv(*rows), POINTS).frame
    frame["service_min"] = 15.0  # 40 glass banks × 15 minutes: 10 hours of work
    result = plan(frame, fleet=Fleet(vehicles=1, capacity_l=60_000, shift_hours=4))
    assert result.shortfall is not None
    assert "il en faut au moins 3 camions" in plain(result.shortfall)
    served = result.points["status"] == Status.SERVED
    assert 0 < served.sum() < 40 and (result.points.loc[~served, "status"] == Status.UNSERVED).all()
    assert result.optimised.durations[0] <= 4 * 3600
    left_out = result.points.loc[~served, "id"].iloc[0]
    why = result.explain(left_out)
    assert why.status == Status.UNSERVED and "durée de service" in why.reasons


def test_zero_points_for_the_chosen_stream_or_an_empty_table():
    frame = validate(points_csv(*good_rows(3)), POINTS).frame
    with pytest.raises(DataError) as err:
        plan(frame, stream="verre")
    assert "Aucun point à collecter pour le flux « verre »" in plain(str(err.value))
    with pytest.raises(DataError, match="(?i)aucun point"):
        plan(frame.iloc[0:0])
    with pytest.raises(DataError, match="aucune ligne de données"):
        validate(read_table(HEADER.encode(), "vide.csv"), POINTS)


def test_unknown_volume_names_the_rows():
    df = read_table(b"id;latitude;longitude\nA;48,86;2,44\nB;48,861;2,441\n", "p.csv")
    frame = validate(df, POINTS).frame
    with pytest.raises(DataError) as err:
        plan(frame)
    assert "Volume à collecter inconnu" in str(err.value) and "lignes 2, 3" in plain(str(err.value))


def test_unreadable_time_window_names_the_rows():
    df = read_table(
        b"id;latitude;longitude;contenance_l;fin_creneau\nA;48,86;2,44;660;08:00\nB;48,861;2,441;660;midi\n", "p.csv"
    )
    frame = validate(df, POINTS).frame
    with pytest.raises(DataError) as err:
        plan(frame)
    assert "« midi »" in plain(str(err.value)) and "(ligne 3)" in plain(str(err.value))
    assert parse_clock("7h45") == 465.0


def test_distance_matrix_of_the_wrong_size_or_missing_places():
    ids = ["A", "B"]
    square = pd.DataFrame({"lieu": ["dépôt", "A", "B"], "dépôt": [0, 1, 2], "A": [1, 0, 3], "B": [2, 3, 0]})
    assert matrix_from_table(square, ids, disposal_label=None).shape == (4, 4)
    with pytest.raises(DataError) as err:
        matrix_from_table(square, ["A", "B", "C"], disposal_label=None)
    assert "« C »" in plain(str(err.value))
    not_square = square.drop(columns=["B"])
    with pytest.raises(DataError, match="carrée"):
        matrix_from_table(not_square, ids, disposal_label=None)
    frame = validate(points_csv(*good_rows(3)), POINTS).frame
    with pytest.raises(DataError) as err:
        plan(frame, matrix_km=np.zeros((4, 4)))
    assert "4 × 4" in plain(str(err.value)) and "5 × 5" in plain(str(err.value))


def test_depot_swapped_or_outside_the_region():
    frame = validate(points_csv(*good_rows(3)), POINTS).frame
    with pytest.raises(DataError, match="inversées"):
        plan_collection(frame, (2.47, 48.86), time_limit=0.3)
    with pytest.raises(DataError, match="hors d'Île-de-France"):
        plan_collection(frame, (45.76, 4.83), time_limit=0.3)


def test_history_too_short_is_refused():
    history = pd.DataFrame({"id": ["A"] * 3, "date": pd.date_range("2026-03-01", periods=3), "fill_pct": [10, 20, 30]})
    with pytest.raises(DataError, match="au moins 7"):
        forecast_fill(history)


def test_a_road_distance_matrix_replaces_the_great_circle_estimate():
    frame = validate(points_csv(*good_rows(5)), POINTS).frame
    ids = frame["id"].tolist()
    labels = ["dépôt", *ids]
    rng = np.random.default_rng(3)
    km = rng.uniform(0.5, 3.0, (6, 6))
    km = (km + km.T) / 2
    np.fill_diagonal(km, 0)
    table = pd.DataFrame(km * 1000, columns=labels)
    table.insert(0, "lieu", labels)
    matrix = matrix_from_table(table, ids, disposal_label=None, unit="m")
    result = plan(frame, matrix_km=matrix, fleet=Fleet(vehicles=2, capacity_l=10_000))
    assert result.detour is None
    path = [0]
    for trip in result.optimised.trips[0]:
        path += [p + 2 for p in trip] + [1]
    path.append(0)
    assert result.optimised.distances[0] == pytest.approx(sum(matrix[a, b] for a, b in zip(path[:-1], path[1:])))
