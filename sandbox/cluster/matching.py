"""Matching of a département on a Dask cluster: candidates in chunks, the offers broadcast to every worker.

Each task fits the public :class:`~sandbox.models.matching.Matcher` on one
chunk of candidates against the whole offers table (broadcast once to every
worker) and ranks. The text vocabulary, the skills and the reference date
are learnt from the offers only, so a candidate gets the same scores in a
chunk as in the whole table. With ``--par-offre`` the best candidates of each
chunk are merged and ranked again.
"""

from __future__ import annotations

import pandas as pd

from sandbox.cluster import Progress, as_completed

CHUNK_ROWS = 2000
"""Candidates per task."""


def _rank_chunk(chunk: pd.DataFrame, offers: pd.DataFrame, options: dict) -> tuple[pd.DataFrame, tuple, int]:
    from sandbox.models.matching import Matcher

    matcher = Matcher(options["weights"], default_radius_km=options["radius"], distance_filter=options["distance_filter"])
    result = matcher.fit(chunk, offers).rank(options["top"], options["direction"])
    return result.to_frame(), tuple(result.warnings), result.n_offers


def rank(client, candidates: pd.DataFrame, offers: pd.DataFrame, *, top: int, direction: str, weights, radius: float,
         distance_filter: bool, chunk_rows: int | None = None) -> tuple[pd.DataFrame, list[str], int, int]:
    """Rank on the cluster; return (frame, warnings, n_candidates, n_offers) as ``Matcher.rank`` would."""
    options = {"weights": weights, "radius": radius, "distance_filter": distance_filter, "top": top, "direction": direction}
    chunk_rows = chunk_rows or CHUNK_ROWS
    shared = client.scatter(offers, broadcast=True)
    chunks = [candidates.iloc[s: s + chunk_rows] for s in range(0, len(candidates), chunk_rows)]
    futures = [client.submit(_rank_chunk, chunk, shared, options, pure=False) for chunk in chunks]
    order = {f.key: i for i, f in enumerate(futures)}
    pieces: list = [None] * len(futures)
    progress = Progress("Candidats", len(candidates), unit="candidats par minute")
    for future in as_completed(futures):
        frame, found, n_offers = future.result()
        i = order[future.key]
        pieces[i] = (frame, found, n_offers)
        progress.advance(len(chunks[i]))
    frame = pd.concat([p[0] for p in pieces], ignore_index=True)
    warnings = list(dict.fromkeys(w for p in pieces for w in p[1]))
    n_offers = pieces[0][2] if pieces else len(offers)
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


__all__ = ["CHUNK_ROWS", "rank"]
