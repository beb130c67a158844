"""Ranking quality against known placements, and the keyword-only baseline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.models.matching._skills import split_cell


@dataclass(frozen=True)
class RankingMetrics:
    """Precision@k, recall@k and mean reciprocal rank over the queries that have a known answer.

    Attributes
    ----------
    precision, recall, mrr : float
    k : int
    n_queries : int
        Queries with at least one relevant item (the others are not counted).
    """

    precision: float
    recall: float
    mrr: float
    k: int
    n_queries: int

    def to_dict(self) -> dict:
        return {"precision": self.precision, "recall": self.recall, "mrr": self.mrr, "k": self.k, "n_queries": self.n_queries}


def evaluate(ranked: pd.DataFrame, truth: dict, k: int, *, query: str = "candidate_id", item: str = "offer_id") -> RankingMetrics:
    """Precision@k, recall@k and MRR (reciprocal rank of the first relevant item within the top *k*).

    Parameters
    ----------
    ranked : DataFrame
        Columns *query*, *item* and ``rank`` (1 = best).
    truth : dict
        ``{query: set of relevant items}``; queries without relevant item are skipped.

    Examples
    --------
    >>> ranked = pd.DataFrame({"candidate_id": ["a", "a", "a", "b", "b", "b"],
    ...                        "offer_id": ["x", "y", "z", "x", "y", "z"], "rank": [1, 2, 3, 1, 2, 3]})
    >>> m = evaluate(ranked, {"a": {"y"}, "b": {"x", "z"}}, k=2)
    >>> m.precision, m.recall, m.mrr
    (0.5, 0.75, 0.75)
    """
    relevant = {str(q): {str(i) for i in items} for q, items in truth.items() if items}
    if not relevant:
        return RankingMetrics(float("nan"), float("nan"), float("nan"), k, 0)
    top = ranked[ranked["rank"] <= k]
    lists: dict[str, list[tuple[int, str]]] = {}
    for q, i, r in zip(top[query].astype(str), top[item].astype(str), top["rank"]):
        lists.setdefault(q, []).append((int(r), i))
    precision, recall, rr = [], [], []
    for q, rel in relevant.items():
        found = sorted(lists.get(q, []))
        hits = [r for r, i in found if i in rel]
        precision.append(len(hits) / k)
        recall.append(len(hits) / len(rel))
        rr.append(1.0 / hits[0] if hits else 0.0)
    return RankingMetrics(float(np.mean(precision)), float(np.mean(recall)), float(np.mean(rr)), k, len(relevant))


def truth_from_column(candidates: pd.DataFrame, column: str = "placed_offers") -> dict[str, set[str]]:
    """``{candidate_id: {offer ids}}`` from a column of past placements (ids separated by ``;`` or ``,``)."""
    if column not in candidates.columns:
        return {}
    out = {}
    for cid, cell in zip(candidates["candidate_id"].astype(str), candidates[column]):
        items = {s.strip() for s in split_cell(cell)}
        if items:
            out[cid] = items
    return out


def _keyword_text(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    parts = [frame[c].astype("object").where(frame[c].notna(), "").astype(str) if c in frame.columns else pd.Series("", index=frame.index) for c in columns]
    return [" ".join(values) for values in zip(*parts)]


def keyword_baseline(candidates: pd.DataFrame, offers: pd.DataFrame, k: int = 10, *, chunk_size: int = 2048) -> pd.DataFrame:
    """Today's practice as a baseline: rank offers by the number of words shared (no normalisation).

    Words (lower case, accents kept, no synonyms, no typo tolerance) of the
    candidate's desired job and skills against the words of the offer's
    title and skills; ties keep the offers' order; no distance, contract or
    availability check.

    Examples
    --------
    >>> offers = pd.DataFrame({"offer_id": ["O1", "O2"], "title": ["Agent d'entretien", "Jardinier"]})
    >>> candidates = pd.DataFrame({"candidate_id": ["C1"], "desired_job": ["jardinier"]})
    >>> keyword_baseline(candidates, offers, k=1)[["candidate_id", "offer_id", "rank"]].values.tolist()
    [['C1', 'O2', 1]]
    """
    from sklearn.feature_extraction.text import CountVectorizer  # here: coding titles alone never imports scikit-learn

    vectorizer = CountVectorizer(lowercase=True, binary=True, token_pattern=r"(?u)\b\w\w+\b")
    off_text = _keyword_text(offers, ("title", "skills_required", "skills_desired"))
    cand_text = _keyword_text(candidates, ("desired_job", "skills"))
    vectorizer.fit(off_text + cand_text)
    O = vectorizer.transform(off_text).astype(np.float32).T.tocsc()
    C = vectorizer.transform(cand_text).astype(np.float32).tocsr()
    k_eff = min(k, O.shape[1])
    tie = (np.arange(O.shape[1])[::-1] / (10 * O.shape[1])).astype(np.float32)  # earlier offers first on ties
    cids = candidates["candidate_id"].astype(str).to_numpy()
    oids = offers["offer_id"].astype(str).to_numpy()
    rows = []
    for start in range(0, C.shape[0], chunk_size):
        block = np.asarray((C[start : start + chunk_size] @ O).todense(), dtype=np.float32) + tie[None, :]
        top = np.argpartition(-block, k_eff - 1, axis=1)[:, :k_eff] if k_eff < block.shape[1] else np.tile(np.arange(block.shape[1]), (block.shape[0], 1))
        r = np.arange(block.shape[0])[:, None]
        top = top[r, np.argsort(-block[r, top], axis=1, kind="stable")]
        rows.append(pd.DataFrame({
            "candidate_id": np.repeat(cids[start : start + block.shape[0]], k_eff),
            "offer_id": oids[top.ravel()],
            "rank": np.tile(np.arange(1, k_eff + 1), block.shape[0]),
            "shared_words": np.floor(block[r, top]).ravel().astype(int),
        }))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["candidate_id", "offer_id", "rank", "shared_words"])
