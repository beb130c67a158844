"""``python -m sandbox rome import|info|code``: the official ROME 4.0 reference and job-title coding.

- ``rome import PATH``: check the release France Travail publishes (the zip,
  or the folder of ``unix_*_utf8.csv`` files) and store its compact index in
  the app's data folder (never in the repository);
- ``rome info``: which reference is in use (release, counts);
- ``rome code FILE [--col intitule=COLONNE] --out OUT.csv``: code each row's
  job title to ROME (identifier, ``code_rome``, ``libelle_rome``,
  ``confiance``, alternatives).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

from sandbox.data import DataError, parse_mapping_options, read_table
from sandbox.data.export import write_csv
from sandbox.data.mapping import normalise_name
from sandbox.text import num, plain, q

#: Column names recognised (after normalisation) for each input of ``rome code``.
TITLE_NAMES = ("intitule", "intitule du poste", "titre", "poste", "metier", "metier recherche", "emploi recherche", "libelle", "title", "desired job", "appellation")
DESCRIPTION_NAMES = ("description", "descriptif", "missions", "experience", "texte", "profil", "description du poste")
ID_NAMES = ("id", "identifiant", "ref", "reference", "id offre", "id candidat", "numero", "offer id", "candidate id", "numero offre", "numero de dossier", "dossier")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "rome",
        help="référentiel ROME 4.0 : importer la version officielle, l'afficher, coder des intitulés de postes",
        description=(
            "Le référentiel des métiers ROME 4.0 de France Travail (données ouvertes, Licence Ouverte). "
            "Sans import, l'application utilise un extrait de démonstration."
        ),
    )
    commands = parser.add_subparsers(dest="rome_command", metavar="ACTION", required=True)

    imp = commands.add_parser(
        "import",
        help="importer le référentiel officiel (archive zip publiée ou dossier des fichiers unix_*_utf8.csv)",
        description="Vérifie les fichiers du référentiel ROME 4.0 et enregistre son index dans le dossier de données de l'application (variable BAC_A_SABLE_DATA, sinon un dossier personnel).",
    )
    imp.add_argument("path", metavar="CHEMIN", type=Path, help="archive zip du référentiel ou dossier de ses fichiers CSV")
    imp.set_defaults(func=run_import)

    info = commands.add_parser("info", help="dire quel référentiel est utilisé", description="Version et nombre de fiches, d'intitulés et de compétences du référentiel utilisé.")
    info.set_defaults(func=run_info)

    code = commands.add_parser(
        "code",
        help="coder les intitulés d'un tableau d'offres ou de candidats en codes ROME",
        description=(
            "Pour chaque ligne, écrit l'identifiant, le code ROME, son libellé, la confiance (0 à 1) et les deux "
            "autres propositions ; sous le seuil de confiance : « métier non reconnu ». Colonnes devinées d'après "
            "leurs noms ; sinon --col intitule=COLONNE, --col description=COLONNE, --col identifiant=COLONNE."
        ),
    )
    code.add_argument("file", metavar="FICHIER", type=Path, help="tableau (CSV, XLSX, ODS, Parquet)")
    code.add_argument("--out", type=Path, required=True, metavar="SORTIE", help="fichier CSV à écrire")
    code.add_argument(
        "--col", action="append", default=[], metavar="ATTENDUE=COLONNE",
        help="colonne du fichier pour intitule, description ou identifiant (répétable)",
    )
    code.add_argument("--seuil", type=float, default=0.5, metavar="CONFIANCE", help="confiance minimale, entre 0 et 1 (défaut : %(default)s)")
    code.add_argument("--sheet", default=None, help="feuille du classeur (XLSX/ODS) ; la première par défaut")
    code.set_defaults(func=run_code)


def run_import(args: argparse.Namespace) -> int:
    from sandbox.data.rome import import_release, index_dir

    start = time.perf_counter()
    index = import_release(args.path)
    info = index.info
    print(plain(
        f"Référentiel ROME {info['version']} importé en {num(time.perf_counter() - start, 1)} s : {num(info['jobs'])} fiches métiers, "
        f"{num(info['titles'])} intitulés (appellations), {num(info['skills'])} savoir-faire, {num(info['knowledge'])} savoirs, "
        f"{num(info['mobility'])} liens vers des métiers proches."
    ))
    print(plain(f"Index enregistré dans {index_dir() / 'current'}"), file=sys.stderr)
    # What the matcher fits on the reference is built now and saved beside the index: the next commands and
    # the page read it back.
    from sandbox.models.matching import prepare_reference

    start = time.perf_counter()
    prepare_reference()
    print(plain(f"Codeur d'intitulés, index des compétences et mots des fiches préparés en {num(time.perf_counter() - start, 1)} s."), file=sys.stderr)
    return 0


def run_info(args: argparse.Namespace) -> int:
    from sandbox.data.rome import DOWNLOAD_HINT, index_info
    from sandbox.models.matching import load_reference

    print(plain(load_reference().describe()))
    info = index_info()
    if info is None:
        print(plain("Aucun référentiel officiel importé. " + DOWNLOAD_HINT))
    else:
        print(plain(f"Importé le {info.get('imported_at', '?')} depuis {q(info.get('source', '?'))}."))
    return 0


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    normalised = {normalise_name(c): c for c in columns}
    for name in names:
        if name in normalised:
            return normalised[name]
    return None


def run_code(args: argparse.Namespace) -> int:
    from sandbox.models.matching import default_normaliser

    # A one-shot command: the modules, the reference and the coder stay until the end, so the garbage
    # collector need not walk them again at each collection while the titles are coded (~0.25 s of CPU).
    gc.freeze()
    if not 0 <= args.seuil <= 1:
        raise DataError("--seuil doit être compris entre 0 et 1")
    frame = read_table(args.file, sheet=args.sheet)
    columns = [str(c) for c in frame.columns]
    given = parse_mapping_options(args.col)
    aliases = {"intitule": "intitule", "titre": "intitule", "title": "intitule", "description": "description", "identifiant": "identifiant", "id": "identifiant"}
    chosen: dict[str, str | None] = {}
    for expected, actual in given.items():
        role = aliases.get(normalise_name(expected))
        if role is None:
            raise DataError(f"option --col : la colonne attendue {q(expected)} n'existe pas", filename=args.file.name, hint="Colonnes attendues : intitule, description, identifiant.")
        if actual is not None and actual not in columns:
            raise DataError(f"la colonne {q(actual)} indiquée pour {q(role)} n'existe pas dans le fichier", filename=args.file.name, hint="Colonnes du fichier : " + ", ".join(q(c) for c in columns) + ".")
        chosen[role] = actual
    title = chosen.get("intitule") or _find(columns, TITLE_NAMES)
    if title is None:
        raise DataError(
            "colonne de l'intitulé du poste introuvable",
            filename=args.file.name,
            hint="Colonnes du fichier : " + ", ".join(q(c) for c in columns) + ". Indiquez-la avec --col intitule=COLONNE.",
        )
    description = chosen["description"] if "description" in chosen else _find([c for c in columns if c != title], DESCRIPTION_NAMES)
    ident = chosen["identifiant"] if "identifiant" in chosen else _find(columns, ID_NAMES)
    start = time.perf_counter()
    rome = default_normaliser()
    gc.freeze()
    coded = rome.code(frame[title].tolist(), None if description is None else frame[description].tolist(), min_score=100 * args.seuil)
    seconds = time.perf_counter() - start
    out = coded.copy()
    out.insert(0, "intitule", frame[title].to_numpy())
    out.insert(0, "identifiant", frame[ident].to_numpy() if ident is not None else [str(i + 2) for i in range(len(frame))])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(out, args.out)
    unknown = int(out["code_rome"].isna().sum())
    print(plain(
        f"{num(len(out))} intitulés codés en {num(seconds, 1)} s ({load_label(rome)}) ; {num(unknown)} « métier non reconnu ». "
        f"Écrit : {args.out}"
    ), file=sys.stderr)
    if ident is None:
        print(plain("Pas de colonne d'identifiant : la ligne du tableur sert d'identifiant."), file=sys.stderr)
    return 0


def load_label(rome) -> str:
    ref = rome.reference_
    return f"référentiel {ref.version}" if ref.is_official else "extrait de démonstration"
