"""Free-text job title → ROME code, with the top suggestions and their scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from sandbox.models.matching._reference import Reference, load_reference
from sandbox.models.matching._text import key


@dataclass(frozen=True)
class RomeSuggestion:
    """One suggested ROME job sheet for a job title.

    Attributes
    ----------
    code : str
        ROME code (« K2204 »).
    label : str
        ROME label (« Nettoyage de locaux »).
    score : float
        Similarity between the title and the sheet's closest job title, 0 to 100.
    title : str
        That closest job title (« agent d'entretien »).
    """

    code: str
    label: str
    score: float
    title: str


def _title_similarity(queries: list[str], choices: list[str]) -> np.ndarray:
    """Mean of rapidfuzz's token-set and token-sort ratios (0-100).

    The token-set ratio gives 100 when every word of one title is in the
    other (« cuisinier » in « cuisinier de cantine »); the token-sort ratio
    then prefers titles of the same length, so an exact title wins and an
    ambiguous one (« chauffeur ») spreads over several codes.
    """
    both = process.cdist(queries, choices, scorer=fuzz.token_set_ratio, dtype=np.float32)
    both += process.cdist(queries, choices, scorer=fuzz.token_sort_ratio, dtype=np.float32)
    return both / 2


class RomeNormaliser:
    """Map free-text job titles to ROME codes.

    Titles are normalised (case, accents, inclusive writing, gender and
    plural, « H/F », contract words) and compared with every label and job
    title of the reference with rapidfuzz's token ratios (typos are
    tolerated); each ROME code scores its best title.

    Parameters
    ----------
    reference : Reference, optional
        Defaults to :func:`load_reference`.
    min_score : float
        Below this score (0-100) a suggestion is not trusted for scoring.

    Examples
    --------
    >>> rome = RomeNormaliser().fit()
    >>> best = rome.suggest("Animatrice périscolaire (H/F)")[0]
    >>> best.code, best.label
    ('G1203', "Animation de loisirs auprès d'enfants ou d'adolescents")
    >>> rome.suggest("auxilliaire de puériculture")[0].code
    'J1304'
    """

    def __init__(self, reference: Reference | None = None, min_score: float = 60.0) -> None:
        self.reference = reference
        self.min_score = min_score

    def fit(self, X=None, y=None) -> "RomeNormaliser":
        ref = self.reference or load_reference()
        keys, codes, titles = [], [], []
        for code, label, job_titles in zip(ref.jobs["code"], ref.jobs["label"], ref.jobs["titles"]):
            for title in [label, *job_titles]:
                k = key(title, title=True)
                if k:
                    keys.append(k)
                    codes.append(code)
                    titles.append(title)
        self.reference_ = ref
        self.keys_ = keys
        self.codes_ = np.asarray(codes)
        self.titles_ = titles
        self.code_list_ = list(dict.fromkeys(codes))
        self._code_index = np.asarray([self.code_list_.index(c) for c in codes])
        self._code_cols = [np.flatnonzero(self._code_index == j) for j in range(len(self.code_list_))]
        self._labels = dict(zip(ref.jobs["code"], ref.jobs["label"]))
        return self

    def _scores(self, query_keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(n_queries × n_codes) best score per code, and the position of the title that gave it."""
        n_codes = len(self.code_list_)
        out = np.zeros((len(query_keys), n_codes), dtype=np.float32)
        where = np.zeros((len(query_keys), n_codes), dtype=np.int64)
        if not query_keys:
            return out, where
        raw = _title_similarity(query_keys, self.keys_)
        for j in range(n_codes):
            cols = self._code_cols[j]
            best = raw[:, cols].argmax(axis=1)
            out[:, j] = raw[np.arange(len(query_keys)), cols[best]]
            where[:, j] = cols[best]
        empty = np.asarray([not q for q in query_keys])
        out[empty] = 0.0
        return out, where

    def suggest(self, title: object, k: int = 3) -> list[RomeSuggestion]:
        """The *k* best ROME codes for one title, best first."""
        return self.suggest_many([title], k=k)[0]

    def suggest_many(self, titles, k: int = 3) -> list[list[RomeSuggestion]]:
        """The *k* best ROME codes for each title (computed once per distinct title)."""
        titles = ["" if t is None or (isinstance(t, float) and t != t) else str(t) for t in titles]
        unique = list(dict.fromkeys(titles))
        keys = [key(t, title=True) for t in unique]
        scores, where = self._scores(keys)
        per_title = {}
        for i, title in enumerate(unique):
            order = np.argsort(-scores[i], kind="stable")[:k]
            per_title[title] = [
                RomeSuggestion(self.code_list_[j], self._labels[self.code_list_[j]], round(float(scores[i, j]), 1), self.titles_[where[i, j]])
                for j in order
                if scores[i, j] > 0
            ]
        return [per_title[t] for t in titles]

    def to_frame(self, titles, k: int = 3) -> pd.DataFrame:
        """One row per title: ``code_1``, ``label_1``, ``score_1`` … up to *k*."""
        rows = []
        for title, suggestions in zip(titles, self.suggest_many(titles, k=k)):
            row = {"title": title}
            for i in range(k):
                s = suggestions[i] if i < len(suggestions) else None
                row[f"code_{i + 1}"] = s.code if s else None
                row[f"label_{i + 1}"] = s.label if s else None
                row[f"score_{i + 1}"] = s.score if s else np.nan
            rows.append(row)
        return pd.DataFrame(rows)


def suggest_rome(title: object, k: int = 3) -> list[RomeSuggestion]:
    """The *k* best ROME codes for a free-text job title (see :class:`RomeNormaliser`).

    >>> [s.code for s in suggest_rome("Cuisinière en restauration collective")][:1]
    ['G1602']
    """
    return _default_normaliser().suggest(title, k=k)


_DEFAULT: list[RomeNormaliser] = []


def _default_normaliser() -> RomeNormaliser:
    if not _DEFAULT:
        _DEFAULT.append(RomeNormaliser().fit())
    return _DEFAULT[0]
