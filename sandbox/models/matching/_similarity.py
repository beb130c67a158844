"""TF-IDF text similarity on words and character n-grams, exact, at scale.

Each document is a bag of normalised words (``_text.tokens``). Its vector
has one coordinate per word (TF-IDF of the word) and one per character
n-gram of its words (TF-IDF of the n-gram, padded as scikit-learn's
``char_wb`` analyser does). Since a document's n-grams are a linear image
of its words (``D = W @ G`` with ``G`` the word → n-gram counts), the dot
product of two documents is ``w1 @ K @ w2`` with the small word-by-word
kernel ``K = G' G'ᵀ + diag(idf²)``. The cosine of a candidate with every
offer is then one sparse-by-dense product: exact, chunked, and fast even for
20,000 × 5,000 pairs.

The vocabulary is learnt on the offers and the ROME reference. A word of a
profile that is not in it is replaced by its closest vocabulary word when
that looks like a typo (rapidfuzz ratio ≥ 85, five letters or more), and
dropped otherwise: names, addresses and other words no offer uses can never
weigh on the score.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse


def char_ngrams(word: str, low: int, high: int) -> list[str]:
    """The character n-grams (*low* ≤ n ≤ *high*) of a word padded with a space on each side, repeats
    included: what scikit-learn's ``char_wb`` analyser reads of one word (for *low* ≤ 3).

    >>> char_ngrams("bus", 2, 3)
    [' b', 'bu', 'us', 's ', ' bu', 'bus', 'us ']
    """
    padded = f" {word} "
    return [padded[i : i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)]


def _ngrams(word: str, low: int, high: int) -> Counter:
    return Counter(char_ngrams(word, low, high))


#: Columns (offers) per block of a dense side: a 5,000-word block is 5 MB, read from the shared cache
#: by every row of a chunk rather than from memory once per row (see :class:`ColumnBlocks`).
BLOCK_COLUMNS = 256


def l2_normalise(X: sparse.csr_matrix) -> sparse.csr_matrix:
    """Each row of a float32 CSR matrix divided by its L2 norm, in place, as ``sklearn.preprocessing.normalize`` does.

    Same sums in the same order (float32 squares added in a double, row by row, in the order of the
    stored values: a CSR product with ones), so the result is bit for bit scikit-learn's; empty rows are left alone.
    """
    if not X.nnz:
        return X
    squares = sparse.csr_matrix((np.square(X.data).astype(np.float64), X.indices, X.indptr), shape=X.shape)
    total = squares @ np.ones(X.shape[1])
    norm = np.sqrt(total)
    norm[total == 0] = 1.0
    X.data = (X.data.astype(np.float64) / np.repeat(norm, np.diff(X.indptr))).astype(X.data.dtype)
    return X


def tfidf_rows(features, idf: np.ndarray) -> sparse.csr_matrix:
    """One row per document: sublinear TF-IDF weights ((1 + log tf) × idf), L2-normalised.

    *features*: each document's feature positions (a repeated position counts again); *idf*: one weight
    per feature. The numbers are bit for bit those of a fitted scikit-learn ``TfidfVectorizer(sublinear_tf=True,
    dtype=np.float32)`` with the same vocabulary and IDF.
    """
    columns: list[int] = []
    indptr = [0]
    for found in features:
        columns += found
        indptr.append(len(columns))
    X = sparse.csr_matrix(
        (np.ones(len(columns), dtype=np.float32), np.asarray(columns, dtype=np.int32), np.asarray(indptr, dtype=np.int32)),
        shape=(len(indptr) - 1, len(idf)),
    )
    return _tfidf(X, idf)


def _tfidf(X: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """TF-IDF rows of a float32 CSR matrix of occurrences, repeated or counted (see :func:`tfidf_rows`)."""
    X.sum_duplicates()  # each feature once per row with its count, columns in order (scikit-learn's CSR)
    np.log(X.data, X.data)
    X.data += 1.0
    X.data *= idf[X.indices]
    return l2_normalise(X)


class Tokens:
    """Documents as one array: their distinct words, each token's word (position in ``words``) and
    each document's first token (``starts``, one more than the documents).

    The text models read a profile's words once per distinct word rather than once per token.

    >>> tokens = Tokens.of([["agent", "entretien", "agent"], [], ["vitr"]])
    >>> tokens.words, tokens.ids.tolist(), tokens.starts.tolist()
    (['agent', 'entretien', 'vitr'], [0, 1, 0, 2], [0, 3, 3, 4])
    >>> tokens.read(["agents", None, "vitre"]).documents()
    [['agents', 'agents'], [], ['vitre']]
    """

    def __init__(self, words: list[str], ids: np.ndarray, starts: np.ndarray) -> None:
        self.words, self.ids, self.starts = words, ids, starts

    @classmethod
    def of(cls, documents: list[list[str]]) -> "Tokens":
        flat = list(chain.from_iterable(documents))
        words = list(dict.fromkeys(flat))
        position = {w: i for i, w in enumerate(words)}
        ids = np.fromiter(map(position.__getitem__, flat), dtype=np.int64, count=len(flat))
        starts = np.zeros(len(documents) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, documents), dtype=np.int64, count=len(documents)), out=starts[1:])
        return cls(words, ids, starts)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def documents(self) -> list[list[str]]:
        flat = [self.words[i] for i in self.ids.tolist()]
        bounds = self.starts.tolist()
        return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]

    def document_of_tokens(self) -> np.ndarray:
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.starts))

    def read(self, as_words: list[str | None]) -> "Tokens":
        """The documents with each distinct word read as ``as_words[i]`` (dropped where None)."""
        index: dict[str, int] = {}
        new = np.asarray([-1 if w is None else index.setdefault(w, len(index)) for w in as_words], dtype=np.int64)
        ids = new[self.ids]
        keep = ids >= 0
        starts = np.zeros_like(self.starts)
        np.cumsum(np.bincount(self.document_of_tokens()[keep], minlength=len(self)), out=starts[1:])
        return Tokens(list(index), ids[keep], starts)

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each pair of consecutive tokens of a document: first word, second word, document."""
        document = self.document_of_tokens()
        within = document[1:] == document[:-1]
        return self.ids[:-1][within], self.ids[1:][within], document[1:][within]

    def count_matrix(self, column: np.ndarray, n_columns: int) -> sparse.csr_matrix:
        """Documents × columns float32 counts of the words, word ``i`` counting in ``column[i]`` (not at all where −1)."""
        return _count_matrix(self.document_of_tokens(), column[self.ids], len(self), n_columns)


def _count_matrix(rows: np.ndarray, columns: np.ndarray, n_rows: int, n_columns: int) -> sparse.csr_matrix:
    """Float32 counts of (rows[n], columns[n]) (−1 columns left out), in canonical CSR (sorted, no duplicates)."""
    keep = columns >= 0
    counts = sparse.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32), (rows[keep], columns[keep])), shape=(n_rows, n_columns)
    )
    counts.sum_duplicates()
    counts.sort_indices()
    return counts


class ColumnBlocks:
    """A (features × items) side, given dense or sparse, kept dense as C-ordered blocks of :data:`BLOCK_COLUMNS` columns.

    ``product(W)`` is ``W @ side`` (sparse rows × dense side), the same numbers block by block:
    each block stays in the cache while every row of *W* reads it.

    >>> side = np.arange(12, dtype=np.float32).reshape(2, 6)
    >>> blocks = ColumnBlocks(side, width=4)
    >>> W = sparse.csr_matrix(np.array([[1, 0], [0.5, 2]], dtype=np.float32))
    >>> bool(np.array_equal(blocks.product(W), W @ side)), blocks.columns([5, 0]).tolist()
    (True, [[5.0, 0.0], [11.0, 6.0]])
    >>> np.array_equal(ColumnBlocks(sparse.csr_matrix(side), width=4).columns(range(6)), side)
    True
    """

    def __init__(self, side: np.ndarray | sparse.spmatrix, width: int = BLOCK_COLUMNS) -> None:
        self.shape = side.shape
        if sparse.issparse(side):  # densified block by block: no dense copy of the whole side
            side = side.tocsc()
            self.blocks = [side[:, s : s + width].toarray(order="C").astype(np.float32, copy=False) for s in range(0, side.shape[1], width)]
        else:
            self.blocks = [np.ascontiguousarray(side[:, s : s + width], dtype=np.float32) for s in range(0, side.shape[1], width)]

    @classmethod
    def joined(cls, blocks: list[np.ndarray], shape: tuple[int, int]) -> "ColumnBlocks":
        """The side of *shape* made of these blocks (C-ordered float32, side by side)."""
        out = cls(np.zeros((shape[0], 0), dtype=np.float32))
        out.shape, out.blocks = shape, blocks
        return out

    def product(self, W: sparse.csr_matrix) -> np.ndarray:
        out = np.empty((W.shape[0], self.shape[1]), dtype=np.float32)
        start = 0
        for block in self.blocks:
            out[:, start : start + block.shape[1]] = W @ block
            start += block.shape[1]
        return out

    def columns(self, items) -> np.ndarray:
        """The dense side of some items (columns) only."""
        if not self.blocks:
            return np.zeros((self.shape[0], 0), dtype=np.float32)[:, items]
        return np.concatenate(self.blocks, axis=1)[:, items]


class TextSimilarity:
    """Cosine similarity of TF-IDF vectors over words and character n-grams.

    Parameters
    ----------
    ngram_range : tuple of int
        Sizes of the character n-grams (within words).
    word_weight : float
        Weight of the word features relative to the n-gram features.
    min_df : int
        A word must appear in this many fitted documents (reference documents
        count) to enter the vocabulary.
    max_words : int
        Vocabulary cap (most frequent words first); the kernel is
        ``max_words²`` floats.
    fuzzy_cutoff : float
        Minimum rapidfuzz ratio to read an unknown word as a typo of a known one.

    Examples
    --------
    >>> sim = TextSimilarity().fit([["nettoyag", "local"], ["tont", "pelous"], ["nettoyag", "vitr"]])
    >>> W = sim.transform([["netoyag", "local", "mohamed"]])
    >>> np.round(sim.cosine(W, sim.transform([["nettoyag", "local"], ["tont", "pelous"]])), 2)
    array([[1., 0.]], dtype=float32)
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (3, 5),
        word_weight: float = 1.0,
        min_df: int = 1,
        max_words: int = 8000,
        fuzzy_cutoff: float = 85.0,
    ) -> None:
        self.ngram_range = ngram_range
        self.word_weight = word_weight
        self.min_df = min_df
        self.max_words = max_words
        self.fuzzy_cutoff = fuzzy_cutoff

    # -- fitting ----------------------------------------------------------
    def fit(self, documents: list[list[str]], always: list[list[str]] = ()) -> "TextSimilarity":
        """Learn the vocabulary, the IDF weights and the kernel.

        *documents* need ``min_df`` occurrences; words of *always* (the
        reference) enter the vocabulary whatever their frequency.
        """
        docs = [*documents, *always]
        df = Counter(w for doc in docs for w in set(doc))
        forced = {w for doc in always for w in doc}
        kept = [w for w, c in df.items() if c >= self.min_df or w in forced]
        kept.sort(key=lambda w: (-df[w], w))
        words = kept[: self.max_words]
        self.vocabulary_ = {w: i for i, w in enumerate(words)}
        self.words_ = words
        n_docs = max(len(docs), 1)
        W = self._counts(docs, fuzzy=False)
        word_df = np.asarray((W > 0).sum(axis=0)).ravel()
        self.idf_word_ = (np.log((1 + n_docs) / (1 + word_df)) + 1).astype(np.float32)

        gram_index: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for i, word in enumerate(words):
            for gram, count in _ngrams(word, *self.ngram_range).items():
                j = gram_index.setdefault(gram, len(gram_index))
                rows.append(i)
                cols.append(j)
                vals.append(count)
        G = sparse.csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=(len(words), len(gram_index)))
        doc_grams = (W @ G).tocsc()
        gram_df = np.diff(doc_grams.indptr)
        self.idf_gram_ = (np.log((1 + n_docs) / (1 + gram_df)) + 1).astype(np.float32)
        self.grams_ = (G @ sparse.diags(self.idf_gram_)).tocsr().astype(np.float32)
        self.kernel_ = self._kernel()
        self.n_grams_ = len(gram_index)
        return self

    def _kernel(self) -> np.ndarray:
        Gp = self.grams_
        GpT = Gp.T.tocsc()
        V = Gp.shape[0]
        K = np.empty((V, V), dtype=np.float32)
        for start in range(0, V, 1024):
            stop = min(start + 1024, V)
            K[start:stop] = (Gp[start:stop] @ GpT).toarray()
        K[np.diag_indices(V)] += (self.word_weight * self.idf_word_) ** 2
        return K

    # -- documents -> sparse word weights ----------------------------------
    def _counts(self, documents: list[list[str]] | Tokens, fuzzy: bool) -> sparse.csr_matrix:
        tokens = documents if isinstance(documents, Tokens) else Tokens.of(documents)
        vocab = self.vocabulary_
        mapping: dict[str, int | None] = {}
        if fuzzy:
            mapping = self._correct(sorted(w for w in tokens.words if w not in vocab))
        column = [vocab.get(w, mapping.get(w)) for w in tokens.words]
        column = np.asarray([-1 if j is None else j for j in column], dtype=np.int64)
        return tokens.count_matrix(column, len(vocab))

    def _correct(self, unknown: list[str]) -> dict[str, int | None]:
        """Unknown word → closest vocabulary word when it looks like a typo, else None.

        The closest is the first vocabulary word of the highest ratio (at least the cutoff); each
        length of unknown words is compared with the words of a near length only: a ratio of at
        least the cutoff needs lengths within (1 − cutoff / 100) × their sum (one letter spared).
        """
        out: dict[str, int | None] = {w: None for w in unknown}
        candidates = [w for w in unknown if len(w) >= 5]
        long_words = [w for w in self.words_ if len(w) >= 4]
        if not candidates or not long_words:
            return out
        lengths = np.asarray([len(w) for w in long_words])
        by_length: dict[int, list[str]] = {}
        for w in candidates:
            by_length.setdefault(len(w), []).append(w)
        for n, same_length in by_length.items():
            near = np.flatnonzero(np.abs(lengths - n) <= (1 - self.fuzzy_cutoff / 100) * (lengths + n) + 1)
            if not len(near):
                continue
            choices = [long_words[j] for j in near]
            for start in range(0, len(same_length), 2000):
                chunk = same_length[start : start + 2000]
                scores = process.cdist(chunk, choices, scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff, dtype=np.uint8, workers=-1)
                best = scores.argmax(axis=1)
                for i, w in enumerate(chunk):
                    if scores[i, best[i]] >= self.fuzzy_cutoff:
                        out[w] = self.vocabulary_[choices[best[i]]]
        return out

    def known(self, documents: list[list[str]], also=frozenset()) -> list[list[str]]:
        """The documents in known words only: a typo replaced by the vocabulary word it stands for, other unknown words dropped.

        Words of *also* (a set) are known too, kept as they are.

        >>> TextSimilarity().fit([["nettoyag", "local"]]).known([["netoyag", "des", "local", "vitr"]], also={"vitr"})
        [['nettoyag', 'local', 'vitr']]
        """
        return self.known_tokens(Tokens.of(documents), also).documents()

    def known_tokens(self, tokens: Tokens, also=frozenset()) -> Tokens:
        """:meth:`known` on documents as :class:`Tokens`."""
        vocab = self.vocabulary_
        mapping = self._correct(sorted(w for w in tokens.words if w not in vocab and w not in also))
        words = self.words_
        fixed = {w: words[j] for w, j in mapping.items() if j is not None}
        # Each distinct word once: itself, its correction, or None (dropped).
        return tokens.read([fixed.get(w, w) if w in vocab or w in also or w in fixed else None for w in tokens.words])

    def transform(self, documents: list[list[str]] | Tokens, *, fuzzy: bool = True) -> sparse.csr_matrix:
        """Sublinear word weights (1 + log tf) of the documents (lists of words or :class:`Tokens`), unknown words corrected or dropped."""
        W = self._counts(documents, fuzzy=fuzzy)
        W.data = 1 + np.log(W.data)
        return W

    # -- similarity --------------------------------------------------------
    def norms(self, W: sparse.csr_matrix) -> np.ndarray:
        """Euclidean norm of each document's word + n-gram TF-IDF vector."""
        grams = W @ self.grams_
        word_part = W.multiply(self.idf_word_[None, :] * self.word_weight)
        sq = np.asarray(grams.multiply(grams).sum(axis=1)).ravel() + np.asarray(word_part.multiply(word_part).sum(axis=1)).ravel()
        return np.sqrt(sq).astype(np.float32)

    def side(self, W: sparse.csr_matrix) -> np.ndarray:
        """``K @ Wᵀ / norms``: (vocabulary × documents), C-ordered, for :meth:`block`."""
        return np.ascontiguousarray((self._scaled(W) @ self.kernel_).T, dtype=np.float32)

    def side_blocks(self, W: sparse.csr_matrix, width: int = BLOCK_COLUMNS) -> ColumnBlocks:
        """:meth:`side` as :class:`ColumnBlocks`, made block by block (no transposed copy of the whole side).

        >>> sim = TextSimilarity().fit([["nettoyag", "local"], ["tont", "pelous"], ["nettoyag", "vitr"]])
        >>> W = sim.transform([["nettoyag", "local"], ["tont"], ["vitr", "local"]])
        >>> bool(np.array_equal(sim.side_blocks(W, width=2).columns(range(3)), sim.side(W)))
        True
        """
        Ws = self._scaled(W).tocsr()
        blocks = [np.ascontiguousarray((Ws[s : s + width] @ self.kernel_).T, dtype=np.float32) for s in range(0, W.shape[0], width)]
        return ColumnBlocks.joined(blocks, (len(self.kernel_), W.shape[0]))

    def _scaled(self, W: sparse.csr_matrix) -> sparse.csr_matrix:
        """The rows of *W* divided by their documents' norms (rows of norm 0 left at 0)."""
        n = self.norms(W)
        scale = np.divide(1.0, n, out=np.zeros_like(n), where=n > 0)
        return sparse.diags(scale) @ W

    def block(self, W: sparse.csr_matrix, side: np.ndarray, norms: np.ndarray | None = None) -> np.ndarray:
        """Cosines of the documents *W* (rows) with the documents of *side* (columns)."""
        n = self.norms(W) if norms is None else norms
        out = side.product(W) if isinstance(side, ColumnBlocks) else np.asarray(W @ side, dtype=np.float32)
        scale = np.divide(1.0, n, out=np.zeros_like(n), where=n > 0)
        out *= scale[:, None]
        np.clip(out, 0.0, 1.0, out=out)
        return out

    def cosine(self, A: sparse.csr_matrix, B: sparse.csr_matrix) -> np.ndarray:
        """Full cosine matrix (for small inputs)."""
        return self.block(A, self.side(B))


def unigrams_and_bigrams(doc: list[str]) -> list[str]:
    """The words of a document, then its pairs of consecutive words.

    >>> unigrams_and_bigrams(["agent", "entretien", "locaux"])
    ['agent', 'entretien', 'locaux', 'agent entretien', 'entretien locaux']
    """
    out = list(doc)
    out += [a + " " + b for a, b in zip(doc, doc[1:])]
    return out


class WordTfidf:
    """Plain TF-IDF on words and word pairs of the normalised texts, cosine similarity.

    The baseline a matcher must not fall below: the text part is the mean of
    this cosine and :class:`TextSimilarity`'s. The numbers are bit for bit those of scikit-learn's
    ``TfidfVectorizer(analyzer=…, sublinear_tf=True, dtype=np.float32)`` (vocabulary in sorted
    order, float32 smoothed IDF, the L2 norms summed as scikit-learn does), without importing it.

    Examples
    --------
    >>> tf = WordTfidf().fit([["agent", "entretien"], ["jardinier", "tont"]])
    >>> np.round(tf.block(tf.transform([["agent", "entretien", "local"]]), tf.side(tf.transform([["agent", "entretien"], ["jardinier", "tont"]]))), 2)
    array([[1., 0.]], dtype=float32)
    """

    def fit(self, documents: list[list[str]]) -> "WordTfidf":
        df = Counter(f for doc in documents for f in set(unigrams_and_bigrams(doc)))
        if not df:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        features = sorted(df)
        self.vocabulary_ = vocab = {f: i for i, f in enumerate(features)}
        counts = np.asarray([df[f] for f in features], dtype=np.float32)
        counts += 1.0  # smoothed, in float32, in scikit-learn's order of operations
        idf = np.full_like(counts, fill_value=len(documents) + 1, dtype=np.float32)
        idf /= counts
        np.log(idf, out=idf)
        idf += 1.0
        self.idf_ = idf
        # Each pair's key from its two words' features (words hold no space: « a b » is the pair of a and b), sorted.
        n = len(features)
        pairs = [(vocab[a] * n + vocab[b], i) for i, (a, _, b) in enumerate(f.partition(" ") for f in features) if b]
        keys, pair_features = np.asarray(pairs, dtype=np.int64).reshape(-1, 2).T
        order = np.argsort(keys)
        self._pair_keys, self._pair_features = keys[order], pair_features[order]
        return self

    def transform(self, documents: list[list[str]] | Tokens) -> sparse.csr_matrix:
        """TF-IDF rows of the documents (lists of words or :class:`Tokens`): their words and pairs of consecutive words."""
        tokens = documents if isinstance(documents, Tokens) else Tokens.of(documents)
        vocab = self.vocabulary_
        unigram = np.asarray([vocab.get(w, -1) for w in tokens.words], dtype=np.int64)
        first, second, pair_document = tokens.pairs()
        rows = np.concatenate([tokens.document_of_tokens(), pair_document])
        columns = np.concatenate([unigram[tokens.ids], self._pair_feature(unigram[first], unigram[second])])
        return _tfidf(_count_matrix(rows, columns, len(tokens), len(self.idf_)), self.idf_)

    def _pair_feature(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """The feature of each pair of words (given by their features; −1 for a word outside the vocabulary), −1 where none."""
        keys = self._pair_keys
        if not len(keys):
            return np.full(len(first), -1, dtype=np.int64)
        wanted = first * len(self.idf_) + second
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        return np.where((first >= 0) & (second >= 0) & (keys[at] == wanted), self._pair_features[at], -1)

    @property
    def words_(self) -> frozenset[str]:
        """The single words of the vocabulary (not the pairs)."""
        return frozenset(t for t in self.vocabulary_ if " " not in t)

    def side(self, X: sparse.csr_matrix) -> sparse.csc_matrix:
        """The offers' matrix transposed, for :meth:`block`."""
        return X.T.tocsc()

    def block(self, X: sparse.csr_matrix, side) -> np.ndarray:
        return np.asarray((X @ side).toarray(), dtype=np.float32)


def top_columns(score: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the columns of the *k* largest finite values and these values, best first, ties to the
    lower column (as a stable sort of the row gives); column 0 and −inf where a row has fewer (n_rows × k).

    A floor is found first, the k-th largest of the maxima of 4k column groups (k values are at
    least that); only the few values above it are sorted, rather than the whole matrix partitioned.

    >>> score = np.array([[0.1, 0.5, 0.5, -np.inf, 0.2], [-np.inf, 0.2, -np.inf, -np.inf, -np.inf]], dtype=np.float32)
    >>> columns, values = top_columns(score, 2)
    >>> columns.tolist(), values.tolist()
    ([[1, 2], [1, 0]], [[0.5, 0.5], [0.20000000298023224, -inf]])
    """
    n_rows, n_cols = score.shape
    kk = min(k, n_cols)
    if kk == 0:
        return _best_per_row(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, score.dtype), n_rows, k)
    groups = min(4 * kk, n_cols)
    starts = np.linspace(0, n_cols, groups, endpoint=False).astype(np.int64)  # distinct: groups ≤ n_cols
    maxima = np.maximum.reduceat(score, starts, axis=1)
    floor = np.partition(maxima, groups - kk, axis=1)[:, groups - kk]
    floor = np.maximum(floor, np.finfo(score.dtype).min)  # finite values only
    r, c = np.divmod(np.flatnonzero(score >= floor[:, None]), n_cols)  # 1-D: far faster than a 2-D nonzero
    return _best_per_row(r, c, score[r, c], n_rows, k)


def _best_per_row(r: np.ndarray, c: np.ndarray, values: np.ndarray, n_rows: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The *k* best finite entries (r[n], c[n], values[n]) of each row, best first, ties to the earlier entry:
    columns and values, (n_rows × k), column 0 and −inf where a row has fewer. Entries come row by row."""
    finite = np.isfinite(values)
    r, c, values = r[finite], c[finite], values[finite]
    order = np.lexsort((-values, r))
    r, c, values = r[order], c[order], values[order]
    pos = np.arange(len(r)) - np.searchsorted(r, np.arange(n_rows))[r]
    keep = pos < k
    top = np.zeros((n_rows, k), dtype=np.int64)
    best = np.full((n_rows, k), -np.inf, dtype=values.dtype)
    top[r[keep], pos[keep]] = c[keep]
    best[r[keep], pos[keep]] = values[keep]
    return top, best
