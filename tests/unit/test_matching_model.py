"""Matching model: planted matches, normalisation of skills and titles, distance filter, metrics, both directions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sandbox.data import validate
from sandbox.data.generators.matching import make_dataset
from sandbox.data.schemas.matching import CANDIDATES, OFFERS
from sandbox.models.matching import (
    PARTS,
    Matcher,
    RomeNormaliser,
    SkillNormaliser,
    evaluate,
    keyword_baseline,
    match,
    normalise_weights,
    truth_from_column,
)


@pytest.fixture(scope="module")
def generated():
    offers, candidates = make_dataset(120, 300, seed=3)
    return validate(candidates, CANDIDATES, errors="drop").frame, validate(offers, OFFERS, errors="drop").frame


@pytest.fixture(scope="module")
def fitted(generated):
    candidates, offers = generated
    return Matcher().fit(candidates, offers)


def _offers(**columns) -> pd.DataFrame:
    base = {"offer_id": ["O1"], "title": ["Agent d'entretien"], "commune": ["Montreuil"]}
    base.update(columns)
    n = max(len(v) for v in base.values())
    return pd.DataFrame({k: (v if len(v) == n else v * n) for k, v in base.items()})


def test_planted_matches_are_in_the_top_3(generated, fitted):
    candidates, _ = generated
    truth = truth_from_column(candidates)
    assert len(truth) > 150  # seven candidates in ten are planted
    top3 = fitted.rank(3).frame
    found = sum(bool(set(top3.loc[top3["candidate_id"] == cid, "offer_id"]) & rel) for cid, rel in truth.items())
    assert found / len(truth) >= 0.97
    metrics = evaluate(top3, truth, 3)
    keyword = evaluate(keyword_baseline(candidates, generated[1], 3), truth, 3)
    assert metrics.mrr > 0.9 and metrics.mrr > 1.2 * keyword.mrr


def test_a_skill_with_a_typo_a_synonym_or_an_abbreviation_still_matches():
    offers = _offers(skills_required=["sauveteur secouriste du travail ; nettoyage des locaux ; autolaveuse ; permis B"])
    candidates = pd.DataFrame({
        "candidate_id": ["C1"], "desired_job": ["agente d'entretien"], "commune": ["Montreuil"],
        "skills": ["SST, netoyage des locaux / Auto-laveuse, Permis de conduire"],
    })
    row = match(candidates, offers, k=1).frame.iloc[0]
    assert row["missing_required"] == ""
    assert row["skills"] == pytest.approx(1.0)
    assert row["matched_skills"].split(" ; ") == ["sauveteur secouriste du travail", "nettoyage des locaux", "utilisation d'autolaveuse", "permis B"]


def test_skill_normaliser_on_synonyms_abbreviations_plurals_and_typos():
    skills = SkillNormaliser().fit()
    assert skills.normalise("premiers secours") == "PSC1"
    assert skills.normalise("psc 1") == "PSC1"
    assert skills.normalise("DEAS") == "diplôme d'État d'aide-soignant"
    assert skills.normalise("DEAES") == "diplôme d'État d'accompagnant éducatif et social"
    assert skills.normalise("BAFFA") == "BAFA"
    assert skills.normalise("Tailles des haies") == "taille des végétaux"
    assert skills.normalise("hygienne alimentaire") == "HACCP"
    assert skills.parse("HACCP et liaison froide ; BAFA en cours") == ["HACCP", "liaison froide", "BAFA"]
    assert skills.normalise("BAFD") == "BAFD"  # one letter apart from BAFA, a different diploma


def test_title_to_rome_gives_three_scored_suggestions():
    rome = RomeNormaliser().fit()
    best = rome.suggest("Animatrice périscolaire (H/F)")
    assert len(best) == 3 and best[0].code == "G1203" and best[0].score >= 99
    assert best[0].score > best[1].score >= best[2].score
    assert rome.suggest("auxilliaire de puériculture")[0].code == "J1304"  # typo
    assert rome.suggest("CUISINIÈRE EN RESTAURATION COLLECTIVE - CDD")[0].code == "G1602"
    assert rome.suggest("Policière municipale")[0].code == "K1706"
    assert rome.suggest("Secrétaire de mairie")[0].code == "M1607"
    ambiguous = rome.suggest("Chauffeur")
    assert {s.code for s in ambiguous} == {"N4101", "N4103", "N4105"}
    assert ambiguous[0].score - ambiguous[2].score < 10 and ambiguous[0].score < 80  # ambiguous: close and unsure


def test_the_distance_filter_leaves_out_offers_beyond_the_mobility_radius():
    offers = pd.DataFrame({
        "offer_id": ["near", "far"], "title": ["Jardinier", "Jardinier"], "skills_required": ["tonte", "tonte"],
        "commune": ["Paris", "Le Plessis-Trévise"],
    })
    candidates = pd.DataFrame({"candidate_id": ["C1"], "desired_job": ["jardinier"], "skills": ["tonte"], "commune": ["Paris"], "mobility_km": ["8"]})
    kept = match(candidates, offers, k=5).frame
    assert kept["offer_id"].tolist() == ["near"]
    assert kept.loc[0, "distance"] == pytest.approx(1.0)
    both = match(candidates, offers, k=5, distance_filter=False).frame.set_index("offer_id")
    assert both.loc["far", "distance_km"] > 8 and both.loc["far", "distance"] < 0.5
    assert both.loc["near", "rank"] == 1


def test_metrics_on_a_hand_made_case():
    ranked = pd.DataFrame({
        "candidate_id": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
        "offer_id": ["x", "y", "z", "y", "x", "z", "z", "x", "y"],
        "rank": [1, 2, 3] * 3,
    })
    truth = {"a": {"y"}, "b": {"y", "z"}, "c": {"w"}, "d": set()}
    m = evaluate(ranked, truth, k=2)
    # a: y at rank 2 → P 1/2, R 1, RR 1/2; b: y at 1 → P 1/2, R 1/2, RR 1; c: nothing → 0, 0, 0; d has no truth.
    assert m.n_queries == 3
    assert m.precision == pytest.approx((0.5 + 0.5 + 0) / 3)
    assert m.recall == pytest.approx((1 + 0.5 + 0) / 3)
    assert m.mrr == pytest.approx((0.5 + 1 + 0) / 3)
    assert evaluate(ranked, truth, k=3).recall == pytest.approx((1 + 1 + 0) / 3)


def test_keyword_baseline_counts_shared_words_only():
    offers = pd.DataFrame({"offer_id": ["O1", "O2"], "title": ["Agent d'entretien", "Jardinier"], "skills_required": ["nettoyage", "tonte"]})
    candidates = pd.DataFrame({"candidate_id": ["C1", "C2"], "desired_job": ["jardinier", "jardinière"], "skills": ["tonte", ""]})
    ranked = keyword_baseline(candidates, offers, 1)
    assert ranked.set_index("candidate_id").loc["C1", "offer_id"] == "O2"
    assert ranked.set_index("candidate_id").loc["C2", "shared_words"] == 0  # no normalisation: « jardinière » ≠ « jardinier »


def test_score_is_the_weighted_sum_of_its_parts_in_both_directions(fitted):
    for direction in ("offers", "candidates"):
        result = fitted.rank(5, direction, weights={"text": 1, "skills": 2, "job": 1, "distance": 1, "contract": 0})
        frame = result.frame
        rebuilt = 100 * sum(result.weights[p] * frame[p] for p in PARTS)
        assert (rebuilt - frame["score"]).abs().max() < 0.1
        assert frame.groupby(result.query)["rank"].max().max() <= 5
        assert (frame.groupby(result.query)["score"].apply(lambda s: s.is_monotonic_decreasing)).all()
    by_offer = fitted.rank(5, "candidates").frame
    assert by_offer["offer_id"].nunique() == len(fitted.offers_.ids)


def test_ranking_matches_a_brute_force_ranking_on_the_full_parts(fitted):
    weights = normalise_weights(None)
    parts, _, outside = fitted.parts(slice(0, 40), slice(None))
    full = sum(weights[p] * parts[p] for p in PARTS)
    full[outside] = -np.inf
    ranked = fitted.rank(10, queries=np.arange(40)).frame
    for i, cid in enumerate(fitted.candidates_.ids[:40]):
        order = np.argsort(-full[i], kind="stable")[:10]
        expected = [o for o, s in zip(fitted.offers_.ids[order], full[i, order]) if np.isfinite(s)]
        got = ranked.loc[ranked["candidate_id"] == cid].sort_values("rank")["offer_id"].tolist()
        assert got == expected


def test_ranking_by_offer_matches_a_brute_force_ranking_across_chunks(fitted):
    """The best candidates of each offer, merged over chunks of candidates, are those of a stable sort of
    the full scores, whatever the chunk size."""
    import copy

    weights = normalise_weights(None)
    parts, _, outside = fitted.parts(slice(None), slice(0, 30))
    full = sum(weights[p] * parts[p] for p in PARTS)
    full[outside] = -np.inf
    for chunk_size in (64, 1024):
        matcher = copy.copy(fitted)
        matcher.chunk_size = chunk_size
        ranked = matcher.rank(5, "candidates", queries=np.arange(30)).frame
        for j, oid in enumerate(fitted.offers_.ids[:30]):
            order = np.argsort(-full[:, j], kind="stable")[:5]
            expected = [c for c, s in zip(fitted.candidates_.ids[order], full[order, j]) if np.isfinite(s)]
            got = ranked.loc[ranked["offer_id"] == oid].sort_values("rank")["candidate_id"].tolist()
            assert got == expected


def test_weights_change_the_ranking_and_are_validated(fitted):
    only_distance = fitted.rank(1, weights={p: (1 if p == "distance" else 0) for p in PARTS}).frame
    assert (only_distance["distance"] >= fitted.rank(1).frame["distance"] - 1e-6).all()
    with pytest.raises(ValueError):
        normalise_weights({p: 0 for p in PARTS})
    with pytest.raises(ValueError):
        normalise_weights({"age": 1})


def test_training_is_proposed_for_missing_required_skills():
    offers = _offers(title=["Cuisinier en restauration collective"], skills_required=["HACCP ; liaison froide ; CAP cuisine"])
    candidates = pd.DataFrame({"candidate_id": ["C1"], "desired_job": ["cuisinier"], "skills": ["hygiène alimentaire"], "commune": ["Montreuil"]})
    row = match(candidates, offers, k=1).frame.iloc[0]
    assert row["missing_required"] == "liaison froide ; CAP cuisine"
    assert "remise en température" in row["trainings"] and "CAP cuisine" in row["trainings"]


# -- speed without changing the answers (issue 11 performance) ------------------------------------


def test_the_fuzzy_shortlist_finds_the_key_a_full_scan_finds(monkeypatch):
    """Above EXACT_KEYS forms the skill look-up scores a shortlist only: on typed-with-a-typo forms it
    must return the key a full rapidfuzz scan returns, and nothing for words no form is close to."""
    from rapidfuzz import fuzz, process

    from sandbox.models.matching import _skills

    keys = SkillNormaliser().fit().keys_
    rng = np.random.default_rng(0)
    queries = []
    for k in [keys[int(i)] for i in rng.choice(len(keys), 150, replace=False)]:
        p = int(rng.integers(1, max(2, len(k) - 1)))
        queries.append(k[:p] + k[p + 1 :])  # one letter dropped
    queries += ["zzzz qqqq", "xylophon", "tondeus autoport zzz"]
    monkeypatch.setattr(_skills, "EXACT_KEYS", 10)
    shortlisted = _skills.FuzzyKeys(keys)
    assert shortlisted._grams is not None  # the shortlist path is the one tested
    found = shortlisted.best(queries, 85.0)
    for q, (position, score) in zip(queries, found):
        full = process.extractOne(q, keys, scorer=fuzz.ratio, score_cutoff=85.0)
        assert (keys[position] if position >= 0 else None) == (full[0] if full else None), q
        assert score == (full[1] if full else 0.0)
    assert sum(position >= 0 for position, _ in found) >= 140


def test_the_shortlist_keeps_the_best_keys_and_the_lowest_of_those_tied_with_the_last():
    from sandbox.models.matching._skills import _best_keys

    rng = np.random.default_rng(4)
    for size in (3, 30, 31, 200, 4000):
        keys = rng.permutation(10 * size)[:size]
        negative = -np.round(rng.random(size), 1).astype(np.float32)  # many ties
        for n in (1, 30, size):
            expected = sorted(keys[np.lexsort((keys, negative))][:n].tolist())
            assert sorted(_best_keys(keys, negative, n).tolist()) == expected


def test_parsing_a_whole_column_equals_parsing_cell_by_cell():
    cells = [
        "netoyage des locaux, auto-laveuse ; SST",
        "HACCP et liaison froide ; BAFA en cours",
        "soudure à l'arc / lecture de plans ; permis poids-lourd",
        "techniques de pose, de finiton",
        None,
        "",
        "compétence inconnue du référentiel, autre chose",
    ]
    extra = ["lecture de plans", "soudure à l'arc"]
    batch = SkillNormaliser().fit(extra_skills=extra).parse_many(cells)
    single = SkillNormaliser().fit(extra_skills=extra)
    assert batch == [single.parse(c) for c in cells]
    assert "nettoyage des locaux" in batch[0] and "sauveteur secouriste du travail" in batch[0]


def test_an_ambiguous_or_uncertain_title_leaves_the_job_part_to_the_text():
    """« chauffeur » is near-tied between three ROME sheets: the « métier » part must not pick one of them."""
    offers = pd.DataFrame({
        "offer_id": ["BUS", "LIV", "PL", "ENT"],
        "title": ["Conducteur de bus", "Chauffeur-livreur", "Conducteur poids lourd", "Agent d'entretien"],
        "commune": ["Montreuil"] * 4,
    })
    candidates = pd.DataFrame({"candidate_id": ["C1", "C2", "C3"], "desired_job": ["chauffeur", "agent d'entretien", "zzz qqq"], "commune": ["Montreuil"] * 3})
    matcher = Matcher(weights={"text": 1, "skills": 0, "job": 1, "distance": 0, "contract": 0}).fit(candidates, offers)
    parts, _, _ = matcher.parts()
    weight = matcher.job_part_.candidate_confidence
    assert weight[0] == 0.0 and weight[1] > 0.9 and weight[2] == 0.0
    # Not sure: the text part stands in, whatever the offer.
    np.testing.assert_allclose(parts["job"][[0, 2]], parts["text"][[0, 2]], atol=1e-6)
    # Sure on both sides: the same job is worth nearly 1, the others nearly 0.
    assert parts["job"][1, 3] > 0.9
    assert (parts["job"][1, :3] < 0.1).all()
    result = matcher.rank(4)
    assert result.frame.loc[result.frame["candidate_id"] == "C2", "offer_id"].iloc[0] == "ENT"
    # The explained parts of the ranking are those of the matrices.
    row = result.frame[(result.frame["candidate_id"] == "C1")].iloc[0]
    j = list(matcher.offers_.ids).index(row["offer_id"])
    assert row["job"] == pytest.approx(parts["text"][0, j], abs=1e-3)


def test_explanations_of_every_row_are_the_offer_skills_the_candidate_has_or_lacks(fitted):
    """The skill columns are built for all rows at once: each row must read as the offer's lists,
    required then desired, split by what the candidate holds (at most three trainings)."""
    result = fitted.rank(5)
    cand, off = fitted.candidates_, fitted.offers_
    c_pos = fitted.positions(result.frame["candidate_id"], "candidates")
    o_pos = fitted.positions(result.frame["offer_id"], "offers")
    label, training = fitted.skills_.label, fitted.skills_.training
    for row, i, j in zip(result.frame.itertuples(), c_pos, o_pos):
        have = set(cand.frame["skills"].iloc[i])
        req, des = off.frame["required"].iloc[j], off.frame["desired"].iloc[j]
        assert row.matched_skills == " ; ".join([label(s) for s in req if s in have] + [label(s) for s in des if s in have])
        missing = [s for s in req if s not in have]
        assert row.missing_required == " ; ".join(label(s) for s in missing)
        assert row.missing_desired == " ; ".join(label(s) for s in des if s not in have)
        assert row.trainings == " ; ".join(training(s) for s in missing[:3])


def test_trigram_index_has_the_columns_of_scikit_learns_char_wb_vectoriser():
    from sklearn.feature_extraction.text import CountVectorizer

    from sandbox.models.matching._skills import _Trigrams

    keys = SkillNormaliser().fit().keys_
    queries = ["netoyag local", "a", "tondeus autoport zzz", "", "x  y"]
    ours = _Trigrams(keys)
    theirs = CountVectorizer(analyzer="char_wb", ngram_range=(3, 3), binary=True, dtype=np.float32).fit(keys)
    assert ours.vocabulary == theirs.vocabulary_
    for texts in (keys, queries):
        expected = theirs.transform(texts)
        assert (ours.matrix(texts) != expected).nnz == 0


def test_folding_a_whole_text_gives_the_characters_of_the_per_character_table():
    from sandbox.models.matching._text import _SPECIAL, _to_ascii
    from sandbox.text import strip_accents

    def per_character(text: str) -> str:  # the folding as it was: each character on its own
        return "".join(strip_accents(_SPECIAL.get(c, c)).encode("ascii", "ignore").decode("ascii") for c in text)

    chars = [chr(c) for c in range(0x80, 0x3000) if not 0xD800 <= c <= 0xDFFF]
    assert [_to_ascii(c) for c in chars] == [per_character(c) for c in chars]
    text = "".join(chars[::7])
    assert _to_ascii(text) == per_character(text)


def test_plain_word_tfidf_is_scikit_learns_bit_for_bit(fitted):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from sandbox.models.matching._similarity import WordTfidf, unigrams_and_bigrams

    docs = fitted.offers_.docs
    ours = WordTfidf().fit(docs)
    theirs = TfidfVectorizer(analyzer=unigrams_and_bigrams, sublinear_tf=True, dtype=np.float32).fit(docs)
    assert ours.vocabulary_ == theirs.vocabulary_
    assert np.array_equal(ours.idf_, theirs.idf_)
    for texts in (docs, fitted.candidates_.docs, [[], ["agent", "agent", "entretien"], ["mot-inconnu"]]):
        a, b = ours.transform(texts), theirs.transform(texts).tocsr()
        assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data)


def test_candidates_prepared_in_a_forked_process_give_the_same_ranking(generated, fitted, monkeypatch):
    import sandbox.models.matching._model as model

    candidates, offers = generated
    monkeypatch.setattr(model, "FORK_CANDIDATES", 1)
    forked = Matcher().fit(candidates, offers)
    pd.testing.assert_frame_equal(forked.rank(5).frame, fitted.rank(5).frame)
    assert forked.candidates_.docs == fitted.candidates_.docs
    assert forked.warnings_ == fitted.warnings_


def test_a_forked_computation_that_fails_is_computed_again_here():
    from sandbox.models.matching._model import _Forked

    forked = _Forked(divmod, (7, 2))
    assert forked.process is not None  # a child was started here (one thread, fork available): the test above used it
    assert forked.result() == (3, 1)
    with pytest.raises(ZeroDivisionError):
        _Forked(divmod, (7, 0)).result()


def test_the_top_columns_of_each_row_are_those_of_a_stable_sort():
    from sandbox.models.matching._similarity import top_columns

    rng = np.random.default_rng(0)
    for n_cols in (1, 7, 40, 333):
        score = np.round(rng.random((50, n_cols)), 1).astype(np.float32)  # many ties
        score[rng.random(score.shape) < 0.6] = -np.inf
        score[:5] = -np.inf  # rows without any value
        for k in (0, 1, 3, 10, n_cols, n_cols + 2):
            columns, values = top_columns(score, k)
            assert columns.shape == values.shape == (50, k)
            for row, got_c, got_v in zip(score, columns, values):
                order = [c for c in np.argsort(-row, kind="stable") if np.isfinite(row[c])][:k]
                assert got_c[: len(order)].tolist() == order and got_v[: len(order)].tolist() == row[order].tolist()
                assert (got_c[len(order):] == 0).all() and np.isneginf(got_v[len(order):]).all()


def test_the_offers_of_close_jobs_are_the_best_of_those_by_a_brute_force_ranking(fitted):
    import copy
    import dataclasses

    from sandbox.models.matching._model import RELATED_K

    matcher = copy.copy(fitted)
    job = matcher.job_part_
    related = np.random.default_rng(1).random(job.related.shape) < 0.3
    related[-1] = related[:, -1] = False  # no code: no close job
    matcher.job_part_ = dataclasses.replace(job, related=related)
    weights = normalise_weights(None)
    parts, _, outside = matcher.parts(slice(0, 40), slice(None))
    full = sum(weights[p] * parts[p] for p in PARTS)
    full[outside] = -np.inf
    got = matcher.rank(10, queries=np.arange(40)).related
    assert len(got) > 40
    for i, cid in enumerate(matcher.candidates_.ids[:40]):
        close = related[job.candidate_code[i], job.offer_code]
        order = [o for o in np.argsort(-full[i], kind="stable") if close[o] and np.isfinite(full[i, o])][:RELATED_K]
        mine = got.loc[got["candidate_id"] == cid].sort_values("rank")
        assert mine["offer_id"].tolist() == matcher.offers_.ids[order].tolist()
        assert np.allclose(mine["score"], np.round(100 * full[i, order], 1), atol=0.051)


def test_reading_pairs_of_a_sparse_matrix_densified_or_by_search_gives_the_same_values(monkeypatch):
    from scipy import sparse

    import sandbox.models.matching._model as model

    matrix = sparse.random(60, 40, density=0.1, format="csr", dtype=np.float32, random_state=0)
    rows, cols = np.random.default_rng(0).integers(0, 60, 5000), np.random.default_rng(1).integers(0, 40, 5000)
    dense = model._lookup(matrix, rows, cols)
    monkeypatch.setattr(model, "DENSE_LOOKUP", 0)
    searched = model._lookup(matrix, rows, cols)
    assert dense.dtype == searched.dtype == np.float32
    assert np.array_equal(dense, searched) and np.array_equal(dense, matrix.toarray()[rows, cols])
    assert model._lookup(sparse.csr_matrix((3, 4), dtype=np.float32), np.array([0, 2]), np.array([3, 1])).tolist() == [0.0, 0.0]


def test_l2_normalisation_is_scikit_learns_bit_for_bit():
    from scipy import sparse
    from sklearn.preprocessing import normalize

    from sandbox.models.matching._similarity import l2_normalise

    for seed, density in ((0, 0.002), (1, 0.05), (2, 0.5)):
        X = sparse.random(300, 2000, density=density, format="csr", dtype=np.float32, random_state=seed)
        X.data = (X.data * 7).astype(np.float32)
        X = sparse.vstack([X, sparse.csr_matrix((2, 2000), dtype=np.float32)]).tocsr()  # empty rows
        ours, theirs = l2_normalise(X.copy()), normalize(X.copy())
        assert ours.dtype == theirs.dtype == np.float32 and np.array_equal(ours.data, theirs.data)


def test_typos_are_corrected_as_a_comparison_with_every_vocabulary_word_corrects_them(fitted):
    from rapidfuzz import fuzz, process

    text = fitted.text_
    words = list(text.words_)
    rng = np.random.default_rng(0)
    typos = set()
    for w in rng.choice([w for w in words if len(w) >= 5], 300):
        i = rng.integers(len(w))
        typos |= {w[:i] + w[i + 1 :], w[:i] + "e" + w[i:], w + "xyz", w[: len(w) // 2]}
    unknown = sorted(t for t in typos if t not in text.vocabulary_)
    got = text._correct(unknown)
    long_words = [w for w in words if len(w) >= 4]
    scores = process.cdist(unknown, long_words, scorer=fuzz.ratio, score_cutoff=text.fuzzy_cutoff, dtype=np.uint8)
    best = scores.argmax(axis=1)
    expected = {
        w: text.vocabulary_[long_words[best[i]]] if len(w) >= 5 and scores[i, best[i]] >= text.fuzzy_cutoff else None
        for i, w in enumerate(unknown)
    }
    assert got == expected and sum(v is not None for v in got.values()) > 100
