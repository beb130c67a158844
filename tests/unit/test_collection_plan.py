"""Today's rounds on a hand-checked case, balanced sectors, the fill prediction, the sample plan, its exports, map and command."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sandbox.cli import main
from sandbox.data import DataError, load_sample, validate
from sandbox.data.schemas.collection import HISTORY, POINTS, SITES
from sandbox.models.collection.labels import Status
from sandbox.models.collection.plan import DIESEL_KG_CO2E_PER_L, Fleet, Site, plan_collection
from sandbox.models.collection.fill import forecast_fill
from sandbox.models.collection.sectors import BalancedSectors, nearest_neighbour_rounds, sector_balance
from sandbox.text import plain
from sandbox.ui.maps import external_urls
from sandbox.pages.collection.map import build_routes_map


@pytest.fixture(scope="module")
def sample():
    points = validate(load_sample("collection/points"), POINTS).frame
    sites = validate(load_sample("collection/sites"), SITES).frame.set_index("role")
    history = validate(load_sample("collection/history"), HISTORY).frame
    depot = Site(sites.loc["dépôt", "name"], sites.loc["dépôt", "latitude"], sites.loc["dépôt", "longitude"])
    disposal = Site(sites.loc["exutoire", "name"], sites.loc["exutoire", "latitude"], sites.loc["exutoire", "longitude"])
    return points, depot, disposal, history


@pytest.fixture(scope="module")
def forecast(sample):
    points, _, _, history = sample
    return forecast_fill(history, points=points, random_state=0)


@pytest.fixture(scope="module")
def om_plan(sample, forecast):
    points, depot, disposal, _ = sample
    return plan_collection(points, depot, disposal=disposal, stream="OM", fleet=Fleet(vehicles=3), forecast=forecast,
                           skip_below=30, time_limit=2.0, seed=0)


# --- baseline ------------------------------------------------------------------------------


def test_nearest_neighbour_baseline_on_a_hand_checked_line():
    # Depot at 0; sector A at 1, 2, 4; sector B at −1, −3; capacity 2; the trucks empty at the depot.
    x = np.array([0.0, 1.0, 2.0, 4.0, -1.0, -3.0])
    d = np.abs(x[:, None] - x[None, :])
    result = nearest_neighbour_rounds(
        d, [0, 1, 1, 1, 1, 1], 2, ["", "A", "A", "A", "B", "B"], durations=d * 60,
        service_times=[0, 30, 30, 30, 30, 30], unload_time=100,
    )
    # A: 0→1→2 (2), empty at the depot (2), 0→4 (4), back (4) = 12.  B: 0→−1→−3 (3), back (3) = 6.
    assert result.trips == (((1, 2), (3,)), ((4, 5),))
    assert result.distances == (12.0, 6.0) and result.total_distance == 18.0
    assert result.trip_loads == ((2.0, 1.0), (2.0,))
    # Durations: travel 60 s per unit, 30 s per point, 100 s per unloading (mid-round and final).
    assert result.durations == (12 * 60 + 3 * 30 + 2 * 100, 6 * 60 + 2 * 30 + 100)
    assert result.starts[0] == (60.0, 60 + 30 + 60.0, 60 + 30 + 60 + 30 + 120 + 100 + 240.0)


def test_nearest_neighbour_baseline_with_a_disposal_site():
    x = np.array([0.0, 10.0, 1.0, 2.0])  # depot, disposal at 10, two points
    d = np.abs(x[:, None] - x[None, :])
    result = nearest_neighbour_rounds(d, [0, 0, 1, 1], 1, ["", "", "A", "A"], disposal=1)
    # 0→1 (1), full: to the disposal site (9), back to 2 (8), to the disposal site (8), home (10) = 36.
    assert result.trips == (((2,), (3,)),) and result.total_distance == 36.0


def test_balanced_sectors_even_out_the_load():
    rng = np.random.default_rng(0)
    dense = rng.normal([0, 0], 0.3, (150, 2))
    sparse = rng.normal([3, 3], 1.0, (50, 2))
    X = np.vstack([dense, sparse])
    sectors = BalancedSectors(n_sectors=4, tolerance=0.05, random_state=0).fit(X)
    assert sector_balance(sectors.loads_) <= 1.05 + 1e-9
    assert sectors.labels_.shape == (200,) and set(sectors.labels_) == {0, 1, 2, 3}
    weights = rng.uniform(1, 10, 200)
    weighted = BalancedSectors(n_sectors=3, tolerance=0.1, random_state=0).fit(X, sample_weight=weights)
    assert weighted.loads_.max() <= weights.sum() / 3 * 1.1 + weights.max()


# --- prediction ----------------------------------------------------------------------------


def test_prediction_beats_the_naive_forecast_on_the_sample(forecast):
    ev = forecast.evaluation
    assert ev.date == pd.Timestamp("2026-03-31") and ev.n_points > 380
    assert ev.mae_model < 0.5 * ev.mae_naive
    assert forecast.date == pd.Timestamp("2026-04-01")
    frame = forecast.frame
    assert len(frame) == 400 and frame["fill_pred"].between(0, 100).all()
    assert frame["overflow_risk"].between(0, 1).all()
    # Glass is emptied every 14 days, household waste every 2 days from a Wednesday.
    assert frame.loc["VER-001", "next_days"] == 14 and frame.loc["OM-001", "next_days"] == 2


def test_prediction_learns_a_known_filling_rhythm():
    days = pd.date_range("2026-03-02", periods=28)
    rows = []
    for point, rate in (("A", 8.0), ("B", 4.0), ("C", 12.0)):
        level = 0.0
        for k, day in enumerate(days):
            emptied = k % 7 == 6
            rows.append((point, day, level, emptied))
            level = 0.0 + rate if emptied else level + rate
    history = pd.DataFrame(rows, columns=["id", "date", "fill_pct", "emptied"])
    forecast = forecast_fill(history, random_state=0)
    # Day 28 (29 March) was an emptying day: on the 30th each bin holds one day of waste.
    assert forecast.frame["fill_pred"].to_dict() == pytest.approx({"A": 8.0, "B": 4.0, "C": 12.0}, abs=1.5)
    assert forecast.evaluation.mae_model < forecast.evaluation.mae_naive


# --- the sample plan -----------------------------------------------------------------------


def test_sample_plan_serves_each_point_once_within_capacity_windows_and_shift(om_plan):
    plan = om_plan
    served = [p for r in plan.optimised.routes for p in r]
    assert len(served) == len(set(served))
    skipped = set(range(len(plan.points))) - set(served)
    assert all(plan.points["optional"].iloc[p] for p in skipped)  # only optional points may be skipped
    assert all(load <= plan.fleet.capacity_l + 1e-6 for trips in plan.optimised.trip_loads for load in trips)
    assert max(plan.optimised.durations) <= plan.fleet.shift_hours * 3600 + 1
    timed = plan.points[plan.points["tw_end_min"].notna() & (plan.points["status"] == Status.SERVED)]
    assert len(timed) > 0
    for _, row in timed.iterrows():
        assert row["arrival"] <= "08\u00a0h\u00a000"


def test_sample_plan_figures_against_today(om_plan):
    plan = om_plan
    figures = {f.key: f for f in plan.figures()}
    assert set(figures) == {"km", "hours", "trucks", "load_pct", "co2_kg", "points_skipped", "overflow_expected"}
    km = figures["km"]
    assert km.value == pytest.approx(sum(plan.optimised.distances)) and km.baseline == pytest.approx(plan.baseline.total_distance)
    assert km.change < -0.15  # the value the demo promises
    assert figures["co2_kg"].value == pytest.approx(km.value * 0.60 * DIESEL_KG_CO2E_PER_L)
    assert figures["trucks"].baseline == 3  # today's three sectors
    assert figures["points_skipped"].value == (plan.points["status"] != Status.SERVED).sum()


def test_route_sheets_and_geojson(om_plan):
    plan = om_plan
    sheets = plan.route_sheets()
    assert len(sheets) == plan.optimised.n_routes
    sheet = sheets[1]
    stops = sheet[sheet["étape"] == "collecte"]
    assert stops["identifiant"].tolist() == plan.points["id"].iloc[list(plan.optimised.routes[0])].tolist()
    assert sheet["étape"].iloc[0] == "départ" and sheet["étape"].iloc[-1] == "retour"
    assert (sheet["étape"] == "vidage").sum() == len(plan.optimised.trips[0])
    assert sheet["km cumulés"].iloc[-1] == pytest.approx(plan.optimised.distances[0], abs=0.01)
    geo = plan.to_geojson()
    lines = [f for f in geo["features"] if f["geometry"]["type"] == "LineString"]
    stops_geo = [f for f in geo["features"] if f["geometry"]["type"] == "Point"]
    assert len(lines) == plan.optimised.n_routes and len(stops_geo) == len(plan.optimised.served)
    assert lines[0]["geometry"]["coordinates"][0] == [round(plan.depot.longitude, 6), round(plan.depot.latitude, 6)]
    json.dumps(geo)


def test_why_this_point(om_plan):
    plan = om_plan
    served = plan.points[plan.points["status"] == Status.SERVED].iloc[0]
    why = plan.explain(served["id"])
    assert why.status == Status.SERVED and why.extra_km >= -1e-9 and "camion" in why.text
    skipped = plan.points[plan.points["status"] == Status.OPTIONAL_SKIPPED]
    assert len(skipped) > 0
    why = plan.explain(skipped["id"].iloc[0])
    assert why.status == Status.OPTIONAL_SKIPPED and "seuil de 30" in plain(why.text)
    assert "débordement" in why.text and why.extra_km > 0
    with pytest.raises(KeyError):
        plan.explain("n'existe pas")


def test_the_map_is_offline_and_draws_every_point_and_route(om_plan):
    plan = om_plan
    for view in ("optimised", "baseline", "sectors"):
        fmap = build_routes_map(plan, view=view, selected=plan.points["id"].iloc[0])
        assert external_urls(fmap) == []
        html = fmap.get_root().render()
        assert html.count('"type": "Point"') >= len(plan.points)
        if view == "optimised":
            assert html.count('"type": "LineString"') == plan.optimised.n_routes
            assert "Camion 1 —" in html and "Non collecté aujourd" in html
        elif view == "baseline":
            assert html.count('"type": "LineString"') == plan.baseline.n_routes and "Secteur OM-A" in html
        else:
            assert '"type": "LineString"' not in html and "Secteurs équilibrés" in html
    with pytest.raises(ValueError):
        build_routes_map(plan, view="satellite")


# --- command line ---------------------------------------------------------------------------


def test_command_writes_sheets_and_geojson_and_prints_totals(repo, tmp_path, capsys):
    code = main([
        "routes", str(repo / "sample_data/collection/points.csv"), "--vehicles", "2", "--capacity", "40000",
        "--depot", "48.86011,2.479451", "--disposal", "48,892869;2,446292", "--stream", "emballages",
        "--time-limit", "1", "--out", str(tmp_path),
    ])
    out = plain(capsys.readouterr().out)
    assert code == 0
    assert "Distance totale" in out and "par rapport aux tournées actuelles" in out
    assert (tmp_path / "camion_01.csv").is_file() and (tmp_path / "tournees.geojson").is_file()
    sheet = pd.read_csv(tmp_path / "camion_01.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert sheet["identifiant"].dropna().str.startswith("EMB-").all()


def test_command_bad_depot_is_a_french_error(repo, capsys):
    code = main(["routes", str(repo / "sample_data/collection/points.csv"), "--vehicles", "2", "--capacity", "40000",
                 "--depot", "quarante-huit"])
    assert code == 2 and "Coordonnées du dépôt illisibles" in capsys.readouterr().err


def test_command_refuses_absurd_magnitudes_with_a_french_message(tmp_path, capsys):
    """Issue 14 #11: contenance_l = 1e308 is a typing error, named with its row, not a traceback."""
    points = tmp_path / "points.csv"
    points.write_text(
        "identifiant;latitude;longitude;flux;contenance_l\n"
        "A;48,86;2,44;verre;660\nB;48,861;2,441;verre;1e308\nC;48,862;2,442;verre;660\n", encoding="utf-8")
    code = main(["routes", str(points), "--vehicles", "1", "--capacity", "40000", "--depot", "48.86011,2.479451",
                 "--time-limit", "0.5", "--out", str(tmp_path / "out")])
    err = plain(capsys.readouterr().err)
    assert code == 2 and "Traceback" not in err
    assert "hors de la plage attendue" in err and "« contenance_l »" in err and "(ligne 3)" in err


def test_model_refuses_absurd_magnitudes_even_without_the_schema():
    points = pd.DataFrame({"id": ["A", "B"], "latitude": [48.86, 48.861], "longitude": [2.44, 2.441],
                           "container_l": [660.0, 1e308]}, index=[0, 1])
    with pytest.raises(DataError) as err:
        plan_collection(points, depot=(48.864, 2.452), fleet=Fleet(vehicles=1, capacity_l=4000), time_limit=0.3)
    text = plain(str(err.value))
    assert "valeur démesurée" in text and "« contenance du bac »" in text and "(ligne 3)" in text and "1e+308" in text


def test_command_refuses_an_absurd_capacity(repo, tmp_path, capsys):
    code = main(["routes", str(repo / "sample_data/collection/points.csv"), "--vehicles", "2", "--capacity", "1e308",
                 "--depot", "48.86011,2.479451", "--time-limit", "0.5", "--out", str(tmp_path)])
    err = plain(capsys.readouterr().err)
    assert code == 2 and "capacité" in err and "Traceback" not in err


def test_route_sheets_neutralise_formulas_in_cells(tmp_path):
    """Issue 14 #5: an id such as =HYPERLINK(…) reaches the CSV as text, never as a formula."""
    import io
    import zipfile

    from sandbox.models.collection.exports import route_sheets_zip

    points = pd.DataFrame({
        "id": ["=HYPERLINK(\"http://x\")", "+33 1", "-2+3", "@SUM(A1)"],
        "latitude": [48.860, 48.862, 48.866, 48.868], "longitude": [2.440, 2.446, 2.440, 2.446],
        "container_l": [660.0] * 4,
    })
    result = plan_collection(points, depot=Site("=cmd|' /C calc'!A0", 48.864, 2.452), fleet=Fleet(vehicles=1, capacity_l=4000),
                             time_limit=0.3, seed=0, max_iterations=100)
    with zipfile.ZipFile(io.BytesIO(route_sheets_zip(result))) as zf:
        assert zf.namelist() == ["camion_01.csv"]
        text = zf.read("camion_01.csv").decode("utf-8-sig")
    cells = [cell for line in text.splitlines()[1:] for cell in line.split(";")]
    assert not [c for c in cells if c and (c[0] in "=+@" or (c[0] == "-" and not c[1:].replace(",", "").isdigit()))]
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
