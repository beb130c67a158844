"""Personal-data detection: which columns of a table look personal, and why.

Every table a user uploads is scanned before anything runs (``sandbox.ui``
calls :func:`scan` right after reading the file). A column is flagged when
its values — and, where values alone are ambiguous, its header — look like
one of:

- person names (« Marie Dupont », a « Prénom » column…), but not commune
  names such as « Saint-Denis » or « Paris », nor street names;
- e-mail addresses;
- French phone numbers (``06 12 34 56 78``, ``+33 1 …``);
- French social-security numbers (NIR), only when their two-digit key is
  right: a 15-digit number whose key is wrong is not flagged;
- precise postal addresses (a street number and a street type);
- dates of birth.

What to do with a flagged column is :mod:`sandbox.privacy.choices`; the
pseudonyms are :mod:`sandbox.privacy.pseudonym`. Nothing here writes to disk.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"Prénom": ["Marie", "Karim", "Léa"],
...                    "Commune": ["Saint-Denis", "Paris", "Montreuil"],
...                    "Courriel": ["m.d@exemple.fr", "karim@exemple.fr", "lea@exemple.fr"]})
>>> report = scan(df)
>>> [(f.column, f.kind) for f in report.findings]
[('Prénom', 'name'), ('Courriel', 'email')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from sandbox.privacy._values import as_text as _as_text
from sandbox.text import pct, q, strip_accents

Kind = Literal["name", "email", "phone", "nir", "address", "birth_date"]

KIND_LABELS: dict[str, str] = {
    "name": "noms de personnes",
    "email": "adresses électroniques",
    "phone": "numéros de téléphone",
    "nir": "numéros de sécurité sociale (NIR)",
    "address": "adresses postales précises",
    "birth_date": "dates de naissance",
}

SAMPLE_SIZE = 1000

# --- reference words -----------------------------------------------------------------------

# Common given names in France (all origins), folded (lower case, no accents).
FIRST_NAMES = frozenset(
    """
    aaron abdel abdelkader abdallah abdou abdoulaye abel adam adama adele adrien agathe agnes ahmed aicha aida
    alain alban albert alexandre alexandra alexis alice aline alix amandine amaury ambre amel amelie amina amine
    amir anais andre andrea angelique anne annie annick antoine antonin apolline arnaud arthur astrid aude audrey
    augustin aurelie aurelien axel aya aymeric baptiste barbara bastien beatrice benedicte benjamin benoit bernard
    bertrand blanche bouchra brigitte bruno camille capucine carla carole caroline catherine cecile celine chantal
    charles charlotte chloe christelle christian christine christophe claire claude clara clement clemence colette
    coline corinne cyril cyrille damien daniel daniele danielle david delphine denise diane didier dominique dylan
    eden edith edouard eleonore elias elie eliott elisa elisabeth elise ella elodie eloise elsa emilie emile emma
    emmanuel emmanuelle enzo eric ethan etienne eva evelyne fabien fabienne fabrice farid fatima fatou fatoumata
    florence florian francine franck francois francoise frederic frederique gabriel gabrielle gael gaelle gaspard
    genevieve georges gerald gerard gilles gilbert ginette gisele gregoire gregory guillaume gustave guy hadrien
    hamid hana hannah hassan helene henri herve hugo hugues ibrahim ines irene isabelle jacqueline jacques jade
    jean jeanne jeannine jennifer jeremy jerome jessica joel joelle johan jonathan jordan joseph josiane josephine
    julia julie julien juliette justine kader karima karim kevin khadija laetitia laura laure laurence laurent lea
    leila leo leon leonie liam lina lisa lise loic lola lou louis louise luc luca lucas lucie lucien lucienne
    ludovic lydie madeleine mael maelle mahamadou malik manon marc marcel marcelle margaux margot marguerite maria
    mariam marie marine marion marius martine mathias mathieu mathilde matteo matthieu maurice maxime mehdi melanie
    melissa michel micheline michele mickael mila mireille mohamed mohammed monique morgane moussa mourad myriam
    nabil nadia nadine naima nassim nathalie nathan nicolas nicole noah noe noel noemie nora oceane odette odile
    olivier oscar pascal pascale patrice patricia patrick paul paula paulette pauline philippe pierre quentin
    rachel rachid raphael raymond rayan regine remi renee richard robert roger romain romane rose sabrina sacha
    safia salma samia samir samuel sandra sandrine sarah sebastien serge simon simone solene sophie stephane
    stephanie suzanne sylvain sylvie tatiana theo theodore therese thibault thierry thomas timothee tom valentin
    valentine valerie vanessa victor victoria vincent virginie xavier yanis yann yannick yasmine yassine yves
    yvette yvonne zoe zohra
    """.split()
)

# Most frequent family names in France, folded.
SURNAMES = frozenset(
    """
    adam andre arnaud aubert aubry bailly barbier baron barre bernard berger bertin bertrand besson blanc
    blanchard bonnet boucher bouchet boulanger bourgeois bouvier boyer breton brun brunet caron carpentier carre
    charpentier chauvin chevalier clement colin collet collin cousin david deschamps dubois dufour dumas dumont
    dupont dupuis dupuy durand duval fabre faure fernandez fleury fontaine fournier francois gaillard garcia
    garnier gauthier gautier gerard gillet girard giraud guerin guichard guillot guyot hamon henry hoarau hubert
    huet jacob jacquet joly klein lacroix lambert lamy langlois laporte laurent lebrun leblanc leclerc leclercq
    lecomte lefebvre lefevre leger legrand lejeune lemaire lemoine leroux leroy lopez lucas maillard mallet
    marchal marchand marechal martin martinez masson mathieu menard mercier meunier meyer michaud michel millet
    monnier moreau morel morin moulin muller nicolas noel olivier paris payet pelletier perez perret perrier
    perrin perrot petit picard pichon poirier poulain prevost renard renaud renault rey richard riviere robert
    robin roche rodriguez roger rolland rousseau roussel roux roy royer sanchez schmitt schneider simon tessier
    thomas vasseur vidal vincent weber diallo traore diop ndiaye kone camara ba sow cisse benali bensaid haddad
    mansouri nguyen tran le pham da silva dos santos ferreira pereira rodrigues martins
    """.split()
)

# Words that make a value a street, a place or an organisation rather than a person.
NON_PERSON_WORDS = frozenset(
    """
    rue avenue boulevard bd allee place impasse chemin quai cours square route villa cite passage esplanade
    voie promenade parvis faubourg hameau residence sentier ruelle mairie hotel ville ecole college lycee
    gymnase stade parc jardin eglise gare marche centre maison association service direction agence societe
    entreprise sas sarl commune departement region metropole agent aide auxiliaire animateur secretaire
    chauffeur jardinier cuisinier policier technicien responsable charge adjoint directeur
    """.split()
)

STREET_TYPES = (
    r"rue|r\.|avenue|av\.?|ave|boulevard|bd|blvd|allee|place|pl\.?|impasse|imp\.?|chemin|ch\.?|quai|cours|"
    r"square|sq\.?|route|rte|villa|cite|passage|rond[- ]point|esplanade|voie|promenade|parvis|faubourg|fbg|"
    r"hameau|residence|sente|sentier|ruelle|clos|mail|galerie|cour|domaine|lotissement|lieu[- ]dit"
)

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_PHONE = re.compile(r"^(?:\+33|0033|\(\+33\)|0)\(?0?\)?[1-9]\d{8}$")
_NIR = re.compile(r"^([1-478])(\d{2})(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2[ab])(\d{3})(\d{3})(\d{2})$", re.IGNORECASE)
_ADDRESS = re.compile(rf"(?:^|[\s,])\d{{1,4}}\s*(?:bis|ter|quater|[abt])?\s*,?\s*(?:{STREET_TYPES})(?=[\s,]|$)")
_SEPARATORS = re.compile(r"[\s.\-/()]")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def fold(text: object) -> str:
    """Lower case, accents removed, spaces collapsed.

    >>> fold("  Élodie  LE GOFF ")
    'elodie le goff'
    """
    norm = strip_accents(str(text)).lower()
    return " ".join(norm.replace("\u2019", "'").split())


def _header(name: object) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(name)).split())


# --- value checks ----------------------------------------------------------------------------


def nir_key(first13: str) -> int:
    """The control key of a NIR from its first 13 characters (Corsica: 2A → 19, 2B → 18).

    >>> nir_key("2690549588157")
    80
    """
    digits = first13.upper().replace("2A", "19").replace("2B", "18")
    return 97 - int(digits) % 97


def is_valid_nir(value: object) -> bool:
    """True if *value* is a well-formed French social-security number with the right key.

    Spaces, dots and dashes are ignored; a number stored as a float is read
    as its integer.

    >>> is_valid_nir("2 69 05 49 588 157 80"), is_valid_nir("2 69 05 49 588 157 81")
    (True, False)
    >>> is_valid_nir("1 80 07 2B 045 012 17"), is_valid_nir(269054958815780.0)
    (True, True)
    """
    text = _as_text(value)
    if text is None:
        return False
    text = _SEPARATORS.sub("", text)
    match = _NIR.match(text)
    if not match:
        return False
    return nir_key(text[:13]) == int(match.group(7))


def is_phone(value: object) -> bool:
    """True for a French phone number (10 digits starting with 0, or +33 / 0033).

    >>> is_phone("06 12 34 56 78"), is_phone("+33 1 44 55 66 77"), is_phone("0012345678")
    (True, True, False)
    """
    text = _as_text(value)
    if text is None:
        return False
    return bool(_PHONE.match(_SEPARATORS.sub("", text)))


def has_email(value: object) -> bool:
    """True if the cell holds an e-mail address (possibly inside a sentence)."""
    text = _as_text(value)
    return text is not None and "@" in text and bool(_EMAIL.search(text))


def is_street_address(value: object) -> bool:
    """True for a precise postal address: a street number followed by a street type.

    >>> is_street_address("12 bis, rue de la République"), is_street_address("Rue de la Paix")
    (True, False)
    """
    text = _as_text(value)
    return text is not None and bool(_ADDRESS.search(fold(text)))


def looks_like_person_name(value: object, *, communes: frozenset[str] | None = None) -> bool:
    """True if a short text reads like a person's name (a known given or family name).

    Commune names (« Saint-Denis », « Paris ») and street or organisation
    names are not person names.

    >>> looks_like_person_name("DUPONT Marie"), looks_like_person_name("Saint-Denis")
    (True, False)
    >>> looks_like_person_name("Rue Victor Hugo"), looks_like_person_name("Agent d'entretien")
    (False, False)
    """
    text = _as_text(value)
    if text is None or any(ch.isdigit() for ch in text) or len(text) > 60:
        return False
    folded = fold(text)
    if _is_commune(folded, communes):
        return False
    words = _WORD.findall(folded.replace("-", " "))
    if not 1 <= len(words) <= 5:
        return False
    if any(w in NON_PERSON_WORDS for w in words):
        return False
    return any(w in FIRST_NAMES or w in SURNAMES for w in words)


def _commune_keys() -> frozenset[str]:
    global _COMMUNES
    if _COMMUNES is None:
        names: set[str] = set()
        try:
            from sandbox.data.communes import load_communes

            names.update(fold(n) for n in load_communes()["nom"])
        except Exception:  # the reference table is optional for the guard
            pass
        names.update({"paris", "lyon", "marseille", "toulouse", "nice", "nantes", "lille", "bordeaux", "rennes"})
        _COMMUNES = frozenset(_commune_key(n) for n in names)
    return _COMMUNES


_COMMUNES: frozenset[str] | None = None


def _commune_key(folded: str) -> str:
    key = re.sub(r"[^a-z0-9]+", " ", folded).strip()
    key = re.sub(r"^(l|le|la|les) ", "", key)
    key = re.sub(r"\bsainte\b", "ste", re.sub(r"\bsaint\b", "st", key))
    return re.sub(r"\b(\d+)(e|er|eme) arrondissement\b", "", key).strip()


def _is_commune(folded: str, communes: frozenset[str] | None = None) -> bool:
    keys = communes if communes is not None else _commune_keys()
    key = _commune_key(folded)
    if key in keys:
        return True
    # « Paris 15e », « Paris 15e Arrondissement », « 93200 Saint-Denis »
    stripped = re.sub(r"\b\d{1,5}(e|er|eme)?\b", " ", key)
    stripped = " ".join(stripped.replace("arrondissement", " ").split())
    return bool(stripped) and stripped in keys


# --- headers -----------------------------------------------------------------------------------

_STRONG_NAME_HEADERS = {
    "prenom", "prenoms", "nom de famille", "nom famille", "nom d usage", "nom usage", "nom de naissance",
    "nom naissance", "nom de jeune fille", "patronyme", "nom prenom", "prenom nom", "nom et prenom",
    "nom complet", "first name", "firstname", "last name", "lastname", "surname", "given name", "full name",
    "nom du candidat", "nom de l usager", "nom usager", "nom beneficiaire", "nom du beneficiaire",
    "nom de l abonne", "nom abonne", "nom client", "nom du client", "nom agent", "nom de l agent",
}
_WEAK_NAME_HEADERS = {"nom", "noms", "name", "names", "identite", "personne", "contact", "titulaire", "abonne"}
_NOT_PERSON_QUALIFIERS = {
    "commune", "ville", "rue", "voie", "poste", "metier", "service", "fichier", "produit", "site", "point",
    "etablissement", "structure", "entreprise", "employeur", "offre", "lieu", "quartier", "secteur", "equipement",
    "departement", "region", "epci", "territoire", "compteur", "flux", "dechet", "document", "projet",
}
_PHONE_HEADERS = ("tel", "telephone", "portable", "mobile", "phone", "gsm", "fixe")
_EMAIL_HEADERS = ("mail", "courriel", "email", "e mail", "mel")
_ADDRESS_HEADERS = ("adresse", "address", "domicile", "adr")
_ID_HEADERS = ("id", "identifiant", "compteur", "code", "numero de compteur", "reference", "ref", "siret", "siren", "pdl", "pce")


def _words(header: str) -> set[str]:
    return set(header.split())


def _person_header(header: str) -> str | None:
    """'strong', 'weak' or None for a column header."""
    if _words(header) & _NOT_PERSON_QUALIFIERS:
        return None
    if header in _STRONG_NAME_HEADERS or "prenom" in _words(header):
        return "strong"
    if header in _WEAK_NAME_HEADERS:
        return "weak"
    return None


def _header_has(header: str, words: tuple[str, ...]) -> bool:
    padded = f" {header} "
    return any(f" {w} " in padded for w in words)


def _birth_header(header: str) -> bool:
    words = _words(header)
    return (
        any(w.startswith("naiss") for w in words)
        or bool(words & {"ddn", "dob", "birth", "birthdate", "birthday"})
        or header.startswith(("ne le", "nee le", "ne e le", "date of birth"))
    )


# --- the scan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A column that looks personal.

    Attributes
    ----------
    column : str
        Column name as in the user's file.
    kind : str
        ``name``, ``email``, ``phone``, ``nir``, ``address`` or ``birth_date``.
    share : float
        Share of the checked non-empty values that match.
    checked : int
        Number of non-empty values checked (a sample on large tables).
    reason : str
        French sentence saying why the column was flagged.
    examples : tuple of str
        Up to three matching values, masked (« M•••• D••••• »).
    """

    column: str
    kind: str
    share: float
    checked: int
    reason: str
    examples: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """French name of what the column holds (« numéros de téléphone »)."""
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class PrivacyReport:
    """What :func:`scan` found in a table.

    Attributes
    ----------
    findings : tuple of Finding
        One per flagged column, in the table's column order.
    columns : int
        Number of columns scanned.
    rows : int
        Number of rows of the table.
    """

    findings: tuple[Finding, ...]
    columns: int
    rows: int

    @property
    def flagged(self) -> tuple[str, ...]:
        """Names of the flagged columns."""
        return tuple(f.column for f in self.findings)

    def __bool__(self) -> bool:
        return bool(self.findings)

    def summary(self) -> str:
        """One French sentence listing the flagged columns and what they hold."""
        if not self.findings:
            return "Aucune colonne d'apparence personnelle n'a été repérée."
        parts = [f"{q(f.column)}, {f.label}" for f in self.findings]
        word = "colonne semble contenir" if len(parts) == 1 else "colonnes semblent contenir"
        return f"{len(parts)} {word} des données personnelles : " + " ; ".join(parts) + "."


def mask(value: object) -> str:
    """Hide a personal value, keeping the first character of each word.

    >>> mask("Marie Dupont"), mask("06 12 34 56 78")
    ('M•••• D•••••', '0• 1• 3• 5• 7•')
    """
    text = _as_text(value) or ""
    return re.sub(r"(\w)(\w+)", lambda m: m.group(1) + "•" * len(m.group(2)), text)[:40]


def _sample(values: pd.Series, size: int) -> pd.Series:
    present = values.dropna()
    if len(present) > size:
        positions = np.unique(np.linspace(0, len(present) - 1, size).astype(int))
        present = present.iloc[positions]
    return present


def _text_values(values: pd.Series) -> pd.Series:
    return values.map(lambda v: _as_text(v) if not isinstance(v, str) else (v.strip() or None)).dropna()


def _check_column(name: str, values: pd.Series, communes: frozenset[str]) -> Finding | None:
    header = _header(name)
    sample = _sample(values, SAMPLE_SIZE)
    if sample.empty:
        return None
    is_datetime = pd.api.types.is_datetime64_any_dtype(sample)
    is_numeric = pd.api.types.is_numeric_dtype(sample) and not pd.api.types.is_bool_dtype(sample)

    def found(kind: str, hits: pd.Series, reason: str) -> Finding:
        share = float(hits.mean())
        examples = tuple(dict.fromkeys(mask(v) for v in texts[hits].head(12)))[:3] if kind != "birth_date" else ()
        return Finding(str(name), kind, share, int(len(hits)), reason, examples)

    # Dates of birth first: a date column is checked on its header, then on its values.
    if is_datetime or _birth_header(header):
        return _check_birth_dates(str(name), header, sample, is_datetime)

    texts = _text_values(sample)
    if texts.empty:
        return None
    n = len(texts)

    # NIR: the key must be right.
    nir = texts.map(is_valid_nir)
    if nir.mean() >= 0.5:
        return found("nir", nir, f"{pct(nir.mean(), 0)} des valeurs sont des numéros de sécurité sociale (NIR) dont la clé de contrôle est exacte.")

    if is_numeric:
        if _header_has(header, _PHONE_HEADERS):
            phones = texts.map(lambda t: is_phone("0" + t) if len(t) == 9 else is_phone(t))
            if phones.mean() >= 0.5:
                return found("phone", phones, f"colonne {q(name)} : {pct(phones.mean(), 0)} de numéros de téléphone (zéro initial perdu).")
        return None

    emails = texts.map(has_email)
    if emails.mean() >= (0.05 if _header_has(header, _EMAIL_HEADERS) else 0.1):
        return found("email", emails, f"{pct(emails.mean(), 0)} des valeurs contiennent une adresse électronique.")

    phones = texts.map(is_phone)
    if phones.mean() >= 0.3 and _header_has(header, _PHONE_HEADERS):
        return found("phone", phones, f"{pct(phones.mean(), 0)} des valeurs sont des numéros de téléphone.")
    if phones.mean() >= 0.8 and not _header_has(header, _ID_HEADERS):
        formatted = texts[phones].str.contains(r"[\s.\-+]", regex=True).mean()
        mobiles = texts[phones].map(lambda t: _SEPARATORS.sub("", t)[-9:-8] in ("6", "7")).mean()
        if formatted >= 0.5 or mobiles >= 0.5:
            return found("phone", phones, f"{pct(phones.mean(), 0)} des valeurs ont la forme de numéros de téléphone français.")

    addresses = texts.map(is_street_address)
    if addresses.mean() >= (0.2 if _header_has(header, _ADDRESS_HEADERS) else 0.3):
        return found("address", addresses, f"{pct(addresses.mean(), 0)} des valeurs sont des adresses avec numéro et voie.")

    strength = _person_header(header)
    communes_share = texts.map(lambda t: _is_commune(fold(t), communes)).mean()
    if communes_share >= 0.5:
        return None  # a column of communes, whatever its header (« nom », « ville »…)
    names = texts.map(lambda t: looks_like_person_name(t, communes=communes))
    alphabetic = texts.map(_is_wordy)
    if strength == "strong" and alphabetic.mean() >= 0.6:
        return found("name", alphabetic, f"l'en-tête {q(name)} désigne des personnes et {pct(alphabetic.mean(), 0)} des valeurs sont des mots comme des noms.")
    if strength == "weak" and alphabetic.mean() >= 0.6 and names.mean() >= 0.25:
        return found("name", names, f"{pct(names.mean(), 0)} des valeurs contiennent un prénom ou un nom de famille courant.")
    if names.mean() >= 0.5 and n >= 3:
        return found("name", names, f"{pct(names.mean(), 0)} des valeurs contiennent un prénom ou un nom de famille courant.")
    return None


def _is_wordy(text: str) -> bool:
    """Letters, with spaces, hyphens, apostrophes or dots between words (« Jean-Luc », « N'Diaye »)."""
    return len(text) <= 60 and bool(re.fullmatch(r"[^\W\d_]+(?:[ '\u2019.\-]+[^\W\d_]+)*\.?", text))


def _check_birth_dates(name: str, header: str, sample: pd.Series, is_datetime: bool) -> Finding | None:
    from sandbox.data.dates import parse_datetimes

    if is_datetime:
        dates = pd.to_datetime(sample, errors="coerce")
    elif pd.api.types.is_numeric_dtype(sample) and not _birth_header(header):
        return None
    else:
        dates = parse_datetimes(sample).values
    dates = dates.dropna()
    if dates.empty:
        if _birth_header(header):
            return Finding(name, "birth_date", 1.0, int(len(sample)), f"l'en-tête {q(name)} désigne des dates de naissance.")
        return None
    today = pd.Timestamp(date.today())
    plausible = (dates >= pd.Timestamp("1900-01-01")) & (dates <= today)
    if _birth_header(header):
        if plausible.mean() >= 0.5:
            return Finding(name, "birth_date", float(plausible.mean()), int(len(dates)), f"l'en-tête {q(name)} désigne des dates de naissance.")
        return None
    # No telling header: only dates that are all old enough to be births, at day precision and varied.
    adult = (dates <= today - pd.DateOffset(years=15)) & plausible
    has_time = (dates != dates.dt.normalize()).mean()
    varied = dates.dt.normalize().nunique() >= max(20, 0.5 * len(dates))
    ages = (today - dates).dt.days / 365.25
    if adult.mean() >= 0.9 and has_time == 0 and varied and 15 <= ages.median() <= 100:
        return Finding(
            name, "birth_date", float(adult.mean()), int(len(dates)),
            f"les dates de la colonne {q(name)} sont toutes anciennes et variées, comme des dates de naissance (âge médian {ages.median():.0f} ans).",
        )
    return None


def scan(df: pd.DataFrame, *, communes: frozenset[str] | None = None) -> PrivacyReport:
    """Find the columns of *df* that look like personal data.

    Only a sample of each column (up to ``SAMPLE_SIZE`` non-empty values,
    spread over the table) is read, so large tables scan quickly.

    Parameters
    ----------
    df : DataFrame
        A table as read by :func:`sandbox.data.read_table`.
    communes : frozenset of str, optional
        Keys of the commune names that are never person names (default:
        the communes of the métropole and France's largest cities).

    Returns
    -------
    PrivacyReport

    Examples
    --------
    >>> report = scan(pd.DataFrame({"nom": ["Saint-Denis", "Paris", "Bobigny"], "habitants": [1, 2, 3]}))
    >>> report.findings
    ()
    """
    keys = communes if communes is not None else _commune_keys()
    findings = []
    for name in df.columns:
        column = df[name]
        if isinstance(column, pd.DataFrame):  # duplicated header: check each
            column = column.iloc[:, 0]
        finding = _check_column(name, column, keys)
        if finding is not None:
            findings.append(finding)
    return PrivacyReport(tuple(findings), columns=int(df.shape[1]), rows=int(len(df)))
