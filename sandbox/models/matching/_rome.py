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
title. A title the reference does not hold also goes through a sheet-level
model: a multinomial naive Bayes over the words, word pairs and character
n-grams of *all* the titles of each sheet (and its definition), which reads
the words a title shares with the other titles of its sheet (« bus »,
« ovin », « piscine ») rather than one near title; it weighs
:data:`SHEET_WEIGHT` of the score. Abbreviations (« ATSEM », « CAP AEPE ») are expanded first
(``rome_sigles.csv``), and a title word the reference does not know is
replaced by the closest word it knows when they differ by about one typo
(« puericultirce » → « puericultric »). When a description is given, its words are compared
with each sheet's definition, titles and skills, and title and description
decide together. Below ``min_score`` the title is « métier non reconnu ».
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from sandbox.models.matching._reference import Reference, load_reference, title_abbreviations
from sandbox.models.matching._similarity import char_ngrams, l2_normalise, tfidf_rows, top_columns, unigrams_and_bigrams
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
_STATE_VERSION = 2  # bump when the fitted state changes: saved states of another version are refitted
_CHUNK = 512  # queries scored together
_DENSE_SHEETS_ROWS = 1024  # texts from which their words are compared with the sheets' as a dense array
_NEAR = 0.3  # titles less similar than this share of a query's closest title are not looked at
#: Weight of the sheet-level model (naive Bayes over each sheet's titles) beside the nearest title.
SHEET_WEIGHT = 0.15
_NB_ALPHA = 0.01
_NB_DEFINITION = 1.0  # weight of a sheet's definition words beside its titles in the sheet model
#: Naive Bayes is over-confident (its words are not independent): its log-probabilities are divided by this.
_NB_TEMPERATURE = 1.0
#: Titles of fewer words (« Chauffeur ») are left to the nearest titles: one word is no evidence to combine,
#: and the sheet model would side with the sheet that has the most titles holding it.
_NB_MIN_WORDS = 2


_TOKEN = re.compile(r"\S+")
_MISSING = object()


def _by_group_best_first(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The order of ``np.lexsort((-values, groups))`` (by group, then by value, highest first; ties keep their order).

    *groups*: integers in [0, 2**31); *values*: float32, none negative or NaN. One stable sort of a 64-bit key
    (the group, then the value's bits reversed: a non-negative float's bits grow with it) instead of two.

    >>> _by_group_best_first(np.array([1, 0, 1, 0]), np.array([0.5, 0.0, 0.9, 0.0], dtype=np.float32)).tolist()
    [1, 3, 2, 0]
    """
    reversed_bits = (np.uint32(0xFFFFFFFF) - values.astype(np.float32, copy=False).view(np.uint32)).astype(np.int64)
    return np.argsort((groups.astype(np.int64) << 32) | reversed_bits, kind="stable")


class _Tfidf:
    """The ``transform`` of a fitted ``TfidfVectorizer`` (sublinear tf, idf, L2), without importing scikit-learn.

    *kind*: ``"char_wb"`` (character n-grams within words, lowercased), ``"split"`` (``str.split``
    words, as they are) or ``"words"`` (lowercased words and word pairs). Its output is bit for bit the
    vectorizer's (checked by the tests); the features of each word are computed once and kept
    (title words repeat a lot), so coding many titles reads each word once.
    """

    _MAX_WORDS = 100_000  # words whose features are kept (the cache is emptied past this: a few tens of MB)

    def __init__(self, kind: str, vocabulary: dict[str, int], idf: np.ndarray, ngram_range: tuple[int, int] = _CHAR_NGRAMS) -> None:
        self.kind = kind
        self.vocabulary_ = vocabulary
        self.idf_ = idf
        self.ngram_range = ngram_range
        self._word_features: dict[str, list[int]] = {}

    @classmethod
    def of(cls, vectorizer, kind: str) -> "_Tfidf":
        """The transform of a fitted scikit-learn ``TfidfVectorizer``."""
        return cls(kind, dict(vectorizer.vocabulary_), vectorizer.idf_, tuple(vectorizer.ngram_range))

    def _features(self, doc: str) -> list[int]:
        vocab = self.vocabulary_
        if self.kind == "words":
            return [vocab[g] for g in unigrams_and_bigrams(_TOKEN.findall(doc.lower())) if g in vocab]
        cache = self._word_features
        if len(cache) > self._MAX_WORDS:
            cache.clear()
        out: list[int] = []
        for word in doc.lower().split() if self.kind == "char_wb" else doc.split():
            features = cache.get(word)
            if features is None:
                if self.kind == "char_wb":
                    features = [vocab[g] for g in char_ngrams(word, *self.ngram_range) if g in vocab]
                else:
                    features = [vocab[word]] if word in vocab else []
                cache[word] = features
            out.extend(features)
        return out

    def transform(self, docs) -> "sparse.csr_matrix":
        return tfidf_rows(map(self._features, docs), self.idf_)


def saved_stamp(ref: Reference) -> str:
    """The key of the coder saved beside an imported release: the release, the state's version and a digest of
    the code it is fitted with (this module, the text reading, the bundled extract); "" for a reference not imported."""
    if not getattr(ref, "stamp", ""):
        return ""
    from sandbox.models.matching._reference import code_digest

    return f"{ref.stamp}|{_STATE_VERSION}|{code_digest('_rome.py', '_text.py', '_similarity.py')}"


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


@lru_cache(maxsize=1)
def _abbreviation_heads() -> frozenset[str]:
    """The first word of each abbreviation of :func:`title_abbreviations`."""
    return frozenset(k.split()[0] for k in title_abbreviations() if k.split())


def expand_abbreviations(text: object) -> str:
    """The title with the words its abbreviations stand for added (« ATSEM » → « ATSEM agent territorial… »).

    >>> expand_abbreviations("ATSEM H/F")
    'ATSEM H/F agent territorial spécialisé des écoles maternelles'
    """
    text = "" if text is None or (isinstance(text, float) and text != text) else str(text)
    table = title_abbreviations()
    words = fold(text).replace("-", " ").replace("(", " ").replace(")", " ").split()
    if _abbreviation_heads().isdisjoint(words):  # most titles: no word starts an abbreviation
        return text
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
        """Index the reference's titles and fit the sheet model.

        For an imported release (a reference with a ``stamp``), the fitted arrays are saved once beside
        the imported index and read back at the next start instead of being fitted again.
        """
        ref = self.reference if self.reference is not None else load_reference()
        stamp = saved_stamp(ref)
        if stamp:
            from sandbox.data.rome import load_fitted, save_fitted

            arrays = load_fitted("codeur_rome", stamp)
            if arrays is not None:
                try:
                    return self._restore(ref, arrays)
                except (KeyError, ValueError, IndexError):
                    pass
        self._fit(ref)
        if stamp:
            save_fitted("codeur_rome", stamp, self._arrays())
        return self

    # -- fitted state, saved and restored ------------------------------------------------------------
    _VECTORIZERS = ("char_", "doc_", "words_")
    _KINDS = ("char_wb", "split", "words")  # their analysers (see _vectorizers)
    _MATRICES = ("_key_codes", "_KT", "_DT", "_NB")

    def _arrays(self) -> dict[str, np.ndarray]:
        """The fitted state as plain arrays (no pickle): vocabularies, IDF weights, sparse matrices."""
        out = {"codes": np.asarray(self.codes_), "keys": np.asarray(self.keys_), "key_titles": np.asarray(self.key_titles_), "nb_norm": self._nb_norm,
               "rare_ngrams": self._rare_ngrams}
        for name in self._VECTORIZERS:
            vec = getattr(self, name)
            words = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
            out[f"{name}vocabulary"] = np.asarray(words)
            out[f"{name}idf"] = vec.idf_
        for name in self._MATRICES:
            m = getattr(self, name)
            out.update({f"{name}.data": m.data, f"{name}.indices": m.indices, f"{name}.indptr": m.indptr, f"{name}.shape": np.asarray(m.shape)})
        return out

    def _restore(self, ref: Reference, arrays: dict[str, np.ndarray]) -> "RomeNormaliser":
        from scipy import sparse

        codes = arrays["codes"].tolist()
        if codes != list(ref.jobs["code"]):
            raise ValueError("saved coder of another reference")
        self.reference_ = ref
        self.codes_ = codes
        self.labels_ = dict(zip(ref.jobs["code"], ref.jobs["label"]))
        self.keys_ = arrays["keys"].tolist()
        self._key_index = {k: i for i, k in enumerate(self.keys_)}
        self.key_titles_ = arrays["key_titles"].tolist()
        self._keys_array = np.asarray(self.keys_, dtype=object)
        self._nb_norm = arrays["nb_norm"]
        self._rare_ngrams = arrays["rare_ngrams"]
        for name, kind in zip(self._VECTORIZERS, self._KINDS):
            words = arrays[f"{name}vocabulary"].tolist()
            setattr(self, name, _Tfidf(kind, {w: i for i, w in enumerate(words)}, arrays[f"{name}idf"]))
        for name in self._MATRICES:
            shape = tuple(int(x) for x in arrays[f"{name}.shape"])
            setattr(self, name, sparse.csr_matrix((arrays[f"{name}.data"], arrays[f"{name}.indices"], arrays[f"{name}.indptr"]), shape=shape))
        self._vocab_long = sorted(w for w in self.doc_.vocabulary_ if len(w) >= 4)
        return self

    @staticmethod
    def _vectorizers() -> tuple:
        """Unfitted scikit-learn vectorizers: the titles' character n-grams, the sheets' words, the titles' words and word pairs.

        Only fitting imports scikit-learn; once fitted, each is replaced by its :class:`_Tfidf` (same output).
        """
        from sklearn.feature_extraction.text import TfidfVectorizer

        return (
            TfidfVectorizer(analyzer="char_wb", ngram_range=_CHAR_NGRAMS, sublinear_tf=True, dtype=np.float32),
            TfidfVectorizer(analyzer=str.split, sublinear_tf=True, dtype=np.float32),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+", dtype=np.float32),
        )

    def _fit(self, ref: Reference) -> None:
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
        self._keys_array = np.asarray(self.keys_, dtype=object)
        self.char_, self.doc_, self.words_ = self._vectorizers()
        key_chars = self.char_.fit_transform(self.keys_)
        # The nearest-title search reads only the rarer n-grams (in at most _CHAR_MAX_DF of the titles), the
        # sheet model all of them; one analysis of the text serves both.
        df = np.bincount(key_chars.indices, minlength=key_chars.shape[1])
        self._rare_ngrams = np.flatnonzero(df <= _CHAR_MAX_DF * len(self.keys_))
        self._KT = self._rare(key_chars).T.tocsr()
        # Each sheet as a document: label, titles, definition, skills (for descriptions).
        skill_words = {s: " ".join(tokens(s)) for s in ref.skills["skill"]}
        docs = []
        for code, label, job_titles, definition in zip(ref.jobs["code"], ref.jobs["label"], ref.jobs["titles"], ref.jobs["definition"]):
            words = " ".join(tokens(" ".join([label, *job_titles, str(definition or "")])))
            docs.append(" ".join([words, *(skill_words[s] for s in ref.skills_by_code.get(code, []))]))
        self._DT = self.doc_.fit_transform(docs).T.tocsr()
        self._vocab_long = sorted(w for w in self.doc_.vocabulary_ if len(w) >= 4)
        self._fit_sheet_model(ref, key_chars)
        for name, kind in zip(self._VECTORIZERS, self._KINDS):
            setattr(self, name, _Tfidf.of(getattr(self, name), kind))

    def _fit_sheet_model(self, ref: Reference, key_chars) -> None:
        """Multinomial naive Bayes of the sheets over the words, word pairs and character n-grams of their titles.

        A title never seen still shares words with the *other* titles of its sheet (« ovin », « bus »,
        « piscine »): each sheet's feature mass is the sum of its title keys' TF-IDF vectors (plus the words
        of its definition), smoothed by :data:`_NB_ALPHA`. Kept sparse: ``log(1 + mass / alpha)`` on the
        features a sheet has, the smoothing of the others folded into one norm per sheet.
        """
        from scipy import sparse

        key_words = self.words_.fit_transform(self.keys_)
        by_sheet = self._key_codes.T.astype(np.float32).tocsr()  # codes × keys
        definitions = self.words_.transform([" ".join(tokens(str(d or ""))) for d in ref.jobs["definition"]])
        mass = sparse.hstack([by_sheet @ key_words + _NB_DEFINITION * definitions, by_sheet @ key_chars]).tocsr()
        n_features = mass.shape[1]
        weights = mass.copy()
        weights.data = np.log1p(weights.data / _NB_ALPHA).astype(np.float32)
        self._NB = weights.T.tocsr()  # features × codes
        self._nb_norm = np.log(np.asarray(mass.sum(axis=1)).ravel() + _NB_ALPHA * n_features).astype(np.float32)

    def _sheet_probabilities(self, qkeys: list[str], Q) -> np.ndarray:
        """(n × n_codes) posterior probability of each sheet given the title keys and their character n-gram vectors *Q*.

        A row is all zeros when the title has no word or n-gram the reference knows.
        """
        from scipy import sparse

        X = sparse.hstack([self.words_.transform(qkeys), Q]).tocsr()
        out = np.empty((X.shape[0], len(self.codes_)), dtype=np.float32)
        for start in range(0, X.shape[0], 8 * _CHUNK):
            block = X[start : start + 8 * _CHUNK]
            log = (block @ self._NB).toarray() - np.asarray(block.sum(axis=1), dtype=np.float32) * self._nb_norm[None, :]
            log /= _NB_TEMPERATURE
            log -= log.max(axis=1, keepdims=True)
            np.exp(log, out=log)
            out[start : start + len(log)] = log / log.sum(axis=1, keepdims=True)
        out[np.diff(X.indptr) == 0] = 0.0  # nothing known in the title: no sheet, rather than all alike
        return out

    def _rare(self, chars):
        """The character n-gram vectors restricted to the rarer n-grams, L2-normalised again."""
        return l2_normalise(chars[:, self._rare_ngrams].astype(np.float32, copy=False))

    # -- scores ------------------------------------------------------------------------------------
    def _title_scores(self, qkeys: list[str], Q=None) -> tuple[np.ndarray, np.ndarray]:
        """(n × n_codes) confidence of each code (0-100) from the title, and the best title of each code.

        *Q*: the titles' vectors over the rarer n-grams (computed when not given).
        """
        n, n_codes = len(qkeys), len(self.codes_)
        out = np.zeros((n, n_codes), dtype=np.float32)
        where = np.full((n, n_codes), -1, dtype=np.int32)  # -1: no title of the code is close
        if not n:
            return out, where
        Q = self._rare(self.char_.transform(qkeys)) if Q is None else Q
        kc = self._key_codes
        keys = self._keys_array
        keep = min(_KEEP, len(keys))
        rerank = min(_RERANK, keep)
        for start in range(0, n, _CHUNK):
            stop = min(start + _CHUNK, n)
            S = (Q[start:stop] @ self._KT).tocsr()
            # Only the closest titles can make a code's best score: the _KEEP closest, looked for among those
            # within _NEAR of the row's best when the row is long (a short row is read whole).
            per_row = np.diff(S.indptr)
            best = np.zeros(stop - start, dtype=np.float32)
            filled = per_row > 0
            if filled.any():
                best[filled] = np.maximum.reduceat(S.data, S.indptr[:-1][filled])
            threshold = _NEAR * best
            threshold[per_row <= 4 * keep] = -np.inf
            at = np.flatnonzero(S.data >= np.repeat(threshold, per_row))
            rows = np.searchsorted(S.indptr, at, side="right") - 1
            cols, data = S.indices[at], S.data[at]
            order = _by_group_best_first(rows, data)
            rows, cols, data = rows[order], cols[order], data[order]
            per_row = np.bincount(rows, minlength=stop - start)
            rank = np.arange(len(rows)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
            kept = rank < keep
            rows, cols, data, rank = rows[kept], cols[kept], data[kept], rank[kept]
            # Re-score the closest of them with rapidfuzz: whole words and word order.
            closest = rank < rerank
            if closest.any():
                q = [qkeys[start + r] for r in rows[closest].tolist()]
                k = keys[cols[closest]].tolist()
                token_set = process.cpdist(q, k, scorer=fuzz.token_set_ratio, dtype=np.float32)
                token_sort = process.cpdist(q, k, scorer=fuzz.token_sort_ratio, dtype=np.float32)
                base = data[closest]
                data[closest] = np.maximum(base, 0.45 * base + 0.3 * token_set / 100 + 0.25 * token_sort / 100)
            # Each code keeps its best title.
            counts = np.diff(kc.indptr)[cols]
            offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            codes = kc.indices[np.repeat(kc.indptr[cols], counts) + offsets]
            rows, hits, vals = np.repeat(rows, counts), np.repeat(cols, counts), np.repeat(data, counts)
            flat = rows.astype(np.int64) * n_codes + codes
            order = _by_group_best_first(flat, vals)
            flat = flat[order]
            first = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1]))) if len(flat) else np.zeros(0, dtype=np.int64)
            out[start:stop].reshape(-1)[flat[first]] = 100 * np.clip(vals[order][first], 0, 1)
            where[start:stop].reshape(-1)[flat[first]] = hits[order][first]
        return out, where

    def _exact_codes(self, qkeys: list[str]) -> np.ndarray:
        """(n × n_codes) True where the code holds a title whose key is the query's key."""
        out = np.zeros((len(qkeys), len(self.codes_)), dtype=bool)
        kc = self._key_codes
        for i, k in enumerate(qkeys):
            j = self._key_index.get(k)
            if j is not None:
                out[i, kc.indices[kc.indptr[j] : kc.indptr[j + 1]]] = True
        return out

    def _one_typo_apart(self, words: list[str]) -> list[np.ndarray]:
        """For each word, the positions in the long vocabulary of the known words one typo away, in order.

        One typo: a letter missing, added or changed, or two letters swapped; more exactly, the two words
        share a form with at most one letter deleted from each. That is an Indel distance (letters deleted
        plus inserted) of at most 2 between words whose lengths differ by at most one: rapidfuzz computes
        it for each word against the known words of a near length only.
        """
        vocab = self._vocab_long
        lengths = np.fromiter(map(len, vocab), dtype=np.int64, count=len(vocab))
        by_length: dict[int, list[int]] = {}
        for at, word in enumerate(words):
            by_length.setdefault(len(word), []).append(at)
        out: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(words)
        for length, ats in by_length.items():
            near = np.flatnonzero(np.abs(lengths - length) <= 1)
            if not near.size:
                continue
            near_words = [vocab[i] for i in near.tolist()]
            for start in range(0, len(ats), _CHUNK):
                block = ats[start : start + _CHUNK]
                distance = process.cdist([words[at] for at in block], near_words, scorer=Indel.distance, score_cutoff=2, dtype=np.int32)
                for at, row in zip(block, distance):
                    out[at] = near[row <= 2]
        return out

    _MAX_CLOSEST = 100_000  # unknown words whose closest known word is kept (the cache is emptied past this)

    def _closest(self, unknown: list[str]) -> dict[str, tuple[float, str] | None]:
        """Each word unknown to the sheets' vocabulary → ``(rapidfuzz ratio, closest known word one typo away)``, or None.

        Candidates are the known words one typo away (see :meth:`_one_typo_apart`); the highest ratio wins, the first
        in the vocabulary's order among equals. Kept per word: the titles' and the descriptions' corrections
        (other cut-offs) read the same search.
        """
        cache = self.__dict__.setdefault("_closest_cache", {})
        if len(cache) > self._MAX_CLOSEST:
            cache.clear()
        out = {w: cache.get(w, _MISSING) for w in unknown}
        todo = [w for w, found in out.items() if found is _MISSING]
        if todo:
            vocab = self._vocab_long
            words, sizes, found = [], [], []
            for w, candidates in zip(todo, self._one_typo_apart(todo)):
                if candidates.size:
                    words.append(w)
                    sizes.append(candidates.size)
                    found.append(candidates)
                else:
                    out[w] = cache[w] = None
            if words:
                owner = np.repeat(np.arange(len(words)), sizes)
                found = np.concatenate(found)
                queries = np.asarray(words, dtype=object)[owner].tolist()
                scores = process.cpdist(queries, [vocab[i] for i in found.tolist()], scorer=fuzz.ratio, dtype=np.float64)
                # Each word's best: the highest ratio, then the first position in the vocabulary.
                order = np.lexsort((found, -scores, owner))
                first = order[np.searchsorted(owner[order], np.arange(len(words)))]
                for w, at in zip(words, first.tolist()):
                    out[w] = cache[w] = (float(scores[at]), vocab[found[at]])
        return out

    def _corrections(self, words: set[str], min_len: int = 5, cutoff: int = _DESC_TYPO_CUTOFF) -> dict[str, str]:
        """Words unknown to the sheets' vocabulary → their closest known word when it looks like a typo (see :meth:`_closest`)."""
        vocab = self.doc_.vocabulary_
        unknown = sorted(w for w in words if w not in vocab and len(w) >= min_len)
        if not unknown or not self._vocab_long:
            return {}
        closest = self._closest(unknown)
        return {w: found[1] for w in unknown if (found := closest[w]) is not None and found[0] >= cutoff}

    def _corrected_keys(self, qkeys: list[str]) -> list[str]:
        """Title keys with each word unknown to the reference replaced by its closest known word (one typo)."""
        fix = self._corrections({w for k in qkeys for w in k.split()}, min_len=4, cutoff=_TITLE_TYPO_CUTOFF)
        if not fix:
            return qkeys
        return [" ".join(fix.get(w, w) for w in k.split()) for k in qkeys]

    def _description_scores(self, pairs: list[tuple[str, str]], words=tokens) -> np.ndarray:
        """(n × n_codes) cosine of the words of each (title, description) pair with each sheet's words.

        *words* reads a text's words: :func:`tokens`, or a memoised copy of it from a caller that reads the
        same descriptions for something else. The title and the description are read as two texts.
        """
        return self._word_scores([words(title) + words(description) for title, description in pairs])

    def _word_scores(self, words: list[list[str]], fix: dict[str, str] | None = None) -> np.ndarray:
        """(n × n_codes) cosine of each text's words (typos corrected, by *fix* when given) with each sheet's words."""
        fix = self._corrections({w for ws in words for w in ws}) if fix is None else fix
        docs = [" ".join(fix.get(w, w) for w in ws) for ws in words]
        X = self.doc_.transform(docs)
        if X.shape[0] >= _DENSE_SHEETS_ROWS:
            # A description shares a word with most sheets: the product is nearly dense, and multiplying by the
            # sheets as a dense array (the same sums in the same order, so the same floats) is several times faster.
            return np.asarray(X @ self._DT.toarray(), dtype=np.float32)
        return np.asarray((X @ self._DT).toarray(), dtype=np.float32)

    @staticmethod
    def _scaled(desc: np.ndarray) -> np.ndarray:
        """Cosines to 0-100, the best code of a row at 100 × min(1, 2 × its cosine)."""
        top = desc.max(axis=1, keepdims=True)
        return 100 * np.divide(desc, top, out=np.zeros_like(desc), where=top > 0) * np.minimum(1.0, 2 * top)

    def _pairs(self, titles, descriptions=None) -> tuple[list[tuple[str, str]], np.ndarray, list[str], np.ndarray]:
        """The distinct (title, description) pairs, each row's pair, the distinct title keys and each pair's key."""
        titles = ["" if _is_blank(t) else str(t) for t in titles]
        if descriptions is None:
            descriptions = itertools.repeat("")
        else:
            descriptions = ("" if _is_blank(d) else str(d) for d in descriptions)
        index: dict[tuple[str, str], int] = {}
        row_pair = np.fromiter((index.setdefault(p, len(index)) for p in zip(titles, descriptions)), dtype=np.int64)
        pairs = list(index)
        qkeys = self._corrected_keys([title_key(t) for t, _ in pairs])
        # Everything the title decides is computed once per distinct key (« Agent d'entretien H/F » and
        # « agent d'entretien » are one).
        position: dict[str, int] = {}
        back = np.fromiter((position.setdefault(k, len(position)) for k in qkeys), dtype=np.int64, count=len(qkeys))
        return pairs, row_pair, list(position), back

    def _key_blocks(self, distinct: list[str]):
        """Yield ``(start, scores, where)`` for successive blocks of distinct title keys: the confidence (0-100)
        of each code from the title alone, and the position of the code's closest title (-1: none).

        Blocks of :data:`_CHUNK` keys keep the dense (keys × codes) arrays small.
        """
        if not distinct:
            return
        chars = self.char_.transform(distinct)
        Q = self._rare(chars)
        fix = self._corrections({w for k in distinct for w in k.split()}) if self.doc_weight else {}
        several_words = np.asarray([len(k.split()) >= _NB_MIN_WORDS for k in distinct], dtype=bool)
        for start in range(0, len(distinct), _CHUNK):
            stop = min(start + _CHUNK, len(distinct))
            block = distinct[start:stop]
            scores, where = self._title_scores(block, Q[start:stop])
            if self.doc_weight:
                doc = self._scaled(self._word_scores([k.split() for k in block], fix))
                scores = (1 - self.doc_weight) * scores + self.doc_weight * doc
            # A code holding the very title typed (same key) comes first: the sheet's words only order such
            # codes among themselves (« comptable » is « Comptable », not « Chef comptable »).
            exact = self._exact_codes(block)
            rows = exact.any(axis=1)
            unseen = np.flatnonzero(~rows & several_words[start:stop])
            if SHEET_WEIGHT and unseen.size:
                # A title the reference does not hold: the sheet model, which generalises from the other titles of
                # each sheet, has its say.
                scores[unseen] = (1 - SHEET_WEIGHT) * scores[unseen] + (100 * SHEET_WEIGHT) * self._sheet_probabilities(
                    [block[i] for i in unseen], chars[start + unseen]
                )
            if rows.any():
                scores[rows] = np.where(exact[rows], _EXACT_FLOOR + (100 - _EXACT_FLOOR) / 100 * scores[rows], np.minimum(scores[rows], _EXACT_FLOOR))
            yield start, scores, where

    def _with_description(self, scores: np.ndarray, pairs: list[tuple[str, str]], words=tokens) -> np.ndarray:
        """The scores of rows that have a description: title and description decide together."""
        desc = self._scaled(self._description_scores(pairs, words))
        return (1 - DESCRIPTION_WEIGHT) * scores + DESCRIPTION_WEIGHT * desc

    def scores(self, titles, descriptions=None) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(n_distinct × n_codes) confidence (0-100), best-title positions, and the distinct (title, description) keys."""
        pairs, _, distinct, back = self._pairs(titles, descriptions)
        scores = np.zeros((len(distinct), len(self.codes_)), dtype=np.float32)
        where = np.full(scores.shape, -1, dtype=np.int32)
        for start, block, block_where in self._key_blocks(distinct):
            scores[start : start + len(block)] = block
            where[start : start + len(block)] = block_where
        if len(distinct) < len(pairs):
            scores, where = scores[back], where[back]
        with_desc = np.flatnonzero([bool(d.strip()) for _, d in pairs])
        if with_desc.size:
            scores[with_desc] = self._with_description(scores[with_desc], [pairs[i] for i in with_desc])
        return scores, where, pairs

    @staticmethod
    def _best(scores: np.ndarray, where: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The *k* best codes of each row, best first (ties to the code listed first): positions, scores and closest titles."""
        top, top_scores = top_columns(scores, k)
        return top, top_scores, np.take_along_axis(where, top, axis=1)

    def _top(self, titles, k: int, descriptions=None, words=tokens) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The *k* best codes, best first (positions, scores, closest titles), and each row's line in them.

        The same as :meth:`scores` followed by a top *k*, block by block: the dense (pairs × codes) scores are
        never held whole. One line per distinct title key, then one per (title, description) pair with a
        description.
        """
        pairs, row_pair, distinct, back = self._pairs(titles, descriptions)
        kk = min(k, len(self.codes_))
        described = np.flatnonzero([bool(d.strip()) for _, d in pairs])
        line = back.copy()
        line[described] = len(distinct) + np.arange(len(described))
        n_lines = len(distinct) + len(described)
        top = np.zeros((n_lines, kk), dtype=np.int64)
        top_scores = np.zeros((n_lines, kk), dtype=np.float32)
        top_where = np.full((n_lines, kk), -1, dtype=np.int32)
        if kk:
            for start, block, block_where in self._key_blocks(distinct):
                stop = start + len(block)
                top[start:stop], top_scores[start:stop], top_where[start:stop] = self._best(block, block_where, kk)
                rows = described[(back[described] >= start) & (back[described] < stop)]
                if rows.size:
                    local = back[rows] - start
                    scores = self._with_description(block[local], [pairs[i] for i in rows], words)
                    top[line[rows]], top_scores[line[rows]], top_where[line[rows]] = self._best(scores, block_where[local], kk)
        return line[row_pair], top, top_scores, top_where

    # -- outputs -------------------------------------------------------------------------------------
    def suggest(self, title: object, k: int = 3, description: object = None) -> list[RomeSuggestion]:
        """The *k* best ROME codes for one title, best first."""
        return self.suggest_many([title], k=k, descriptions=None if description is None else [description])[0]

    def _suggestions(self, titles, k: int, descriptions=None, words=tokens) -> tuple[list[int], list[list[RomeSuggestion]]]:
        """Each row's line, and the *k* best ROME codes of each line (one line per distinct title key, and
        one per title with a description; see :meth:`_top`)."""
        row_line, top, top_scores, top_where = self._top(list(titles), k, descriptions, words)
        codes, labels, key_titles = self.codes_, self.labels_, self.key_titles_
        per_line = [
            [RomeSuggestion(codes[j], labels[codes[j]], round(v, 1), key_titles[w] if w >= 0 else "") for j, v, w in zip(js, vs, ws) if v > 0]
            for js, vs, ws in zip(top.tolist(), top_scores.tolist(), top_where.tolist())
        ]
        return row_line.tolist(), per_line

    def suggest_many(self, titles, k: int = 3, descriptions=None, words=tokens) -> list[list[RomeSuggestion]]:
        """The *k* best ROME codes for each title (computed once per distinct title and description).

        *words*: what reads the words of the titles and descriptions for the description scores (see
        :meth:`_description_scores`).
        """
        row_line, per_line = self._suggestions(titles, k, descriptions, words)
        return [per_line[i] for i in row_line]

    def code(self, titles, descriptions=None, k: int = 3, min_score: float | None = None) -> pd.DataFrame:
        """One row per title: ``code_rome``, ``libelle_rome``, ``confiance`` (0-1), ``alternatives``.

        Below :attr:`min_score` the code is empty and the label says « métier non reconnu »;
        ``alternatives`` lists the *k* best codes with their confidence either way.
        """
        threshold = self.min_score if min_score is None else min_score
        row_line, per_line = self._suggestions(titles, k, descriptions)
        lines = []  # formatted once per line, then given to each of its rows
        for suggestions in per_line:
            best = suggestions[0] if suggestions else None
            known = best is not None and best.score >= threshold
            lines.append(
                (
                    best.code if known else None,
                    best.label if known else UNKNOWN_JOB,
                    round(best.score / 100, 2) if best else 0.0,
                    best.title if known else "",
                    " | ".join(f"{s.code} {s.label} ({s.score / 100:.2f})".replace(".", ",") for s in suggestions),
                )
            )
        frame = pd.DataFrame([lines[i] for i in row_line], columns=["code_rome", "libelle_rome", "confiance", "intitule_proche", "alternatives"])
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
