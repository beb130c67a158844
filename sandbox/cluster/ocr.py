"""OCR of a whole fonds on a Dask cluster: one task per page, resumable, failures listed, never stopped.

The driver lists the documents (files, folder trees, list files), asks the
workers for their page counts, then submits one task per page that is not
done yet. Each task runs the OCR model's public per-page function
(:func:`sandbox.models.ocr.recognise_page`) in the worker process. As pages
come back, the driver keeps each one in ``DOSSIER/.pages/<document>/`` (a
small file): an interrupted run, started again with the same command,
skips the pages already there and the documents already written. When every
page of a document is known, its exports are written exactly as without a
cluster. A page that fails or times out goes to ``DOSSIER/erreurs.csv`` with
its reason; the others go on.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sandbox.cluster import Progress, as_completed
from sandbox.data import DataError
from sandbox.data.export import write_csv
from sandbox.text import plain

DOCUMENT_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".pdf", ".webp")
"""Files taken from a folder tree (other files are ignored)."""

LIST_EXTENSIONS = (".lst", ".list", ".txt")
"""A file with one of these extensions is a list of paths, one per line."""

STATE_DIR = ".pages"
ERRORS_FILE = "erreurs.csv"
ERROR_COLUMNS = ["fichier", "page", "raison"]


def expand_inputs(names: Iterable[str]) -> list[Path]:
    """Files to read from the command line: files, folder trees (recursive, sorted) and list files.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "b").mkdir(); _ = (root / "b" / "p2.png").write_bytes(b""); _ = (root / "a.pdf").write_bytes(b"")
    >>> _ = (root / "notes.md").write_text("x")
    >>> [p.relative_to(root).as_posix() for p in expand_inputs([str(root)])]
    ['a.pdf', 'b/p2.png']
    >>> _ = (root / "liste.txt").write_text(f"{root / 'a.pdf'}\\n\\n# comment\\n")
    >>> [p.name for p in expand_inputs([str(root / "liste.txt")])]
    ['a.pdf']
    """
    files: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DOCUMENT_EXTENSIONS
                            and STATE_DIR not in p.parts)
        elif path.suffix.lower() in LIST_EXTENSIONS and path.is_file():
            base = path.parent
            for line in path.read_text(encoding="utf-8-sig").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    item = Path(line)
                    files.append(item if item.is_absolute() else base / item)
        else:
            files.append(path)
    return files


# --- tasks (run in the workers) --------------------------------------------------------------


def _count(path: str, max_pages: int) -> int | str:
    from sandbox.models import ocr

    try:
        return ocr.documents.count_pages(path, max_pages=max_pages)
    except DataError as exc:
        return str(exc)


_WORKER_FOLDER: list[str] = []  # this worker process's private temporary folder, once set up


def _prepare_worker() -> None:
    """Once per worker process, as the local pool does: one thread for Tesseract and OpenCV, a private (0700)
    temporary folder for the page images and Tesseract's files, removed when the worker exits."""
    if _WORKER_FOLDER:
        return
    import atexit
    import shutil
    import tempfile

    from sandbox.models.ocr.engine import init_worker

    folder = tempfile.mkdtemp(prefix="sandbox-ocr-")
    init_worker(folder)
    atexit.register(shutil.rmtree, folder, True)
    _WORKER_FOLDER.append(folder)


def _read(task) -> dict:
    """One page: the page as a dict, or its failure (never raises: a page must not stop the batch)."""
    from sandbox.models import ocr

    _prepare_worker()
    try:
        page = ocr.recognise_page(task)
    except Exception as exc:  # noqa: BLE001 - any failure of a page is recorded, with its reason
        return {"failure": _reason(exc)}
    return {"page": page}


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if "timeout" in text.lower():
        return "non lue : délai dépassé (--timeout)"
    return plain(text)


# --- page state on disk --------------------------------------------------------------------------


def _state_file(out: Path, stem: str, number: int) -> Path:
    return out / STATE_DIR / stem / f"{number:05d}.pickle"


def _load_state(path: Path):
    """A page kept by an earlier run of this command (``.pages`` is this tool's own state: never copy one in)."""
    try:
        return pickle.loads(path.read_bytes())  # noqa: S301 - written by this command in the user's own folder
    except Exception:  # noqa: BLE001 - a page half-written when the run stopped: read it again
        return None


# --- the run -------------------------------------------------------------------------------------


def run(client, args, formats: list[str], out: Path, write_document) -> int:
    """OCR of every page on the cluster; *write_document(path, stem, pages)* writes a document's exports.

    Returns the exit status (1 if a file or a page could not be read).
    """
    from sandbox.models import ocr

    files = expand_inputs(args.files)
    if not files:
        raise DataError("aucun document à lire", hint="Donnez des images, des PDF, un dossier ou une liste de fichiers.")
    stems = _stems(files)
    wanted = [f for f in formats if f != "csv"]
    finals = [ocr.exports.EXTENSIONS[f] for f in wanted] + ([".entites.csv"] if "csv" in formats else [])
    errors: list[dict] = []
    done_docs = [all((out / f"{stem}{ext}").exists() for ext in finals) for stem in stems]
    todo = [i for i, done in enumerate(done_docs) if not done]
    skipped_docs = len(files) - len(todo)
    counts_f = client.map(_count, [str(files[i]) for i in todo], max_pages=args.max_pages, pure=False)
    counts: dict[int, int] = {}
    for i, future in zip(todo, counts_f):
        value = future.result()
        if isinstance(value, str):
            errors.append({"fichier": str(files[i]), "page": None, "raison": value})
            print(f"{files[i].name} : ERREUR — {plain(value)}", file=sys.stderr)
        else:
            counts[i] = value
    cleanup = None if args.no_preprocess else "auto"
    pages: dict[int, dict[int, object]] = {i: {} for i in counts}
    tasks, owners = [], []
    for i, count in counts.items():
        for number in range(1, count + 1):
            kept = _state_file(out, stems[i], number)
            page = _load_state(kept) if kept.exists() else None
            if page is not None:
                pages[i][number] = page
                continue
            tasks.append(ocr.PageTask(files[i].name, number, path=str(files[i]), cleanup=cleanup,
                                      lang=args.lang, psm=args.psm, timeout=args.timeout))
            owners.append((i, number))
    resumed = sum(len(p) for p in pages.values())
    if skipped_docs or resumed:
        print(plain(f"Reprise : {skipped_docs} document(s) déjà écrit(s), {resumed} page(s) déjà lue(s)."), file=sys.stderr)
    failed: dict[int, int] = {}
    futures = client.map(_read, tasks, pure=False, key=[f"ocr-page-{k}-{files[i].name}-{n}" for k, (i, n) in enumerate(owners)])
    owner_of = {f.key: owners[k] for k, f in enumerate(futures)}
    progress = Progress("Pages", len(futures), unit="pages par minute")
    written = 0

    def finish(i: int) -> None:
        nonlocal written
        if len(pages[i]) + failed.get(i, 0) < counts[i]:
            return
        read = [pages[i][n] for n in sorted(pages[i])]
        if read:
            write_document(files[i], stems[i], read)
            written += 1

    for i in list(counts):
        if counts[i] and len(pages[i]) == counts[i]:
            finish(i)
    for future in as_completed(futures, progress):
        i, number = owner_of[future.key]
        try:
            outcome = future.result()
        except Exception as exc:  # noqa: BLE001 - a worker lost, a task cancelled
            outcome = {"failure": _reason(exc)}
        future.release()
        if "failure" in outcome:
            failed[i] = failed.get(i, 0) + 1
            errors.append({"fichier": str(files[i]), "page": number, "raison": outcome["failure"]})
            print(f"{files[i].name}, p. {number} : ERREUR — {outcome['failure']}", file=sys.stderr)
        else:
            page = outcome["page"]
            target = _state_file(out, stems[i], number)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(page))
            tmp.replace(target)  # atomic: an interrupted run never leaves half a page
            pages[i][number] = page
        finish(i)
    errors_path = out / ERRORS_FILE
    if errors:
        write_csv(pd.DataFrame(errors, columns=ERROR_COLUMNS).astype({"page": "Int64"}), errors_path)
    elif errors_path.exists():
        errors_path.unlink()  # a resumed run that read everything has no errors left
    read_now = sum(len(p) for p in pages.values()) - resumed
    print(plain(f"Total : {read_now} page(s) lue(s) sur le cluster, {written} document(s) écrit(s), "
                f"{len(errors)} erreur(s){' (voir ' + ERRORS_FILE + ')' if errors else ''} ; résultats dans {out}"))
    return 1 if errors else 0


def _stems(files: list[Path]) -> list[str]:
    """Output names: the file's stem, ``_2``, ``_3``… when two files share it (as without a cluster)."""
    used: set[str] = set()
    stems = []
    for path in files:
        stem, k = path.stem or "document", 2
        while stem in used:
            stem, k = f"{path.stem}_{k}", k + 1
        used.add(stem)
        stems.append(stem)
    return stems
