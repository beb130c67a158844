"""``python -m sandbox routes POINTS.csv --vehicles N --capacity C --depot LAT,LON``: optimised collection rounds.

Writes a route sheet per truck (CSV) and the routes as GeoJSON, and prints
the totals against today's rounds (fixed sectors in nearest-neighbour order).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from sandbox.commands._common import add_table_options, output_dir, read_validated
from sandbox.data import DataError, read_table
from sandbox.data.schemas.collection import HISTORY, POINTS
from sandbox.models.collection.plan import (
    ALL_STREAMS, DEFAULT_CONSUMPTION_L_100KM, Fleet, Site, matrix_from_table, plan_collection, streams_in,
)
from sandbox.models.collection.exports import write_route_sheets
from sandbox.models.collection.geo import DEFAULT_DETOUR, DEFAULT_SPEED_KMH
from sandbox.text import num, plain, plural, q


def parse_latlon(text: str, what: str) -> tuple[float, float]:
    """« 48.86,2.44 », « 48,86;2,44 » or « 48,86 2,44 » → (48.86, 2.44).

    >>> parse_latlon("48.86,2.44", "dépôt"), parse_latlon("48,86;2,44", "dépôt")
    ((48.86, 2.44), (48.86, 2.44))
    """
    raw = text.strip()
    if ";" in raw or " " in raw:
        parts = [p for p in re.split(r"[;\s]+", raw) if p]
        parts = [p.replace(",", ".") for p in parts]
    else:
        parts = raw.split(",")
        if len(parts) == 4:  # 48,86,2,44: decimal commas
            parts = [f"{parts[0]}.{parts[1]}", f"{parts[2]}.{parts[3]}"]
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise DataError(
            f"coordonnées {what} illisibles : {q(text)}",
            hint="Écrivez LATITUDE,LONGITUDE en degrés, par exemple 48.8601,2.4794.",
        ) from None
    return lat, lon


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "routes",
        help="optimiser des tournées de collecte des déchets et les comparer aux tournées actuelles",
        description=(
            "Répartit les points de collecte entre les camions et les ordonne (PyVRP, sous un temps de calcul "
            "limité), en respectant capacité, durée de service et créneaux, avec vidage à l'exutoire quand un camion "
            "est plein. Écrit une feuille de route par camion (CSV) et les tournées en GeoJSON, puis affiche les "
            "totaux face aux tournées actuelles (secteurs fixes, du plus proche au plus proche)."
        ),
    )
    parser.add_argument("points", metavar="POINTS", help="points de collecte (CSV, XLSX, ODS ou Parquet)")
    parser.add_argument("--vehicles", type=int, required=True, metavar="N", help="nombre de camions")
    parser.add_argument("--capacity", type=float, required=True, metavar="C", help="capacité d'un camion, dans l'unité des volumes (L)")
    parser.add_argument("--depot", required=True, metavar="LAT,LON", help="coordonnées du dépôt, en degrés")
    parser.add_argument("--disposal", metavar="LAT,LON", help="coordonnées de l'exutoire (sinon, les camions vident au dépôt)")
    parser.add_argument("--time-limit", type=float, default=5.0, metavar="S", help="temps de calcul en secondes (défaut : %(default)s)")
    parser.add_argument("--out", type=Path, default=Path("tournees"), metavar="DIR", help="dossier de sortie (défaut : %(default)s)")
    parser.add_argument("--stream", default=None, metavar="FLUX", help="ne planifier que ce flux (ordures ménagères, emballages, verre…)")
    parser.add_argument("--shift", type=float, default=7.0, metavar="H", help="durée de service en heures (0 : sans limite ; défaut : %(default)s)")
    parser.add_argument("--shift-start", default="06:00", metavar="HH:MM", help="heure de départ du dépôt (défaut : %(default)s)")
    parser.add_argument("--speed", type=float, default=DEFAULT_SPEED_KMH, metavar="KMH", help="vitesse moyenne (défaut : %(default)s km/h)")
    parser.add_argument("--unload", type=float, default=20.0, metavar="MIN", help="temps de vidage à l'exutoire (défaut : %(default)s min)")
    parser.add_argument("--detour", type=float, default=DEFAULT_DETOUR, help="facteur de détour (défaut : %(default)s)")
    parser.add_argument("--matrix", type=Path, metavar="FICHIER", help="matrice de distances routières (lieux en première colonne et en en-tête)")
    parser.add_argument("--matrix-unit", choices=("m", "km"), default="m", help="unité de la matrice (défaut : %(default)s)")
    parser.add_argument("--history", type=Path, metavar="FICHIER", help="historique des capteurs de remplissage (prévision des volumes)")
    parser.add_argument("--skip-below", type=float, metavar="PCT", help="avec --history : visites facultatives sous ce remplissage prévu (%%)")
    parser.add_argument("--consumption", type=float, default=DEFAULT_CONSUMPTION_L_100KM, metavar="L", help="consommation d'une benne, L/100 km")
    parser.add_argument("--seed", type=int, default=42, help="graine aléatoire (défaut : %(default)s)")
    add_table_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    depot = parse_latlon(args.depot, "du dépôt")
    disposal = parse_latlon(args.disposal, "de l'exutoire") if args.disposal else None
    points = read_validated(args.points, POINTS, args)
    frame = points.frame
    if args.stream is None and len(streams_in(frame)) > 1:
        print(
            "Attention : plusieurs flux dans le fichier ("
            + ", ".join(q(s) for s in streams_in(frame))
            + ") planifiés ensemble ; précisez --stream pour un flux à la fois.",
            file=sys.stderr,
        )
    forecast = None
    if args.history:
        from sandbox.models.collection.fill import describe_evaluation, forecast_fill

        history = read_validated(args.history, HISTORY, args, mapping={})
        forecast = forecast_fill(history.frame, points=frame, random_state=args.seed, filename=Path(args.history).name)
        print(plain(describe_evaluation(forecast.evaluation)))
    matrix = None
    if args.matrix:
        table = read_table(args.matrix)
        matrix = matrix_from_table(
            table, frame["id"].astype(str).tolist(), disposal_label="exutoire" if disposal else None,
            unit=args.matrix_unit, filename=Path(args.matrix).name,
        )
    fleet = Fleet(
        vehicles=args.vehicles, capacity_l=args.capacity, shift_hours=args.shift or None,
        speed_kmh=args.speed, unload_minutes=args.unload, shift_start=args.shift_start,
    )
    print(f"Calcul des tournées ({num(args.time_limit)} s au plus)…", file=sys.stderr)
    plan = plan_collection(
        frame, Site("Dépôt", *depot), disposal=Site("Exutoire", *disposal) if disposal else None, fleet=fleet,
        stream=args.stream or ALL_STREAMS, detour=args.detour, matrix_km=matrix, forecast=forecast,
        skip_below=args.skip_below, consumption_l_100km=args.consumption, time_limit=args.time_limit,
        seed=args.seed, filename=Path(args.points).name,
    )
    for warning in plan.warnings:
        print(f"Attention : {plain(warning)}", file=sys.stderr)

    out = output_dir(args.out)
    written = write_route_sheets(plan, out)
    geojson = out / "tournees.geojson"
    geojson.write_text(json.dumps(plan.to_geojson(), ensure_ascii=False), encoding="utf-8")
    written.append(geojson)

    print(f"{plural(len(plan.points), 'point planifié', 'points planifiés')} — flux : {plan.stream}")
    for line in plan.summary_lines():
        print(plain(line))
    print(f"Fichiers écrits dans {out} : " + ", ".join(p.name for p in written))
    return 0
