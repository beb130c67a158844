"""``python -m sandbox match CANDIDATES OFFERS [--top 10] [--out matches.csv]``: rank offers for candidates.

Columns are found by their names; ``--col ATTENDUE=COLONNE`` maps one by
hand in whichever file has it (both for « commune », « latitude »,
« longitude »), ``--col-offres`` and ``--col-candidats`` in one file only.
``--pseudonymiser`` reads its key from ``--cle-fichier`` or the
``BAC_A_SABLE_CLE`` environment variable, never from the command line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from sandbox.commands._common import add_table_options
from sandbox.data import DataError, Schema, parse_mapping_options, read_table, validate
from sandbox.data.export import write_csv
from sandbox.data.schemas.matching import CANDIDATES, OFFERS, check_kind, table_kind
from sandbox.text import num, plain, q, strip_accents

#: Environment variable holding the pseudonymisation secret (never given on the command line).
KEY_ENV = "BAC_A_SABLE_CLE"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "match",
        help="rapprocher offres d'emploi et candidats (score expliqué, compétences manquantes)",
        description=(
            "Classe, pour chaque candidat, les offres les plus proches (ou, avec --par-offre, les candidats les plus "
            "proches de chaque offre) et écrit le score, ses cinq parts, la distance, les compétences en commun, "
            "les compétences manquantes et la formation à proposer. Le nom, l'âge, le sexe, la nationalité et "
            "l'adresse ne sont jamais lus ; les identifiants des candidats sont pseudonymisés avec --pseudonymiser. "
            "Colonnes : devinées d'après leurs noms ; --col ATTENDUE=COLONNE s'applique au fichier qui a cette "
            "colonne attendue (aux deux pour commune, latitude, longitude), --col-offres et --col-candidats à un "
            "seul fichier ; ATTENDUE est le nom technique (offer_id, title, candidate_id, desired_job…) ou le "
            "libellé (« identifiant de l'offre »). Le classement est une aide : une personne décide."
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
    parser.add_argument(
        "--pseudonymiser",
        action="store_true",
        help=f"remplacer les identifiants des candidats par des pseudonymes ; clé secrète lue dans --cle-fichier ou la variable d'environnement {KEY_ENV}, jamais sur la ligne de commande",
    )
    parser.add_argument("--cle-fichier", type=Path, default=None, metavar="FICHIER", help="fichier contenant la clé secrète de pseudonymisation")
    parser.add_argument(
        "--correspondance", type=Path, default=None, metavar="FICHIER",
        help="écrire la table pseudonyme → identifiant dans ce fichier (dans un autre dossier que --out, à conserver à part)",
    )
    add_table_options(parser)
    group = parser.add_argument_group("colonnes de chacun des deux fichiers")
    group.add_argument("--col-offres", action="append", default=[], metavar="ATTENDUE=COLONNE", help="comme --col, pour le fichier des offres seulement (répétable)")
    group.add_argument("--col-candidats", action="append", default=[], metavar="ATTENDUE=COLONNE", help="comme --col, pour le fichier des candidats seulement (répétable)")
    from sandbox.cluster import add_cluster_option  # no Dask import: only the option

    add_cluster_option(parser)
    parser.set_defaults(func=run)


def _weights(options: list[str]) -> dict[str, float] | None:
    from sandbox.models.matching import PART_ALIASES

    weights = {}
    for option in options:
        part, sep, value = option.partition("=")
        part = strip_accents(part.strip().lower())
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = None
        if not sep or part not in PART_ALIASES or number is None or number < 0:
            raise DataError(
                f"option --poids mal écrite : {q(option)}",
                hint="Écrivez --poids PART=POIDS avec PART parmi texte, competences, metier, distance, contrat et un poids positif, par exemple --poids distance=0.3.",
            )
        weights[PART_ALIASES[part]] = number
    return weights or None


def _expected_name(name: str, schema: Schema) -> str | None:
    """The schema's column for *name*, given as its technical name or its French label."""
    if name in schema.names:
        return name
    folded = strip_accents(name.strip().lower())
    for column in schema.columns:
        if folded in (strip_accents(column.label.lower()), column.name.lower()):
            return column.name
    return None


def column_mappings(shared: list[str], offers_only: list[str], candidates_only: list[str]) -> tuple[dict, dict]:
    """The ``validate`` mappings of the offers and the candidates from ``--col``, ``--col-offres``, ``--col-candidats``.

    Raises a French DataError for an expected column that neither file has.
    """
    out = {"offres": {}, "candidats": {}}
    schemas = {"offres": OFFERS, "candidats": CANDIDATES}
    for options, targets, flag in ((shared, ("offres", "candidats"), "--col"), (offers_only, ("offres",), "--col-offres"), (candidates_only, ("candidats",), "--col-candidats")):
        for expected, actual in parse_mapping_options(options).items():
            found = False
            for kind in targets:
                name = _expected_name(expected, schemas[kind])
                if name is not None:
                    out[kind][name] = actual
                    found = True
            if not found:
                names = [c.name for kind in targets for c in schemas[kind].columns]
                raise DataError(
                    f"option {flag} : la colonne attendue {q(expected)} n'existe pas",
                    hint="Colonnes attendues : " + ", ".join(dict.fromkeys(names)) + ".",
                )
    return out["offres"], out["candidats"]


def read_key(key_file: Path | None) -> bytes:
    """The pseudonymisation secret, from a file or the environment (never from the command line)."""
    from sandbox.privacy import key_from_secret

    if key_file is not None:
        try:
            secret = key_file.read_bytes().strip()
        except OSError as exc:
            raise DataError(f"fichier de clé illisible : {key_file}", hint="Indiquez un fichier lisible contenant la clé secrète.") from exc
    else:
        secret = os.environ.get(KEY_ENV, "").strip().encode("utf-8")
    if len(secret) < 8:
        raise DataError(
            "clé de pseudonymisation absente ou trop courte (8 caractères au moins)",
            hint=f"Écrivez la clé dans un fichier lisible de vous seul et passez --cle-fichier FICHIER, ou définissez la variable d'environnement {KEY_ENV}.",
        )
    return key_from_secret(secret)


def run(args: argparse.Namespace) -> int:
    from sandbox.models.matching import MatchResult, Matcher

    if args.top < 1:
        raise DataError("--top doit valoir au moins 1")
    weights = _weights(args.poids)
    offer_map, candidate_map = column_mappings(args.col, args.col_offres, args.col_candidats)
    key = read_key(args.cle_fichier) if args.pseudonymiser else None
    if args.correspondance is not None:
        if not args.pseudonymiser:
            raise DataError("--correspondance n'a de sens qu'avec --pseudonymiser")
        if args.out is not None and args.correspondance.resolve().parent == args.out.resolve().parent:
            raise DataError(
                "la table de correspondance serait écrite dans le même dossier que les rapprochements pseudonymisés",
                hint="Écrivez-la dans un autre dossier (--correspondance AUTRE_DOSSIER/correspondance.csv) : elle permet de lever les pseudonymes.",
            )
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
    candidates = validate(cand_df, CANDIDATES, candidate_map or None, filename=Path(args.candidates).name, errors="drop")
    offers = validate(off_df, OFFERS, offer_map or None, filename=Path(args.offers).name, errors="drop")
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

    if key is not None:
        frame, table = MatchResult(frame, direction, args.top, {}).pseudonymised(key)
        if args.correspondance is not None:
            args.correspondance.parent.mkdir(parents=True, exist_ok=True)
            write_csv(table, args.correspondance)
            os.chmod(args.correspondance, 0o600)
            print(f"Table de correspondance (à conserver à part) : {args.correspondance}", file=sys.stderr)
    print(
        f"{num(len(frame))} rapprochements ({num(n_candidates)} candidats × {num(n_offers)} offres) "
        f"en {num(seconds, 1)} s. Rappel : le classement est une aide, une personne décide.",
        file=sys.stderr,
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_csv(frame, args.out)
        print(f"Écrit : {args.out}", file=sys.stderr)
    else:
        columns = ["candidate_id", "offer_id", "rank", "score", "offer_title", "distance_km", "missing_required"]
        print(frame[columns].head(50 * args.top).to_string(index=False))
    return 0
