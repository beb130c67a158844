"""The app's own data folder: where imported official references are stored.

``$BAC_A_SABLE_DATA`` when set, else a per-user folder
(``$XDG_DATA_HOME/bac-a-sable-ia``, by default ``~/.local/share/bac-a-sable-ia``;
``%APPDATA%\\bac-a-sable-ia`` on Windows). Never inside the repository: the
official releases (ROME, INSEE files…) are the user's, imported by the user.

>>> import os, tempfile
>>> os.environ["BAC_A_SABLE_DATA"] = tempfile.mkdtemp()
>>> data_dir("rome").is_dir()
True
>>> del os.environ["BAC_A_SABLE_DATA"]
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "BAC_A_SABLE_DATA"
APP_FOLDER = "bac-a-sable-ia"


def data_root() -> Path:
    """The root of the app's data folder (not created)."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit).expanduser()
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / APP_FOLDER
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_FOLDER


def data_dir(*parts: str) -> Path:
    """A sub-folder of the app's data folder, created (private to the user) if missing."""
    path = data_root().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
