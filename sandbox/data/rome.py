"""The official ROME 4.0 release: check it, build the app's compact index, store it, load it.

France Travail publishes the ROME 4.0 reference as open data (Licence
Ouverte): a zip of CSV files named ``unix_<table>_v<version>_utf8.csv``. The
user downloads it and gives it to the app once (``python -m sandbox rome
import PATH`` or the « Emploi » page); :func:`import_release` checks the
files, keeps what the matching demo reads and writes it as a few Parquet
files in the app's data folder (:func:`sandbox.data.store.data_dir`), never
inside the repository. :func:`load_index` reads it back; without an
imported release the demo uses the small extract bundled with the app.

Every problem with a release raises :class:`~sandbox.data.DataError` with a
French message naming the file: a missing file, a version the app does not
read (ROME 3 or an unknown layout), a truncated or damaged CSV.

Examples
--------
>>> import os, tempfile
>>> os.environ["BAC_A_SABLE_DATA"] = tempfile.mkdtemp()
>>> index_info() is None
True
>>> del os.environ["BAC_A_SABLE_DATA"]
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.data.store import data_dir, data_root

#: The tables read, with the columns each must have.
TABLES: dict[str, tuple[str, ...]] = {
    "referentiel_code_rome": ("code_rome", "libelle_rome"),
    "referentiel_appellation": ("code_ogr", "libelle_appellation_long", "libelle_appellation_court", "code_rome"),
    "referentiel_competence": ("code_ogr", "libelle_competence"),
    "referentiel_savoir": ("code_ogr_savoir", "libelle_savoir"),
    "liens_rome_referentiels": ("code_rome", "code_ogr"),
    "rubrique_mobilite": ("code_rome", "code_rome_cible"),
    "texte": ("code_rome", "libelle_type_texte", "position_phrase", "libelle_texte"),
}
#: The oldest release whose layout this importer reads (ROME 4.0 starts at v4.00).
MIN_VERSION = 400
INDEX_FILES = ("jobs", "titles", "skills", "links", "mobility")
MANIFEST = "manifest.json"
DOWNLOAD_HINT = (
    "Téléchargez le référentiel ROME 4.0 (fichiers « unix_…_utf8.csv », archive zip) sur francetravail.io "
    "ou data.gouv.fr (« Répertoire Opérationnel des Métiers et des Emplois »), puis importez-le : "
    "python -m sandbox rome import CHEMIN, ou depuis la page « Emploi »."
)
_NAME = re.compile(r"unix_(?P<table>[a-z_]+?)_v(?P<version>\d+)_utf8\.csv$")
_MAX_UNCOMPRESSED = 400 * 1024 * 1024


@dataclass(frozen=True)
class RomeIndex:
    """The compact index of one ROME release.

    Attributes
    ----------
    jobs : DataFrame
        ``code``, ``label``, ``definition`` (one row per job sheet).
    titles : DataFrame
        ``code``, ``title``, ``ogr`` (the job titles, « appellations », long form, and the short form when
        different; ``ogr`` identifies the appellation).
    skills : DataFrame
        ``id``, ``label``, ``kind`` (« savoir-faire » or « savoir »).
    links : DataFrame
        ``code``, ``id``: the skills and knowledge of each job sheet.
    mobility : DataFrame
        ``code``, ``target``, ``order``: close jobs (mobility links).
    info : dict
        ``version`` (« v4.60 »), ``source``, ``imported_at`` and counts.
    """

    jobs: pd.DataFrame
    titles: pd.DataFrame
    skills: pd.DataFrame
    links: pd.DataFrame
    mobility: pd.DataFrame
    info: dict


# -- reading a release -----------------------------------------------------------------------------


def _members(path: Path) -> tuple[dict[str, tuple[str, int]], str, object]:
    """``{table: (member name, version)}`` found in a folder or a zip, a label for messages, and the opener."""
    found: dict[str, list[tuple[str, int]]] = {}
    if path.is_dir():
        names = [p.name for p in sorted(path.iterdir()) if p.is_file()]

        def opener(name: str) -> bytes:
            return (path / name).read_bytes()

    elif path.is_file() and zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if sum(i.file_size for i in infos if _NAME.search(Path(i.filename).name)) > _MAX_UNCOMPRESSED:
            raise DataError("l'archive décompressée dépasse 400 Mo : ce n'est pas le référentiel ROME publié", filename=path.name, hint=DOWNLOAD_HINT)
        by_base = {Path(i.filename.replace("\\", "/")).name: i.filename for i in infos}
        names = sorted(by_base)

        def opener(name: str) -> bytes:
            return archive.read(by_base[name])

    elif path.exists():
        raise DataError("ce fichier n'est ni un dossier ni une archive zip du référentiel ROME", filename=path.name, hint=DOWNLOAD_HINT)
    else:
        raise DataError(f"chemin introuvable : {path}", hint=DOWNLOAD_HINT)
    for name in names:
        m = _NAME.search(name)
        if m:
            found.setdefault(m.group("table"), []).append((name, int(m.group("version"))))
    chosen = {t: max(v, key=lambda x: x[1]) for t, v in found.items()}
    return chosen, path.name, opener


def _version_label(version: int) -> str:
    return f"v{version // 100}.{version % 100:02d}"


def _read_csv(raw: bytes, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    if not raw.strip():
        raise DataError("fichier vide", filename=name, hint=DOWNLOAD_HINT)
    if not raw.endswith(b"\n"):
        raise DataError("fichier tronqué : la dernière ligne est incomplète", filename=name, hint="Téléchargez de nouveau le référentiel complet. " + DOWNLOAD_HINT)
    try:
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError("fichier illisible : ce n'est pas du texte UTF-8", filename=name, hint=DOWNLOAD_HINT) from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"fichier CSV endommagé ou tronqué ({str(exc).splitlines()[0][:120]})", filename=name, hint="Téléchargez de nouveau le référentiel complet.") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            "colonnes absentes : " + ", ".join(f"« {c} »" for c in missing) + " ; ce n'est pas la structure du ROME 4.0",
            filename=name,
            column=missing[0],
            hint=DOWNLOAD_HINT,
        )
    if len(frame) == 0:
        raise DataError("aucune ligne : fichier tronqué", filename=name, hint="Téléchargez de nouveau le référentiel complet.")
    # A row cut short by a truncated download leaves the last columns empty.
    last = frame.iloc[-1]
    if any(str(last[c]).strip() == "" for c in columns[:2]):
        raise DataError(f"fichier tronqué : la ligne {len(frame) + 1} est incomplète", filename=name, rows=[len(frame) + 1], hint="Téléchargez de nouveau le référentiel complet.")
    return frame


def read_release(path: str | Path) -> RomeIndex:
    """Read and check an official ROME 4.0 release (folder of ``unix_*_utf8.csv`` or the zip) into an index.

    Raises
    ------
    DataError
        A file is missing, the release is not ROME 4.0 (or files of several releases are mixed),
        a CSV is truncated or damaged, or the tables do not fit together.
    """
    started = time.perf_counter()
    path = Path(path)
    members, label, opener = _members(path)
    missing = [t for t in TABLES if t not in members]
    if missing:
        raise DataError(
            "fichiers absents du référentiel : " + ", ".join(f"« unix_{t}_vXXX_utf8.csv »" for t in missing),
            filename=label,
            hint=DOWNLOAD_HINT,
        )
    versions = {members[t][1] for t in TABLES}
    if len(versions) > 1:
        raise DataError(
            "fichiers de plusieurs versions mélangés (" + ", ".join(_version_label(v) for v in sorted(versions)) + ")",
            filename=label,
            hint="Gardez les fichiers d'une seule version du référentiel.",
        )
    version = versions.pop()
    if version < MIN_VERSION:
        raise DataError(
            f"version {_version_label(version)} du ROME : seule la version 4.0 (v4.00 et suivantes) est prise en charge",
            filename=label,
            hint=DOWNLOAD_HINT,
        )
    frames = {t: _read_csv(opener(members[t][0]), members[t][0], cols) for t, cols in TABLES.items()}

    rome = frames["referentiel_code_rome"]
    codes = rome["code_rome"].str.strip()
    if not codes.str.fullmatch(r"[A-N]\d{4}").all():
        bad = rome.index[~codes.str.fullmatch(r"[A-N]\d{4}")].tolist()[:5]
        raise DataError("codes ROME mal formés", filename=members["referentiel_code_rome"][0], column="code_rome", rows=[i + 2 for i in bad], hint=DOWNLOAD_HINT)
    texts = frames["texte"]
    definition = texts[texts["libelle_type_texte"].str.strip() == "definition"].copy()
    definition["position"] = pd.to_numeric(definition["position_phrase"], errors="coerce")
    definition = definition.sort_values(["code_rome", "position"]).groupby("code_rome")["libelle_texte"].agg(" ".join)
    jobs = pd.DataFrame({"code": codes, "label": rome["libelle_rome"].str.strip()}).drop_duplicates("code")
    jobs["definition"] = jobs["code"].map(definition).fillna("")

    app = frames["referentiel_appellation"]
    known = set(jobs["code"])
    app = app[app["code_rome"].str.strip().isin(known)]
    ogr = app["code_ogr"].str.strip()
    long_ = pd.DataFrame({"code": app["code_rome"].str.strip(), "title": app["libelle_appellation_long"].str.strip(), "ogr": ogr})
    short = pd.DataFrame({"code": app["code_rome"].str.strip(), "title": app["libelle_appellation_court"].str.strip(), "ogr": ogr})
    titles = pd.concat([long_, short], ignore_index=True)
    titles = titles[titles["title"] != ""].drop_duplicates(["code", "title"]).reset_index(drop=True)

    comp = frames["referentiel_competence"]
    sav = frames["referentiel_savoir"]
    skills = pd.concat(
        [
            pd.DataFrame({"id": comp["code_ogr"].str.strip(), "label": comp["libelle_competence"].str.strip(), "kind": "savoir-faire"}),
            pd.DataFrame({"id": sav["code_ogr_savoir"].str.strip(), "label": sav["libelle_savoir"].str.strip(), "kind": "savoir"}),
        ],
        ignore_index=True,
    )
    skills = skills[skills["label"] != ""].drop_duplicates("id").reset_index(drop=True)
    links = frames["liens_rome_referentiels"]
    links = pd.DataFrame({"code": links["code_rome"].str.strip(), "id": links["code_ogr"].str.strip()})
    links = links[links["id"].isin(set(skills["id"])) & links["code"].isin(known)].drop_duplicates().reset_index(drop=True)
    mob = frames["rubrique_mobilite"]
    order = pd.to_numeric(mob["numero_ordre"], errors="coerce") if "numero_ordre" in mob.columns else pd.Series(0, index=mob.index)
    mobility = pd.DataFrame({"code": mob["code_rome"].str.strip(), "target": mob["code_rome_cible"].str.strip(), "order": order.fillna(0).astype(int)})
    mobility = mobility[mobility["code"].isin(known) & mobility["target"].isin(known) & (mobility["code"] != mobility["target"])]
    mobility = mobility.drop_duplicates(["code", "target"]).reset_index(drop=True)
    if len(titles) == 0 or len(links) == 0:
        raise DataError("les tables du référentiel ne se correspondent pas (aucun intitulé ou aucun lien métier → compétence)", filename=label, hint=DOWNLOAD_HINT)
    info = {
        "version": _version_label(version),
        "source": label,
        "imported_at": pd.Timestamp.now().strftime("%Y-%m-%d %H:%M"),
        "jobs": int(len(jobs)),
        "titles": int(app["code_ogr"].nunique()),
        "skills": int((skills["kind"] == "savoir-faire").sum()),
        "knowledge": int((skills["kind"] == "savoir").sum()),
        "links": int(len(links)),
        "mobility": int(len(mobility)),
        "read_seconds": round(time.perf_counter() - started, 2),
    }
    return RomeIndex(jobs.reset_index(drop=True), titles, skills, links, mobility, info)


# -- storing and loading ---------------------------------------------------------------------------


def index_dir() -> Path:
    """The folder of the imported index (in the app's data folder)."""
    return data_dir("rome")


def import_release(path: str | Path) -> RomeIndex:
    """Check a release, then store its index in the app's data folder (replacing any previous one)."""
    index = read_release(path)
    target = index_dir()
    tmp = Path(tempfile.mkdtemp(prefix=".import-", dir=target))
    try:
        digest = hashlib.sha256()
        for name in INDEX_FILES:
            getattr(index, name).to_parquet(tmp / f"{name}.parquet", index=False)
            digest.update((tmp / f"{name}.parquet").read_bytes())
        # The content's fingerprint in the manifest: two imports of different content never share a stamp.
        index.info["digest"] = digest.hexdigest()[:16]
        (tmp / MANIFEST).write_text(json.dumps(index.info, ensure_ascii=False, indent=1), encoding="utf-8")
        current = target / "current"
        old = target / ".old"
        if old.exists():
            shutil.rmtree(old)
        if current.exists():
            current.rename(old)
        tmp.rename(current)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    load_index.cache_clear()
    return index


def index_info() -> dict | None:
    """The manifest of the imported release (version, counts), or None when none is imported."""
    manifest = data_root() / "rome" / "current" / MANIFEST
    if not manifest.is_file():
        return None
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _load(folder: str, stamp: str) -> RomeIndex | None:
    root = Path(folder)
    try:
        frames = {name: pd.read_parquet(root / f"{name}.parquet").astype(object) for name in INDEX_FILES}
        info = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return RomeIndex(info=info, **frames)


_load_cached = lru_cache(maxsize=2)(_load)


def load_index() -> RomeIndex | None:
    """The imported release's index (cached until the next import), or None.

    The cache is keyed on the folder and the manifest's content, so a new
    import (by this process or another) is seen at once.
    """
    folder = data_root() / "rome" / "current"
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return None
    return _load_cached(str(folder), manifest.read_text(encoding="utf-8"))


load_index.cache_clear = _load_cached.cache_clear  # type: ignore[attr-defined]


def index_stamp(index: RomeIndex) -> str:
    """A short fingerprint of an imported release (its manifest): what fitted models saved beside it are keyed on.

    >>> index_stamp(RomeIndex(*[None] * 5, info={"version": "v4.60", "imported_at": "2026-01-01 10:00"}))
    '7f2476cd51c0c064'
    """
    return _stamp(index.info)


def _stamp(info: dict) -> str:
    return hashlib.sha256(json.dumps(info, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def current_stamp() -> str | None:
    """The :func:`index_stamp` of the imported release, read from its manifest alone (the index is not loaded);
    None when no release is imported or its manifest is unreadable."""
    manifest = data_root() / "rome" / "current" / MANIFEST
    try:
        info = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return _stamp(info) if isinstance(info, dict) else None


def files_digest(paths) -> str:
    """A short fingerprint of the bytes of *paths* (a missing file counts as empty).

    What is fitted from a release also depends on the code and on the files bundled with the app: a model
    saved with :func:`save_fitted` adds their digest to its stamp, so that a change to either is never
    answered with a file saved before it.
    """
    digest = hashlib.sha256()
    for path in paths:
        path = Path(path)
        digest.update(path.name.encode("utf-8") + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            pass
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def pack_strings(items) -> np.ndarray:
    """Strings as one UTF-8 byte array (each followed by a NUL), for :func:`save_fitted`: NumPy's own string
    arrays are padded to the longest item and read back slowly.

    >>> unpack_strings(pack_strings(["a", "", "é"]))
    ['a', '', 'é']

    Raises
    ------
    ValueError
        An item is not a string or holds a NUL.
    """
    items = list(items)
    if not all(type(item) is str for item in items):
        raise ValueError("only strings can be packed")
    text = "".join(item + "\0" for item in items)
    if text.count("\0") != len(items):
        raise ValueError("a string holds a NUL character")
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def unpack_strings(array: np.ndarray) -> list[str]:
    """The strings of :func:`pack_strings`."""
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ValueError("not packed strings")
    return array.tobytes().decode("utf-8").split("\0")[:-1]


def pack_lists(lists) -> tuple[np.ndarray, np.ndarray]:
    """Lists of strings as their packed items (:func:`pack_strings`) and the length of each list.

    >>> unpack_lists(*pack_lists([["a", "b"], [], ["c"]]))
    [['a', 'b'], [], ['c']]
    """
    lists = list(lists)
    return pack_strings([item for items in lists for item in items]), np.asarray([len(items) for items in lists], dtype=np.int64)


def unpack_lists(packed: np.ndarray, counts: np.ndarray) -> list[list[str]]:
    """The lists of :func:`pack_lists`."""
    from itertools import islice

    items = unpack_strings(packed)
    if counts.ndim != 1 or (len(counts) and counts.min() < 0) or int(counts.sum()) != len(items):
        raise ValueError("packed lists do not fit their counts")
    it = iter(items)
    return [list(islice(it, n)) for n in counts.tolist()]


def _fitted_path(name: str) -> Path:
    return data_root() / "rome" / "current" / f"{name}.npz"


def save_fitted(name: str, stamp: str, arrays: dict) -> bool:
    """Store a model's fitted arrays beside the imported index (NumPy ``.npz``, no pickle), keyed by *stamp*.

    Written to a temporary file then renamed, so a reader never sees half a file. False (and nothing
    written) when there is no imported index or the folder is not writable: the model is then refitted
    at the next start, which is only slower.
    """
    path = _fitted_path(name)
    if not path.parent.is_dir():
        return False
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{name}-", suffix=".npz", delete=False) as handle:
            np.savez(handle, __stamp__=np.asarray(stamp), **arrays)
        os.replace(handle.name, path)
    except OSError:
        Path(handle.name).unlink(missing_ok=True)
        return False
    return True


def fitted_writable() -> bool:
    """Whether :func:`save_fitted` can write beside the imported index (there is one and its folder is writable)."""
    folder = _fitted_path("_").parent
    return folder.is_dir() and os.access(folder, os.W_OK)


def load_fitted(name: str, stamp: str) -> dict | None:
    """The arrays saved by :func:`save_fitted` for this *stamp*, or None (none saved, another release, unreadable)."""
    path = _fitted_path(name)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["__stamp__"]) != stamp:
                return None
            return {k: data[k] for k in data.files if k != "__stamp__"}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


def remove_index() -> bool:
    """Forget the imported release (the bundled extract is used again). True if there was one."""
    folder = data_root() / "rome" / "current"
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    load_index.cache_clear()
    return True
