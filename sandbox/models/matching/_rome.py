"""Free-text job title → ROME code, with a confidence and the alternatives.

Every job title of the reference (the sheet labels, the official job titles
« appellations » and both their gendered forms) is normalised into a key
(:func:`~sandbox.models.matching._text.key`: case, accents, inclusive
writing, gender and plural, « H/F » and contract words removed) and indexed
by the character n-grams of its key (scikit-learn's ``TfidfVectorizer``,
``char_wb``): typos, missing accents and word order barely move a title.
The closest titles are then re-scored with rapidfuzz's token ratios (a
title whose words are all in the query, « cuisinier » in « cuisinier de
cantine confirmé », keeps a high score), and each code keeps its best
title. Abbreviations (« ATSEM », « CAP AEPE ») are expanded first
(``rome_sigles.csv``), and a title word the reference does not know is
replaced by the closest word it knows when they differ by about one typo
(« puericultirce » → « puericultric »). When a description is given, its words are compared
with each sheet's definition, titles and skills, and title and description
decide together. Below ``min_score`` the title is « métier non reconnu ».
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from sandbox.models.matching._reference import Reference, load_reference, title_abbreviations
from sandbox.models.matching._text import fold, key, tokens

UNKNOWN_JOB = "métier non reconnu"
#: Weight of the description when a row has one (the title weighs the rest).
DESCRIPTION_WEIGHT = 0.3
_RERANK = 12
_KEEP = 60  # titles kept per query before each code takes its best
#: A title word unknown to the reference is corrected to a known word at least this close (rapidfuzz ratio, 0-100).
_TITLE_TYPO_CUTOFF = 80
_DESC_TYPO_CUTOFF = 82
_CHAR_NGRAMS = (2, 4)
_CHAR_MAX_DF = 0.05  # n-grams in more than this share of titles carry no weight
_EXACT_FLOOR = 90.0  # a code holding the typed title's key scores above this, the other codes at most this


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
        Confidence, 0 to 100.
    title : str
        The reference's job title closest to the query (« agent d'entretien »).
    """

    code: str
    label: str
    score: float
    title: str


def gender_forms(title: str) -> list[str]:
    """Both forms of an official « masculine / feminine » job title.

    >>> gender_forms("Conducteur / Conductrice d'engins agricoles")
    ["Conducteur d'engins agricoles", "Conductrice d'engins agricoles"]
    >>> gender_forms("Jardinier")
    ['Jardinier']
    """
    parts = [p.strip() for p in str(title).split(" / ")]
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return [str(title)]
    masc, fem = parts[0].split(), parts[1].split()
    return [" ".join(masc + fem[len(masc):]), parts[1]]


def expand_abbreviations(text: object) -> str:
    """The title with the words its abbreviations stand for added (« ATSEM » → « ATSEM agent territorial… »).

    >>> expand_abbreviations("ATSEM H/F")
    'ATSEM H/F agent territorial spécialisé des écoles maternelles'
    """
    text = "" if text is None or (isinstance(text, float) and text != text) else str(text)
    table = title_abbreviations()
    words = fold(text).replace("-", " ").replace("(", " ").replace(")", " ").split()
    added = []
    for n in (2, 1):
        for i in range(len(words) - n + 1):
            form = table.get(" ".join(words[i : i + n]))
            if form and form not in added:
                added.append(form)
    return " ".join([text, *added]) if added else text


def title_key(text: object) -> str:
    """The normalised key of a job title, abbreviations expanded.

    >>> title_key("Aide-soignante confirmée (H/F) - CDI")
    'aid soignant'
    """
    return key(expand_abbreviations(text), title=True)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


class RomeNormaliser:
    """Code free-text job titles to ROME: code, confidence, alternatives.

    Parameters
    ----------
    reference : Reference, optional
        Defaults to :func:`load_reference` (the imported release, else the extract).
    min_score : float
        Confidence (0-100) below which a title is « métier non reconnu ».

    Examples
    --------
    >>> rome = RomeNormaliser().fit()
    >>> best = rome.suggest("Animatrice périscolaire (H/F)")[0]
    >>> best.code, best.label
    ('G1203', "Animation de loisirs auprès d'enfants ou d'adolescents")
    >>> rome.suggest("auxilliaire de puériculture")[0].code
    'J1304'
    >>> rome.code(["AGENT D'ENTRETIEN confirmé", "zzz qqq"]).loc[:, ["code_rome", "libelle_rome"]].values.tolist()
    [['K2204', 'Nettoyage de locaux'], [None, 'métier non reconnu']]
    """

    def __init__(self, reference: Reference | None = None, min_score: float = 50.0, doc_weight: float = 0.35) -> None:
        self.reference = reference
        self.min_score = min_score
        self.doc_weight = doc_weight

    def fit(self, X=None, y=None) -> "RomeNormaliser":
        ref = self.reference if self.reference is not None else load_reference()
        codes = list(ref.jobs["code"])
        code_pos = {c: i for i, c in enumerate(codes)}
        key_index: dict[str, int] = {}
        key_title: list[str] = []
        pairs: set[tuple[int, int]] = set()
        for code, label, job_titles in zip(ref.jobs["code"], ref.jobs["label"], ref.jobs["titles"]):
            for title in [label, *job_titles]:
                for form in gender_forms(title):
                    k = key(form, title=True)
                    if not k:
                        continue
                    if k not in key_index:
                        key_index[k] = len(key_index)
                        key_title.append(form)
                    pairs.add((code_pos[code], key_index[k]))
        entries = np.asarray(sorted(pairs), dtype=np.int64)
        from scipy import sparse

        self._key_codes = sparse.csr_matrix(
            (np.ones(len(entries), dtype=np.int8), (entries[:, 1], entries[:, 0])), shape=(len(key_index), len(codes))
        )
        self._key_codes.sort_indices()
        self.reference_ = ref
        self.codes_ = codes
        self.labels_ = dict(zip(ref.jobs["code"], ref.jobs["label"]))
        self.keys_ = list(key_index)
        self._key_index = key_index
        self.key_titles_ = key_title
        self.char_ = TfidfVectorizer(analyzer="char_wb", ngram_range=_CHAR_NGRAMS, sublinear_tf=True, max_df=_CHAR_MAX_DF, dtype=np.float32)
        self._KT = self.char_.fit_transform(self.keys_).T.tocsr()
        # Each sheet as a document: label, titles, definition, skills (for descriptions).
        skill_words = {s: " ".join(tokens(s)) for s in ref.skills["skill"]}
        docs = []
        for code, label, job_titles, definition in zip(ref.jobs["code"], ref.jobs["label"], ref.jobs["titles"], ref.jobs["definition"]):
            words = " ".join(tokens(" ".join([label, *job_titles, str(definition or "")])))
            docs.append(" ".join([words, *(skill_words[s] for s in ref.skills_by_code.get(code, []))]))
        self.doc_ = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, dtype=np.float32)
        self._DT = self.doc_.fit_transform(docs).T.tocsr()
        self._vocab_long = sorted(w for w in self.doc_.vocabulary_ if len(w) >= 4)
        return self

    # -- scores ------------------------------------------------------------------------------------
    def _title_scores(self, qkeys: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(n × n_codes) confidence of each code (0-100) from the title, and the best title of each code."""
        n, n_codes = len(qkeys), len(self.codes_)
        out = np.zeros((n, n_codes), dtype=np.float32)
        where = np.zeros((n, n_codes), dtype=np.int64)
        if not n:
            return out, where
        Q = self.char_.transform(qkeys)
        kc = self._key_codes
        for start in range(0, n, 2048):
            stop = min(start + 2048, n)
            S = (Q[start:stop] @ self._KT).tocsr()
            S.sort_indices()
            data = S.data.astype(np.float32)
            # Re-score the closest titles with rapidfuzz: whole words and word order.
            for r in range(stop - start):
                lo, hi = S.indptr[r], S.indptr[r + 1]
                if hi == lo:
                    continue
                q = qkeys[start + r]
                d = data[lo:hi]
                if hi - lo > _KEEP:  # only the closest titles can make a code's best score
                    d[np.argpartition(-d, _KEEP - 1)[_KEEP:]] = 0.0
                m = min(_RERANK, hi - lo)
                for t in np.argpartition(-d, m - 1)[:m]:
                    k = self.keys_[S.indices[lo + t]]
                    combo = 0.45 * d[t] + 0.3 * fuzz.token_set_ratio(q, k) / 100 + 0.25 * fuzz.token_sort_ratio(q, k) / 100
                    d[t] = max(d[t], combo)
            kept = data > 0
            rows = np.repeat(np.arange(stop - start), np.diff(S.indptr))[kept]
            cols = S.indices[kept]
            data = data[kept]
            counts = np.diff(kc.indptr)[cols]
            offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            codes = kc.indices[np.repeat(kc.indptr[cols], counts) + offsets]
            rows, keys, vals = np.repeat(rows, counts), np.repeat(cols, counts), np.repeat(data, counts)
            flat = rows.astype(np.int64) * n_codes + codes
            order = np.lexsort((-vals, flat))
            uniq, first = np.unique(flat[order], return_index=True)
            block_out = out[start:stop].reshape(-1)
            block_where = where[start:stop].reshape(-1)
            block_out[uniq] = vals[order][first]
            block_where[uniq] = keys[order][first]
        return 100 * np.clip(out, 0, 1), where

    def _exact_codes(self, qkeys: list[str]) -> np.ndarray:
        """(n × n_codes) True where the code holds a title whose key is the query's key."""
        out = np.zeros((len(qkeys), len(self.codes_)), dtype=bool)
        kc = self._key_codes
        for i, k in enumerate(qkeys):
            j = self._key_index.get(k)
            if j is not None:
                out[i, kc.indices[kc.indptr[j] : kc.indptr[j + 1]]] = True
        return out

    def _corrections(self, words: set[str], min_len: int = 5, cutoff: int = _DESC_TYPO_CUTOFF) -> dict[str, str]:
        """Words unknown to the sheets' vocabulary → their closest known word when it looks like a typo."""
        vocab = self.doc_.vocabulary_
        unknown = sorted(w for w in words if w not in vocab and len(w) >= min_len)
        out = {}
        if unknown and self._vocab_long:
            scores = process.cdist(unknown, self._vocab_long, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8, workers=-1)
            best = scores.argmax(axis=1)
            for i, w in enumerate(unknown):
                if scores[i, best[i]] >= cutoff:
                    out[w] = self._vocab_long[best[i]]
        return out

    def _corrected_keys(self, qkeys: list[str]) -> list[str]:
        """Title keys with each word unknown to the reference replaced by its closest known word (one typo)."""
        fix = self._corrections({w for k in qkeys for w in k.split()}, min_len=4, cutoff=_TITLE_TYPO_CUTOFF)
        if not fix:
            return qkeys
        return [" ".join(fix.get(w, w) for w in k.split()) for k in qkeys]

    def _description_scores(self, texts: list[str]) -> np.ndarray:
        words = [tokens(t) for t in texts]
        fix = self._corrections({w for ws in words for w in ws})
        docs = [" ".join(fix.get(w, w) for w in ws) for ws in words]
        return np.asarray((self.doc_.transform(docs) @ self._DT).toarray(), dtype=np.float32)

    @staticmethod
    def _scaled(desc: np.ndarray) -> np.ndarray:
        """Cosines to 0-100, the best code of a row at 100 × min(1, 2 × its cosine)."""
        top = desc.max(axis=1, keepdims=True)
        return 100 * np.divide(desc, top, out=np.zeros_like(desc), where=top > 0) * np.minimum(1.0, 2 * top)

    def scores(self, titles, descriptions=None) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(n_distinct × n_codes) confidence (0-100), best-title positions, and the distinct (title, description) keys."""
        titles = ["" if _is_blank(t) else str(t) for t in titles]
        if descriptions is None:
            descriptions = [""] * len(titles)
        descriptions = ["" if _is_blank(d) else str(d) for d in descriptions]
        pairs = list(dict.fromkeys(zip(titles, descriptions)))
        qkeys = self._corrected_keys([title_key(t) for t, _ in pairs])
        scores, where = self._title_scores(qkeys)
        if self.doc_weight and len(pairs):
            doc = self._scaled(self._description_scores([t for t, _ in pairs]))
            scores = (1 - self.doc_weight) * scores + self.doc_weight * doc
        # A code holding the very title typed (same key) comes first: the sheet's words only order such
        # codes among themselves (« comptable » is « Comptable », not « Chef comptable »).
        exact = self._exact_codes(qkeys)
        if exact.any():
            rows = exact.any(axis=1)
            scores[rows] = np.where(exact[rows], _EXACT_FLOOR + (100 - _EXACT_FLOOR) / 100 * scores[rows], np.minimum(scores[rows], _EXACT_FLOOR))
        with_desc = np.asarray([bool(d.strip()) for _, d in pairs])
        if with_desc.any():
            rows = np.flatnonzero(with_desc)
            desc = self._scaled(self._description_scores([f"{pairs[i][0]} {pairs[i][1]}" for i in rows]))
            scores[rows] = (1 - DESCRIPTION_WEIGHT) * scores[rows] + DESCRIPTION_WEIGHT * desc
        return scores, where, pairs

    # -- outputs -------------------------------------------------------------------------------------
    def suggest(self, title: object, k: int = 3, description: object = None) -> list[RomeSuggestion]:
        """The *k* best ROME codes for one title, best first."""
        return self.suggest_many([title], k=k, descriptions=None if description is None else [description])[0]

    def suggest_many(self, titles, k: int = 3, descriptions=None) -> list[list[RomeSuggestion]]:
        """The *k* best ROME codes for each title (computed once per distinct title and description)."""
        titles = list(titles)
        scores, where, pairs = self.scores(titles, descriptions)
        per_pair = {}
        for i, pair in enumerate(pairs):
            kk = min(k, scores.shape[1])
            order = np.argpartition(-scores[i], kk - 1)[:kk] if kk < scores.shape[1] else np.arange(scores.shape[1])
            order = order[np.argsort(-scores[i][order], kind="stable")]
            per_pair[pair] = [
                RomeSuggestion(self.codes_[j], self.labels_[self.codes_[j]], round(float(scores[i, j]), 1), self.key_titles_[where[i, j]])
                for j in order
                if scores[i, j] > 0
            ]
        descs = [None] * len(titles) if descriptions is None else list(descriptions)
        keys = [("" if _is_blank(t) else str(t), "" if _is_blank(d) else str(d)) for t, d in zip(titles, descs)]
        return [per_pair[p] for p in keys]

    def code(self, titles, descriptions=None, k: int = 3, min_score: float | None = None) -> pd.DataFrame:
        """One row per title: ``code_rome``, ``libelle_rome``, ``confiance`` (0-1), ``alternatives``.

        Below :attr:`min_score` the code is empty and the label says « métier non reconnu »;
        ``alternatives`` lists the *k* best codes with their confidence either way.
        """
        threshold = self.min_score if min_score is None else min_score
        rows = []
        for suggestions in self.suggest_many(titles, k=k, descriptions=descriptions):
            best = suggestions[0] if suggestions else None
            known = best is not None and best.score >= threshold
            rows.append(
                {
                    "code_rome": best.code if known else None,
                    "libelle_rome": best.label if known else UNKNOWN_JOB,
                    "confiance": round(best.score / 100, 2) if best else 0.0,
                    "intitule_proche": best.title if known else "",
                    "alternatives": " | ".join(f"{s.code} {s.label} ({s.score / 100:.2f})".replace(".", ",") for s in suggestions),
                }
            )
        frame = pd.DataFrame(rows, columns=["code_rome", "libelle_rome", "confiance", "intitule_proche", "alternatives"])
        frame["code_rome"] = frame["code_rome"].astype(object).where(frame["code_rome"].notna(), None)
        return frame

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
    return default_normaliser().suggest(title, k=k)


def default_normaliser() -> RomeNormaliser:
    """The normaliser of the reference in use (rebuilt when another release is imported)."""
    from sandbox.models.matching._model import default_rome

    return default_rome(load_reference())
