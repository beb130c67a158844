"""The reference table of the Métropole du Grand Paris's communes, and a name matcher."""

from __future__ import annotations

import json
from functools import lru_cache

import pandas as pd

from sandbox.data.mapping import normalise_name
from sandbox.data.samples import sample_dir


@lru_cache(maxsize=1)
def load_communes() -> pd.DataFrame:
    """The 130 communes: ``code_insee`` (text), ``nom``, ``code_departement``,
    ``departement``, ``ept``, ``population``, ``latitude``, ``longitude``.

    Examples
    --------
    >>> communes = load_communes()
    >>> communes.loc["93066", "nom"]
    'Saint-Denis'
    """
    df = pd.read_csv(
        sample_dir() / "communes_mgp.csv", dtype={"code_insee": str, "code_departement": str}, encoding="utf-8"
    )
    return df.set_index("code_insee", drop=False)


@lru_cache(maxsize=1)
def load_outlines() -> dict | None:
    """Simplified commune outlines as a GeoJSON dict, or None if the file is absent."""
    path = sample_dir() / "communes_mgp.geojson"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _key(name: str) -> str:
    key = normalise_name(name)
    for prefix in ("l ", "le ", "la ", "les "):
        if key.startswith(prefix):
            key = key[len(prefix):]
    return key.replace("saint ", "st ").replace("sainte ", "ste ")


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    communes = load_communes()
    index = {}
    for code, name in zip(communes["code_insee"], communes["nom"]):
        index[_key(name)] = code
        index[normalise_name(code)] = code
    # Pierrefitte-sur-Seine merged into Saint-Denis on 1 January 2025.
    index[_key("Pierrefitte-sur-Seine")] = "93066"
    index["93059"] = "93066"
    return index


def find_commune(name_or_code: object) -> str | None:
    """INSEE code of a commune of the métropole from its name or code, else None.

    Case, accents, hyphens, a leading article and « St »/« Saint » do not matter.

    >>> find_commune("st denis"), find_commune("L'HAY LES ROSES"), find_commune("Lyon")
    ('93066', '94038', None)
    """
    if name_or_code is None or (isinstance(name_or_code, float) and pd.isna(name_or_code)):
        return None
    text = str(name_or_code).strip()
    if text.isdigit() and len(text) == 4:
        text = "0" + text
    return _index().get(_key(text)) or _index().get(normalise_name(text))
