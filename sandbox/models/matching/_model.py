"""The matcher: fit prepares both tables, rank scores them chunk by chunk, in both directions.

Data preparation lives in :mod:`._prepare`, the score parts as matrices in
:mod:`._parts`, the result and its explanations in :mod:`._result`.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse

from sandbox.models.matching import _parts as parts
from sandbox.models.matching import _prepare as prep
from sandbox.models.matching._reference import Reference, load_reference
from sandbox.models.matching._result import (
    BEST_CANDIDATES,
    BEST_OFFERS,
    CONTRACT,
    DISTANCE,
    JOB,
    PARTS,
    SKILLS,
    TEXT,
    MatchResult,
    normalise_weights,
)
from sandbox.models.matching._rome import RomeNormaliser
from sandbox.models.matching._similarity import ColumnBlocks, TextSimilarity, Tokens, WordTfidf, top_columns
from sandbox.models.matching._skills import SkillNormaliser

#: Offers of close jobs (« métiers proches ») listed per candidate, at most.
RELATED_K = 5
#: Share of the plain word TF-IDF cosine in the text part, the rest is the n-gram cosine's (see :meth:`Matcher._text`).
PLAIN_SHARE = 0.5
#: Largest (features × offers) side of a chunk product kept dense (plain word TF-IDF, skills; float32: 4 bytes each).
DENSE_PLAIN = 60_000_000
#: Largest matrix (cells) :func:`_lookup` reads densified (float32: 4 bytes each) rather than by a search in its keys.
DENSE_LOOKUP = 16_000_000
#: Fewest candidates for which :meth:`Matcher.fit` reads their skills in a forked process while the offers are prepared.
FORK_CANDIDATES = 5_000


class Matcher:
    """Rank offers for candidates, and candidates for offers, with an explained score.

    The score (0-100) is a weighted mean of five parts, each between 0 and 1:

    - ``text``: mean of two TF-IDF cosines of the texts, over words and
      character n-grams (see :class:`~sandbox.models.matching._similarity.TextSimilarity`)
      and over words and word pairs (:class:`~sandbox.models.matching._similarity.WordTfidf`);
    - ``skills``: share of the offer's required (3/4) and desirable
      (1/4) skills that the profile has, after normalisation (synonyms,
      abbreviations, typos); when a row has no skill at all, the text part
      stands in;
    - ``job``: the desired job's ROME code is the offer's (1) or not (0),
      as far as both codings are sure; the
      text part stands in for the rest, so that a wrong guess cannot push a
      wrong job up. A coding counts from a confidence of 70 (not at all) to
      100 (fully), and not at all for an ambiguous title (« chauffeur »:
      first two codes within 10 points);
    - ``distance``: 1 on the spot to 0.5 at the edge of the candidate's
      mobility radius; beyond it the offer is left out (``distance_filter``);
    - ``contract``: contract type accepted, working time and availability date
      compatible (mean of three checks).

    Name, age, sex, nationality, address and any other column outside the
    feature lists are dropped before anything is computed; first names,
    civilities and gender marks are removed from the texts.

    Parameters
    ----------
    weights : dict, optional
        Weight of each part (:data:`DEFAULT_WEIGHTS` by default); normalised.
    default_radius_km : float
        Mobility radius of a candidate who gives none (or an unreadable one).
    distance_filter : bool
        Leave out offers beyond the candidate's mobility radius.
    reference_date : Timestamp, optional
        « Immediately available » and offers without start date mean this
        date; defaults to the earliest start date of the offers, else today.
    chunk_size : int
        Queries scored at once (memory: ``chunk_size × n_items`` floats per part).
    n_jobs : int
        Threads for the chunks (the heavy products release the GIL).

    Examples
    --------
    >>> offers = pd.DataFrame({
    ...     "offer_id": ["O1", "O2"], "title": ["Agent d'entretien", "Jardinier"],
    ...     "skills_required": ["nettoyage des locaux; autolaveuse", "tonte; taille des haies"],
    ...     "commune": ["Montreuil", "Montreuil"]})
    >>> candidates = pd.DataFrame({
    ...     "candidate_id": ["C1"], "desired_job": ["agente d'entretien"],
    ...     "skills": ["netoyage des locaux, auto-laveuse"], "commune": ["Bagnolet"], "mobility_km": ["10"]})
    >>> result = Matcher().fit(candidates, offers).rank(k=2)
    >>> result.frame[["offer_id", "rank"]].values.tolist()
    [['O1', 1], ['O2', 2]]
    >>> result.frame.loc[0, "matched_skills"]
    "nettoyage des locaux ; utilisation d'autolaveuse"
    """

    def __init__(
        self,
        weights: dict | None = None,
        *,
        default_radius_km: float = 10.0,
        distance_filter: bool = True,
        reference_date: pd.Timestamp | None = None,
        chunk_size: int = 1024,
        n_jobs: int | None = None,
        reference: Reference | None = None,
        rome: RomeNormaliser | None = None,
    ) -> None:
        self.weights = weights
        self.default_radius_km = default_radius_km
        self.distance_filter = distance_filter
        self.reference_date = reference_date
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.reference = reference
        self.rome = rome

    # ------------------------------------------------------------------ fit
    def fit(self, candidates: pd.DataFrame, offers: pd.DataFrame) -> "Matcher":
        """Prepare both tables: normalise titles, skills and texts; locate; read contracts and dates."""
        return self._fit_offers(offers, candidates)

    def fit_offers(self, offers: pd.DataFrame) -> "Matcher":
        """Prepare the offers side only; :meth:`with_candidates` then adds candidates to a copy.

        ``fit(candidates, offers)`` is ``fit_offers(offers)`` followed by
        ``with_candidates(candidates)``: a cluster fits the offers once,
        broadcasts the fitted matcher and ranks chunks of candidates against it.
        """
        return self._fit_offers(offers)

    def _fit_offers(self, offers: pd.DataFrame, candidates: pd.DataFrame | None = None) -> "Matcher":
        """The offers side; with *candidates*, the candidates side too (prepared in a second process when large)."""
        self._offer_plain = None
        if self.rome is not None:
            ref = self.rome.reference_
        else:
            ref = self.reference if self.reference is not None else load_reference()
        self.reference_ = ref
        off, dropped_o = prep.select_features(offers, prep.OFFER_FEATURES)
        self._dropped_offer_columns = list(dropped_o)
        if len(off) == 0:
            raise ValueError("both tables need at least one row")

        # Dates first: the reference date depends on the offers.
        ref_date = self.reference_date
        start_probe, _ = prep.parse_days(off["start_date"], pd.Timestamp("2000-01-01"), immediate_words=False)
        if ref_date is None:
            ref_date = pd.Timestamp("2000-01-01") + pd.Timedelta(days=float(np.nanmin(start_probe))) if np.isfinite(start_probe).any() else pd.Timestamp.today().normalize()
        self.reference_date_ = pd.Timestamp(ref_date).normalize()

        # Skills: offers first (the phrases the reference does not know join the vocabulary).
        base = SkillNormaliser(ref).fit()
        listed = base.parse_many([*off["skills_required"].tolist(), *off["skills_desired"].tolist()])
        extra = [s for found in listed for s in found if s not in ref.skills.index]
        skills = SkillNormaliser(ref).fit(extra_skills=extra)
        self.skills_ = skills
        rome = self.rome if self.rome is not None else (default_rome(ref) if self.reference is None else RomeNormaliser(ref).fit())
        self.rome_ = rome
        if candidates is None:
            self.offers_ = prep.prepare_offers(off, skills, rome, self.reference_date_)
            return self
        # From FORK_CANDIDATES rows, the candidates' skills (their longest part) are read in a forked copy
        # of this process (no input to send, only the skills sent back) while this one prepares the offers,
        # then the candidates' words and the rest of their table.
        cand, _ = prep.select_features(candidates, prep.CANDIDATE_FEATURES)
        prepared = None
        if len(cand) >= FORK_CANDIDATES:
            pending = _Forked(prep.read_candidate_skills, (cand, skills))
        self.offers_ = prep.prepare_offers(off, skills, rome, self.reference_date_)
        if len(cand) >= FORK_CANDIDATES:
            docs = prep.candidate_docs(cand)
            self._fit_offer_words()
            for code in dict.fromkeys(c for sugg in self.offers_.codes for c, _ in sugg):
                ref.sheet_words(code)  # cached by the reference: read again by the text model
            prepared = prep.prepare_candidates(cand, skills, rome, self.reference_date_, self.default_radius_km, with_docs=False, read_skills=pending.result)
            prepared.docs = docs
        return self._fit_candidates(candidates, prepared=prepared)

    def candidate_job_codes(self, candidates: pd.DataFrame) -> set[str]:
        """The ROME codes suggested for the candidates' desired jobs (after :meth:`fit_offers`).

        With the official reference, the text vocabulary includes the reference
        sheets of the codes used by either side: a cluster gathers these codes
        over every chunk and passes them to :meth:`with_candidates`, so that a
        chunk scores as the whole table does.
        """
        cand, _ = prep.select_features(candidates, prep.CANDIDATE_FEATURES)
        codes, _ = prep.rome_codes(cand["desired_job"], None, None, self.rome_)
        return {c for sugg in codes for c, _ in sugg}

    def with_candidates(self, candidates: pd.DataFrame, *, job_codes=()) -> "Matcher":
        """A copy of this offers-fitted matcher with *candidates* prepared (the offers side is shared, not copied).

        Parameters
        ----------
        job_codes : iterable of str
            ROME codes of candidates outside *candidates* (the other chunks of
            the same table, see :meth:`candidate_job_codes`).
        """
        import copy

        return copy.copy(self)._fit_candidates(candidates, job_codes)

    def _fit_candidates(self, candidates: pd.DataFrame, job_codes=(), prepared: prep.PreparedTable | None = None) -> "Matcher":
        ref, skills, rome = self.reference_, self.skills_, self.rome_
        cand, dropped_c = prep.select_features(candidates, prep.CANDIDATE_FEATURES)
        ignored = [c for c in dropped_c if c not in prep.CANDIDATE_DISPLAY + prep.CANDIDATE_TRUTH]
        self.ignored_columns_ = tuple(dict.fromkeys(ignored + self._dropped_offer_columns))
        self.protected_columns_ = tuple(prep.protected_columns(self.ignored_columns_))
        if len(cand) == 0:
            raise ValueError("both tables need at least one row")
        if prepared is None:
            prepared = prep.prepare_candidates(cand, skills, rome, self.reference_date_, self.default_radius_km)
        self.candidates_ = prepared
        self.warnings_ = tuple(self.offers_.warnings + self.candidates_.warnings)

        # Text similarity: vocabulary and IDF learnt on the offers and the reference sheets they are coded to.
        used = {c for side in (self.offers_, self.candidates_) for sugg in side.codes for c, _ in sugg} | set(job_codes)
        ref_docs = [ref.sheet_words(code) for code in ref.jobs["code"] if not ref.is_official or code in used]
        self.text_ = TextSimilarity(min_df=2, word_weight=3.0, max_words=12000).fit(self.offers_.docs, always=ref_docs)
        if getattr(self, "_offer_plain", None) is None:
            self._fit_offer_words()
        # The offers' side of the n-gram cosine (mostly products, which release the GIL) is made in a
        # second thread while this one reads the candidates' texts and builds the other parts.
        with ThreadPoolExecutor(1) as pool:
            text_side = pool.submit(self._fit_offer_text_side)
            self._fit_candidate_text()
            self.skill_part_ = parts.skill_part(self.candidates_, self.offers_)
            self.job_part_ = parts.job_part(self.candidates_, self.offers_, list(ref.jobs["code"]), ref.related)
            self.contract_part_ = parts.contract_part(self.candidates_, self.offers_)
            self.places_ = parts.places(self.candidates_, self.offers_)
            text_side.result()
        self._offer_rome = pd.array([c[0][0] if c else "" for c in self.offers_.codes], dtype="str")
        self._candidate_rome = pd.array([c[0][0] if c else "" for c in self.candidates_.codes], dtype="str")
        return self

    def _fit_offer_text_side(self) -> None:
        """The offers' words and their side of the n-gram cosine (:meth:`TextSimilarity.side_blocks`)."""
        self._offer_words = self.text_.transform(self.offers_.docs, fuzzy=False)
        self._text_side = self.text_.side_blocks(self._offer_words)

    def _fit_candidate_text(self) -> None:
        """The candidates' words, and the offers' side of the plain word TF-IDF on the features some candidate has."""
        # The profiles in the words of the offers and the reference only (typos corrected): names and
        # any other word no offer uses never weigh, in either cosine.
        candidate_docs = self.text_.known_tokens(Tokens.of(self.candidates_.docs), also=self.words_.words_)
        candidate_plain = self.words_.transform(candidate_docs)
        # Only the word features some candidate has count; as a dense block when it is small enough,
        # so that each chunk is one sparse × dense product (no sparse result to build and densify).
        used = np.unique(candidate_plain.indices)
        self._candidate_plain = candidate_plain[:, used].tocsr()
        self._plain_side = _side(self._offer_plain.tocsr()[used])
        self._candidate_words = self.text_.transform(candidate_docs, fuzzy=False)
        self._candidate_norms = self.text_.norms(self._candidate_words)

    def _fit_offer_words(self) -> None:
        """The plain word TF-IDF, learnt on the offers alone, and the offers' side of its cosine."""
        self.words_ = WordTfidf().fit(self.offers_.docs)
        self._offer_plain = self.words_.side(self.words_.transform(self.offers_.docs))

    # ---------------------------------------------------------------- parts
    def _text(self, ci: np.ndarray, oj: np.ndarray) -> np.ndarray:
        """The text part: the mean of the word + n-gram cosine and the plain word 1–2-gram TF-IDF cosine.

        The n-gram cosine forgives typos but runs high on every pair (shared
        letters); the plain cosine is sharper. Their larger value would be the
        n-gram one nearly everywhere; their mean ranks better than either on
        the ROME evaluation sets, and never below the plain TF-IDF baseline.
        """
        every = len(oj) == self._text_side.shape[1] and np.array_equal(oj, np.arange(len(oj)))
        text = self.text_.block(self._candidate_words[ci], self._text_side if every else self._text_side.columns(oj), self._candidate_norms[ci])
        side = self._plain_side
        if isinstance(side, ColumnBlocks):
            plain = side.product(self._candidate_plain[ci]) if every else self._candidate_plain[ci] @ side.columns(oj)
        else:
            plain = (self._candidate_plain[ci] @ (side if every else side[:, oj])).toarray()
        text *= np.float32(1 - PLAIN_SHARE)
        plain *= np.float32(PLAIN_SHARE)
        text += plain
        return text

    def _job(self, ci: np.ndarray, oj: np.ndarray, text: np.ndarray) -> np.ndarray:
        """The « métier » part: the codes' match where both codings are sure, the text part where not."""
        job = self.job_part_
        return job.value(job.candidate_code[ci][:, None], job.offer_code[oj][None, :], text, job.candidate_confidence[ci][:, None], job.offer_confidence[oj][None, :])

    def _chunk(self, ci: np.ndarray, oj: np.ndarray, w: dict[str, float], skill_side) -> tuple[np.ndarray, np.ndarray]:
        """Scores (and text part) of candidates *ci* × offers *oj*; −inf outside the mobility radius.

        *skill_side*: the offers' skill weights (skills × offers *oj*, times the weight of the part), from :func:`_side`.
        """
        sk, ct, pl = self.skill_part_, self.contract_part_, self.places_
        text = self._text(ci, oj)
        score = text * np.float32(w[TEXT])
        if w[JOB]:
            job_value = self._job(ci, oj, text)
            job_value *= np.float32(w[JOB])
            score += job_value
        if w[CONTRACT]:
            c3 = np.float32(w[CONTRACT] / 3)
            # Weighted on the few kinds × categories and days × start days first, then spread over the offers.
            score += _spread(c3 * ct.kind_value, ct.candidate_kind[ci], ct.offer_category[oj])
            score += _spread(c3 * ct.availability_value, ct.candidate_availability[ci], ct.offer_start[oj])
            maxh = ct.candidate_max_hours[ci]
            capped = np.flatnonzero(np.isfinite(maxh))
            if len(capped):
                too_long = (maxh[capped][:, None] + 2 < ct.offer_hours[oj][None, :]).astype(np.float32)
                score[capped] -= np.float32(w[CONTRACT] / 6) * too_long
        if w[SKILLS]:
            score += _times(sk.candidate_skills[ci], skill_side)
            rows = sk.candidate_none[ci]
            cols = sk.offer_none[oj]
            if rows.any():
                score[rows] += np.float32(w[SKILLS]) * text[rows]
            if cols.any():
                r, c = np.flatnonzero(~rows), np.flatnonzero(cols)
                score[np.ix_(r, c)] += np.float32(w[SKILLS]) * text[np.ix_(r, c)]
        locs, inverse = np.unique(pl.offer_location[oj], return_inverse=True)
        dist = parts.chord_distances(pl.candidate_xyz[ci], pl.location_xyz[locs])
        part, outside = parts.distance_part(dist, pl.candidate_radius[ci][:, None])
        add = part * np.float32(w[DISTANCE])
        if self.distance_filter:
            add[outside] = -np.inf
        score += np.take(add, inverse.ravel(), axis=1)
        return score, text

    def _pair_parts(self, c: np.ndarray, o: np.ndarray, text: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The five parts and the distance of the pairs (c[n], o[n])."""
        sk, job, ct, pl = self.skill_part_, self.job_part_, self.contract_part_, self.places_
        sub = sk.candidate_skills[c]
        rows = np.repeat(np.arange(len(c)), np.diff(sub.indptr))
        values = _lookup(sk.offer_share, sub.indices, o[rows]) if len(rows) else np.zeros(0)
        skills = np.bincount(rows, weights=values, minlength=len(c)).astype(np.float32)
        fallback = sk.candidate_none[c] | sk.offer_none[o]
        skills[fallback] = text[fallback]
        job_value = job.value(job.candidate_code[c], job.offer_code[o], text, job.candidate_confidence[c], job.offer_confidence[o])
        compat = ct.kind_value[ct.candidate_kind[c], ct.offer_category[o]] + ct.availability_value[ct.candidate_availability[c], ct.offer_start[o]]
        with np.errstate(invalid="ignore"):
            compat -= 0.5 * (ct.candidate_max_hours[c] + 2 < ct.offer_hours[o])
        compat = compat / 3
        diff = pl.candidate_xyz[c] - pl.location_xyz[pl.offer_location[o]]
        dist = np.sqrt((diff * diff).sum(axis=1))
        distance, _ = parts.distance_part(dist, pl.candidate_radius[c])
        return {TEXT: text, SKILLS: skills, JOB: job_value.astype(np.float32), DISTANCE: distance, CONTRACT: compat.astype(np.float32)}, dist

    def parts(self, ci=slice(None), oj=slice(None)) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Full matrices of the five parts for candidates *ci* × offers *oj*, the distances (km) and the outside mask.

        Meant for small tables (a page, a test, an explanation); :meth:`rank` never builds them.
        """
        ci = np.arange(len(self.candidates_.ids))[ci] if isinstance(ci, slice) else np.asarray(ci)
        oj = np.arange(len(self.offers_.ids))[oj] if isinstance(oj, slice) else np.asarray(oj)
        text = self._text(ci, oj)
        c = np.repeat(ci, len(oj))
        o = np.tile(oj, len(ci))
        flat, dist = self._pair_parts(c, o, text.ravel())
        shape = (len(ci), len(oj))
        out = {p: v.reshape(shape) for p, v in flat.items()}
        dist = dist.reshape(shape)
        outside = (dist / self.places_.candidate_radius[ci][:, None] > 1) & ~np.isnan(dist)
        return out, dist, outside

    # ---------------------------------------------------------------- rank
    def rank(
        self,
        k: int = 10,
        direction: Literal["offers", "candidates"] = BEST_OFFERS,
        weights: dict | None = None,
        *,
        queries=None,
        details: bool = True,
    ) -> MatchResult:
        """The *k* best offers per candidate (``direction="offers"``) or candidates per offer.

        Parameters
        ----------
        queries : array of int, optional
            Positions of the candidates (or offers) to rank for; all by default.
        details : bool
            Add matched and missing skills and trainings.
        """
        if direction not in (BEST_OFFERS, BEST_CANDIDATES):
            raise ValueError("direction must be 'offers' or 'candidates'")
        w = normalise_weights(weights if weights is not None else self.weights)
        n_c, n_o = len(self.candidates_.ids), len(self.offers_.ids)
        if direction == BEST_OFFERS:
            cand_idx = np.arange(n_c) if queries is None else np.asarray(queries, dtype=int)
            offer_idx = np.arange(n_o)
        else:
            cand_idx = np.arange(n_c)
            offer_idx = np.arange(n_o) if queries is None else np.asarray(queries, dtype=int)
        share = self.skill_part_.offer_share
        offer_skill_weights = (share if len(offer_idx) == n_o else share[:, offer_idx]) * np.float32(w[SKILLS])
        skill_side = _side(offer_skill_weights.tocsr())
        k_eff = max(0, min(int(k), len(offer_idx) if direction == BEST_OFFERS else len(cand_idx)))
        k_rel = min(RELATED_K, k_eff)
        want_related = direction == BEST_OFFERS and self.job_part_.related.any() and w[JOB] > 0
        blocks = [cand_idx[s : s + self.chunk_size] for s in range(0, len(cand_idx), self.chunk_size)]
        job = self.job_part_

        if want_related:
            close_row, close_columns = job.close_offers(job.offer_code[offer_idx])

        def related_rows(ci: np.ndarray, score: np.ndarray, text: np.ndarray):
            """The k_rel best offers of close jobs per candidate (−inf where fewer)."""
            columns = close_columns[close_row[ci]]
            flat = np.arange(len(ci))[:, None] * score.shape[1] + np.maximum(columns, 0)
            values = score.ravel().take(flat)  # a flat take: twice as fast as take_along_axis
            values[columns < 0] = -np.inf
            position, best = top_columns(values, k_rel)
            top = np.maximum(np.take_along_axis(columns, position, axis=1), 0)
            rows = np.arange(len(ci))[:, None]
            return ci[rows].repeat(k_rel, axis=1), offer_idx[top], best, text[rows, top]

        def work(ci: np.ndarray):
            score, text = self._chunk(ci, offer_idx, w, skill_side)
            related = None
            if want_related:
                related = related_rows(ci, score, text)
            if direction == BEST_OFFERS:
                top, best = top_columns(score, min(k_eff, score.shape[1]))
                rows = np.arange(len(ci))[:, None]
                return (ci[rows].repeat(top.shape[1], axis=1), offer_idx[top], best, text[rows, top]), related
            top, best = top_columns(score.T, min(k_eff, score.shape[0]))  # the best candidates of each offer
            top, best = top.T, best.T
            cols = np.arange(score.shape[1])[None, :]
            return (ci[top], offer_idx[cols].repeat(top.shape[0], axis=0), best, text[top, cols]), related

        jobs = self.n_jobs or min(2, os.cpu_count() or 1)
        if jobs > 1 and len(blocks) > 1:
            with ThreadPoolExecutor(jobs) as pool:
                pieces = list(pool.map(work, blocks))
        else:
            pieces = [work(b) for b in blocks]
        c_all, o_all, s_all, t_all = (np.concatenate([p[0][i] for p in pieces], axis=0) for i in range(4))
        if direction == BEST_CANDIDATES and c_all.shape[0] > k_eff:
            # The chunks' best, in candidate order: ties go to the candidate listed first.
            top, best = top_columns(s_all.T, k_eff)
            top = top.T
            cols = np.arange(s_all.shape[1])[None, :]
            c_all, o_all, s_all, t_all = c_all[top, cols], o_all[top, cols], best.T, t_all[top, cols]
        if direction == BEST_CANDIDATES:
            c_all, o_all, s_all, t_all = c_all.T, o_all.T, s_all.T, t_all.T
        frame = self._ranked_frame(c_all, o_all, s_all, t_all, details)
        related = pd.DataFrame()
        if want_related:
            r_all = [np.concatenate([p[1][i] for p in pieces], axis=0) for i in range(4)]
            related = self._ranked_frame(*r_all, details)
        return MatchResult(
            frame=frame,
            direction=direction,
            k=k_eff,
            weights=w,
            warnings=self.warnings_,
            ignored_columns=self.ignored_columns_,
            n_candidates=n_c,
            n_offers=n_o,
            related=related,
        )

    def _ranked_frame(self, c_all, o_all, s_all, t_all, details: bool) -> pd.DataFrame:
        """One row per query, its items in any order: sort them, drop the filtered ones, add the parts."""
        order = np.argsort(-s_all, axis=1, kind="stable")
        r = np.arange(s_all.shape[0])[:, None]
        c_all, o_all, s_all, t_all = c_all[r, order], o_all[r, order], s_all[r, order], t_all[r, order]
        keep = np.isfinite(s_all)
        ranks = np.cumsum(keep, axis=1)[keep]
        c_pos, o_pos, score, text = c_all[keep], o_all[keep], s_all[keep], t_all[keep]
        found, dist = self._pair_parts(c_pos, o_pos, text.astype(np.float32))
        merged = {"rank": ranks, "score": score, "distance_km": dist, **found}
        return self._frame(c_pos, o_pos, merged, details)

    def _frame(self, c_pos: np.ndarray, o_pos: np.ndarray, merged: dict, details: bool) -> pd.DataFrame:
        cand, off = self.candidates_, self.offers_
        frame = pd.DataFrame(
            {
                "candidate_id": cand.frame["candidate_id"].array.take(c_pos),
                "offer_id": off.frame["offer_id"].array.take(o_pos),
                "rank": merged["rank"].astype(int),
                "score": np.round(100 * merged["score"].astype(float), 1),
                **{p: np.round(merged[p].astype(float), 3) for p in PARTS},
                "distance_km": np.round(merged["distance_km"].astype(float), 1),
                "radius_km": cand.frame["radius_km"].to_numpy()[c_pos],
                "offer_title": off.frame["title"].array.take(o_pos),
                "offer_rome": self._offer_rome.take(o_pos),
                "candidate_job": cand.frame["desired_job"].array.take(c_pos),
                "candidate_rome": self._candidate_rome.take(c_pos),
            }
        )
        if details:
            for name, column in self._skill_texts(c_pos, o_pos).items():
                frame[name] = column
        return frame

    def _skill_texts(self, c_pos: np.ndarray, o_pos: np.ndarray) -> dict[str, pd.api.extensions.ExtensionArray]:
        """Matched, missing required and missing desired skills and the trainings of the pairs (c_pos[n], o_pos[n]).

        Each pair's entries are its offer's skills (required, then desired, in the offer's order), each
        marked as held or not by the candidate; the lists are joined per pair by Arrow, not row by row.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        sk = self.skill_part_
        names = list(sk.vocabulary)  # position = column of the skill matrices
        flat, is_req, length = self._offer_skill_lists()
        start = np.concatenate([[0], np.cumsum(length)])[:-1]
        n = len(o_pos)
        per_row = length[o_pos]
        row = np.repeat(np.arange(n), per_row)
        first = np.concatenate([[0], np.cumsum(per_row)])[:-1]
        entry = start[o_pos][row] + (np.arange(len(row)) - first[row])
        skill, required = flat[entry], is_req[entry]
        # Does the candidate of the pair hold the skill? (The candidates' skill matrix holds ones.)
        have = _lookup(sk.candidate_skills, c_pos[row], skill) > 0
        labels = pa.array([self.skills_.label(s) for s in names], type=pa.string())
        trainings = pa.array([self.skills_.training(s) for s in names], type=pa.string())

        def joined(mask: np.ndarray, values: pa.Array, limit: int | None = None):
            rows, picked = row[mask], skill[mask]
            if limit is not None:
                rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
                rows, picked = rows[rank < limit], picked[rank < limit]
            offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]).astype(np.int64)
            lists = pa.LargeListArray.from_arrays(pa.array(offsets, type=pa.int64()), values.take(pa.array(picked, type=pa.int64())))
            return pd.array(pc.binary_join(lists, " ; "), dtype="str")

        missing_required = required & ~have
        return {
            "matched_skills": joined(have, labels),
            "missing_required": joined(missing_required, labels),
            "missing_desired": joined(~required & ~have, labels),
            "trainings": joined(missing_required, trainings, limit=3),
        }

    def _offer_skill_lists(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every offer's skills as columns of the skill matrices, required then desired, flat: (skills, is required, count per offer)."""
        vocab = self.skill_part_.vocabulary
        off = self.offers_.frame
        lists = [[*r, *d] for r, d in zip(off["required"], off["desired"])]
        flat = np.fromiter((vocab[s] for lst in lists for s in lst), dtype=np.int64)
        is_req = np.fromiter((i < len(r) for r, lst in zip(off["required"], lists) for i in range(len(lst))), dtype=bool)
        length = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        return flat, is_req, length

    # -------------------------------------------------------------- helpers
    def positions(self, ids, side: Literal["candidates", "offers"] = "candidates") -> np.ndarray:
        """Positions of the given ids in the fitted tables."""
        known = self.candidates_.ids if side == "candidates" else self.offers_.ids
        lookup = {v: i for i, v in enumerate(known)}
        return np.asarray([lookup[str(v)] for v in ids if str(v) in lookup], dtype=int)

    def rome_table(self, side: Literal["candidates", "offers"] = "candidates") -> pd.DataFrame:
        """The ROME suggestions (up to three, with their confidence) of every title."""
        s = self.candidates_ if side == "candidates" else self.offers_
        titles = s.frame["desired_job"] if side == "candidates" else s.frame["title"]
        rows = []
        for ident, title, sugg in zip(s.ids, titles, s.codes):
            row = {"id": ident, "intitulé": title}
            for r in range(3):
                code, score = sugg[r] if r < len(sugg) else (None, np.nan)
                row[f"code {r + 1}"] = code
                row[f"métier {r + 1}"] = self.reference_.job_label(code) if code else None
                row[f"confiance {r + 1}"] = score / 100 if code else np.nan
            rows.append(row)
        return pd.DataFrame(rows)


def _side(matrix: sparse.csr_matrix) -> ColumnBlocks | sparse.csc_matrix:
    """A (features × items) side of the chunks' products: dense when small enough (:data:`DENSE_PLAIN`),
    so that each chunk is one sparse × dense product (no sparse result to build and densify)."""
    if matrix.shape[0] * matrix.shape[1] <= DENSE_PLAIN:
        return ColumnBlocks(matrix)
    return matrix.tocsc()


def _spread(values: np.ndarray, row: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """``values[row][:, columns]``, each distinct row of *values* spread over the columns once.

    >>> _spread(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 1, 0]), np.array([1, 0, 1])).tolist()
    [[4.0, 3.0, 4.0], [4.0, 3.0, 4.0], [2.0, 1.0, 2.0]]
    """
    distinct, position = np.unique(row, return_inverse=True)
    return np.take(values[distinct], columns, axis=1)[position.ravel()]


def _times(rows: sparse.csr_matrix, side: ColumnBlocks | sparse.csc_matrix) -> np.ndarray:
    """``rows @ side`` as a dense float32 array (the same sums, in the same order, either way)."""
    if isinstance(side, ColumnBlocks):
        return side.product(rows)
    return (rows @ side).toarray().astype(np.float32, copy=False)


def _lookup(matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``matrix[rows[n], cols[n]]`` of a CSR matrix (0 where it holds nothing): a gather in the dense matrix when it is
    small (:data:`DENSE_LOOKUP`), else one search in its sorted (row, column) keys.

    >>> from scipy import sparse
    >>> _lookup(sparse.csr_matrix(np.array([[0, 2.0], [3.0, 0]])), np.array([0, 1, 1]), np.array([1, 0, 1])).tolist()
    [2.0, 3.0, 0.0]
    """
    m = matrix.tocsr()
    if m.shape[0] * m.shape[1] <= DENSE_LOOKUP:  # far faster than a search per pair (a million of them on 20k x 5k)
        return m.toarray()[np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)]
    width = np.int64(m.shape[1])
    keys = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr)) * width + m.indices
    order = np.argsort(keys, kind="stable")
    keys, data = keys[order], m.data[order]
    wanted = np.asarray(rows, dtype=np.int64) * width + np.asarray(cols, dtype=np.int64)
    if not len(keys):
        return np.zeros(len(wanted), dtype=m.dtype)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, data[at], 0).astype(m.dtype, copy=False)


_ROME_CACHE: dict[int, tuple[Reference, RomeNormaliser]] = {}


class _Forked:
    """``function(*args)`` computed in a forked child process, read back by :meth:`result`.

    Nothing is sent to the child (it is a copy of this process), only the result
    comes back, pickled. No child when forking is unsafe or unavailable (another
    Python thread running, no ``fork`` on the platform) or fails: :meth:`result`
    then computes in this process, as it does when the child fails for any reason
    (the same deterministic function, so the same result or the same error).

    >>> _Forked(divmod, (7, 2)).result()
    (3, 1)
    """

    def __init__(self, function, args: tuple) -> None:
        self.function, self.args = function, args
        self.process = self.reader = None
        if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
            return
        try:
            context = multiprocessing.get_context("fork")
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_run_forked, args=(writer, function, args), daemon=True)
            # The objects there are now stay out of the child's garbage collections: these would
            # write to every object's header and so copy the whole heap, page by page.
            gc.freeze()
            try:
                process.start()
            finally:
                gc.unfreeze()
        except (OSError, ValueError):
            return
        writer.close()
        self.process, self.reader = process, reader

    def result(self):
        if self.process is not None:
            try:
                while not self.reader.poll(0.5):
                    if not self.process.is_alive() and not self.reader.poll(0):
                        raise EOFError
                ok, value = self.reader.recv()
                if ok:
                    return value
            except (EOFError, OSError):
                pass
            finally:
                self.reader.close()
                self.process.join(5)
                if self.process.is_alive():
                    self.process.kill()
                    self.process.join()
        return self.function(*self.args)


def _run_forked(writer, function, args) -> None:
    try:
        out = (True, function(*args))
    except BaseException:  # the parent computes again and raises the error itself
        out = (False, None)
    try:
        writer.send(out)
    finally:
        writer.close()


def default_rome(reference: Reference) -> RomeNormaliser:
    """The title coder of a reference, fitted once per process (the reference is read-only)."""
    if id(reference) not in _ROME_CACHE:
        if len(_ROME_CACHE) > 2:
            _ROME_CACHE.clear()
        _ROME_CACHE[id(reference)] = (reference, RomeNormaliser(reference).fit())
    return _ROME_CACHE[id(reference)][1]


def prepare_reference() -> Reference:
    """Fit what the matcher reads of the reference in use (the title coder, the skill index, the words of every
    sheet) and return it: called once after an import, it saves them beside the imported release, so that
    the next command or page reads them back instead of fitting them."""
    from sandbox.models.matching._reference import store_sheet_words

    reference = load_reference()
    default_rome(reference)
    SkillNormaliser(reference).fit()
    store_sheet_words(reference)
    return reference


def match(
    candidates: pd.DataFrame,
    offers: pd.DataFrame,
    k: int = 10,
    *,
    direction: Literal["offers", "candidates"] = "offers",
    weights: dict | None = None,
    **params,
) -> MatchResult:
    """Rank the *k* best offers for each candidate (or candidates for each offer).

    A shortcut for ``Matcher(weights, **params).fit(candidates, offers).rank(k, direction)``;
    the tables have the column names of the schemas in
    :mod:`sandbox.data.schemas.matching` (as returned by ``validate``).

    Examples
    --------
    >>> offers = pd.DataFrame({"offer_id": ["O1", "O2"], "title": ["Cuisinier", "Jardinier"],
    ...                        "skills_required": ["HACCP; liaison froide", "tonte"], "commune": ["Paris", "Paris"]})
    >>> candidates = pd.DataFrame({"candidate_id": ["C1"], "desired_job": ["cuisinière en cantine"],
    ...                            "skills": ["hygiène alimentaire HACCP"], "commune": ["Paris"]})
    >>> result = match(candidates, offers, k=1)
    >>> result.frame.loc[0, ["offer_id", "missing_required"]].tolist()
    ['O1', 'liaison froide']
    """
    return Matcher(weights, **params).fit(candidates, offers).rank(k=k, direction=direction)
