"""Matching of a département on a Dask cluster: the offers fitted once, broadcast, candidates ranked in chunks.

The driver prepares the offers side once (:meth:`Matcher.fit_offers
<sandbox.models.matching.Matcher.fit_offers>`: reference, skills, job coder,
dates, offers) and scatters the fitted matcher to every worker. Each task
adds one chunk of candidates to it (:meth:`~sandbox.models.matching.Matcher.with_candidates`)
and ranks. The vocabulary, the skills and the reference date come from the
offers; with the official ROME reference, the text vocabulary also holds
the sheets of the candidates' jobs, so a first, light pass gathers the job
codes of every chunk and gives them to each. A candidate thus gets the same
scores in a chunk as in the whole table. With ``--par-offre`` the best
candidates of each chunk are merged and ranked again.
"""

from __future__ import annotations

import pandas as pd

from sandbox.cluster import Progress, as_completed

CHUNK_ROWS = 2000
"""Candidates per task."""


def _job_codes(chunk: pd.DataFrame, fitted) -> set[str]:
    return fitted.candidate_job_codes(chunk)


def _rank_chunk(chunk: pd.DataFrame, fitted, job_codes, options: dict) -> tuple[pd.DataFrame, tuple, int]:
    result = fitted.with_candidates(chunk, job_codes=job_codes).rank(options["top"], options["direction"])
    return result.to_frame(), tuple(result.warnings), result.n_offers


def fit_offers(offers: pd.DataFrame, *, weights, radius: float, distance_filter: bool):
    """The offers side of the :class:`~sandbox.models.matching.Matcher`, fitted once on the driver."""
    from sandbox.models.matching import Matcher

    return Matcher(weights, default_radius_km=radius, distance_filter=distance_filter).fit_offers(offers)


def rank(client, candidates: pd.DataFrame, offers: pd.DataFrame, *, top: int, direction: str, weights, radius: float,
         distance_filter: bool, chunk_rows: int | None = None) -> tuple[pd.DataFrame, list[str], int, int]:
    """Rank on the cluster; return (frame, warnings, n_candidates, n_offers) as ``Matcher.rank`` would."""
    options = {"top": top, "direction": direction}
    chunk_rows = chunk_rows or CHUNK_ROWS
    fitted = fit_offers(offers, weights=weights, radius=radius, distance_filter=distance_filter)
    shared = client.scatter(fitted, broadcast=True)
    chunks = [candidates.iloc[s: s + chunk_rows] for s in range(0, len(candidates), chunk_rows)]
    job_codes: frozenset[str] = frozenset()
    if getattr(fitted.reference_, "is_official", False) and len(chunks) > 1:
        found = client.gather([client.submit(_job_codes, chunk, shared, pure=False) for chunk in chunks])
        job_codes = frozenset().union(*found)
    futures = [client.submit(_rank_chunk, chunk, shared, job_codes, options, pure=False) for chunk in chunks]
    order = {f.key: i for i, f in enumerate(futures)}
    pieces: list = [None] * len(futures)
    progress = Progress("Candidats", len(candidates), unit="candidats par minute")
    for future in as_completed(futures):
        frame, found, n_offers = future.result()
        i = order[future.key]
        pieces[i] = (frame, found, n_offers)
        progress.advance(len(chunks[i]))
        future.release()
    frame = pd.concat([p[0] for p in pieces], ignore_index=True)
    warnings = list(dict.fromkeys(w for p in pieces for w in p[1]))
    n_offers = pieces[0][2] if pieces else len(fitted.offers_.ids)
    if direction == "candidates" and len(pieces) > 1:
        frame = _merge_per_offer(frame, top)
    return frame, warnings, len(candidates), n_offers


def _merge_per_offer(frame: pd.DataFrame, top: int) -> pd.DataFrame:
    """Keep the *top* candidates of each offer over all chunks, ranked again by score."""
    offer_order = pd.Index(frame["offer_id"].drop_duplicates())
    frame = frame.assign(_offer=offer_order.get_indexer(frame["offer_id"]))
    frame = frame.sort_values(["_offer", "score"], ascending=[True, False], kind="stable")
    frame = frame.groupby("_offer", sort=False).head(top).copy()
    frame["rank"] = frame.groupby("_offer").cumcount().to_numpy() + 1
    return frame.drop(columns="_offer").reset_index(drop=True)


__all__ = ["CHUNK_ROWS", "fit_offers", "rank"]
