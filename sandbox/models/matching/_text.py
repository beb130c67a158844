"""French text normalisation shared by skills, titles and the text similarity.

One function, :func:`tokens`, turns a French text into the words the model
may read: lower case, no accents, no inclusive-writing marks, no stop
words, no first names or other identity words, and every word reduced to a
gender- and number-neutral stem (« animatrices » and « animateur » give the
same stem). Applying the same function to offers, candidates and the ROME
reference keeps the whole pipeline consistent, and is what makes the
rankings blind to first names and gender marks.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


# Inclusive writing and job-ad noise, removed before tokenising (on folded text).
_INCLUSIVE = re.compile(r"(?<=[a-z])[.\u00b7\u2022\-]?\(?(?:e|es|rice|rices|euse|euses|ere|eres|ne|nes|le|les|te|tes)\)(?![a-z])")
# « agent.e » (a letter before the dot, checked behind it): the pattern opens with the dot itself, so that
# the search jumps from dot to dot instead of trying every position.
_MIDDOT = re.compile(r"\.(?<=[a-z]\.)(?:e|es|rice|rices|euse|euses|ere|eres|ne|nes|le|les|te|tes)\b")
_HF = re.compile(r"\b(?:h\s*/\s*f|f\s*/\s*h)\b")
_LICENCE = re.compile(r"\bpermis\s+(?:de\s+conduire\s+)?([a-e])(1|e)?\b")
_SPACED_DIGIT = re.compile(r"\b(psc|pse|ssiap) ([0-9])\b")
#: Bytes of a folded (ASCII) text translated to spaces, all but a-z and 0-9: its words are then ``split()``,
#: the same runs of ``[a-z0-9]+`` as a regex would find, faster.
_NOT_WORD_TO_SPACE = bytes(b if (0x30 <= b <= 0x39 or 0x61 <= b <= 0x7A) else 0x20 for b in range(256))

STOPWORDS = frozenset(
    """
    a au aux avec ce ces cet cette chez comme d dans de des du elle elles en entre et etc il ils j je l la le les
    leur leurs lui m ma mais me mes moi mon n ne ni nos notre nous on ou par pas pour qu que qui s sa sans se ses
    son sur t ta te tes toi ton tu un une vos votre vous y est sont suis etre ai avoir as avons avez ont fait
    faire tres plus moins aussi ainsi donc tout tous toute toutes autre autres meme deja depuis pendant
    avant apres vers chaque afin lors an ans annee annees mois jour jours semaine semaines heure heures h
    egalement notamment bien bon bonne dont cela ceci celui celle ceux ici ma
    """.split()
)

# Words that say who a person is rather than what they can do: never read.
IDENTITY_WORDS = frozenset(
    """
    monsieur madame mademoiselle mme mlle mr m homme femme fille garcon mere pere maman papa mari epouse epoux
    mariee celibataire divorce divorcee veuf veuve enceinte nationalite origine francais francaise etranger
    etrangere algerien algerienne marocain marocaine tunisien tunisienne senegalais senegalaise malien malienne
    ivoirien ivoirienne camerounais camerounaise congolais congolaise guineen guineenne haitien haitienne
    portugais portugaise espagnol espagnole italien italienne turc turque chinois chinoise vietnamien vietnamienne
    roumain roumaine polonais polonaise sri lankais comorien comorienne mauritanien mauritanienne egyptien
    egyptienne syrien syrienne afghan afghane russe ukrainien ukrainienne bresilien bresilienne europeen europeenne
    africain africaine asiatique maghrebin maghrebine musulman musulmane chretien chretienne juif juive catholique
    religion religieux religieuse voile voilee rqth
    """.split()
)

# Words of job titles that say nothing about the job itself.
_TITLE_NOISE_WORDS = """
    cdd cdi interim urgent poste emploi offre recrutement recrute recherche temps partiel complet plein
    contractuel titulaire fonctionnaire vacataire saisonnier stage stagiaire alternance apprenti apprentissage
    categorie cat grade confirme experimente junior senior debutant motive qualifie diplome urgent
    mission hf immediat asap
    """.split()

_RULES: tuple[tuple[str, str], ...] = (
    ("trices", "teur"),
    ("trice", "teur"),
    ("euses", "eur"),
    ("euse", "eur"),
    ("eux", "eur"),
    ("iennes", "ien"),
    ("ienne", "ien"),
    ("ennes", "en"),
    ("enne", "en"),
    ("onnes", "on"),
    ("onne", "on"),
    ("elles", "el"),
    ("elle", "el"),
    ("ettes", "et"),
    ("ette", "et"),
    ("ives", "if"),
    ("ive", "if"),
    ("eaux", "eau"),
    ("aux", "al"),
    ("ees", "e"),
    ("ee", "e"),
    ("s", ""),
    ("e", ""),
)


#: Non-ASCII characters folded to other characters before the accents are stripped.
_SPECIAL = {"œ": "oe", "æ": "ae", "’": "'", "\u00b7": ".", "\u2022": "."}


def _to_ascii(raw: str) -> str:
    """*raw* with its ligatures and marks replaced (:data:`_SPECIAL`), then kept to the ASCII characters of
    its NFKD decomposition: accents stripped, anything else non-ASCII dropped.

    >>> _to_ascii("cœur·e à l’été ﬁn")
    "coeur.e a l'ete fin"
    """
    for char, value in _SPECIAL.items():
        if char in raw:
            raw = raw.replace(char, value)
    return unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")


def fold(text: object) -> str:
    """Lower-case *text* and remove accents, ligatures and inclusive-writing marks.

    >>> fold("Animateur·rice périscolaire H/F, aide-soignant(e), permis B")
    'animateur periscolaire , aide-soignant, permisb'
    """
    return " ".join(_folded(text).split())


def _folded(text: object) -> str:
    """:func:`fold` before its spaces are normalised (what :func:`tokens` reads: words only)."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    raw = str(text).lower()
    if not raw.isascii():
        raw = _to_ascii(raw)
    if "/" in raw:
        raw = _HF.sub(" ", raw)
    if "(" in raw:
        raw = _INCLUSIVE.sub("", raw)
    if "." in raw:
        raw = _MIDDOT.sub("", raw)
    if "permis" in raw:
        raw = _LICENCE.sub(lambda m: "permis" + m.group(1) + (m.group(2) or ""), raw)
    if "ps" in raw:
        raw = _SPACED_DIGIT.sub(r"\1\2", raw)
    return raw


def _words(folded: str) -> list[str]:
    """The words (runs of a-z and 0-9) of a folded text, in order.

    >>> _words("aide-soignant, 45 ans; permisb")
    ['aide', 'soignant', '45', 'ans', 'permisb']
    """
    return folded.encode("ascii").translate(_NOT_WORD_TO_SPACE).decode("ascii").split()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Gender- and number-neutral stem of a folded French word.

    Masculine and feminine, singular and plural forms share a stem; the stem
    is a key, not a word (« motivée » and « motivé » both give « motif »).

    >>> [stem(w) for w in ("animatrices", "animateur", "soignante", "soignant", "agente", "agents")]
    ['animateur', 'animateur', 'soignant', 'soignant', 'agent', 'agent']
    """
    if len(word) <= 3 or word.isdigit():
        return word
    previous = None
    while word != previous:
        previous = word
        for suffix, replacement in _RULES:
            if word.endswith(suffix) and len(word) - len(suffix) + len(replacement) >= 3:
                word = word[: len(word) - len(suffix)] + replacement
                break
    return word


@lru_cache(maxsize=1)
def _identity_stems() -> frozenset[str]:
    from sandbox.models.matching._reference import first_names

    words = set(IDENTITY_WORDS) | set(first_names())
    return frozenset(words | {stem(w) for w in words})


def is_identity(word: str) -> bool:
    """True for a folded word that names or describes a person (first name, civility, nationality…)."""
    return word in _identity_stems()


@lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    """Folded abbreviations of the reference (« deas », « psc1 », « asvp »): never stemmed."""
    from sandbox.models.matching._reference import bundled_reference

    ref = bundled_reference()
    found = set()
    for label in [*(f for forms in ref.skills["forms"] for f in forms), *(t for ts in ref.jobs["titles"] for t in ts)]:
        for word in re.findall(r"[A-Za-z0-9]+", label):
            if len(word) >= 2 and word.upper() == word and any(c.isalpha() for c in word):
                found.add(fold(word))
    return frozenset(found)


@lru_cache(maxsize=200_000)
def _keep(word: str) -> str | None:
    if len(word) < 2 or word.isdigit() or word in STOPWORDS:
        return None
    if any(ch.isdigit() for ch in word) and not any(ch.isalpha() for ch in word):
        return None
    identity = _identity_stems()
    if word in identity:
        return None
    if word in abbreviations():
        return word
    stemmed = stem(word)
    if stemmed in identity or stemmed in STOPWORDS:
        return None
    return stemmed


def tokens(text: object) -> list[str]:
    """The stems of a French text that the model may read, in order.

    Stop words, numbers, first names, civilities and other identity words
    are dropped; the rest is stemmed with :func:`stem`.

    >>> tokens("Mme Marie Dupont, 45 ans, aide-soignante diplômée")
    ['dupont', 'aid', 'soignant', 'diplom']
    >>> tokens("M. Mohamed Dupont, 45 ans, aide-soignant diplômé")
    ['dupont', 'aid', 'soignant', 'diplom']
    """
    return [kept for kept in map(_keep, _words(_folded(text))) if kept is not None]


@lru_cache(maxsize=1)
def _title_noise() -> frozenset[str]:
    return frozenset(stem(w) for w in _TITLE_NOISE_WORDS)


@lru_cache(maxsize=100_000)
def key(text: object, *, title: bool = False) -> str:
    """A normalised key for a short label (skill, job title): its tokens joined by spaces.

    >>> key("Auxiliaires de Puériculture (H/F) - CDD", title=True)
    'auxiliair puericultur'
    """
    words = tokens(text)
    if title:
        noise = _title_noise()
        words = [w for w in words if w not in noise]
    return " ".join(words)
