"""``python -m sandbox ocr FILE... --out DIR``: read scans with Tesseract, write text, PDF, ALTO, hOCR.

One line per file on standard output: pages, mean confidence, seconds.
A file or a page that cannot be read is reported on standard error and
the others go on; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sandbox.commands._common import output_dir
from sandbox.data import DataError
from sandbox.text import num, plain, plural

FORMAT_CHOICES = ("txt", "pdf", "alto", "hocr", "csv")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ocr",
        help="lire des documents numérisés (OCR) et écrire texte, PDF interrogeable, ALTO, hOCR",
        description=(
            "Lit chaque page avec Tesseract, telle quelle puis, si cette lecture n'est pas sûre, après les nettoyages utiles, "
            "et garde la meilleure lecture mesurée ; écrit "
            "DOSSIER/<nom>.txt et les autres formats demandés. Images PNG, JPEG, TIFF (plusieurs pages) ou PDF "
            "(rendu à 300 ppp). Les fichiers restent sur ce poste."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FICHIER", help="images ou PDF à lire (avec --cluster : aussi un dossier, lu en entier, ou une liste de fichiers .txt/.lst)")
    parser.add_argument("--out", required=True, metavar="DOSSIER", help="dossier de sortie (créé au besoin)")
    parser.add_argument("--lang", default="fra", help="langue(s) Tesseract, par exemple fra ou fra+lat (défaut : %(default)s)")
    parser.add_argument(
        "--formats",
        default="txt",
        help="formats à écrire, séparés par des virgules, parmi " + ",".join(FORMAT_CHOICES) + " (défaut : %(default)s ; csv : index des entités)",
    )
    parser.add_argument("--jobs", type=int, default=None, metavar="N", help="pages lues en parallèle (défaut : une par cœur)")
    parser.add_argument("--no-preprocess", action="store_true", help="aucun nettoyage : Tesseract lit les pages telles quelles")
    parser.add_argument("--imprime-ancien", action="store_true",
                        help="ajoute le modèle d'écriture latine de Tesseract (paquet tesseract-ocr-script-latn) pour les "
                             "imprimés d'avant 1850 ; mesuré sur des imprimés réels de 1800 à 1861, il ne fait pas mieux que fra seul")
    parser.add_argument("--psm", type=int, default=3, help="mode de segmentation de Tesseract (défaut : %(default)s)")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="S", help="délai maximal par page, en secondes (défaut : %(default)s)")
    parser.add_argument("--max-pages", type=int, default=100, metavar="N", help="nombre maximal de pages par fichier (défaut : %(default)s)")
    from sandbox.cluster import add_cluster_option  # no Dask import: only the option

    add_cluster_option(parser)
    parser.set_defaults(func=run)


def _formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMAT_CHOICES]
    if unknown or not formats:
        raise DataError(
            f"format inconnu : {', '.join(unknown) or '(aucun)'}",
            hint="Formats possibles : " + ", ".join(FORMAT_CHOICES) + ".",
        )
    return formats


def run(args: argparse.Namespace) -> int:
    from sandbox.models import ocr

    formats = _formats(args.formats)
    status = ocr.tesseract_status()
    if not status.available:
        raise DataError(status.message, hint=f"Installez-le : {status.install_command}")
    if getattr(args, "imprime_ancien", False) and "Latin" not in args.lang.split("+"):
        args.lang += "+Latin"
    missing = [lang for lang in args.lang.split("+") if lang not in status.languages]
    if missing:
        raise DataError(
            f"langue non installée pour Tesseract : {', '.join(missing)}",
            hint=f"Langues installées : {', '.join(status.languages)} (paquet tesseract-ocr-<langue>).",
        )
    out = output_dir(args.out)
    if getattr(args, "cluster", None):  # one task per page on a Dask cluster, resumable (sandbox/cluster/ocr.py)
        from sandbox.cluster import connect
        from sandbox.cluster import ocr as on_cluster

        with connect(args.cluster, memory_limit=args.cluster_memory) as client:
            return on_cluster.run(
                client, args, formats, out, lambda path, stem, pages: write_document(path, stem, pages, formats, out, args.max_pages)
            )
    start = time.perf_counter()
    # Only the page count is read here; each page is opened, checked and read in a worker.
    files, failures = [], []
    for name in args.files:
        try:
            files.append((Path(name), ocr.documents.count_pages(name, max_pages=args.max_pages)))
        except DataError as exc:
            failures.append(name)
            print(f"{Path(name).name} : ERREUR — {plain(str(exc))}", file=sys.stderr)
    cleanup = None if args.no_preprocess else "auto"
    tasks = [
        ocr.PageTask(path.name, number, path=str(path), cleanup=cleanup, lang=args.lang, psm=args.psm, timeout=args.timeout)
        for path, count in files
        for number in range(1, count + 1)
    ]
    results = ocr.read_pages(tasks, jobs=args.jobs)
    used: set[str] = set()
    pages_read = 0
    for empty in (r for r in results if isinstance(r, ocr.OcrPage) and r.empty is not None):
        print(plain(f"{empty.label} : aucun texte — {empty.reason}"), file=sys.stderr)
    for index, (path, count) in enumerate(files):
        first = sum(c for _, c in files[:index])
        outcome = results[first: first + count]
        pages = [r for r in outcome if isinstance(r, ocr.OcrPage)]
        for failure in (r for r in outcome if isinstance(r, ocr.PageFailure)):
            label = failure.label if count > 1 else failure.source
            print(f"{label} : ERREUR — {plain(failure.message)}", file=sys.stderr)
            failures.append(failure.label)
        if not pages:
            continue
        pages_read += len(pages)
        stem, k = path.stem or "document", 2
        while stem in used:
            stem, k = f"{path.stem}_{k}", k + 1
        used.add(stem)
        write_document(path, stem, pages, formats, out, args.max_pages)
    total = time.perf_counter() - start
    print(plain(f"Total : {plural(pages_read, 'page lue', 'pages lues')} en {num(total, 1)} s ; résultats dans {out}"))
    read = tuple(r for r in results if isinstance(r, ocr.OcrPage))
    if read:  # the batch's own figures, as the page and the project sheet show them
        figures = ocr.BatchResult(read, seconds=total).figures()
        print(plain(" ; ".join(f"{f.label} : {num(f.value, f.decimals)} {f.unit}".strip() for f in figures)))
    return 1 if failures else 0


def write_document(path: Path, stem: str, pages: list, formats: list[str], out: Path, max_pages: int) -> None:
    """Write the exports of one document's read pages as ``out/<stem>.<ext>`` and print its line."""
    from sandbox.models import ocr

    wanted = [f for f in formats if f != "csv"]
    images = []
    if "pdf" in wanted:  # the searchable PDF embeds the page images
        document = ocr.load_path(path, max_pages=max_pages)
        images = [document.pages[p.page - 1] for p in pages]
    for fmt, data in ocr.export_document(pages, images, wanted).items():
        (out / f"{stem}{ocr.exports.EXTENSIONS[fmt]}").write_bytes(data)
    if "csv" in formats:
        entities = [e for p in pages for e in ocr.extract_entities(p.text, source=p.source, page=p.page)]
        (out / f"{stem}.entites.csv").write_bytes(ocr.to_entity_csv(entities))
    confs = [w.conf for p in pages for w in p.words]
    shown = "–" if not confs else num(sum(confs) / len(confs), 1) + " %"
    seconds = sum(p.seconds for p in pages)
    print(plain(f"{path.name} : {plural(len(pages), 'page')}, confiance moyenne {shown}, {num(seconds, 1)} s"))
