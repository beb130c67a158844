"""Skills: split a cell into items, map each item to the reference (synonyms, abbreviations, typos)."""

from __future__ import annotations

import re

import numpy as np
from rapidfuzz import fuzz, process

from sandbox.models.matching._reference import Reference, load_reference
from sandbox.models.matching._text import key, tokens

_STRONG = re.compile(r"[;|\n\r•·]+")
_WEAK = re.compile(r"[,/]+|\s+-\s+|\s+\+\s+")


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and cell != cell)


def split_phrases(cell: object) -> list[str]:
    """Phrases of a skills cell: only ``;``, ``|``, line breaks and bullets separate them (commas stay).

    >>> split_phrases("Techniques de pose, de finition ; HACCP")
    ['Techniques de pose, de finition', 'HACCP']
    """
    if _blank(cell):
        return []
    return [item.strip(" .-") for item in _STRONG.split(str(cell)) if item.strip(" .-")]


def split_cell(cell: object) -> list[str]:
    """Items of a skills cell: ``;``, ``,``, ``|``, ``/``, line breaks and bullets separate them.

    >>> split_cell("HACCP ; liaison froide, Permis B")
    ['HACCP', 'liaison froide', 'Permis B']
    """
    return [item.strip(" .-") for phrase in split_phrases(cell) for item in _WEAK.split(phrase) if item.strip(" .-")]


class SkillNormaliser:
    """Map skill phrases to the skills of the reference.

    An item is matched, in this order: exactly (after normalisation of case,
    accents, gender, plural, and through the synonyms and abbreviations of
    the reference); by the reference skills it contains (« HACCP et liaison
    froide » gives two skills); by fuzzy matching with rapidfuzz (typos:
    « netoyage des locaux »). Items that match nothing are kept under their
    own normalised name, so an offer's unusual skill can still match the same
    words in a profile.

    Parameters
    ----------
    reference : Reference, optional
    fuzzy_cutoff : float
        Minimum rapidfuzz ratio (0-100) for a fuzzy match of items of five
        characters or more; shorter items (abbreviations) need one edit at most.

    Examples
    --------
    >>> skills = SkillNormaliser().fit()
    >>> skills.normalise("Sauveteur Secouriste du Travail")
    'sauveteur secouriste du travail'
    >>> skills.normalise("SST"), skills.normalise("netoyage des locaux"), skills.normalise("permis poids-lourd")
    ('sauveteur secouriste du travail', 'nettoyage des locaux', 'permis C')
    >>> skills.parse("HACCP et liaison froide ; BAFA en cours")
    ['HACCP', 'liaison froide', 'BAFA']
    """

    def __init__(self, reference: Reference | None = None, fuzzy_cutoff: float = 85.0) -> None:
        self.reference = reference
        self.fuzzy_cutoff = fuzzy_cutoff

    def fit(self, extra_skills=(), y=None) -> "SkillNormaliser":
        """Index the reference forms, plus *extra_skills* (labels seen in offers) as skills of their own."""
        ref = self.reference or load_reference()
        forms: dict[str, str] = {}
        labels: dict[str, str] = {}
        for skill, skill_forms in zip(ref.skills["skill"], ref.skills["forms"]):
            labels[skill] = skill
            for form in skill_forms:
                k = key(form)
                if k and k not in forms:
                    forms[k] = skill
        self.reference_ = ref
        self.forms_ = forms
        self._cache: dict[str, list[str]] = {}
        # Set before matching the extra labels (they are matched against the reference first).
        self.keys_ = list(forms)
        self.max_words_ = max((len(k.split()) for k in self.keys_), default=1)
        for label in extra_skills:
            k = key(label)
            if k and not self._match_reference(k):
                forms.setdefault(k, label.strip())
                labels.setdefault(label.strip(), label.strip())
        self.labels_ = labels
        self.keys_ = list(forms)
        self.max_words_ = max((len(k.split()) for k in self.keys_), default=1)
        self.training_ = dict(zip(ref.skills["skill"], ref.skills["training"]))
        self._cache = {}
        return self

    # -- one item ---------------------------------------------------------
    def _contained(self, words: list[str]) -> list[str]:
        """Reference skills whose form appears as a run of words (longest first, no overlap)."""
        found, i = [], 0
        while i < len(words):
            for n in range(min(self.max_words_, len(words) - i), 0, -1):
                skill = self.forms_.get(" ".join(words[i : i + n]))
                if skill is not None:
                    found.append(skill)
                    i += n
                    break
            else:
                i += 1
        return list(dict.fromkeys(found))

    def _fuzzy(self, k: str) -> str | None:
        if len(k) < 4:
            return None
        cutoff = self.fuzzy_cutoff if len(k) >= 5 else 88.0
        best = process.extractOne(k, self.keys_, scorer=fuzz.ratio, score_cutoff=cutoff)
        return self.forms_[best[0]] if best else None

    def _match_reference(self, k: str) -> list[str]:
        if k in self.forms_:
            return [self.forms_[k]]
        contained = self._contained(k.split())
        if contained:
            return contained
        fuzzy = self._fuzzy(k)
        return [fuzzy] if fuzzy else []

    def match_item(self, item: str) -> tuple[list[str], bool]:
        """``(skills, known)``: the skills an item stands for; *known* is False for a new skill."""
        k = key(item)
        if not k:
            return [], False
        if k not in self._cache:
            self._cache[k] = self._match_reference(k)
        found = self._cache[k]
        if found:
            return found, True
        return [item.strip()], False

    def normalise(self, item: str) -> str | None:
        """The one skill an item stands for, or None."""
        found, known = self.match_item(item)
        return found[0] if found and known else None

    def parse(self, cell: object) -> list[str]:
        """All skills of a cell (reference skills, and unknown items under their own name).

        A phrase (between ``;``) that the reference knows as a whole is kept
        whole, commas included; otherwise its comma-separated items are
        matched one by one, and if none is known the phrase stays one skill
        of its own rather than fragments.
        """
        out: list[str] = []
        for phrase in split_phrases(cell):
            items = [i.strip(" .-") for i in _WEAK.split(phrase) if i.strip(" .-")]
            if len(items) > 1:
                k = key(phrase)
                whole = self.forms_.get(k) or self._fuzzy(k)
                if whole:
                    out.append(whole)
                    continue
                matched = [self.match_item(i) for i in items]
                if any(known for _, known in matched):
                    for found, _ in matched:
                        out.extend(found)
                    continue
            found, _ = self.match_item(phrase)
            out.extend(found)
        return list(dict.fromkeys(out))

    def extract(self, text: object) -> list[str]:
        """Reference skills mentioned in a free text (exact forms only, after normalisation).

        >>> SkillNormaliser().fit().extract("Titulaire du BAFA, j'ai animé des grands jeux.")
        ['BAFA', "animation d'activités ludiques"]
        """
        return self._contained(tokens(text))

    def training(self, skill: str) -> str:
        """The training to propose for a missing skill."""
        return self.training_.get(skill) or f"Formation ou mise en situation : {skill}"

    def label(self, skill: str) -> str:
        return self.labels_.get(skill, skill)


def skill_matrix(rows: list[list[str]], vocabulary: dict[str, int]) -> "np.ndarray":
    """(n_rows × n_skills) 0/1 matrix as CSR, for skills in *vocabulary* (others ignored)."""
    from scipy import sparse

    indptr, indices = [0], []
    for skills in rows:
        cols = sorted({vocabulary[s] for s in skills if s in vocabulary})
        indices.extend(cols)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, np.asarray(indices, dtype=np.int32), np.asarray(indptr)), shape=(len(rows), len(vocabulary)))
