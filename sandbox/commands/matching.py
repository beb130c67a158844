"""``python -m sandbox match CANDIDATES OFFERS [--top 10] [--out matches.csv]``: rank offers for candidates."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sandbox.commands._common import add_table_options
from sandbox.data import DataError, read_table, validate
from sandbox.data.schemas.matching import CANDIDATES, OFFERS, check_kind, table_kind
from sandbox.text import num, plain, q


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "match",
        help="rapprocher offres d'emploi et candidats (score expliqué, compétences manquantes)",
        description=(
            "Classe, pour chaque candidat, les offres les plus proches (ou, avec --par-offre, les candidats les plus "
            "proches de chaque offre) et écrit le score, ses cinq parts, la distance, les compétences en commun, "
            "les compétences manquantes et la formation à proposer. Le nom, l'âge, le sexe, la nationalité et "
            "l'adresse ne sont jamais lus ; les identifiants des candidats sont pseudonymisés avec --pseudonymiser. "
            "Le classement est une aide : une personne décide."
        ),
    )
    parser.add_argument("candidates", metavar="CANDIDATS", help="tableau des candidats (CSV, XLSX, ODS, Parquet)")
    parser.add_argument("offers", metavar="OFFRES", help="tableau des offres d'emploi")
    parser.add_argument("--top", type=int, default=10, metavar="N", help="nombre de rapprochements par candidat (défaut : %(default)s)")
    parser.add_argument("--out", type=Path, default=None, metavar="FICHIER", help="fichier CSV de sortie (défaut : affichage)")
    parser.add_argument("--par-offre", action="store_true", help="classer les candidats pour chaque offre plutôt que l'inverse")
    parser.add_argument("--rayon", type=float, default=10.0, metavar="KM", help="rayon de mobilité par défaut, en km (défaut : %(default)s)")
    parser.add_argument("--sans-filtre-distance", action="store_true", help="garder les offres au-delà du rayon de mobilité")
    parser.add_argument(
        "--poids",
        action="append",
        default=[],
        metavar="PART=POIDS",
        help="poids d'une part du score : texte, competences, metier, distance, contrat (répétable), ex. --poids distance=0.3",
    )
    parser.add_argument("--pseudonymiser", metavar="SECRET", default=None, help="remplacer les identifiants des candidats par des pseudonymes (clé secrète)")
    add_table_options(parser)
    from sandbox.cluster import add_cluster_option  # no Dask import: only the option

    add_cluster_option(parser)
    parser.set_defaults(func=run)


def _weights(options: list[str]) -> dict[str, float] | None:
    from sandbox.models.matching import PARTS

    weights = {}
    for option in options:
        part, sep, value = option.partition("=")
        part = part.strip().lower().replace("é", "e")
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = None
        if not sep or part not in PARTS or number is None or number < 0:
            raise DataError(
                f"option --poids mal écrite : {q(option)}",
                hint="Écrivez --poids PART=POIDS avec PART parmi " + ", ".join(PARTS) + " et un poids positif, par exemple --poids distance=0.3.",
            )
        weights[part] = number
    return weights or None


def run(args: argparse.Namespace) -> int:
    from sandbox.models.matching import Matcher, pseudonymise

    if args.top < 1:
        raise DataError("--top doit valoir au moins 1")
    weights = _weights(args.poids)
    cand_df = read_table(Path(args.candidates), sheet=args.sheet, max_rows=args.max_rows)
    off_df = read_table(Path(args.offers), sheet=args.sheet, max_rows=args.max_rows)
    if table_kind(cand_df.columns) == "offres" and table_kind(off_df.columns) == "candidats":
        raise DataError(
            "les deux fichiers semblent inversés",
            hint=f"Donnez d'abord le fichier des candidats, puis celui des offres : python -m sandbox match {Path(args.offers).name} {Path(args.candidates).name}",
        )
    from sandbox.models.matching import protected_columns

    check_kind(cand_df.columns, "candidats", Path(args.candidates).name)
    check_kind(off_df.columns, "offres", Path(args.offers).name)
    candidates = validate(cand_df, CANDIDATES, errors="drop")
    offers = validate(off_df, OFFERS, errors="drop")
    for warning in (*candidates.warnings, *offers.warnings):
        print(f"Attention : {plain(warning)}", file=sys.stderr)

    start = time.perf_counter()
    direction = "candidates" if args.par_offre else "offers"
    if getattr(args, "cluster", None):  # the same Matcher, candidates in chunks on the workers of a Dask cluster
        from sandbox.cluster import connect
        from sandbox.cluster.matching import rank as rank_on_cluster

        with connect(args.cluster, memory_limit=args.cluster_memory) as client:
            frame, found, n_candidates, n_offers = rank_on_cluster(
                client, candidates.frame, offers.frame, top=args.top, direction=direction, weights=weights,
                radius=args.rayon, distance_filter=not args.sans_filtre_distance,
            )
    else:
        matcher = Matcher(weights, default_radius_km=args.rayon, distance_filter=not args.sans_filtre_distance).fit(candidates.frame, offers.frame)
        result = matcher.rank(args.top, direction)
        frame, found, n_candidates, n_offers = result.to_frame(), result.warnings, result.n_candidates, result.n_offers
    seconds = time.perf_counter() - start
    for warning in found:
        print(f"Attention : {plain(warning)}", file=sys.stderr)
    never_read = protected_columns([*cand_df.columns, *off_df.columns])
    if never_read:
        print("Colonnes jamais lues par le score : " + ", ".join(never_read), file=sys.stderr)

    if args.pseudonymiser:
        frame, _ = pseudonymise(frame, args.pseudonymiser)
    print(
        f"{num(len(frame))} rapprochements ({num(n_candidates)} candidats × {num(n_offers)} offres) "
        f"en {num(seconds, 1)} s. Rappel : le classement est une aide, une personne décide.",
        file=sys.stderr,
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(args.out, sep=";", index=False, encoding="utf-8-sig", decimal=",")
        print(f"Écrit : {args.out}", file=sys.stderr)
    else:
        columns = ["candidate_id", "offer_id", "rank", "score", "offer_title", "distance_km", "missing_required"]
        print(frame[columns].head(50 * args.top).to_string(index=False))
    return 0
