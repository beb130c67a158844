"""An index of what archivists look for: dates, persons after a civil title, communes of the métropole.

Rules, not a statistical model: every entity found can be traced to the
words that produced it.

* **Dates**: numeric (``27/08/1901``), with the month in words
  (``3 juillet 1911``, ``1er mars 1890``), and written out as in civil
  status and council registers (« le douze mars mil huit cent
  quatre-vingt-dix », « L'an mil neuf cent vingt-six, le quatorze mai »),
  with old month forms (``aoust``, ``7bre`` for septembre…). A day and
  month without a year is kept as ``--MM-DD``.
* **Persons**: the capitalised names after M., MM., Mme, Mlle, Monsieur,
  Madame, Mademoiselle, Me, sieur, dame, demoiselle, veuve… (« M. le Maire »
  is a function, not a person, and is skipped).
* **Communes**: the 130 communes of the Métropole du Grand Paris, whatever
  the case, hyphens or « St » for « Saint » (« rue de Paris » is a street,
  not the commune, and is skipped).

Examples
--------
>>> [(e.kind.value, e.value) for e in extract_entities("le douze mars mil huit cent quatre-vingt-dix")]
[('date', '1890-03-12')]
>>> [(e.kind.value, e.value) for e in extract_entities("présent le sieur Louis Auguste Bernard, à Saint-Denis")]
[('person', 'Louis Auguste Bernard'), ('commune', '93066')]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import lru_cache

MONTHS = {
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "aout": 8, "août": 8, "aoust": 8, "aoüt": 8, "septembre": 9, "octobre": 10,
    "novembre": 11, "decembre": 12, "décembre": 12, "7bre": 9, "8bre": 10, "9bre": 11, "xbre": 12, "10bre": 12,
}
UNITS = {
    "zero": 0, "un": 1, "une": 1, "premier": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50,
    "soixante": 60,
}
MULTIPLIERS = {"cent": 100, "cents": 100, "mil": 1000, "mille": 1000}

_NUMBER_WORD = r"(?:" + "|".join(sorted([*UNITS, *MULTIPLIERS, "et"], key=len, reverse=True)) + r")"
_NUMBER_PHRASE = rf"{_NUMBER_WORD}(?:[\s\-]+{_NUMBER_WORD})*"
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
_APOS = r"['’]"
_DAY = rf"(?:1er|1\s?er|\d{{1,2}}|{_NUMBER_PHRASE})"
_YEAR = rf"(?:\d{{4}}|{_NUMBER_PHRASE})"

_DATE_CIVIL = re.compile(
    rf"\bl{_APOS}an\s+(?P<year>{_YEAR})\s*,?\s+le\s+(?P<day>{_DAY})\s+(?P<month>{_MONTH})\b",
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(
    rf"(?<![\w\-])(?P<day>{_DAY})\s+(?P<month>{_MONTH})(?:\s+(?:de\s+l{_APOS}an\s+)?(?P<year>{_YEAR}))?(?![\w\-])",
    re.IGNORECASE,
)
_DATE_NUMERIC = re.compile(r"(?<![\d/.\-])(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})[/.\-](?P<year>\d{4})(?![\d/.\-])")

TITLES = (
    "Monsieur", "Madame", "Mademoiselle", "Messieurs", "Mesdames", "Maître", "Docteur",
    "MM.", "M.", "Mme", "Mmes", "Mlle", "Mlles", "Me", "Dr", "Vve",
    "sieurs", "sieur", "dames", "dame", "demoiselle", "veuve", "citoyenne", "citoyen",
)
NOT_NAMES = {
    "le", "la", "les", "l", "de", "du", "des", "et", "maire", "adjoint", "adjoints", "conseil", "conseiller",
    "conseillers", "préfet", "prefet", "président", "president", "inspecteur", "commissaire", "secrétaire",
    "secretaire", "directeur", "ville", "commune", "art", "article", "objet", "vu", "né", "née", "ne", "nee",
}
_NAME = r"(?:[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)*|[A-ZÀ-ÖØ-Þ]{2,}(?:-[A-ZÀ-ÖØ-Þ]{2,})*|[A-Z]\.)"
_PARTICLE = r"(?:de\s+la|de|du|des|d['’]|van|von|le|la)"
_PERSON = re.compile(
    r"(?<![\w.])(?P<title>" + "|".join(re.escape(t) for t in TITLES) + r")(?![\w])"
    r"(?:\s+(?:veuve|Vve|dame))?"
    rf"\s+(?P<name>{_NAME}(?:\s+(?:{_PARTICLE}\s*)?{_NAME}){{0,4}})"
)
# Names met in old documents for communes whose official name changed or merged.
HISTORICAL_NAMES = {
    "Saint-Ouen": "93070",
    "Montreuil-sous-Bois": "93048",
    "Pierrefitte-sur-Seine": "93066",
    "Pierrefitte": "93066",
    "Issy": "92040",
}
STREET_WORDS = ("rue", "avenue", "boulevard", "route", "chemin", "porte", "place", "quai", "chaussée", "chaussee")


class EntityKind(str, Enum):
    """What an entity is (code values in English; :data:`KIND_LABELS` for the interface and the exports)."""

    DATE = "date"
    PERSON = "person"
    COMMUNE = "commune"


KIND_LABELS = {EntityKind.DATE: "date", EntityKind.PERSON: "personne", EntityKind.COMMUNE: "commune"}


@dataclass(frozen=True)
class Entity:
    """An entity found in a text.

    Attributes
    ----------
    kind : EntityKind
    text : str
        As written.
    value : str
        Normalised: ISO date (``1890-03-12``, ``--03-10`` without year), the
        person's name, or the commune's INSEE code.
    start, end : int
        Character offsets in the text.
    source : str
    page : int
    label : str
        For a commune, its official name; else the value.
    """

    kind: EntityKind
    text: str
    value: str
    start: int
    end: int
    source: str = ""
    page: int = 1
    label: str = ""


def words_to_number(phrase: str) -> int | None:
    """A French number written in words (old forms included), or None.

    >>> words_to_number("mil huit cent quatre-vingt-dix")
    1890
    >>> words_to_number("soixante et onze"), words_to_number("deux mille vingt-quatre")
    (71, 2024)
    >>> words_to_number("quatre-vingts"), words_to_number("premier")
    (80, 1)
    """
    tokens = [t for t in re.split(r"[\s\-]+", _fold(phrase)) if t and t != "et"]
    if not tokens:
        return None
    total, current, previous = 0, 0, ""
    for token in tokens:
        if token in ("vingt", "vingts") and previous == "quatre":
            current += 76  # quatre (4) + 76 = quatre-vingts (80)
        elif token in UNITS:
            current += UNITS[token]
        elif token in ("cent", "cents"):
            current = (current or 1) * 100
        elif token in ("mil", "mille"):
            total += (current or 1) * 1000
            current = 0
        else:
            return None
        previous = token
    return total + current


def _fold(text: str) -> str:
    text = text.lower().replace("’", "'")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _number(text: str) -> int | None:
    text = text.strip()
    compact = text.replace(" ", "").lower()
    if compact in ("1er",):
        return 1
    if text.isdigit():
        return int(text)
    return words_to_number(text)


def _month(text: str) -> int | None:
    return MONTHS.get(text.lower()) or MONTHS.get(_fold(text))


def _iso(year: int | None, month: int, day: int) -> str | None:
    if year is None:
        try:
            date(2000, month, day)  # a leap year: 29 February is a valid day and month
        except ValueError:
            return None
        return f"--{month:02d}-{day:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[Entity]:
    """Dates in *text* (see the module's docstring), without overlaps, in text order.

    >>> [e.value for e in find_dates("L'an mil neuf cent vingt-six, le quatorze mai, et le 3 juillet 1911")]
    ['1926-05-14', '1911-07-03']
    """
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for pattern in (_DATE_CIVIL, _DATE_WORDS, _DATE_NUMERIC):
        for match in pattern.finditer(text):
            if not free(match.start(), match.end()):
                continue
            day = _number(match.group("day"))
            month = _month(match.group("month")) if pattern is not _DATE_NUMERIC else int(match.group("month"))
            year_text = match.group("year")
            year = _number(year_text) if year_text else None
            if day is None or month is None or (year_text and year is None):
                continue
            if year is not None and not 1000 <= year <= 2100:
                continue
            value = _iso(year, month, day)
            if value is None:
                continue
            found.append(Entity(EntityKind.DATE, match.group(0), value, match.start(), match.end(), label=value))
            taken.append((match.start(), match.end()))
    return sorted(found, key=lambda e: e.start)


def find_persons(text: str) -> list[Entity]:
    """Names after a civil title (M., Mme, Mlle, sieur, dame, veuve…).

    >>> [e.value for e in find_persons("M. le Maire ; la veuve Céline Morin, née Dubois ; Mlle Augustine Morin")]
    ['Céline Morin', 'Augustine Morin']
    """
    found = []
    for match in _PERSON.finditer(text):
        tokens = match.group("name").split()
        kept: list[str] = []
        for token in tokens:
            if _fold(token.strip(".")) in NOT_NAMES and not re.fullmatch(r"[A-Z]\.", token):
                if not kept or _fold(token) not in ("de", "du", "des", "la", "le"):
                    break
            kept.append(token)
        while kept and (_fold(kept[-1]) in NOT_NAMES or re.fullmatch(r"[A-Z]\.", kept[-1])):
            kept.pop()
        if not kept:
            continue
        name = " ".join(kept)
        start = match.start("name")
        end = start + len(" ".join(tokens[: len(kept)]))
        found.append(Entity(EntityKind.PERSON, text[match.start(): end], name, match.start(), end, label=name))
    return found


@lru_cache(maxsize=1)
def _commune_pattern() -> tuple[re.Pattern, dict[str, tuple[str, str]]]:
    from sandbox.data.communes import find_commune, load_communes

    communes = load_communes()
    names = {str(name): str(code) for code, name in zip(communes["code_insee"], communes["nom"])}
    official = {code: name for name, code in names.items()}
    for alias, code in HISTORICAL_NAMES.items():
        names.setdefault(alias, find_commune(code) or code)
    lookup: dict[str, tuple[str, str]] = {}
    alternatives = []
    for name, code in sorted(names.items(), key=lambda kv: len(kv[0]), reverse=True):
        article = re.match(r"^(L['’]|Le |La |Les )", name)
        core = name[article.end():] if article else name
        tokens = []
        for token in re.split(r"[\s\-]+", core):
            if token == "Saint":
                tokens.append(r"(?:Saint|St\.?)")
            elif token == "Sainte":
                tokens.append(r"(?:Sainte|Ste\.?)")
            else:
                tokens.append("".join(_letter(c) for c in token))
        body = r"[\s\-]+".join(tokens)
        if article:
            written = article.group(1).strip()
            body = (r"(?:L['’]\s*)?" if written.startswith("L'") or written.startswith("L’") else rf"(?:{written}\s+)?") + body
        group = f"c{len(alternatives)}"
        alternatives.append(f"(?P<{group}>{body})")
        lookup[group] = (code, official.get(code, name))
    pattern = re.compile(r"(?<![\w\-])(?:" + "|".join(alternatives) + r")(?![\w])", re.IGNORECASE)
    return pattern, lookup


def _letter(char: str) -> str:
    """A letter of a commune's name, matching it with or without its accent."""
    if char in "'’":
        return r"['’]\s*"
    base = _fold(char)
    if base != char.lower():
        return f"[{re.escape(char)}{re.escape(base)}]"
    return re.escape(char)


def find_communes(text: str) -> list[Entity]:
    """Communes of the métropole named in *text* (capitalised as a name, not in « rue de Paris »).

    >>> [(e.value, e.label) for e in find_communes("domiciliés à Aubervilliers et à ST-OUEN")]
    [('93001', 'Aubervilliers'), ('93070', 'Saint-Ouen-sur-Seine')]
    """
    pattern, lookup = _commune_pattern()
    found = []
    for match in pattern.finditer(text):
        written, start = match.group(0), match.start()
        article = re.match(r"(l['’]\s*|le\s+|la\s+|les\s+)", written)
        if article and not written[:1].isupper():  # « vu le Kremlin-Bicêtre »: the article is not part of the name
            written, start = written[article.end():], start + article.end()
        if not written[:1].isupper():
            continue
        before = _fold(text[max(0, start - 16): start])
        if re.search(r"\b(" + "|".join(STREET_WORDS) + r")\s+(de\s+|d'|du\s+)?$", before):
            continue
        group = match.lastgroup
        code, name = lookup[group]
        found.append(Entity(EntityKind.COMMUNE, written, code, start, match.end(), label=name))
    return found


def extract_entities(text: str, *, source: str = "", page: int = 1) -> list[Entity]:
    """Dates, persons and communes of *text*, in text order, tagged with *source* and *page*."""
    entities = find_dates(text) + find_persons(text) + find_communes(text)
    entities.sort(key=lambda e: (e.start, e.kind))
    return [Entity(e.kind, e.text, e.value, e.start, e.end, source, page, e.label) for e in entities]


def entities_frame(entities: list[Entity]):
    """The entity index as a table: file, page, type, text as written, normalised value, label, position."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "fichier": e.source,
                "page": e.page,
                "type": KIND_LABELS[EntityKind(e.kind)],
                "texte": " ".join(e.text.split()),
                "valeur": e.value,
                "libellé": e.label or e.value,
                "position": e.start,
            }
            for e in entities
        ],
        columns=["fichier", "page", "type", "texte", "valeur", "libellé", "position"],
    )
