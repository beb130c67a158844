"""The score parts as matrices: skills, job (ROME), contract and availability, places.

Each builder turns the prepared tables (:mod:`._prepare`) into the small
arrays the matcher multiplies or indexes chunk by chunk; none of them
builds a candidates × offers matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from sandbox.models.matching._prepare import CONTRACTS, PreparedTable
from sandbox.models.matching._skills import skill_matrix

REQUIRED_SHARE = 0.75
FULL_TIME_HOURS = 32.0
#: A coding starts to count in the « métier » part above this confidence (0-100), fully at 100…
SURE_CONFIDENCE = 70.0
#: …and only when the second suggestion is at least this far behind (« chauffeur »: several codes near-tied).
SURE_MARGIN = 10.0
EARTH_RADIUS_KM = 6371.0088


@dataclass
class SkillPart:
    """Candidates' skills (0/1, sparse) and, per offer, the weight of each skill in the part."""

    vocabulary: dict[str, int]
    candidate_skills: sparse.csr_matrix  # candidates × skills
    offer_share: sparse.csr_matrix  # skills × offers: weight of each skill in the offer's part (sums to 1)
    offer_none: np.ndarray  # offers without any skill
    candidate_none: np.ndarray  # candidates without any skill


def skill_part(candidates: PreparedTable, offers: PreparedTable) -> SkillPart:
    vocab: dict[str, int] = {}
    for lst in [*offers.frame["required"], *offers.frame["desired"]]:
        for s in lst:
            vocab.setdefault(s, len(vocab))
    C = skill_matrix(list(candidates.frame["skills"]), vocab)
    R = skill_matrix(list(offers.frame["required"]), vocab).T.tocsr()  # skills × offers
    D = skill_matrix(list(offers.frame["desired"]), vocab).T.tocsr()
    n_req, n_des = np.asarray(R.sum(axis=0)).ravel(), np.asarray(D.sum(axis=0)).ravel()
    w_req = np.where(n_des > 0, REQUIRED_SHARE, 1.0) * (n_req > 0)
    w_des = np.where(n_req > 0, 1 - REQUIRED_SHARE, 1.0) * (n_des > 0)
    share = R @ sparse.diags(np.divide(w_req, n_req, out=np.zeros_like(w_req, dtype=float), where=n_req > 0))
    share = share + D @ sparse.diags(np.divide(w_des, n_des, out=np.zeros_like(w_des, dtype=float), where=n_des > 0))
    return SkillPart(
        vocabulary=vocab,
        candidate_skills=C,
        offer_share=sparse.csr_matrix(share, dtype=np.float32),
        offer_none=(n_req + n_des) == 0,
        candidate_none=np.asarray(C.sum(axis=1)).ravel() == 0,
    )


@dataclass
class JobPart:
    """The « métier » part: each side's ROME code, and how sure each coding is."""

    codes: list[str]
    offer_code: np.ndarray  # position of each offer's code (len(codes) when not recognised)
    offer_confidence: np.ndarray  # 0-1: weight of the offer's code (see :func:`coding_weight`)
    candidate_code: np.ndarray  # position of each candidate's first code (len(codes) when none)
    related: np.ndarray  # (codes + 1) × (codes + 1) bool: target is a close job of source
    candidate_confidence: np.ndarray  # 0-1: weight of the candidate's code (see :func:`coding_weight`)

    def value(self, candidate_code: np.ndarray, offer_code: np.ndarray, text: np.ndarray, candidate_weight: np.ndarray, offer_weight: np.ndarray) -> np.ndarray:
        """The part: 1 where the codes are the same and 0 elsewhere as far as both codings count, the *text* part for the rest.

        That is ``text + w (same − text)`` with *w* the product of both
        codings' weights. Arguments broadcast: codes and weights as a column
        (``[:, None]``) and a row (``[None, :]``) for a block, or as flat pairs.
        """
        known = np.where(candidate_code < len(self.codes), candidate_code, -1)  # no code: equal to no offer's
        out = np.subtract(known == offer_code, text, dtype=np.float32)
        out *= candidate_weight
        out *= offer_weight
        out += text
        return out

    def close_offers(self, offer_code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The offers of close jobs (« métiers proches ») of each candidate's code.

        A table with one row per distinct candidate code, its close offers (positions in
        *offer_code*, ascending, padded with −1; at least one column), and each candidate's row in it.
        """
        codes, row = np.unique(self.candidate_code, return_inverse=True)
        close = self.related[codes][:, offer_code]
        count = close.sum(axis=1)
        r, c = np.divmod(np.flatnonzero(close), close.shape[1])
        table = np.full((len(codes), max(int(count.max(initial=0)), 1)), -1, dtype=np.int64)
        table[r, np.arange(len(r)) - np.repeat(np.cumsum(count) - count, count)] = c
        return row.ravel(), table


def coding_weight(suggestions: list[tuple[str, float]]) -> float:
    """How much a row's ROME coding counts in the « métier » part, 0 to 1.

    0 up to a confidence of :data:`SURE_CONFIDENCE`, rising to 1 at 100; 0
    also when the second suggestion is less than :data:`SURE_MARGIN` points
    behind. Where a coding counts little, the text part stands in for the
    rest: a wrong guess must not push the offers of a wrong job up.

    >>> coding_weight([("K2204", 100.0)]), coding_weight([("K2204", 85.0), ("K2201", 60.0)])
    (1.0, 0.5)
    >>> coding_weight([("N4101", 95.0), ("N4103", 90.0)]), coding_weight([("K2204", 65.0)]), coding_weight([])
    (0.0, 0.0, 0.0)
    """
    if not suggestions:
        return 0.0
    top = min(float(suggestions[0][1]), 100.0)
    if len(suggestions) > 1 and top - suggestions[1][1] < SURE_MARGIN:
        return 0.0
    return float(np.clip((top - SURE_CONFIDENCE) / (100.0 - SURE_CONFIDENCE), 0.0, 1.0))


def job_part(candidates: PreparedTable, offers: PreparedTable, codes: list[str], related: dict) -> JobPart:
    """The first code of each side and the weight of each coding (:func:`coding_weight`).

    When the part is read (:meth:`JobPart.value`), the same code is worth 1
    and another 0 as far as both codings count, and the text part stands in
    for the rest: a sure coding decides, an uncertain one leaves the text
    decide.
    """
    index = {c: i for i, c in enumerate(codes)}
    n = len(codes)
    candidate_code = np.asarray([index[s[0][0]] if s else n for s in candidates.codes], dtype=np.int64)
    offer_code = np.asarray([index[s[0][0]] if s else n for s in offers.codes], dtype=np.int64)
    rel = np.zeros((n + 1, n + 1), dtype=bool)
    for source, targets in related.items():
        if source in index:
            for t in targets:
                if t in index:
                    rel[index[source], index[t]] = True
    weight: dict = {}  # per distinct list of suggestions (rows share their titles)

    def once(suggestions) -> float:
        key = tuple(suggestions)
        found = weight.get(key)
        if found is None:
            found = weight[key] = coding_weight(suggestions)
        return found

    candidate_conf = np.asarray([once(s) for s in candidates.codes], dtype=np.float32)
    offer_conf = np.asarray([once(s) for s in offers.codes], dtype=np.float32)
    return JobPart(codes, offer_code, offer_conf, candidate_code, rel, candidate_conf)


@dataclass
class ContractPart:
    """Contract type × working time, and availability: one category per offer, a value per kind of candidate and category.

    Candidates share a few kinds (accepted contracts and working time) and availability days: the
    values are kept once per kind and per day, with each candidate's kind and day.
    """

    offer_category: np.ndarray
    kind_value: np.ndarray  # kinds × categories: contract accepted (0/1) + working time compatible (0.5/1)
    candidate_kind: np.ndarray  # each candidate's row in kind_value
    offer_start: np.ndarray  # position of each offer's start day among the distinct ones
    availability_value: np.ndarray  # distinct availability days × distinct start days
    candidate_availability: np.ndarray  # each candidate's row in availability_value
    candidate_max_hours: np.ndarray
    offer_hours: np.ndarray


def contract_part(candidates: PreparedTable, offers: PreparedTable) -> ContractPart:
    types = {t: i for i, t in enumerate(CONTRACTS)}
    n_t = len(types) + 1
    hours = offers.frame["hours"].to_numpy(dtype=float)
    h_cat = np.select([np.isnan(hours), hours >= FULL_TIME_HOURS, hours >= FULL_TIME_HOURS - 4], [0, 1, 2], 3)
    t_cat = np.asarray([types.get(c, len(types)) if c else len(types) for c in offers.frame["contract"]])
    # One row per distinct (accepted contracts, working time) pair: candidates share a few of them.
    rows: dict = {}
    which = np.empty(len(candidates.ids), dtype=np.int64)
    for i, (acc, pref) in enumerate(zip(candidates.frame["accepted"].tolist(), candidates.frame["time_pref"].tolist())):
        key = (frozenset(acc) if acc else None, pref)
        which[i] = rows.setdefault(key, len(rows))
    value = np.zeros((len(rows), n_t * 4), dtype=np.float32)
    for (acc, pref), r in rows.items():
        ok = np.ones(n_t, dtype=np.float32)
        if acc:
            ok[: len(types)] = 0.0
            for t in acc:
                ok[types[t]] = 1.0
        time_ok = np.ones(4, dtype=np.float32)
        if pref == "partiel":
            time_ok[1] = 0.5
        elif pref == "plein":
            time_ok[3] = 0.5
        value[r] = (ok[:, None] + time_ok[None, :]).ravel()
    start = offers.frame["start_day"].to_numpy(dtype=float)
    days, offer_start = np.unique(start, return_inverse=True)
    avail, candidate_availability = np.unique(candidates.frame["available_day"].to_numpy(dtype=float), return_inverse=True)
    with np.errstate(invalid="ignore"):
        availability = np.clip(1 - (avail[:, None] - days[None, :] - 14) / 60, 0, 1)
    availability[np.isnan(availability)] = 1.0
    return ContractPart(
        offer_category=t_cat * 4 + h_cat,
        kind_value=value,
        candidate_kind=which,
        offer_start=offer_start,
        availability_value=availability.astype(np.float32),
        candidate_availability=candidate_availability.ravel(),
        candidate_max_hours=candidates.frame["max_hours"].to_numpy(dtype=np.float32),
        offer_hours=hours.astype(np.float32),
    )


def xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on a sphere of the Earth's mean radius, in km (NaN where unknown).

    >>> xyz(np.array([0.0]), np.array([0.0])).round(1).tolist()
    [[6371.0, 0.0, 0.0]]
    """
    phi, lam = np.radians(lat), np.radians(lon)
    r = EARTH_RADIUS_KM
    return np.stack([r * np.cos(phi) * np.cos(lam), r * np.cos(phi) * np.sin(lam), r * np.sin(phi)], axis=1).astype(np.float32)


@dataclass
class Places:
    """Offers grouped by location (usually the commune's centroid), and the candidates' points and radii."""

    offer_location: np.ndarray
    location_xyz: np.ndarray
    candidate_xyz: np.ndarray
    candidate_radius: np.ndarray


def places(candidates: PreparedTable, offers: PreparedTable) -> Places:
    points = xyz(offers.lat, offers.lon)
    key = np.where(np.isnan(points), 1e9, np.round(points, 3))
    uniq, offer_location = np.unique(key, axis=0, return_inverse=True)
    return Places(
        offer_location=offer_location.ravel(),
        location_xyz=np.where(uniq >= 1e8, np.nan, uniq).astype(np.float32),
        candidate_xyz=xyz(candidates.lat, candidates.lon),
        candidate_radius=np.maximum(candidates.frame["radius_km"].to_numpy(dtype=np.float32), 0.1),
    )


def chord_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Chord distance (km) between points *a* (rows) and *b* (columns): exact to a few metres at this scale."""
    d = np.zeros((len(a), len(b)), dtype=np.float32)
    for axis in range(3):
        diff = a[:, axis][:, None] - b[:, axis][None, :]
        d += diff * diff
    return np.sqrt(d, out=d)


def distance_part(dist: np.ndarray, radius: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Part (1 on the spot, 0.5 at the radius, 0 at twice the radius; 0.5 unknown) and the outside mask.

    >>> part, outside = distance_part(np.array([0.0, 10.0, 30.0, np.nan]), np.array([10.0] * 4))
    >>> part.tolist(), outside.tolist()
    ([1.0, 0.5, 0.0, 0.5], [False, False, True, False])
    """
    ratio = dist / radius
    part = np.clip(1 - 0.5 * ratio, 0, 1)
    unknown = np.isnan(dist)
    part[unknown] = 0.5
    outside = (ratio > 1) & ~unknown
    return part.astype(np.float32, copy=False), outside
