"""Feedback from the room: what workshop participants found wrong or surprising, in a local SQLite file.

The « Signaler » button under a demo's results stores the page, the
parameters of the run and a comment; the « Retours de l'atelier » page
lists the reports and exports them as CSV. Nothing leaves the machine.

The database lives at ``$SANDBOX_FEEDBACK_DB`` if set, else at
:data:`DEFAULT_PATH` (``~/.local/share/bac-a-sable-ia/retours.sqlite3``,
following ``$XDG_DATA_HOME``). It is created on first use. Every operation
opens its own short connection in WAL mode with a busy timeout, so two
browser tabs (or two app processes) can report at the same time. A
database that is locked, unreadable or corrupt raises
:class:`FeedbackError` with a French message; the app goes on.

Examples
--------
>>> import tempfile, pathlib
>>> store = FeedbackStore(pathlib.Path(tempfile.mkdtemp()) / "retours.sqlite3")
>>> entry = store.add("collection", "La tournée 3 traverse la Seine deux fois.", parameters={"Camions": 3})
>>> [(e.demo, e.parameters["Camions"]) for e in store.list()]
[('collection', 3)]
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from sandbox.data.export import to_csv_bytes
from sandbox.text import num

logger = logging.getLogger("sandbox")

ENV_VAR = "SANDBOX_FEEDBACK_DB"
BUSY_TIMEOUT_S = 5.0
MAX_COMMENT = 4000
SCHEMA_VERSION = 1

#: Context keys that could name uploaded files (a file name may name a person): never stored.
FILE_KEYS = frozenset({"fichier", "fichiers", "file", "files", "filename", "filenames", "nom_fichier"})

#: Where a facilitator finds the database's path: never on screen, where the room may see it.
WHERE_IS_IT = "Son emplacement est écrit dans le terminal où l'application a été lancée."

CATEGORIES: tuple[str, ...] = ("Résultat faux", "Résultat surprenant", "Question", "Idée d'amélioration", "Autre")


def _default_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bac-a-sable-ia" / "retours.sqlite3"


DEFAULT_PATH: Path = _default_path()


def feedback_path() -> Path:
    """Where the feedback database is: ``$SANDBOX_FEEDBACK_DB``, else :data:`DEFAULT_PATH`."""
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value).expanduser() if value else DEFAULT_PATH


class FeedbackError(RuntimeError):
    """The feedback database cannot be used; the message is French and says what to do."""


@dataclass(frozen=True)
class Feedback:
    """One report from the room.

    Attributes
    ----------
    id : int
    created : datetime
        Local time, to the second.
    demo : str
        The demo's key (``collecte``) or the page's.
    page : str
        The page's French title.
    category : str
        One of :data:`CATEGORIES`.
    comment : str
    parameters : dict
        The run's parameters (French label → value) when the report was made.
    context : dict
        What the run used (data description, rows, source), never personal data.
    """

    id: int
    created: datetime
    demo: str
    page: str
    category: str
    comment: str
    parameters: dict = field(default_factory=dict)
    context: dict = field(default_factory=dict)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    demo TEXT NOT NULL,
    page TEXT NOT NULL,
    category TEXT NOT NULL,
    comment TEXT NOT NULL,
    parameters TEXT NOT NULL DEFAULT '{}',
    context TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS feedback_demo ON feedback(demo);
"""


def _jsonable(value: Mapping[str, object] | None) -> str:
    return json.dumps(dict(value or {}), ensure_ascii=False, default=str, sort_keys=False)


class FeedbackStore:
    """The SQLite file of reports.

    Parameters
    ----------
    path : path-like, optional
        The database file (default: :func:`feedback_path`). Its folder is
        created on first write.
    timeout : float
        Seconds to wait for another writer before giving up with a French
        message (« verrouillée »).
    """

    def __init__(self, path: str | os.PathLike | None = None, *, timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path).expanduser() if path is not None else feedback_path()
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"FeedbackStore({str(self.path)!r})"

    # -- connection --------------------------------------------------------------------------

    def _connect(self, *, create: bool) -> sqlite3.Connection | None:
        if self.path.is_dir():
            logger.warning("feedback database %s is a folder", self.path)
            raise FeedbackError(
                "La base des retours est un dossier, pas un fichier. "
                f"Indiquez un chemin de fichier dans la variable {ENV_VAR}. {WHERE_IS_IT}"
            )
        if not self.path.exists():
            if not create:
                return None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                logger.warning("feedback database folder %s: %s", self.path.parent, exc)
                raise FeedbackError(
                    f"Impossible de créer le dossier de la base des retours ({exc.strerror or exc}). Choisissez un autre emplacement avec la variable {ENV_VAR}. {WHERE_IS_IT}"
                ) from exc
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            if mode is None:
                raise sqlite3.DatabaseError("file is not a database")
            conn.execute("PRAGMA synchronous = NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                conn.executescript("BEGIN IMMEDIATE;" + _SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
            else:
                conn.execute("SELECT 1 FROM feedback LIMIT 1")
        except sqlite3.Error as exc:
            conn.close()
            raise self._translate(exc) from exc
        return conn

    def _translate(self, exc: sqlite3.Error) -> FeedbackError:
        error = self._message(exc)
        return FeedbackError(f"{error} {WHERE_IS_IT}")

    def _message(self, exc: sqlite3.Error) -> str:
        text = str(exc).lower()
        # The path is never shown in the app (issue 14 #9): the facilitator finds it in the server log.
        logger.warning("feedback database %s: %s", self.path, exc)
        if "locked" in text or "busy" in text:
            return (
                f"La base des retours est verrouillée par un autre programme (ou un autre onglet "
                f"qui écrit en ce moment). Réessayez dans quelques secondes ; si cela dure, fermez les "
                f"autres programmes qui l'ouvrent."
            )
        if "not a database" in text or "malformed" in text or "corrupt" in text or "no such table" in text:
            return (
                f"La base des retours est endommagée ou n'est pas une base SQLite. "
                f"Renommez ou déplacez ce fichier (il sera recréé vide), ou choisissez un autre fichier "
                f"avec la variable {ENV_VAR}."
            )
        if "readonly" in text or "read-only" in text or "unable to open" in text or "permission" in text or "disk i/o" in text:
            return (
                f"La base des retours ne peut pas être ouverte en écriture (droits d'accès ou "
                f"disque plein ?). Vérifiez les droits sur ce fichier et son dossier, ou choisissez un "
                f"autre fichier avec la variable {ENV_VAR}."
            )
        return (f"La base des retours est inutilisable ({exc}). Choisissez un autre fichier avec la variable {ENV_VAR}.")

    # -- operations --------------------------------------------------------------------------

    def add(
        self,
        demo: str,
        comment: str,
        *,
        page: str = "",
        category: str = "Autre",
        parameters: Mapping[str, object] | None = None,
        context: Mapping[str, object] | None = None,
        created: datetime | None = None,
    ) -> Feedback:
        """Store one report and return it with its id.

        Raises
        ------
        FeedbackError
            For an empty comment, or a database that cannot be written.
        """
        comment = (comment or "").strip()
        if not comment:
            raise FeedbackError("Écrivez un commentaire : ce que vous avez trouvé faux, surprenant ou à améliorer.")
        if len(comment) > MAX_COMMENT:
            raise FeedbackError(
                f"Le commentaire compte {num(len(comment))} caractères ; la limite est de {num(MAX_COMMENT)}. Raccourcissez-le."
            )
        if category not in CATEGORIES:
            category = "Autre"
        created = (created or datetime.now()).replace(microsecond=0)
        context = {k: v for k, v in dict(context or {}).items() if str(k).lower() not in FILE_KEYS or isinstance(v, int)}
        params_json, context_json = _jsonable(parameters), _jsonable(context)
        conn = self._connect(create=True)
        try:
            cursor = conn.execute(
                "INSERT INTO feedback (created, demo, page, category, comment, parameters, context) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (created.isoformat(sep=" "), demo, page or demo, category, comment, params_json, context_json),
            )
            row_id = int(cursor.lastrowid)
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        finally:
            conn.close()
        return Feedback(row_id, created, demo, page or demo, category, comment, json.loads(params_json), json.loads(context_json))

    def list(self, demo: str | None = None) -> list[Feedback]:
        """Every report (newest first), or those of one demo. An absent database is empty."""
        conn = self._connect(create=False)
        if conn is None:
            return []
        try:
            sql = "SELECT id, created, demo, page, category, comment, parameters, context FROM feedback"
            args: tuple = ()
            if demo:
                sql += " WHERE demo = ?"
                args = (demo,)
            rows = conn.execute(sql + " ORDER BY id DESC", args).fetchall()
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        finally:
            conn.close()
        return [self._entry(row) for row in rows]

    def count(self) -> int:
        """Number of reports stored."""
        conn = self._connect(create=False)
        if conn is None:
            return 0
        try:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        finally:
            conn.close()

    def delete(self, ids: list[int] | None = None) -> int:
        """Delete some reports (by id), or all of them; returns how many were deleted."""
        conn = self._connect(create=False)
        if conn is None:
            return 0
        try:
            if ids is None:
                cursor = conn.execute("DELETE FROM feedback")
            else:
                cursor = conn.executemany("DELETE FROM feedback WHERE id = ?", [(int(i),) for i in ids])
            return int(cursor.rowcount)
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        finally:
            conn.close()

    @staticmethod
    def _entry(row: tuple) -> Feedback:
        def loads(text: str) -> dict:
            try:
                value = json.loads(text)
            except (TypeError, ValueError):
                return {}
            return value if isinstance(value, dict) else {}

        try:
            created = datetime.fromisoformat(row[1])
        except (TypeError, ValueError):
            created = datetime.min
        return Feedback(int(row[0]), created, row[2], row[3], row[4], row[5], loads(row[6]), loads(row[7]))


def to_csv(entries: list[Feedback]) -> bytes:
    """The reports as a CSV that French spreadsheet software opens as it is (:mod:`sandbox.data.export`).

    Semicolon-separated, UTF-8 with a BOM, one row per report; parameters
    as « label = valeur » pairs separated by `` | ``. A comment written as a
    formula (``=HYPERLINK(…)``) is written as text.

    Examples
    --------
    >>> e = Feedback(1, datetime(2026, 3, 12, 14, 5), "collection", "Collecte", "Question", "=1+1", {"Camions": 3})
    >>> to_csv([e]).decode("utf-8-sig").splitlines()[1]
    "1;12/03/2026 14:05;collection;Collecte;Question;'=1+1;Camions = 3;"
    """
    columns = ["numéro", "date", "démonstration", "page", "catégorie", "commentaire", "paramètres", "données"]
    rows = [
        [
            e.id,
            e.created.strftime("%d/%m/%Y %H:%M"),
            e.demo,
            e.page,
            e.category,
            e.comment,
            " | ".join(f"{k} = {v}" for k, v in e.parameters.items()),
            " | ".join(f"{k} = {v}" for k, v in e.context.items()),
        ]
        for e in entries
    ]
    return to_csv_bytes(pd.DataFrame(rows, columns=columns, dtype=object))
