"""Preparing the matching tables: the faster text helpers read exactly what the plain ones read."""

from __future__ import annotations

import re

from sandbox.models.matching import _text

# Texts that reach every branch of the folding: accents, ligatures, inclusive writing, « H/F », licences, spaced
# diplomas, a dot after a letter or not, digits, non-ASCII letters NFKD cannot fold, empty and missing cells.
TRICKY = [
    "Animateur·rice périscolaire H/F, aide-soignant(e), permis B",
    "Agent.e d'entretien (H / F) - CDD ; employé.es, infirmier.ère, chauffeur.euse",
    "Cœur de métier : ŒUVRE, l’été, ﬁn ; permis de conduire C1 ; PSC 1, PSE 2, SSIAP 1",
    "ssiap 1 sans l'autre", "3.es 2.e .e e.e a.e.e", "f/h h/f h /f", "employe) sans parenthèse ouvrante",
    "ΑΣ Ωμέγα 東京 ㎒ Ⅻ ⑴ ½", "  \t\n ", "", None, float("nan"), 12, 3.5,
    "Marie, 45 ans. Chauffeuse VL depuis 3 ans : transport de personnes à mobilité réduite, permis b.",
]
_OLD_MIDDOT = re.compile(r"(?<=[a-z])\.(?:e|es|rice|rices|euse|euses|ere|eres|ne|nes|le|les|te|tes)\b")


def _old_fold(text: object) -> str:
    """fold() as it was written before the dot pattern was turned around."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    raw = str(text).lower()
    if not raw.isascii():
        raw = _text._to_ascii(raw)
    if "/" in raw:
        raw = _text._HF.sub(" ", raw)
    if "(" in raw:
        raw = _text._INCLUSIVE.sub("", raw)
    if "." in raw:
        raw = _OLD_MIDDOT.sub("", raw)
    if "permis" in raw:
        raw = _text._LICENCE.sub(lambda m: "permis" + m.group(1) + (m.group(2) or ""), raw)
    if "ps" in raw:
        raw = _text._SPACED_DIGIT.sub(r"\1\2", raw)
    return " ".join(raw.split())


def _old_tokens(text: object) -> list[str]:
    return [kept for kept in map(_text._keep, re.findall(r"[a-z0-9]+", _old_fold(text))) if kept is not None]


def test_fold_and_tokens_read_what_the_regex_versions_read():
    every_char = "".join(chr(c) for c in range(1, 0x3000) if not 0xD800 <= c <= 0xDFFF)
    for text in [*TRICKY, every_char, " ".join(t for t in TRICKY if isinstance(t, str))]:
        assert _text.fold(text) == _old_fold(text), text
        assert _text.tokens(text) == _old_tokens(text), text


def test_words_are_the_runs_of_letters_and_digits():
    folded = "".join(chr(c) for c in range(128)) + " aide-soignant,45ans;;permisb  x"
    assert _text._words(folded) == re.findall(r"[a-z0-9]+", folded)


def test_known_words_one_typo_away_are_those_sharing_a_form_with_one_letter_deleted():
    import random

    from sandbox.models.matching._rome import RomeNormaliser

    rome = RomeNormaliser().fit()
    vocab = rome._vocab_long

    def forms(word: str) -> set[str]:  # the word and every form of it with one letter deleted
        return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}

    table: dict[str, set[int]] = {}
    for i, word in enumerate(vocab):
        for form in forms(word):
            table.setdefault(form, set()).add(i)
    rng = random.Random(7)
    words = ["xyzw", "abcdefghijklmnopqrstuvwxyz", *rng.sample(vocab, 50)]
    for word in rng.sample(vocab, 300):
        i, letter = rng.randrange(len(word)), rng.choice("abcdefghijklmnopqrstuvwxyz")
        words += [word[:i] + word[i + 1 :], word[:i] + letter + word[i:], word[:i] + letter + word[i + 1 :], word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :]]
    found = rome._one_typo_apart(words)
    assert sum(len(f) > 0 for f in found) > 300
    for word, positions in zip(words, found):
        assert positions.tolist() == sorted({i for form in forms(word) for i in table.get(form, ())}), word


def test_descriptions_compared_with_the_sheets_as_a_dense_array_give_the_same_floats(monkeypatch):
    import numpy as np

    from sandbox.models.matching import _rome
    from sandbox.models.matching._text import tokens

    rome = _rome.RomeNormaliser().fit()
    ref = rome.reference_
    texts = [*ref.jobs["definition"].astype(str), *(f"{a} {b}" for a, b in zip(ref.jobs["label"], ref.jobs["definition"].astype(str)[::-1])), "", "zzz"]
    words = [tokens(t) for t in texts]
    monkeypatch.setattr(_rome, "_DENSE_SHEETS_ROWS", 10**9)
    sparse_product = rome._word_scores(words)
    monkeypatch.setattr(_rome, "_DENSE_SHEETS_ROWS", 1)
    dense_product = rome._word_scores(words)
    assert dense_product.dtype == sparse_product.dtype == np.float32
    assert np.count_nonzero(sparse_product) > 100
    assert np.array_equal(dense_product, sparse_product)


def test_the_rome_coder_reads_a_title_and_its_description_as_two_texts_with_the_callers_reader():
    from sandbox.models.matching._rome import RomeNormaliser
    from sandbox.models.matching._text import tokens

    rome = RomeNormaliser().fit()
    titles = ["Agent(e) d'entretien", "Animateur", "Animateur", "zzz", ""]
    descriptions = ["Nettoyage des locaux, PSC 1 demandé", "Accueil périscolaire (ALSH) des enfants", None, "Tonte et taille des haies", "Cuisine"]
    read = []

    def words(text):
        read.append(text)
        return tokens(text)

    expected = rome._word_scores([tokens(t) + tokens(d) for t, d in zip(titles[:2], descriptions[:2])])
    assert (rome._description_scores(list(zip(titles[:2], descriptions[:2]))) == expected).all()
    assert rome.suggest_many(titles, descriptions=descriptions, words=words) == rome.suggest_many(titles, descriptions=descriptions)
    assert sorted(set(read)) == sorted({"Agent(e) d'entretien", "Animateur", "zzz", "", *(d for d in descriptions if d)})
