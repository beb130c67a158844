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
_STATE_VERSION = 2  # bump when the fitted state changes: saved states of another version are refitted
_CHUNK = 512  # queries scored together
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


def _one_deletion(word: str) -> set[str]:
    """The word and every form of it with one letter deleted.

    >>> sorted(_one_deletion("bus"))
    ['bs', 'bu', 'bus', 'us']
    """
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


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
        """Index the reference's titles and fit the sheet model.

        For an imported release (a reference with a ``stamp``), the fitted arrays are saved once beside
        the imported index and read back at the next start instead of being fitted again.
        """
        ref = self.reference if self.reference is not None else load_reference()
        stamp = f"{ref.stamp}|{_STATE_VERSION}" if getattr(ref, "stamp", "") else ""
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
        for name, vec in zip(self._VECTORIZERS, self._vectorizers()):
            words = arrays[f"{name}vocabulary"].tolist()
            vec.vocabulary_ = {w: i for i, w in enumerate(words)}
            vec.idf_ = arrays[f"{name}idf"]
            setattr(self, name, vec)
        for name in self._MATRICES:
            shape = tuple(int(x) for x in arrays[f"{name}.shape"])
            setattr(self, name, sparse.csr_matrix((arrays[f"{name}.data"], arrays[f"{name}.indices"], arrays[f"{name}.indptr"]), shape=shape))
        self._vocab_long = sorted(w for w in self.doc_.vocabulary_ if len(w) >= 4)
        return self

    @staticmethod
    def _vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer, TfidfVectorizer]:
        """Unfitted: the titles' character n-grams, the sheets' words, the titles' words and word pairs."""
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
        from sklearn.preprocessing import normalize

        return normalize(chars[:, self._rare_ngrams]).astype(np.float32)

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
            # within _NEAR of the row's best when the row is long.
            per_row = np.diff(S.indptr)
            rows = np.repeat(np.arange(stop - start), per_row)
            best = np.zeros(stop - start, dtype=np.float32)
            filled = per_row > 0
            if filled.any():
                best[filled] = np.maximum.reduceat(S.data, S.indptr[:-1][filled])
            near = (S.data >= _NEAR * best[rows]) | (per_row <= 4 * keep)[rows]  # a short row is read whole
            rows, cols, data = rows[near], S.indices[near], S.data[near].astype(np.float32)
            order = np.lexsort((-data, rows))
            rows, cols, data = rows[order], cols[order], data[order]
            rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
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
            counts = np.diff(kc.indptr)[cols]
            offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            codes = kc.indices[np.repeat(kc.indptr[cols], counts) + offsets]
            rows, hits, vals = np.repeat(rows, counts), np.repeat(cols, counts), np.repeat(data, counts)
            flat = rows.astype(np.int64) * n_codes + codes
            order = np.lexsort((-vals, flat))
            uniq, first = np.unique(flat[order], return_index=True)
            block_out = out[start:stop].reshape(-1)
            block_where = where[start:stop].reshape(-1)
            block_out[uniq] = vals[order][first]
            block_where[uniq] = hits[order][first]
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

    @property
    def _deletions(self) -> dict[str, list[int]]:
        """``{word with at most one letter deleted: positions in the long vocabulary}`` (built once)."""
        table = self.__dict__.get("_deletion_table")
        if table is None:
            table = {}
            for i, word in enumerate(self._vocab_long):
                for variant in _one_deletion(word):
                    table.setdefault(variant, []).append(i)
            self._deletion_table = table
        return table

    def _corrections(self, words: set[str], min_len: int = 5, cutoff: int = _DESC_TYPO_CUTOFF) -> dict[str, str]:
        """Words unknown to the sheets' vocabulary → their closest known word when it looks like a typo.

        Candidates are the known words one typo away (a letter missing, added, changed, or two letters
        swapped: they share a form with at most one letter deleted); the closest by rapidfuzz ratio wins.
        """
        vocab = self.doc_.vocabulary_
        unknown = sorted(w for w in words if w not in vocab and len(w) >= min_len)
        out = {}
        if not unknown or not self._vocab_long:
            return out
        table = self._deletions
        for w in unknown:
            found = sorted({i for variant in _one_deletion(w) for i in table.get(variant, ())})
            if not found:
                continue
            score, best = max((fuzz.ratio(w, self._vocab_long[i]), -i) for i in found)
            if score >= cutoff:
                out[w] = self._vocab_long[-best]
        return out

    def _corrected_keys(self, qkeys: list[str]) -> list[str]:
        """Title keys with each word unknown to the reference replaced by its closest known word (one typo)."""
        fix = self._corrections({w for k in qkeys for w in k.split()}, min_len=4, cutoff=_TITLE_TYPO_CUTOFF)
        if not fix:
            return qkeys
        return [" ".join(fix.get(w, w) for w in k.split()) for k in qkeys]

    def _description_scores(self, texts: list[str]) -> np.ndarray:
        return self._word_scores([tokens(t) for t in texts])

    def _word_scores(self, words: list[list[str]]) -> np.ndarray:
        """(n × n_codes) cosine of each text's words (typos corrected) with each sheet's words."""
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
        # Everything the title decides is computed once per distinct key (« Agent d'entretien H/F » and
        # « agent d'entretien » are one).
        distinct = list(dict.fromkeys(qkeys))
        position = {k: i for i, k in enumerate(distinct)}
        back = np.fromiter((position[k] for k in qkeys), dtype=np.int64, count=len(qkeys))
        chars = self.char_.transform(distinct)
        scores, where = self._title_scores(distinct, self._rare(chars))
        if self.doc_weight and len(distinct):
            doc = self._scaled(self._word_scores([k.split() for k in distinct]))
            scores = (1 - self.doc_weight) * scores + self.doc_weight * doc
        # A code holding the very title typed (same key) comes first: the sheet's words only order such
        # codes among themselves (« comptable » is « Comptable », not « Chef comptable »).
        exact = self._exact_codes(distinct)
        rows = exact.any(axis=1)
        unseen = np.flatnonzero(~rows & np.asarray([len(k.split()) >= _NB_MIN_WORDS for k in distinct], dtype=bool))
        if SHEET_WEIGHT and unseen.size:
            # A title the reference does not hold: the sheet model, which generalises from the other titles of
            # each sheet, has its say.
            scores[unseen] = (1 - SHEET_WEIGHT) * scores[unseen] + (100 * SHEET_WEIGHT) * self._sheet_probabilities(
                [distinct[i] for i in unseen], chars[unseen]
            )
        if rows.any():
            scores[rows] = np.where(exact[rows], _EXACT_FLOOR + (100 - _EXACT_FLOOR) / 100 * scores[rows], np.minimum(scores[rows], _EXACT_FLOOR))
        if len(distinct) < len(qkeys):
            scores, where = scores[back], where[back]
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
        kk = min(k, scores.shape[1])
        if len(pairs) and kk:
            top = np.argpartition(-scores, kk - 1, axis=1)[:, :kk] if kk < scores.shape[1] else np.tile(np.arange(kk), (len(pairs), 1))
            top_scores = np.take_along_axis(scores, top, axis=1)
            order = np.argsort(-top_scores, axis=1, kind="stable")
            top, top_scores = np.take_along_axis(top, order, axis=1), np.take_along_axis(top_scores, order, axis=1)
            top_where = np.take_along_axis(where, top, axis=1)
            for i, pair in enumerate(pairs):
                per_pair[pair] = [
                    RomeSuggestion(self.codes_[j], self.labels_[self.codes_[j]], round(float(v), 1), self.key_titles_[w] if w >= 0 else "")
                    for j, v, w in zip(top[i].tolist(), top_scores[i].tolist(), top_where[i].tolist())
                    if v > 0
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
