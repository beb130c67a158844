"""From validated tables to the features the score reads — and nothing else.

Only whitelisted columns are read (:data:`OFFER_FEATURES`,
:data:`CANDIDATE_FEATURES`); any other column (name, age, sex,
nationality, address…) is dropped before anything is computed, and listed
in the result so the page can say so. Data problems found here (no skills,
unknown commune, unreadable radius…) become French warnings naming the
spreadsheet rows; the rows themselves keep matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sandbox.data.communes import find_commune, load_communes
from sandbox.data.dates import parse_datetimes
from sandbox.data.mapping import normalise_name
from sandbox.data.schema import spreadsheet_rows
from sandbox.models.matching._skills import split_cell
from sandbox.models.matching._text import fold, tokens
from sandbox.text import num, q, rows_list, typography

OFFER_FEATURES = (
    "offer_id", "title", "description", "skills_required", "skills_desired", "commune",
    "latitude", "longitude", "contract", "hours", "start_date", "rome_code",
)
CANDIDATE_FEATURES = (
    "candidate_id", "desired_job", "skills", "experience", "commune", "latitude", "longitude",
    "mobility_km", "availability", "contracts", "work_time",
)
# Kept aside, never scored: shown to the adviser, pseudonymised in exports, or used to evaluate.
CANDIDATE_DISPLAY = ("name",)
CANDIDATE_TRUTH = ("placed_offers",)

# Column names that hold protected or identifying data (normalised, see normalise_name).
PROTECTED_PATTERNS = (
    "nom", "name", "prenom", "first name", "last name", "age", "naissance", "birth", "sexe", "sex",
    "genre", "gender", "civilite", "title civility", "nationalite", "nationality", "pays de naissance",
    "adresse", "address", "rue", "telephone", "phone", "tel", "mail", "email", "courriel", "photo",
    "religion", "handicap", "rqth", "situation familiale", "enfants a charge", "numero de securite sociale", "nir",
)

CONTRACTS = ("CDI", "CDD", "intérim", "alternance", "contrat aidé", "vacation", "saisonnier", "titulaire")
_CONTRACT_ALIASES = {
    "cdi": "CDI", "contrat a duree indeterminee": "CDI", "duree indeterminee": "CDI", "permanent": "CDI",
    "cdd": "CDD", "contrat a duree determinee": "CDD", "duree determinee": "CDD", "contractuel": "CDD",
    "remplacement": "CDD", "interim": "intérim", "travail temporaire": "intérim", "interimaire": "intérim",
    "alternance": "alternance", "apprentissage": "alternance", "apprenti": "alternance",
    "contrat de professionnalisation": "alternance", "professionnalisation": "alternance",
    "contrat aide": "contrat aidé", "pec": "contrat aidé", "parcours emploi competences": "contrat aidé",
    "cui": "contrat aidé", "cae": "contrat aidé", "adulte relais": "contrat aidé",
    "vacation": "vacation", "vacataire": "vacation", "saisonnier": "saisonnier", "emploi saisonnier": "saisonnier",
    "job d ete": "saisonnier", "titulaire": "titulaire", "fonctionnaire": "titulaire", "statutaire": "titulaire",
    "mutation": "titulaire", "detachement": "titulaire", "emploi permanent": "titulaire",
    "tous": "*", "toutes": "*", "indifferent": "*", "tout contrat": "*", "peu importe": "*",
}
_IMMEDIATE = ("immediat", "immediate", "immediatement", "de suite", "tout de suite", "des maintenant", "maintenant", "disponible", "oui", "asap")
_RADIUS = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:km|kms|kilometres?|kilometre)?\s*$")


def protected_columns(columns) -> list[str]:
    """The columns whose name says they hold identifying or protected data.

    >>> protected_columns(["Prénom", "Sexe", "Date de naissance", "métier recherché", "Nationalité"])
    ['Prénom', 'Sexe', 'Date de naissance', 'Nationalité']
    """
    found = []
    for col in columns:
        name = normalise_name(col)
        words = set(name.split())
        for pattern in PROTECTED_PATTERNS:
            if name == pattern or (" " in pattern and pattern in name) or (" " not in pattern and pattern in words):
                found.append(str(col))
                break
    return found


def select_features(frame: pd.DataFrame, allowed: tuple[str, ...]) -> tuple[pd.DataFrame, list[str]]:
    """A copy of *frame* with only the *allowed* columns (absent ones as empty), and the dropped columns."""
    dropped = [str(c) for c in frame.columns if c not in allowed]
    out = pd.DataFrame(index=frame.index)
    for name in allowed:
        out[name] = frame[name] if name in frame.columns else pd.Series(np.nan, index=frame.index, dtype="object")
    return out, dropped


def blank(values: pd.Series) -> np.ndarray:
    text = values.astype("object").where(values.notna(), "")
    return np.asarray([not str(v).strip() for v in text])


def rows_of(frame: pd.DataFrame, mask: np.ndarray) -> list[int]:
    return spreadsheet_rows(frame.index)[np.asarray(mask, dtype=bool)].tolist()


def examples(values, limit: int = 3) -> str:
    shown = list(dict.fromkeys(str(v) for v in values))[:limit]
    return ", ".join(q(v if len(v) <= 30 else v[:27] + "…") for v in shown)


def warn(count: int, who: tuple[str, str], what: str, rows: list[int]) -> str:
    """« 3 candidats sans compétences … (lignes 4, 9, 12). »"""
    where = f"ligne {rows[0]}" if len(rows) == 1 else f"lignes {rows_list(rows)}"
    noun = who[0] if count < 2 else who[1]
    return typography(f"{num(count)} {noun} {what} ({where}).")


@dataclass
class Located:
    latitude: np.ndarray
    longitude: np.ndarray
    unknown_names: list[str] = field(default_factory=list)
    unknown_mask: np.ndarray | None = None
    missing_mask: np.ndarray | None = None


def locate(frame: pd.DataFrame) -> Located:
    """Coordinates from the latitude/longitude columns, else the commune's centroid; NaN when unknown."""
    n = len(frame)
    lat = np.array(pd.to_numeric(frame["latitude"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan))
    lon = np.array(pd.to_numeric(frame["longitude"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan))
    have = np.isfinite(lat) & np.isfinite(lon)
    communes = load_communes()
    clat = dict(zip(communes["code_insee"], communes["latitude"]))
    clon = dict(zip(communes["code_insee"], communes["longitude"]))
    unknown = np.zeros(n, dtype=bool)
    missing = np.zeros(n, dtype=bool)
    names = frame["commune"].to_numpy(dtype=object)
    cache: dict[str, str | None] = {}
    for i in np.flatnonzero(~have):
        value = names[i]
        if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
            missing[i] = True
            continue
        text = str(value)
        if text not in cache:
            cache[text] = find_commune(text)
        code = cache[text]
        if code is None:
            unknown[i] = True
            continue
        lat[i] = clat[code]
        lon[i] = clon[code]
    return Located(lat, lon, [str(v) for v in names[unknown]], unknown, missing)


def parse_radius(values: pd.Series, default_km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Radius in km; (radius, unreadable mask, empty mask). « 15 km », « 12,5 » and numbers are read."""
    out = np.full(len(values), float(default_km))
    bad = np.zeros(len(values), dtype=bool)
    empty = np.zeros(len(values), dtype=bool)
    read = _per_value(_radius)
    for i, v in enumerate(values.to_numpy(dtype=object)):
        r = read(v)
        if r is None:
            empty[i] = True
        elif r is False:
            bad[i] = True
        else:
            out[i] = r
    return out, bad, empty


def _radius(v: object) -> float | bool | None:
    """A radius cell read: km, False when unreadable, None when empty."""
    if v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        r = float(v)
    else:
        m = _RADIUS.match(fold(v))
        if not m:
            return False
        r = float(m.group(1).replace(",", "."))
    if not np.isfinite(r) or r < 0 or r > 1000:
        return False
    return r


def contract_type(value: object) -> str | None:
    """The contract type of a cell among :data:`CONTRACTS` (« * » for « tous »), or None.

    >>> contract_type("Contrat à durée déterminée (6 mois)"), contract_type("PEC"), contract_type("???")
    ('CDD', 'contrat aidé', None)
    """
    text = " ".join(re.findall(r"[a-z0-9]+", fold(value)))
    if not text:
        return None
    if text in _CONTRACT_ALIASES:
        return _CONTRACT_ALIASES[text]
    padded = f" {text} "
    for alias in sorted(_CONTRACT_ALIASES, key=len, reverse=True):
        if f" {alias} " in padded:
            return _CONTRACT_ALIASES[alias]
    return None


def accepted_contracts(value: object) -> tuple[set[str] | None, list[str]]:
    """Contract types a candidate accepts (None: all) and the items not understood."""
    items = [p for part in split_cell(value) for p in re.split(r"\s+(?:ou|et)\s+", part)]
    if not items:
        return None, []
    found, unknown = set(), []
    for item in items:
        kind = contract_type(item)
        if kind is None:
            unknown.append(item)
        elif kind == "*":
            return None, unknown
        else:
            found.add(kind)
    return (found or None), unknown


def work_time(value: object) -> tuple[str, float]:
    """(« plein » | « partiel » | « indifférent », max hours or NaN) from a free cell."""
    text = fold(value)
    m = re.search(r"(\d+(?:[.,]\d+)?)\s*h", text)
    hours = float(m.group(1).replace(",", ".")) if m else np.nan
    if "partiel" in text or "mi temps" in text or "mi-temps" in text:
        return "partiel", hours
    if "plein" in text or "complet" in text:
        return "plein", hours
    return "indifférent", hours


def _says_immediate(text: str) -> bool:
    """True for an availability or a start date that says « now » (« immédiate », « de suite », « asap »…)."""
    folded = fold(text)
    return any(word in folded for word in _IMMEDIATE)


def parse_days(values: pd.Series, reference: pd.Timestamp, *, immediate_words: bool) -> tuple[np.ndarray, np.ndarray]:
    """Days since the reference date (NaN unknown) and the mask of unreadable cells."""
    n = len(values)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    raw = values.astype("object")
    is_dt = pd.api.types.is_datetime64_any_dtype(values)
    if is_dt:
        days = (values - reference).dt.days.to_numpy(dtype="float64", na_value=np.nan)
        return days, bad
    text = pd.Series([None if (v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip()) else str(v).strip() for v in raw], index=values.index, dtype="object")
    immediate = np.zeros(n, dtype=bool)
    if immediate_words:
        says_immediate = _per_value(_says_immediate)  # a column holds few distinct cells
        immediate[:] = [t is not None and says_immediate(t) for t in text]
    out[immediate] = 0.0
    rest = text.where(~immediate & text.notna())
    if rest.notna().any():
        parsed = parse_datetimes(rest)
        days = np.array((parsed.values - reference).dt.days.to_numpy(dtype="float64", na_value=np.nan))
        ok = ~np.isnan(days)
        out[ok] = days[ok]
        bad = np.asarray(parsed.invalid, dtype=bool) & ~immediate
    return out, bad


# -- the two tables, prepared --------------------------------------------------------------------


@dataclass
class PreparedTable:
    """One side of the matching, read and normalised.

    Attributes
    ----------
    ids : array of str
    frame : DataFrame
        The features read (and a few columns for display).
    docs : list of list of str
        The stems of each row's texts (for the text part).
    lat, lon : array
    codes : list of list of (str, float)
        ROME suggestions kept for each row: (code, confidence 0-100), best first.
    warnings : list of str
    """

    ids: np.ndarray
    frame: pd.DataFrame
    docs: list[list[str]]
    lat: np.ndarray
    lon: np.ndarray
    codes: list[list[tuple[str, float]]]
    warnings: list[str] = field(default_factory=list)


def location_warnings(loc: Located, frame: pd.DataFrame, who: tuple[str, str]) -> list[str]:
    """Warnings for rows whose place is unknown or missing (offers and candidates alike)."""
    warnings = []
    if loc.unknown_mask.any():
        warnings.append(warn(int(loc.unknown_mask.sum()), who, f"dont la commune est inconnue ({examples(loc.unknown_names)}) : distance non calculée, pas de filtre de distance", rows_of(frame, loc.unknown_mask)))
    if loc.missing_mask.any():
        warnings.append(warn(int(loc.missing_mask.sum()), who, "sans commune ni coordonnées : distance non calculée", rows_of(frame, loc.missing_mask)))
    return warnings


def rome_codes(titles: pd.Series, descriptions: pd.Series | None, given: pd.Series | None, rome, words=tokens) -> tuple[list, np.ndarray]:
    """ROME suggestions kept for each title (a valid given code wins), and the mask of titles not recognised.

    *words*: what reads the words of the titles and descriptions (see :meth:`RomeNormaliser.suggest_many`).
    """
    # The coder's suggestions for each line (a distinct title, or title and description), kept once per line:
    # the rows of a line share its list.
    row_line, per_line = rome._suggestions(titles.tolist(), 3, None if descriptions is None else descriptions.tolist(), words)
    kept = [[(s.code, s.score) for s in sugg if s.score >= rome.min_score] for sugg in per_line]
    out = [kept[i] for i in row_line]
    weak = np.asarray([not k for k in kept], dtype=bool)[np.asarray(row_line, dtype=np.int64)]
    if given is not None:
        known_codes = set(rome.codes_)
        for i, value in enumerate(given.tolist()):
            code = str(value).strip().upper() if pd.notna(value) else ""
            if code in known_codes:
                out[i] = [(code, 100.0)]
                weak[i] = False
    return out, weak


_NAN = object()  # the key of every NaN cell in :func:`_per_value`'s memo


def _per_value(function):
    """*function* of one cell, computed once per distinct cell value (many rows share a job title or a contract cell).

    The result is shared between the rows with that value: callers copy it if they change it.

    >>> calls = []
    >>> twice = _per_value(lambda v: calls.append(v) or 2 * v)
    >>> [twice(v) for v in (1, 2, 1, float("nan"), float("nan"))][:3], calls[:2], len(calls)
    ([2, 4, 2], [1, 2], 3)
    """
    memo: dict = {}

    def once(value):
        # NaN is not equal to itself, so not a key: every NaN cell is one (an empty cell, the most common value).
        key = _NAN if isinstance(value, float) and value != value else value
        try:
            return memo[key]
        except KeyError:
            out = memo[key] = function(value)
            return out
        except TypeError:  # an unhashable cell
            return function(value)

    return once


def _text_or_empty(value: object) -> str:
    return str(value) if pd.notna(value) else ""


def prepare_offers(off: pd.DataFrame, skills, rome, reference_date: pd.Timestamp) -> PreparedTable:
    """Read the offers: skills (listed, else found in the texts), place, ROME code, contract, hours, start."""
    from sandbox.text import plural

    who = ("offre", "offres")
    warnings: list[str] = []
    n = len(off)
    titles, descriptions = off["title"].tolist(), off["description"].tolist()
    required, desired = off["skills_required"].tolist(), off["skills_desired"].tolist()
    both = skills.parse_many([*required, *desired])
    req, des = both[:n], both[n:]
    none_listed = np.asarray([not r and not d for r, d in zip(req, des)])
    from_text = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(none_listed):
        found = skills.extract(f"{titles[i]} {_text_or_empty(descriptions[i])}")
        req[i] = found
        from_text[i] = bool(found)
    if none_listed.any():
        still = int((none_listed & ~from_text).sum())
        tail = f" ; aucune trouvée pour {plural(still, 'offre')} : leur part « compétences » reprend la similarité de texte" if still else ""
        warnings.append(warn(int(none_listed.sum()), who, f"sans compétences renseignées : compétences lues dans l'intitulé et la description{tail}", rows_of(off, none_listed)))
    empty_desc = blank(off["description"])
    if empty_desc.any():
        warnings.append(warn(int(empty_desc.sum()), who, "sans description : le texte comparé se limite à l'intitulé et aux compétences", rows_of(off, empty_desc)))

    loc = locate(off)
    warnings += location_warnings(loc, off, who)

    # The titles' and descriptions' words are read once, for the ROME coding and for the text part.
    text_tokens = _per_value(tokens)
    codes, weak = rome_codes(off["title"], off["description"], off["rome_code"], rome, words=text_tokens)
    if weak.any():
        warnings.append(warn(int(weak.sum()), who, "dont l'intitulé ne correspond à aucun métier du référentiel ROME chargé (« métier non reconnu ») : part « métier » nulle", rows_of(off, weak)))

    contract = np.asarray(list(map(_per_value(contract_type), off["contract"].tolist())), dtype=object)
    unknown_contract = (contract == None) & ~blank(off["contract"])  # noqa: E711
    if unknown_contract.any():
        warnings.append(warn(int(unknown_contract.sum()), who, f"dont le type de contrat n'est pas reconnu ({examples(off['contract'][unknown_contract])}) : compatibilité de contrat non vérifiée", rows_of(off, unknown_contract)))
    contract[contract == "*"] = None
    hours = pd.to_numeric(off["hours"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    start, bad_start = parse_days(off["start_date"], reference_date, immediate_words=True)
    if bad_start.any():
        warnings.append(warn(int(bad_start.sum()), who, "dont la date de début est illisible : début immédiat supposé", rows_of(off, bad_start)))
    start = np.where(np.isnan(start), 0.0, start)

    desired_tokens = _per_value(tokens)  # many empty cells
    docs = [
        text_tokens(t) + tokens(r) + desired_tokens(d) + text_tokens(x)
        for t, r, d, x in zip(titles, required, desired, descriptions)
    ]
    frame = pd.DataFrame(
        {
            "offer_id": off["offer_id"].astype(str).to_numpy(),
            "title": off["title"].astype(str).to_numpy(),
            "commune": off["commune"].to_numpy(dtype=object),
            "contract": contract,
            "hours": hours,
            "start_day": start,
            "skills_from_text": from_text,
        },
        index=off.index,
    )
    frame["required"] = req
    frame["desired"] = [[s for s in d if s not in set(r)] for r, d in zip(req, des)]
    return PreparedTable(frame["offer_id"].to_numpy(), frame, docs, loc.latitude, loc.longitude, codes, warnings)


def candidate_docs(cand: pd.DataFrame) -> list[list[str]]:
    """The stems of each candidate's desired job, skills and experience (the ``docs`` of :func:`prepare_candidates`)."""
    job_tokens = _per_value(tokens)
    return [job_tokens(j) + tokens(s) + tokens(e) for j, s, e in zip(cand["desired_job"].tolist(), cand["skills"].tolist(), cand["experience"].tolist())]


def read_candidate_skills(cand: pd.DataFrame, skills) -> tuple[list[list[str]], np.ndarray, list[str]]:
    """Each candidate's skills (listed, else found in the desired job and experience), the rows whose skills
    were found in the text, and the warnings about them (the skills of :func:`prepare_candidates`)."""
    from sandbox.text import plural

    who = ("candidat", "candidats")
    warnings: list[str] = []
    listed = skills.parse_many(cand["skills"].tolist())
    none_listed = np.asarray([not s for s in listed])
    from_text = np.zeros(len(cand), dtype=bool)
    jobs, experiences = cand["desired_job"].tolist(), cand["experience"].tolist()
    for i in np.flatnonzero(none_listed):
        found = skills.extract(f"{jobs[i]} {_text_or_empty(experiences[i])}")
        listed[i] = found
        from_text[i] = bool(found)
    if none_listed.any():
        still = int((none_listed & ~from_text).sum())
        tail = f" ; aucune trouvée pour {plural(still, 'candidat')} : leur part « compétences » reprend la similarité de texte" if still else ""
        warnings.append(warn(int(none_listed.sum()), who, f"sans compétences renseignées : compétences lues dans le texte de l'expérience{tail}", rows_of(cand, none_listed)))
    empty_exp = blank(cand["experience"])
    if empty_exp.any():
        warnings.append(warn(int(empty_exp.sum()), who, "sans texte d'expérience : le texte comparé se limite au métier et aux compétences", rows_of(cand, empty_exp)))
    return listed, from_text, warnings


def prepare_candidates(
    cand: pd.DataFrame, skills, rome, reference_date: pd.Timestamp, default_radius_km: float, *, with_docs: bool = True, read_skills=None
) -> PreparedTable:
    """Read the candidates: skills (listed, else found in the experience), place, radius, ROME code, contracts, time, availability.

    Without *with_docs*, the table's ``docs`` are ``None``: the caller computes them (:func:`candidate_docs`).
    *read_skills*, when given, is called without arguments once the rest is read and returns what
    :func:`read_candidate_skills` returns (the skills are the longest part: a caller may have them read
    meanwhile in another process); by default they are read here.
    """
    who = ("candidat", "candidats")
    warnings: list[str] = []

    loc = locate(cand)
    warnings += location_warnings(loc, cand, who)

    radius, bad_radius, empty_radius = parse_radius(cand["mobility_km"], default_radius_km)
    default = f"{num(default_radius_km)}\u00a0km"
    if bad_radius.any():
        warnings.append(warn(int(bad_radius.sum()), who, f"dont le rayon de mobilité n'est pas un nombre de kilomètres ({examples(cand['mobility_km'][bad_radius])}) : {default} par défaut", rows_of(cand, bad_radius)))
    if empty_radius.any():
        warnings.append(warn(int(empty_radius.sum()), who, f"sans rayon de mobilité : {default} par défaut", rows_of(cand, empty_radius)))

    codes, weak = rome_codes(cand["desired_job"], None, None, rome)
    if weak.any():
        warnings.append(warn(int(weak.sum()), who, "dont le métier recherché ne correspond à aucun métier du référentiel ROME chargé (« métier non reconnu ») : part « métier » nulle", rows_of(cand, weak)))

    accepted, unknown_items = [], []
    read_contracts = _per_value(accepted_contracts)
    for v in cand["contracts"].tolist():
        acc, unk = read_contracts(v)
        accepted.append(None if acc is None else set(acc))
        unknown_items.append(list(unk))
    bad_contract = np.asarray([bool(u) for u in unknown_items])
    if bad_contract.any():
        listed_bad = [u for us in unknown_items for u in us]
        warnings.append(warn(int(bad_contract.sum()), who, f"dont un type de contrat n'est pas reconnu ({examples(listed_bad)}) : ignoré", rows_of(cand, bad_contract)))
    times = list(map(_per_value(work_time), cand["work_time"].tolist()))
    avail, bad_avail = parse_days(cand["availability"], reference_date, immediate_words=True)
    if bad_avail.any():
        warnings.append(warn(int(bad_avail.sum()), who, f"dont la disponibilité est illisible ({examples(cand['availability'][bad_avail])}) : non prise en compte", rows_of(cand, bad_avail)))

    docs = candidate_docs(cand) if with_docs else None
    listed, from_text, skill_warnings = read_skills() if read_skills is not None else read_candidate_skills(cand, skills)
    frame = pd.DataFrame(
        {
            "candidate_id": cand["candidate_id"].astype(str).to_numpy(),
            "desired_job": cand["desired_job"].astype(str).to_numpy(),
            "radius_km": radius,
            "available_day": avail,
            "time_pref": [t[0] for t in times],
            "max_hours": [t[1] for t in times],
            "skills_from_text": from_text,
        },
        index=cand.index,
    )
    frame["skills"] = listed
    frame["accepted"] = accepted
    return PreparedTable(frame["candidate_id"].to_numpy(), frame, docs, loc.latitude, loc.longitude, codes, skill_warnings + warnings)
