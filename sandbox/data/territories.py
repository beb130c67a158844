"""French territory codes: communes of all France, arrondissements, IRIS, départements, EPCI/EPT, named areas.

Codes are recognised by their published patterns (Code officiel géographique):
no table derived from INSEE files is shipped. Names are known for the 130
communes of the Métropole du Grand Paris (the app's own reference), for the
départements, and for other communes when the user's file gives them or an
official commune list was imported (:func:`import_commune_names`).

Examples
--------
>>> t = resolve_territories(pd.Series(["93059", "2A004", "75115", "971", "Yonne", "751150101", "200054781", "Quartier nord", "99999"]))
>>> t["kind"].tolist()
['commune', 'commune', 'arrondissement', 'departement', 'departement', 'iris', 'epci', 'named', 'unknown']
>>> t["key"].tolist()[:5], t["commune"].tolist()[:3]
(['93066', '2A004', '75115', '971', '89'], ['93066', '2A004', '75056'])
>>> t["in_mgp"].tolist()[:3]
[True, False, True]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sandbox.data.communes import find_commune, load_communes
from sandbox.data.mapping import normalise_name

#: Kinds of territory, in French for the interface.
KIND_LABELS: dict[str, str] = {
    "commune": "commune",
    "arrondissement": "arrondissement municipal",
    "iris": "IRIS",
    "departement": "département",
    "epci": "intercommunalité (EPCI)",
    "ept": "établissement public territorial",
    "named": "territoire nommé",
    "unknown": "code inconnu",
}

#: Départements and overseas collectivities with a code (constitutional names, not an INSEE table).
DEPARTEMENTS: dict[str, str] = dict(
    zip(
        [f"{i:02d}" for i in range(1, 20)] + ["2A", "2B"] + [f"{i:02d}" for i in range(21, 96)]
        + ["971", "972", "973", "974", "975", "976", "977", "978"],
        [
            "Ain", "Aisne", "Allier", "Alpes-de-Haute-Provence", "Hautes-Alpes", "Alpes-Maritimes", "Ardèche",
            "Ardennes", "Ariège", "Aube", "Aude", "Aveyron", "Bouches-du-Rhône", "Calvados", "Cantal", "Charente",
            "Charente-Maritime", "Cher", "Corrèze", "Corse-du-Sud", "Haute-Corse", "Côte-d'Or", "Côtes-d'Armor",
            "Creuse", "Dordogne", "Doubs", "Drôme", "Eure", "Eure-et-Loir", "Finistère", "Gard", "Haute-Garonne",
            "Gers", "Gironde", "Hérault", "Ille-et-Vilaine", "Indre", "Indre-et-Loire", "Isère", "Jura", "Landes",
            "Loir-et-Cher", "Loire", "Haute-Loire", "Loire-Atlantique", "Loiret", "Lot", "Lot-et-Garonne", "Lozère",
            "Maine-et-Loire", "Manche", "Marne", "Haute-Marne", "Mayenne", "Meurthe-et-Moselle", "Meuse", "Morbihan",
            "Moselle", "Nièvre", "Nord", "Oise", "Orne", "Pas-de-Calais", "Puy-de-Dôme", "Pyrénées-Atlantiques",
            "Hautes-Pyrénées", "Pyrénées-Orientales", "Bas-Rhin", "Haut-Rhin", "Rhône", "Haute-Saône",
            "Saône-et-Loire", "Sarthe", "Savoie", "Haute-Savoie", "Paris", "Seine-Maritime", "Seine-et-Marne",
            "Yvelines", "Deux-Sèvres", "Somme", "Tarn", "Tarn-et-Garonne", "Var", "Vaucluse", "Vendée", "Vienne",
            "Haute-Vienne", "Vosges", "Yonne", "Territoire de Belfort", "Essonne", "Hauts-de-Seine",
            "Seine-Saint-Denis", "Val-de-Marne", "Val-d'Oise", "Guadeloupe", "Martinique", "Guyane", "La Réunion",
            "Saint-Pierre-et-Miquelon", "Mayotte", "Saint-Barthélemy", "Saint-Martin",
        ],
        strict=True,
    )
)

#: Communes divided into municipal arrondissements (PLM law): arrondissement codes → commune.
PLM: dict[str, tuple[str, range]] = {
    "Paris": ("75056", range(75101, 75121)),
    "Lyon": ("69123", range(69381, 69390)),
    "Marseille": ("13055", range(13201, 13217)),
}
#: Communes merged since the geography of the published files: old code → new code.
MERGED: dict[str, str] = {"93059": "93066"}  # Pierrefitte-sur-Seine into Saint-Denis, 1 January 2025

_COMMUNE = re.compile(r"(?:0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5])\d{3}|2[AB]\d{3}|97[1-8]\d{2}|98[4-9]\d{2}")
_IRIS = re.compile(r"((?:0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5])\d{3}|2[AB]\d{3}|97[1-8]\d{2})(\d{4})")
_EPT = re.compile(r"T(?:[1-9]|1[0-2])")
_CODE_LIKE = re.compile(r"[0-9][0-9AB]{0,10}|T\d+")


def _arrondissements() -> dict[str, str]:
    return {str(code): commune for commune, codes in PLM.values() for code in codes}


def _luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def departement_of(commune: str) -> str:
    """The département code of a commune code (``2A004`` → ``2A``, ``97411`` → ``974``).

    >>> departement_of("2A004"), departement_of("97411"), departement_of("89024")
    ('2A', '974', '89')
    """
    return commune[:3] if commune.startswith("97") or commune.startswith("98") else commune[:2]


@lru_cache(maxsize=1)
def _departement_names() -> dict[str, str]:
    return {normalise_name(name): code for code, name in DEPARTEMENTS.items()}


@lru_cache(maxsize=1)
def _ept_names() -> dict[str, str]:
    return {normalise_name(name): name for name in load_communes()["ept"].dropna().unique()}


def classify(value: object, hint: str | None = None) -> tuple[str, str, str | None]:
    """``(kind, key, commune)`` of one cell: what territory it names.

    *hint* is ``"iris"`` or ``"epci"`` when the column header says which of
    the two 9-digit codes it holds; otherwise an EPCI is a 9-digit SIREN that
    starts with ``200`` (no commune code does), or with ``24`` and passes
    the SIREN checksum.

    >>> classify("2b033"), classify("1001"), classify("13205"), classify("243500139")
    (('commune', '2B033', '2B033'), ('commune', '01001', '01001'), ('arrondissement', '13205', '13055'), ('epci', '243500139', None))
    >>> classify("Plaine Commune"), classify("lyon"), classify("20")
    (('ept', 'Plaine Commune', None), ('named', 'lyon', None), ('unknown', '20', None))
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "unknown", "", None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    upper = text.upper()
    if upper.isdigit() and len(upper) == 4:
        upper = "0" + upper  # a spreadsheet dropped the leading zero
    if upper.isdigit() and len(upper) == 1:
        upper = "0" + upper
    if upper.isdigit() and len(upper) == 8:
        upper = "0" + upper
    if upper in DEPARTEMENTS:
        return "departement", upper, None
    if len(upper) == 5 and _COMMUNE.fullmatch(upper):
        arrondissements = _arrondissements()
        if upper in arrondissements:
            return "arrondissement", upper, arrondissements[upper]
        code = MERGED.get(upper, upper)
        return "commune", code, code
    if len(upper) == 9 and upper.isdigit():
        if hint == "epci" or (hint != "iris" and (upper.startswith("200") or (upper.startswith("24") and _luhn(upper)))):
            return "epci", upper, None
    match = _IRIS.fullmatch(upper)
    if match and hint != "epci":
        commune = match.group(1)
        commune = _arrondissements().get(commune, MERGED.get(commune, commune))
        return "iris", upper, commune
    if _EPT.fullmatch(upper):
        return "ept", upper, None
    if _CODE_LIKE.fullmatch(upper):
        return "unknown", upper, None
    found = find_commune(text)
    if found:
        return "commune", found, found
    folded = normalise_name(text)
    if folded in _departement_names():
        return "departement", _departement_names()[folded], None
    if folded in _ept_names():
        return "ept", _ept_names()[folded], None
    return "named", text, None


def _hint(header: str | None) -> str | None:
    folded = normalise_name(header or "")
    if "iris" in folded.split():
        return "iris"
    if any(w in folded.split() for w in ("epci", "siren", "interco", "intercommunalite")):
        return "epci"
    return None


def resolve_territories(values: pd.Series, *, header: str | None = None) -> pd.DataFrame:
    """Classify every cell of a territory column.

    Parameters
    ----------
    values : Series
        Codes or names, as the user wrote them.
    header : str, optional
        The column's header in the user's file (``"IRIS"``, ``"SIREN EPCI"``…).

    Returns
    -------
    DataFrame
        Same index; ``kind`` (see :data:`KIND_LABELS`), ``key`` (the
        territory's code, or its name for a named territory), ``commune``
        (INSEE commune code for communes, arrondissements and IRIS, after the
        2025 merger, else None) and ``in_mgp`` (inside the Métropole du Grand
        Paris, hence on the offline map).
    """
    hint = _hint(header)
    unique = pd.unique(values.astype("object"))
    lookup = {v: classify(v, hint) for v in unique}
    rows = [lookup[v] for v in values.astype("object")]
    out = pd.DataFrame(rows, columns=["kind", "key", "commune"], index=values.index)
    mgp = set(load_communes().index)
    out["in_mgp"] = out["commune"].isin(mgp)
    out.loc[out["kind"] == "ept", "in_mgp"] = out.loc[out["kind"] == "ept", "key"].isin(set(load_communes()["ept"]))
    return out


def in_scope(territories: pd.DataFrame, scope: str | Iterable[str] | None) -> pd.Series:
    """Which classified territories belong to *scope*.

    *scope* is ``None``/``"france"`` (everything), ``"mgp"`` (the
    métropole), a département code (``"89"``, ``"2A"``, ``"974"``) or a list
    of codes (communes, départements, IRIS…; a commune code also keeps its
    IRIS and arrondissements). A list may be a comma-separated string.

    >>> t = resolve_territories(pd.Series(["89024", "89387", "21231", "930480101", "2A004"]))
    >>> in_scope(t, "89").tolist(), in_scope(t, "mgp").tolist(), in_scope(t, "21231, 2A").tolist()
    ([True, True, False, False, False], [False, False, False, True, False], [False, False, True, False, True])
    """
    if scope is None or (isinstance(scope, str) and normalise_name(scope) in ("", "france", "tout", "toute la france")):
        return pd.Series(True, index=territories.index)
    if isinstance(scope, str) and normalise_name(scope) in ("mgp", "metropole", "metropole du grand paris"):
        return territories["in_mgp"].astype(bool)
    items = [s.strip().upper() for s in (scope.split(",") if isinstance(scope, str) else scope) if s.strip()]
    items = ["0" + s if s.isdigit() and len(s) in (1, 4) else s for s in items]
    wanted = set(items)
    commune = territories["commune"].fillna("")
    departement = territories.apply(
        lambda r: r["key"] if r["kind"] == "departement" else (departement_of(r["commune"]) if r["commune"] else ""), axis=1
    )
    return (territories["key"].isin(wanted) | commune.isin(wanted) | departement.isin(wanted)).astype(bool)


# --- commune names -----------------------------------------------------------------------------

NAMES_FILE = "communes.csv"


def import_commune_names(path: str | Path) -> Path:
    """Import an official commune list (COG « v_commune_AAAA.csv ») into the app's data folder.

    Keeps the code and the name of every commune (columns ``COM`` and
    ``LIBELLE``, or ``CODGEO`` and ``LIBGEO``); the file stays on this
    computer, outside the repository.

    Raises
    ------
    DataError
        When the file has no code or no name column.
    """
    from sandbox.data.errors import DataError
    from sandbox.data.read import read_table
    from sandbox.data.store import data_dir

    path = Path(path)
    frame = read_table(path.read_bytes(), path.name)
    columns = {c.upper(): c for c in frame.columns}
    code = next((columns[c] for c in ("COM", "CODGEO", "CODE_INSEE", "DEPCOM") if c in columns), None)
    name = next((columns[c] for c in ("LIBELLE", "LIBGEO", "NCCENR", "NOM") if c in columns), None)
    if code is None or name is None:
        raise DataError(
            "liste des communes sans colonne de code (COM, CODGEO) ou de nom (LIBELLE, LIBGEO)",
            filename=path.name,
            hint="Utilisez le fichier « v_commune » du Code officiel géographique de l'INSEE.",
        )
    out = pd.DataFrame({"code": frame[code].astype(str).str.strip(), "nom": frame[name].astype(str).str.strip()})
    target = data_dir("insee") / NAMES_FILE
    out.drop_duplicates("code").to_csv(target, index=False, encoding="utf-8")
    _imported_names.cache_clear()
    return target


@lru_cache(maxsize=1)
def _imported_names() -> dict[str, str]:
    from sandbox.data.store import data_root

    path = data_root() / "insee" / NAMES_FILE
    if not path.is_file():
        return {}
    frame = pd.read_csv(path, dtype=str, encoding="utf-8")
    return dict(zip(frame["code"], frame["nom"]))


def territory_name(kind: str, key: str, commune: str | None = None) -> str:
    """A French name for a territory: the commune's, the département's, else « commune 89024 »…

    >>> territory_name("commune", "93066", "93066"), territory_name("departement", "2A")
    ('Saint-Denis', 'Corse-du-Sud (2A)')
    >>> territory_name("arrondissement", "75115", "75056")
    'Paris 15e arrondissement'
    """
    communes = load_communes()
    if kind == "departement":
        return f"{DEPARTEMENTS.get(key, key)} ({key})"
    if kind == "arrondissement":
        for city, (_, codes) in PLM.items():
            if int(key) in codes:
                n = int(key) - codes.start + 1
                return f"{city} {n}{'er' if n == 1 else 'e'} arrondissement"
    if kind in ("named", "ept", "unknown"):
        return key
    names = _imported_names()
    cities = {code: city for city, (code, _) in PLM.items()}
    if commune in communes.index:
        base = str(communes.loc[commune, "nom"])
    else:
        base = cities.get(commune or "") or names.get(commune or "", f"commune {commune}" if commune else key)
    if kind == "iris":
        return f"{base} – IRIS {key[-4:]}"
    if kind == "epci":
        return names.get(key, f"EPCI {key}")
    return base


def kind_label(kind: str) -> str:
    """French label of a territory kind."""
    return KIND_LABELS.get(kind, kind)


__all__ = [
    "DEPARTEMENTS",
    "KIND_LABELS",
    "MERGED",
    "PLM",
    "classify",
    "departement_of",
    "import_commune_names",
    "in_scope",
    "kind_label",
    "resolve_territories",
    "territory_name",
]

