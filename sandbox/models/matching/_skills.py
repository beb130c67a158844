"""Skills: split a cell into items, map each item to the reference (synonyms, abbreviations, typos)."""

from __future__ import annotations

import re
from itertools import chain

import numpy as np
from rapidfuzz import fuzz, process

from sandbox.models.matching._reference import Reference, load_reference
from sandbox.models.matching._similarity import char_ngrams
from sandbox.models.matching._text import key, tokens

#: Key sets up to this size are scanned whole by the fuzzy look-up; larger ones (the official
#: ROME: 30,000 skill forms) are first narrowed to a shortlist per query.
EXACT_KEYS = 3000
_SHORTLIST = 30  # keys compared exactly per query, in the large case
_RARE_GRAMS = 8  # the query's rarest character trigrams that pick the shortlist

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


def _items(phrase: str) -> list[str]:
    """The comma-, slash-, dash- or plus-separated items of a phrase (the phrase alone when it has none of these signs)."""
    if "," in phrase or "/" in phrase or "-" in phrase or "+" in phrase:
        return [item.strip(" .-") for item in _WEAK.split(phrase) if item.strip(" .-")]
    item = phrase.strip(" .-")
    return [item] if item else []


def split_cell(cell: object) -> list[str]:
    """Items of a skills cell: ``;``, ``,``, ``|``, ``/``, line breaks and bullets separate them.

    >>> split_cell("HACCP ; liaison froide, Permis B")
    ['HACCP', 'liaison froide', 'Permis B']
    """
    return [item.strip(" .-") for phrase in split_phrases(cell) for item in _WEAK.split(phrase) if item.strip(" .-")]


class FuzzyKeys:
    """The closest of a fixed list of keys to each query by rapidfuzz's ``ratio``, in batches.

    Up to :data:`EXACT_KEYS` keys, every key is scored (``process.cdist``;
    as ``process.extractOne``, the first key of the best score wins). Above,
    each query is scored against the :data:`_SHORTLIST` keys that share the
    most of its :data:`_RARE_GRAMS` rarest character trigrams (weighted by
    their rarity, relative to the key's size): a key within the cutoff of a query shares nearly all its
    trigrams, so it is on that shortlist. Results are remembered per query.

    Examples
    --------
    >>> fk = FuzzyKeys(["nettoyag local", "tont pelous", "nettoyag vitr"])
    >>> [(position, round(score, 1)) for position, score in fk.best(["netoyag local", "zzzz"], 85.0)]
    [(0, 96.3), (-1, 0.0)]
    """

    _ARRAYS = ("idf", "KT.data", "KT.indices", "KT.indptr", "KT.shape")

    def __init__(self, keys) -> None:
        self.keys = list(keys)
        self._memo: dict[tuple[str, float], tuple[int, float]] = {}
        self._grams = None
        if len(self.keys) > EXACT_KEYS:
            from scipy import sparse

            grams = _Trigrams(self.keys)
            K = grams.matrix(self.keys)
            df = np.asarray((K > 0).sum(axis=0)).ravel()
            self._grams = grams
            self._set_idf(np.log((1 + len(self.keys)) / (1 + df)).astype(np.float32) + np.float32(1))
            # Shared rare trigrams per key, divided by the square root of the key's trigram count:
            # a short key that shares them ranks before a long one that holds them among many others.
            size = np.asarray(K.sum(axis=1)).ravel()
            self._KT = (sparse.diags(1 / np.sqrt(np.maximum(size, 1))).astype(np.float32) @ K).T.tocsr()

    def _set_idf(self, idf: np.ndarray) -> None:
        self._idf = idf
        # Each trigram's rank from the rarest (the highest weight; ties in column order).
        self._rarity = np.empty(len(idf), dtype=np.int64)
        self._rarity[np.lexsort((np.arange(len(idf)), -idf))] = np.arange(len(idf))

    def _arrays(self) -> dict[str, np.ndarray]:
        """The fitted shortlist index as plain arrays (none for a small key set, scanned whole); the keys are not included."""
        from sandbox.data.rome import pack_strings

        if self._grams is None:
            return {}
        KT = self._KT
        return {"grams": pack_strings(sorted(self._grams.vocabulary, key=self._grams.vocabulary.get)), "idf": self._idf,
                "KT.data": KT.data, "KT.indices": KT.indices, "KT.indptr": KT.indptr, "KT.shape": np.asarray(KT.shape)}

    @classmethod
    def _restore(cls, keys: list[str], arrays: dict[str, np.ndarray]) -> "FuzzyKeys":
        """The index of :meth:`_arrays` for these *keys* (ValueError or KeyError when they do not fit)."""
        from scipy import sparse

        from sandbox.data.rome import unpack_strings

        self = cls.__new__(cls)
        self.keys = list(keys)
        self._memo = {}
        self._grams = None
        if len(self.keys) <= EXACT_KEYS:
            return self
        grams = _Trigrams(())
        grams.vocabulary = {g: i for i, g in enumerate(unpack_strings(arrays["grams"]))}
        shape = tuple(int(x) for x in arrays["KT.shape"])
        if shape != (len(grams.vocabulary), len(self.keys)) or len(arrays["idf"]) != shape[0]:
            raise ValueError("saved fuzzy index of other keys")
        self._KT = sparse.csr_matrix((arrays["KT.data"], arrays["KT.indices"], arrays["KT.indptr"]), shape=shape)
        self._KT.check_format(full_check=False)
        self._set_idf(arrays["idf"])
        self._grams = grams
        return self

    def best(self, queries: list[str], cutoff: float) -> list[tuple[int, float]]:
        """(position of the closest key, its score) per query; (-1, 0) when no key reaches *cutoff*."""
        memo = self._memo
        todo = list(dict.fromkeys(q for q in queries if (q, cutoff) not in memo))
        if todo and self.keys:
            found = self._scan(todo, cutoff) if self._grams is None else self._shortlisted(todo, cutoff)
            for q, hit in zip(todo, found):
                memo[(q, cutoff)] = hit
        return [memo.get((q, cutoff), (-1, 0.0)) for q in queries]

    def _scan(self, queries: list[str], cutoff: float) -> list[tuple[int, float]]:
        out = []
        for start in range(0, len(queries), 512):
            chunk = queries[start : start + 512]
            scores = process.cdist(chunk, self.keys, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.float64, workers=-1)
            best = scores.argmax(axis=1)
            top = scores[np.arange(len(chunk)), best]
            out += [(int(b), float(t)) if t >= cutoff else (-1, 0.0) for b, t in zip(best, top)]
        return out

    def _shortlisted(self, queries: list[str], cutoff: float) -> list[tuple[int, float]]:
        from scipy import sparse

        Q = self._grams.matrix(queries)
        # Keep each query's rarest trigrams (rarest first, then in column order), weighted by their rarity.
        counts = np.diff(Q.indptr)
        rows = np.repeat(np.arange(Q.shape[0], dtype=np.int64), counts)
        order = np.argsort(rows * len(self._idf) + self._rarity[Q.indices], kind="stable")
        rank = np.arange(len(order)) - np.repeat(Q.indptr[:-1], counts)
        keep = np.zeros(len(order), dtype=bool)
        keep[order[rank < _RARE_GRAMS]] = True
        kept = np.minimum(counts, _RARE_GRAMS)
        Qr = sparse.csr_matrix((self._idf[Q.indices[keep]], Q.indices[keep], np.r_[0, np.cumsum(kept)].astype(np.int32)), shape=Q.shape)
        # Each query's shortlist (its _SHORTLIST best keys, the first keys among those tied with the last
        # one), then every (query, key) pair scored in one batch.
        pair_key, sizes = [], []
        for start in range(0, len(queries), 2048):
            S = (Qr[start : start + 2048] @ self._KT).tocsr()
            indptr, indices, negative = S.indptr.tolist(), S.indices, -S.data
            for lo, hi in zip(indptr[:-1], indptr[1:]):
                pair_key.append(_best_keys(indices[lo:hi], negative[lo:hi], _SHORTLIST))
                sizes.append(len(pair_key[-1]))
        out = [(-1, 0.0)] * len(queries)
        if not sum(sizes):
            return out
        # Keys in increasing position within each query (one sort of query x n_keys + key).
        n_keys = len(self.keys)
        pair = np.repeat(np.arange(len(sizes), dtype=np.int64) * n_keys, sizes) + np.concatenate(pair_key)
        pair.sort()
        pq, pk = np.divmod(pair, n_keys)
        keys = self.keys
        scores = process.cpdist([queries[i] for i in pq.tolist()], [keys[j] for j in pk.tolist()], scorer=fuzz.ratio,
                                score_cutoff=cutoff, dtype=np.float64, workers=-1)
        # Per query, the first key (in increasing position) of the best score, when it reaches the cutoff.
        starts = np.flatnonzero(np.r_[True, pq[1:] != pq[:-1]])
        owner = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(pq)]))
        best = np.maximum.reduceat(scores, starts)
        hit = np.flatnonzero((scores == best[owner]) & (best[owner] >= cutoff) & (best[owner] > 0))
        hit = hit[np.r_[True, owner[hit][1:] != owner[hit][:-1]]] if len(hit) else hit
        for q, j, value in zip(pq[hit].tolist(), pk[hit].tolist(), scores[hit].tolist()):
            out[q] = (j, value)
        return out


def _best_keys(keys: np.ndarray, negative: np.ndarray, n: int) -> np.ndarray:
    """The *n* keys of lowest *negative* (highest score), in no order; of the keys tied with the last one
    kept, the lowest: the same keys on every machine, whatever order the product gives them in.

    >>> sorted(_best_keys(np.array([9, 4, 7, 1, 3]), -np.array([0.5, 0.2, 0.9, 0.2, 0.2]), 3).tolist())
    [1, 7, 9]
    """
    if len(keys) <= n:
        return keys
    last = np.partition(negative, n - 1)[n - 1]
    better = keys[negative < last]
    return np.concatenate([better, np.sort(keys[negative == last])[: n - len(better)]])


class _Trigrams:
    """Character trigrams of the words of texts, each word padded with a space on both sides, as
    scikit-learn's ``CountVectorizer(analyzer="char_wb", ngram_range=(3, 3), binary=True)`` reads them
    (same columns: the trigrams of the fitted texts in sorted order), each distinct word read once.

    >>> g = _Trigrams(["ab", "abc"])
    >>> g.vocabulary, g.matrix(["abc ab", "zz"]).toarray().tolist()
    ({' ab': 0, 'ab ': 1, 'abc': 2, 'bc ': 3}, [[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    """

    def __init__(self, texts) -> None:
        self._words: dict[str, list[int]] = {}
        seen: set[str] = set()
        for word in {w for text in texts for w in text.lower().split()}:
            seen.update(char_ngrams(word, 3, 3))
        self.vocabulary = {g: i for i, g in enumerate(sorted(seen))}

    def _ids(self, word: str) -> list[int]:
        ids = self._words.get(word)
        if ids is None:
            vocabulary = self.vocabulary
            ids = self._words[word] = sorted({vocabulary[g] for g in char_ngrams(word, 3, 3) if g in vocabulary})
        return ids

    def matrix(self, texts) -> "sparse.csr_matrix":
        """(texts × trigrams) 0/1 float32 CSR, indices sorted."""
        from scipy import sparse

        # (texts × distinct words) @ (distinct words × trigrams): the union of each text's words' trigrams.
        rows: dict[str, int] = {}
        words, indptr = [], [0]
        for text in texts:
            for word in text.lower().split():
                row = rows.get(word)
                if row is None:
                    row = rows[word] = len(rows)
                words.append(row)
            indptr.append(len(words))
        word_indptr, word_indices = [0], []
        for word in rows:
            word_indices.extend(self._ids(word))
            word_indptr.append(len(word_indices))
        shape = (len(indptr) - 1, len(self.vocabulary))
        T = sparse.csr_matrix((np.ones(len(words), dtype=np.float32), np.asarray(words, dtype=np.int32), np.asarray(indptr, dtype=np.int64)), shape=(shape[0], len(rows)))
        W = sparse.csr_matrix((np.ones(len(word_indices), dtype=np.float32), np.asarray(word_indices, dtype=np.int32), np.asarray(word_indptr, dtype=np.int64)), shape=(len(rows), shape[1]))
        M = T @ W
        M.sort_indices()
        return sparse.csr_matrix((np.ones(M.nnz, dtype=np.float32), M.indices.astype(np.int32), M.indptr.astype(np.int64)), shape=shape)


#: The name of a reference's skill index saved beside an imported release (:func:`sandbox.data.rome.save_fitted`).
STORED_INDEX = "competences"
#: The modules, beside this one, whose code makes the saved index (with :mod:`._reference` and the bundled extract).
_INDEX_CODE = ("_skills.py", "_text.py", "_similarity.py")


class _ReferenceIndex:
    """A reference's skill forms and their fuzzy index: ``forms`` ({key of a form: skill}, first form of a key
    wins), ``labels`` ({skill: skill}), ``keys`` (the keys of ``forms``), ``max_words`` and ``fuzzy``."""

    def __init__(self, forms: dict[str, str], labels: dict[str, str], fuzzy: FuzzyKeys | None = None) -> None:
        self.forms = forms
        self.labels = labels
        self.keys = list(forms)
        self.max_words = max((len(k.split()) for k in self.keys), default=1)
        self.fuzzy = fuzzy if fuzzy is not None else FuzzyKeys(self.keys)

    @classmethod
    def build(cls, reference: Reference) -> "_ReferenceIndex":
        forms: dict[str, str] = {}
        labels: dict[str, str] = {}
        for skill, skill_forms in zip(reference.skills["skill"].tolist(), reference.skills["forms"].tolist()):
            labels[skill] = skill
            for form in skill_forms:
                k = key(form)
                if k and k not in forms:
                    forms[k] = skill
        return cls(forms, labels)

    def arrays(self, reference: Reference) -> dict[str, np.ndarray]:
        """Plain arrays (no pickle): the keys, the position of each key's skill in the reference, the fuzzy index."""
        from sandbox.data.rome import pack_strings

        position = {skill: i for i, skill in enumerate(reference.skills["skill"].tolist())}
        return {"keys": pack_strings(self.keys), "skills": np.asarray([position[s] for s in self.forms.values()], dtype=np.int32),
                "max_words": np.asarray(self.max_words), **{f"fuzzy.{k}": v for k, v in self.fuzzy._arrays().items()}}

    @classmethod
    def restore(cls, reference: Reference, arrays: dict[str, np.ndarray]) -> "_ReferenceIndex":
        """The index of :meth:`arrays` (ValueError, KeyError or IndexError when they do not fit *reference*)."""
        from sandbox.data.rome import unpack_strings

        skills = reference.skills["skill"].tolist()
        keys = unpack_strings(arrays["keys"])
        positions = arrays["skills"]
        if len(positions) != len(keys) or (len(positions) and (positions.min() < 0 or positions.max() >= len(skills))):
            raise ValueError("saved skill index of another reference")
        forms = dict(zip(keys, map(skills.__getitem__, positions.tolist())))
        if len(forms) != len(keys):
            raise ValueError("saved skill index with repeated keys")
        fuzzy = FuzzyKeys._restore(keys, {k[len("fuzzy."):]: v for k, v in arrays.items() if k.startswith("fuzzy.")})
        self = cls.__new__(cls)
        self.forms, self.labels, self.keys, self.fuzzy = forms, dict(zip(skills, skills)), keys, fuzzy
        self.max_words = int(arrays["max_words"])
        return self


_INDEX_CACHE: dict[int, tuple[Reference, _ReferenceIndex]] = {}


def _reference_index(reference: Reference) -> _ReferenceIndex:
    """The skill index of a reference, built once per process (the reference is read-only).

    For an imported release (a reference with a ``stamp``), it is saved beside the release the first
    time and read back afterwards; a saved index of another release, of other code or unreadable is
    never used (it is built again).
    """
    hit = _INDEX_CACHE.get(id(reference))
    if hit is None or hit[0] is not reference:
        index = None
        stamp = f"{reference.stamp}|{_index_digest()}" if reference.stamp else ""
        if stamp:
            from sandbox.data.rome import load_fitted

            arrays = load_fitted(STORED_INDEX, stamp)
            if arrays is not None:
                try:
                    index = _ReferenceIndex.restore(reference, arrays)
                except (KeyError, ValueError, IndexError, UnicodeDecodeError):
                    index = None
        if index is None:
            index = _ReferenceIndex.build(reference)
            if stamp:
                from sandbox.data.rome import save_fitted

                try:
                    arrays = index.arrays(reference)
                except ValueError:  # a NUL in a form: never saved
                    arrays = None
                if arrays is not None:
                    save_fitted(STORED_INDEX, stamp, arrays)
        if len(_INDEX_CACHE) > 2:
            _INDEX_CACHE.clear()
        hit = _INDEX_CACHE[id(reference)] = (reference, index)
    return hit[1]


def _index_digest() -> str:
    from sandbox.models.matching._reference import code_digest

    return code_digest(*_INDEX_CODE)


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
        index = _reference_index(ref)
        forms, labels = dict(index.forms), dict(index.labels)
        self.reference_ = ref
        self.forms_ = forms
        self._cache: dict[str, list[str]] = {}
        self._fuzzy_cache: dict[str, str | None] = {}
        self._phrase_cache: dict[str, list[str]] = {}
        # Set before matching the extra labels (they are matched against the reference first).
        self.keys_ = list(index.keys)
        self.max_words_ = index.max_words
        self._reference_index = index.fuzzy
        self._extra_index = None
        extra = [(key(label), label.strip()) for label in extra_skills]
        self._prefetch([k for k, _ in extra if k and k not in forms])
        for k, label in extra:
            if k and not self._match_reference(k):
                forms.setdefault(k, label)
                labels.setdefault(label, label)
        self.labels_ = labels
        n_reference = len(self.keys_)
        self.keys_ = list(forms)
        self.max_words_ = max([index.max_words, *(len(k.split()) for k in self.keys_[n_reference:])])
        if len(self.keys_) > n_reference:
            self._extra_index = FuzzyKeys(self.keys_[n_reference:])
        self.training_ = dict(zip(ref.skills["skill"].tolist(), ref.skills["training"].tolist()))
        self._cache = {}
        self._fuzzy_cache = {}
        self._phrase_cache = {}
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
        if k not in self._fuzzy_cache:
            self._fuzzy_many([k])
        return self._fuzzy_cache[k]

    def _fuzzy_many(self, keys: list[str]) -> None:
        """Fuzzy matches of many keys at once (the reference's forms first, then the offers' own skills)."""
        todo = [k for k in dict.fromkeys(keys) if len(k) >= 4 and k not in self._fuzzy_cache]
        for cutoff in {self.fuzzy_cutoff if len(k) >= 5 else 88.0 for k in todo}:
            group = [k for k in todo if (self.fuzzy_cutoff if len(k) >= 5 else 88.0) == cutoff]
            found = self._reference_index.best(group, cutoff)
            if self._extra_index is not None:
                n_reference = len(self._reference_index.keys)
                extra = self._extra_index.best(group, cutoff)
                # Same order as one scan of every key: a reference form wins a tie.
                found = [(n_reference + e[0], e[1]) if e[0] >= 0 and e[1] > r[1] else r for r, e in zip(found, extra)]
            for k, (position, _) in zip(group, found):
                self._fuzzy_cache[k] = self.forms_[self.keys_[position]] if position >= 0 else None

    def _prefetch(self, keys: list[str], wholes: list[str] = ()) -> None:
        """Match at once the *keys* of items that will need a fuzzy look-up (neither known nor made of
        known forms) and the *wholes* of phrases that are not known as such."""
        need = [k for k in dict.fromkeys(keys) if len(k) >= 4 and k not in self.forms_ and k not in self._fuzzy_cache and not self._contained(k.split())]
        self._fuzzy_many(need + [k for k in wholes if k not in self.forms_])

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
            out.extend(self._phrase(phrase))
        return list(dict.fromkeys(out))

    def _phrase(self, phrase: str) -> list[str]:
        """The skills of one phrase (see :meth:`parse`), remembered per phrase: cells share most of theirs."""
        found = self._phrase_cache.get(phrase)
        if found is None:
            found = self._phrase_cache[phrase] = self._parse_phrase(phrase, _items(phrase))
        return found

    def _parse_phrase(self, phrase: str, items: list[str]) -> list[str]:
        if len(items) > 1:
            k = key(phrase)
            whole = self.forms_.get(k) or self._fuzzy(k)
            if whole:
                return [whole]
            matched = [self.match_item(i) for i in items]
            if any(known for _, known in matched):
                return [s for found, _ in matched for s in found]
        found, _ = self.match_item(phrase)
        return list(found)

    def parse_many(self, cells) -> list[list[str]]:
        """:meth:`parse` of each cell, the fuzzy look-ups of all cells done in one batch."""
        cells = list(cells)
        phrases_of = {cell: split_phrases(cell) for cell in dict.fromkeys(c for c in cells if not _blank(c))}
        cache = self._phrase_cache
        todo: dict[str, list[str]] = {}  # phrase -> its items, for the phrases not parsed yet
        for phrases in phrases_of.values():
            for phrase in phrases:
                if phrase not in cache and phrase not in todo:
                    todo[phrase] = _items(phrase)
        keys, wholes = [], []
        for phrase, items in todo.items():
            if len(items) > 1:
                wholes.append(key(phrase))
            keys += [key(i) for i in items]
        # As _prefetch, remembering what each item key stands for on the way (see _match_reference): the
        # reference skills it is made of, else its fuzzy match, found for all keys at once.
        forms, known, fuzzy = self.forms_, self._cache, self._fuzzy_cache
        need = []
        for k in dict.fromkeys(keys):
            if k and k not in known and len(k) >= 4 and k not in forms and k not in fuzzy:
                contained = self._contained(k.split())
                if contained:
                    known[k] = contained
                else:
                    need.append(k)
        self._fuzzy_many(need + [k for k in wholes if k not in forms])
        for k in need:
            found = fuzzy[k]
            known[k] = [found] if found else []
        for phrase, items in todo.items():
            cache[phrase] = self._parse_phrase(phrase, items)
        parsed = {cell: list(dict.fromkeys(chain.from_iterable(map(cache.__getitem__, phrases)))) for cell, phrases in phrases_of.items()}
        return [list(parsed[c]) if not _blank(c) else [] for c in cells]

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
