"""The matcher: five explained score parts, adjustable weights, both directions, chunked."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from sandbox.models.matching import _prepare as prep
from sandbox.models.matching._reference import Reference, load_reference
from sandbox.models.matching._rome import RomeNormaliser
from sandbox.models.matching._similarity import TextSimilarity
from sandbox.models.matching._skills import SkillNormaliser, skill_matrix, split_cell
from sandbox.models.matching._text import tokens
from sandbox.text import num, plural, typography

PARTS = ("texte", "competences", "metier", "distance", "contrat")
PART_LABELS = {
    "texte": "Texte (TF-IDF)",
    "competences": "Compétences",
    "metier": "Métier (ROME)",
    "distance": "Distance",
    "contrat": "Contrat et disponibilité",
}
PART_HELP = {
    "texte": "Ressemblance des textes (intitulé, compétences, description / expérience), mots et morceaux de mots.",
    "competences": "Part des compétences requises (3/4) et souhaitées (1/4) de l'offre que le profil possède.",
    "metier": "Le métier recherché correspond-il au code ROME de l'offre (1), au même domaine (0,4) ?",
    "distance": "1 sur place, 0,5 au bord du rayon de mobilité ; au-delà, l'offre est écartée.",
    "contrat": "Type de contrat accepté, temps de travail et date de disponibilité compatibles.",
}
DEFAULT_WEIGHTS = {"texte": 0.25, "competences": 0.35, "metier": 0.20, "distance": 0.10, "contrat": 0.10}
REQUIRED_SHARE = 0.75
DOMAIN_SCORE = 0.4
FULL_TIME_HOURS = 32.0
AMBIGUITY_MARGIN = 5.0  # ROME suggestions this close to the first one count too (« chauffeur »)


def normalise_weights(weights: dict | None) -> dict[str, float]:
    """Weights for the five parts, missing ones at their default, summing to 1.

    >>> normalise_weights({"texte": 1, "competences": 1, "metier": 0, "distance": 0, "contrat": 0})["texte"]
    0.5
    """
    merged = {**DEFAULT_WEIGHTS, **(weights or {})}
    unknown = set(merged) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown score parts {sorted(unknown)}; use {PARTS}")
    values = {p: max(float(merged[p]), 0.0) for p in PARTS}
    total = sum(values.values())
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    return {p: v / total for p, v in values.items()}


@dataclass
class _Side:
    ids: np.ndarray
    frame: pd.DataFrame  # the features read (and a few columns for display)
    docs: list[list[str]]
    lat: np.ndarray
    lon: np.ndarray
    codes: list[list[tuple[str, float]]]  # ROME suggestions (code, score)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MatchResult:
    """Ranked matches, with each part of the score and the skills behind it.

    Attributes
    ----------
    frame : DataFrame
        One row per match: ``candidate_id``, ``offer_id``, ``rank`` (1 =
        best, within the query), ``score`` (0-100), one column per part
        (0-1, see :data:`PARTS`), ``distance_km``, ``radius_km``,
        ``matched_skills``, ``missing_required``, ``missing_desired``,
        ``trainings``, ``offer_title``, ``offer_rome``, ``candidate_job``,
        ``candidate_rome``.
    direction : {"offers", "candidates"}
        « offers »: the best offers for each candidate; « candidates »: the
        best candidates for each offer.
    k : int
    weights : dict
        The normalised weights used.
    warnings : tuple of str
        French sentences naming the rows with a data problem.
    ignored_columns : tuple of str
        Columns present in the input and never read by the score.
    n_candidates, n_offers : int
    """

    frame: pd.DataFrame
    direction: str
    k: int
    weights: dict
    warnings: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    n_candidates: int = 0
    n_offers: int = 0

    @property
    def query(self) -> str:
        return "candidate_id" if self.direction == "offers" else "offer_id"

    def to_frame(self) -> pd.DataFrame:
        """The ranked matches (a copy)."""
        return self.frame.copy()

    def for_candidate(self, candidate_id) -> pd.DataFrame:
        return self.frame[self.frame["candidate_id"] == candidate_id].sort_values("score", ascending=False)

    def for_offer(self, offer_id) -> pd.DataFrame:
        return self.frame[self.frame["offer_id"] == offer_id].sort_values("score", ascending=False)

    def explain(self, row: pd.Series | dict) -> list[str]:
        """French sentences explaining one match (a row of :attr:`frame`)."""
        return explain_match(row, self.weights)


class Matcher:
    """Rank offers for candidates, and candidates for offers, with an explained score.

    The score (0-100) is a weighted mean of five parts, each between 0 and 1:

    - ``texte``: TF-IDF cosine of the texts over words and character
      n-grams (see :class:`~sandbox.models.matching._similarity.TextSimilarity`);
    - ``competences``: share of the offer's required (3/4) and desirable
      (1/4) skills that the profile has, after normalisation (synonyms,
      abbreviations, typos); when a row has no skill at all, the text part
      stands in;
    - ``metier``: the desired job's ROME code is the offer's (1), the same
      domain (0.4), or neither (0); an ambiguous title (« chauffeur ») counts
      its near-tied suggestions at 0.8;
    - ``distance``: 1 on the spot to 0.5 at the edge of the candidate's
      mobility radius; beyond it the offer is left out (``distance_filter``);
    - ``contrat``: contract type accepted, working time and availability date
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
    ) -> None:
        self.weights = weights
        self.default_radius_km = default_radius_km
        self.distance_filter = distance_filter
        self.reference_date = reference_date
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.reference = reference

    # ------------------------------------------------------------------ fit
    def fit(self, candidates: pd.DataFrame, offers: pd.DataFrame) -> "Matcher":
        """Prepare both tables: normalise titles, skills and texts; locate; read contracts and dates."""
        ref = self.reference or load_reference()
        self.reference_ = ref
        cand, dropped_c = prep.select_features(candidates, prep.CANDIDATE_FEATURES)
        off, dropped_o = prep.select_features(offers, prep.OFFER_FEATURES)
        ignored = [c for c in dropped_c if c not in prep.CANDIDATE_DISPLAY + prep.CANDIDATE_TRUTH]
        self.ignored_columns_ = tuple(dict.fromkeys(ignored + [c for c in dropped_o]))
        self.protected_columns_ = tuple(prep.protected_columns(self.ignored_columns_))
        if len(off) == 0 or len(cand) == 0:
            raise ValueError("both tables need at least one row")
        warnings: list[str] = []

        # Dates first: the reference date depends on the offers.
        ref_date = self.reference_date
        start_probe, _ = prep.parse_days(off["start_date"], pd.Timestamp("2000-01-01"), immediate_words=False)
        if ref_date is None:
            ref_date = pd.Timestamp("2000-01-01") + pd.Timedelta(days=float(np.nanmin(start_probe))) if np.isfinite(start_probe).any() else pd.Timestamp.today().normalize()
        self.reference_date_ = pd.Timestamp(ref_date).normalize()

        # Skills: offers first (their unknown skills join the vocabulary).
        base = SkillNormaliser(ref).fit()
        extra = []
        for col in ("skills_required", "skills_desired"):
            for cell in off[col]:
                for item in split_cell(cell):
                    if not base.match_item(item)[1]:
                        extra.append(item)
        skills = SkillNormaliser(ref).fit(extra_skills=extra)
        self.skills_ = skills
        rome = RomeNormaliser(ref).fit()
        self.rome_ = rome

        self.offers_ = self._prepare_offers(off, skills, rome)
        self.candidates_ = self._prepare_candidates(cand, skills, rome)
        warnings += self.offers_.warnings + self.candidates_.warnings

        # Text similarity: vocabulary and IDF learnt on the offers and the reference.
        ref_docs = []
        for code, label, titles in zip(ref.jobs["code"], ref.jobs["label"], ref.jobs["titles"]):
            words = tokens(label) + [w for t in titles for w in tokens(t)]
            words += [w for s in ref.skills_of(code) for f in ref.skills.at[s, "forms"] for w in tokens(f)]
            ref_docs.append(words)
        self.text_ = TextSimilarity(min_df=2).fit(self.offers_.docs, always=ref_docs)
        W_o = self.text_.transform(self.offers_.docs, fuzzy=False)
        self._text_side = self.text_.side(W_o)
        self._W_o = W_o
        self._W_c = self.text_.transform(self.candidates_.docs, fuzzy=True)
        self._norm_c = self.text_.norms(self._W_c)

        self._build_matrices()
        self.warnings_ = tuple(warnings)
        return self

    def _rome_codes(self, titles: pd.Series, given: pd.Series | None, rome: RomeNormaliser) -> tuple[list, np.ndarray]:
        suggestions = rome.suggest_many(titles.tolist(), k=3)
        out, weak = [], np.zeros(len(titles), dtype=bool)
        codes_known = set(self.reference_.jobs["code"])
        for i, sugg in enumerate(suggestions):
            if given is not None:
                code = str(given.iloc[i]).strip().upper() if pd.notna(given.iloc[i]) else ""
                if code in codes_known:
                    out.append([(code, 100.0)])
                    continue
            kept = [(s.code, s.score) for s in sugg if s.score >= rome.min_score]
            weak[i] = not kept
            out.append(kept)
        return out, weak

    def _prepare_offers(self, off: pd.DataFrame, skills: SkillNormaliser, rome: RomeNormaliser) -> _Side:
        who = ("offre", "offres")
        warnings: list[str] = []
        n = len(off)
        req = [skills.parse(c) for c in off["skills_required"]]
        des = [skills.parse(c) for c in off["skills_desired"]]
        none_listed = np.asarray([not r and not d for r, d in zip(req, des)])
        from_text = np.zeros(n, dtype=bool)
        for i in np.flatnonzero(none_listed):
            found = skills.extract(f"{off['title'].iloc[i]} {off['description'].iloc[i] if pd.notna(off['description'].iloc[i]) else ''}")
            req[i] = found
            from_text[i] = bool(found)
        if none_listed.any():
            rows = prep._rows(off, none_listed)
            still = int((none_listed & ~from_text).sum())
            tail = f" ; aucune trouvée pour {plural(still, 'offre')} : leur part « compétences » reprend la similarité de texte" if still else ""
            warnings.append(prep.warn(int(none_listed.sum()), who, f"sans compétences renseignées : compétences lues dans l'intitulé et la description{tail}", rows))
        empty_desc = prep._blank(off["description"])
        if empty_desc.any():
            warnings.append(prep.warn(int(empty_desc.sum()), who, "sans description : le texte comparé se limite à l'intitulé et aux compétences", prep._rows(off, empty_desc)))

        loc = prep.locate(off)
        warnings += _location_warnings(loc, off, who)

        codes, weak = self._rome_codes(off["title"], off["rome_code"], rome)
        if weak.any():
            warnings.append(prep.warn(int(weak.sum()), who, "dont l'intitulé ne correspond à aucun métier du référentiel ROME chargé : part « métier » nulle", prep._rows(off, weak)))

        contract = np.asarray([prep.contract_type(v) for v in off["contract"]], dtype=object)
        unknown_contract = (contract == None) & ~prep._blank(off["contract"])  # noqa: E711
        if unknown_contract.any():
            warnings.append(prep.warn(int(unknown_contract.sum()), who, f"dont le type de contrat n'est pas reconnu ({prep._examples(off['contract'][unknown_contract])}) : compatibilité de contrat non vérifiée", prep._rows(off, unknown_contract)))
        contract[contract == "*"] = None
        hours = pd.to_numeric(off["hours"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        start, bad_start = prep.parse_days(off["start_date"], self.reference_date_, immediate_words=True)
        if bad_start.any():
            warnings.append(prep.warn(int(bad_start.sum()), who, "dont la date de début est illisible : début immédiat supposé", prep._rows(off, bad_start)))
        start = np.where(np.isnan(start), 0.0, start)

        docs = [
            tokens(t) + tokens(r) + tokens(d) + tokens(x)
            for t, r, d, x in zip(off["title"], off["skills_required"], off["skills_desired"], off["description"])
        ]
        frame = pd.DataFrame(
            {
                "offer_id": off["offer_id"].astype(str).to_numpy(),
                "title": off["title"].astype(str).to_numpy(),
                "commune": off["commune"].to_numpy(dtype=object),
                "contract": contract,
                "hours": hours,
                "start_day": start,
                "skills_from_text": from_text,
            },
            index=off.index,
        )
        frame["required"] = req
        frame["desired"] = [[s for s in d if s not in set(r)] for r, d in zip(req, des)]
        return _Side(frame["offer_id"].to_numpy(), frame, docs, loc.latitude, loc.longitude, codes, warnings)

    def _prepare_candidates(self, cand: pd.DataFrame, skills: SkillNormaliser, rome: RomeNormaliser) -> _Side:
        who = ("candidat", "candidats")
        warnings: list[str] = []
        n = len(cand)
        listed = [skills.parse(c) for c in cand["skills"]]
        none_listed = np.asarray([not s for s in listed])
        from_text = np.zeros(n, dtype=bool)
        for i in np.flatnonzero(none_listed):
            found = skills.extract(f"{cand['desired_job'].iloc[i]} {cand['experience'].iloc[i] if pd.notna(cand['experience'].iloc[i]) else ''}")
            listed[i] = found
            from_text[i] = bool(found)
        if none_listed.any():
            still = int((none_listed & ~from_text).sum())
            tail = f" ; aucune trouvée pour {plural(still, 'candidat')} : leur part « compétences » reprend la similarité de texte" if still else ""
            warnings.append(prep.warn(int(none_listed.sum()), who, f"sans compétences renseignées : compétences lues dans le texte de l'expérience{tail}", prep._rows(cand, none_listed)))
        empty_exp = prep._blank(cand["experience"])
        if empty_exp.any():
            warnings.append(prep.warn(int(empty_exp.sum()), who, "sans texte d'expérience : le texte comparé se limite au métier et aux compétences", prep._rows(cand, empty_exp)))

        loc = prep.locate(cand)
        warnings += _location_warnings(loc, cand, who)

        radius, bad_radius, empty_radius = prep.parse_radius(cand["mobility_km"], self.default_radius_km)
        default = f"{num(self.default_radius_km)}\u00a0km"
        if bad_radius.any():
            warnings.append(prep.warn(int(bad_radius.sum()), who, f"dont le rayon de mobilité n'est pas un nombre de kilomètres ({prep._examples(cand['mobility_km'][bad_radius])}) : {default} par défaut", prep._rows(cand, bad_radius)))
        if empty_radius.any():
            warnings.append(prep.warn(int(empty_radius.sum()), who, f"sans rayon de mobilité : {default} par défaut", prep._rows(cand, empty_radius)))

        codes, weak = self._rome_codes(cand["desired_job"], None, rome)
        if weak.any():
            warnings.append(prep.warn(int(weak.sum()), who, "dont le métier recherché ne correspond à aucun métier du référentiel ROME chargé : part « métier » nulle", prep._rows(cand, weak)))

        accepted, unknown_items = [], []
        for v in cand["contracts"]:
            acc, unk = prep.accepted_contracts(v)
            accepted.append(acc)
            unknown_items.append(unk)
        bad_contract = np.asarray([bool(u) for u in unknown_items])
        if bad_contract.any():
            examples = [u for us in unknown_items for u in us]
            warnings.append(prep.warn(int(bad_contract.sum()), who, f"dont un type de contrat n'est pas reconnu ({prep._examples(examples)}) : ignoré", prep._rows(cand, bad_contract)))
        times = [prep.work_time(v) for v in cand["work_time"]]
        avail, bad_avail = prep.parse_days(cand["availability"], self.reference_date_, immediate_words=True)
        if bad_avail.any():
            warnings.append(prep.warn(int(bad_avail.sum()), who, f"dont la disponibilité est illisible ({prep._examples(cand['availability'][bad_avail])}) : non prise en compte", prep._rows(cand, bad_avail)))

        docs = [tokens(j) + tokens(s) + tokens(e) for j, s, e in zip(cand["desired_job"], cand["skills"], cand["experience"])]
        frame = pd.DataFrame(
            {
                "candidate_id": cand["candidate_id"].astype(str).to_numpy(),
                "desired_job": cand["desired_job"].astype(str).to_numpy(),
                "radius_km": radius,
                "available_day": avail,
                "time_pref": [t[0] for t in times],
                "max_hours": [t[1] for t in times],
                "skills_from_text": from_text,
            },
            index=cand.index,
        )
        frame["skills"] = listed
        frame["accepted"] = accepted
        return _Side(frame["candidate_id"].to_numpy(), frame, docs, loc.latitude, loc.longitude, codes, warnings)

    def _build_matrices(self) -> None:
        off, cand = self.offers_, self.candidates_
        n_c, n_o = len(cand.ids), len(off.ids)
        # Skills: candidates' skills (0/1, sparse) and, per offer, the weight of each skill in its part.
        vocab: dict[str, int] = {}
        for lst in [*off.frame["required"], *off.frame["desired"]]:
            for s in lst:
                vocab.setdefault(s, len(vocab))
        self._skill_vocab = vocab
        C = skill_matrix(list(cand.frame["skills"]), vocab)
        R = skill_matrix(list(off.frame["required"]), vocab).toarray().T  # skills × offers
        D = skill_matrix(list(off.frame["desired"]), vocab).toarray().T
        n_req, n_des = R.sum(axis=0), D.sum(axis=0)
        w_req = np.where(n_des > 0, REQUIRED_SHARE, 1.0) * (n_req > 0)
        w_des = np.where(n_req > 0, 1 - REQUIRED_SHARE, 1.0) * (n_des > 0)
        Ot = R * np.divide(w_req, n_req, out=np.zeros_like(w_req, dtype=float), where=n_req > 0)
        Ot = Ot + D * np.divide(w_des, n_des, out=np.zeros_like(w_des, dtype=float), where=n_des > 0)
        self._C_sk = C
        self._O_sk = np.ascontiguousarray(Ot, dtype=np.float32)
        self._offer_no_skill = (n_req + n_des) == 0
        self._cand_no_skill = np.asarray(C.sum(axis=1)).ravel() == 0

        # ROME: per candidate, the value of each code (1 for the desired job, 0.4 for its domain…).
        code_list = list(self.reference_.jobs["code"])
        code_index = {c: i for i, c in enumerate(code_list)}
        M = np.zeros((n_c, len(code_list) + 1), dtype=np.float32)
        domain_of = np.asarray([c[:3] for c in code_list])
        for i, sugg in enumerate(cand.codes):
            if not sugg:
                continue
            M[i, : len(code_list)] = np.where(domain_of == sugg[0][0][:3], DOMAIN_SCORE, 0.0)
            top = sugg[0][1]
            for rank, (code, score) in enumerate(sugg):
                if rank and top - score > AMBIGUITY_MARGIN:
                    continue  # a clear first choice: the others do not count
                weight = 1.0 if rank == 0 else 0.8 * score / top
                M[i, code_index[code]] = max(M[i, code_index[code]], weight)
        self._M_code = M
        self._o_code = np.asarray([code_index[s[0][0]] if s else len(code_list) for s in off.codes])

        # Contract type × working time: candidates' value (contract accepted + time compatible) per category.
        types = {t: i for i, t in enumerate(prep.CONTRACTS)}
        n_t = len(types) + 1
        hours = off.frame["hours"].to_numpy(dtype=float)
        h_cat = np.select([np.isnan(hours), hours >= FULL_TIME_HOURS, hours >= FULL_TIME_HOURS - 4], [0, 1, 2], 3)
        t_cat = np.asarray([types.get(c, len(types)) if c else len(types) for c in off.frame["contract"]])
        self._o_ct = t_cat * 4 + h_cat
        A = np.zeros((n_c, n_t * 4), dtype=np.float32)
        for i, (acc, pref) in enumerate(zip(cand.frame["accepted"], cand.frame["time_pref"])):
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
            A[i] = (ok[:, None] + time_ok[None, :]).ravel()
        self._A_ct = A
        self._c_maxh = cand.frame["max_hours"].to_numpy(dtype=np.float32)
        self._o_hours = hours.astype(np.float32)

        # Availability: candidates' value for each distinct start date of the offers.
        start = off.frame["start_day"].to_numpy(dtype=float)
        days, self._o_start = np.unique(start, return_inverse=True)
        avail = cand.frame["available_day"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            Av = np.clip(1 - (avail[:, None] - days[None, :] - 14) / 60, 0, 1)
        Av[np.isnan(Av)] = 1.0
        self._A_av = Av.astype(np.float32)

        # One-hot columns of the offers for the three categorical parts (one product scores them all).
        n_code = M.shape[1]
        right = np.zeros((n_code + A.shape[1] + len(days), n_o), dtype=np.float32)
        cols = np.arange(n_o)
        right[self._o_code, cols] = 1
        right[n_code + self._o_ct, cols] = 1
        right[n_code + A.shape[1] + self._o_start, cols] = 1
        self._right = right
        self._cat_sizes = (n_code, A.shape[1], len(days))

        # Places: offers grouped by location (usually the commune's centroid).
        xyz = _xyz(off.lat, off.lon)
        key = np.where(np.isnan(xyz), 1e9, np.round(xyz, 3))
        uniq, self._o_loc = np.unique(key, axis=0, return_inverse=True)
        self._loc_xyz = np.where(uniq >= 1e8, np.nan, uniq).astype(np.float32)
        self._c_xyz = _xyz(cand.lat, cand.lon)
        self._c_radius = np.maximum(cand.frame["radius_km"].to_numpy(dtype=np.float32), 0.1)
        self._o_rome = np.asarray([c[0][0] if c else "" for c in off.codes], dtype=object)
        self._c_rome = np.asarray([c[0][0] if c else "" for c in cand.codes], dtype=object)

    # ---------------------------------------------------------------- parts
    def _distances(self, ci: np.ndarray, loc: np.ndarray) -> np.ndarray:
        """Chord distance (km) from candidates *ci* to locations *loc* (exact to a few metres at this scale)."""
        a, b = self._c_xyz[ci], self._loc_xyz[loc]
        d = np.zeros((len(ci), len(loc)), dtype=np.float32)
        for axis in range(3):
            diff = a[:, axis][:, None] - b[:, axis][None, :]
            d += diff * diff
        return np.sqrt(d, out=d)

    def _distance_part(self, dist: np.ndarray, radius: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Part (1 on the spot, 0.5 at the radius, 0 at twice the radius; 0.5 unknown) and the outside mask."""
        ratio = dist / radius
        part = np.clip(1 - 0.5 * ratio, 0, 1)
        unknown = np.isnan(dist)
        part[unknown] = 0.5
        outside = (ratio > 1) & ~unknown
        return part.astype(np.float32, copy=False), outside

    def _left(self, ci: np.ndarray, w: dict[str, float]) -> np.ndarray:
        c3 = w["contrat"] / 3
        return np.hstack([w["metier"] * self._M_code[ci], c3 * self._A_ct[ci], c3 * self._A_av[ci]])

    def _chunk(self, ci: np.ndarray, oj: np.ndarray, w: dict[str, float], O_sk_w: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scores (and text part) of candidates *ci* × offers *oj*; −inf outside the mobility radius."""
        text = self.text_.block(self._W_c[ci], self._text_side[:, oj], self._norm_c[ci])
        score = self._left(ci, w) @ right
        score += text * np.float32(w["texte"])
        if w["competences"]:
            score += np.asarray(self._C_sk[ci] @ O_sk_w, dtype=np.float32)
            rows = self._cand_no_skill[ci]
            cols = self._offer_no_skill[oj]
            if rows.any():
                score[rows] += np.float32(w["competences"]) * text[rows]
            if cols.any():
                r = np.flatnonzero(~rows)
                score[np.ix_(r, np.flatnonzero(cols))] += np.float32(w["competences"]) * text[np.ix_(r, np.flatnonzero(cols))]
        maxh = self._c_maxh[ci]
        capped = np.flatnonzero(np.isfinite(maxh))
        if len(capped) and w["contrat"]:
            too_long = (maxh[capped][:, None] + 2 < self._o_hours[oj][None, :]).astype(np.float32)
            score[capped] -= np.float32(w["contrat"] / 6) * too_long
        locs, inverse = np.unique(self._o_loc[oj], return_inverse=True)
        part, outside = self._distance_part(self._distances(ci, locs), self._c_radius[ci][:, None])
        add = part * np.float32(w["distance"])
        if self.distance_filter:
            add[outside] = -np.inf
        score += np.take(add, inverse, axis=1)
        return score, text

    def _pair_parts(self, c: np.ndarray, o: np.ndarray, text: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The five parts and the distance of the pairs (c[n], o[n])."""
        sub = self._C_sk[c]
        rows = np.repeat(np.arange(len(c)), np.diff(sub.indptr))
        skills = np.bincount(rows, weights=self._O_sk[sub.indices, o[rows]], minlength=len(c)).astype(np.float32)
        fallback = self._cand_no_skill[c] | self._offer_no_skill[o]
        skills[fallback] = text[fallback]
        metier = self._M_code[c, self._o_code[o]]
        compat = self._A_ct[c, self._o_ct[o]] + self._A_av[c, self._o_start[o]]
        with np.errstate(invalid="ignore"):
            compat -= 0.5 * (self._c_maxh[c] + 2 < self._o_hours[o])
        compat = compat / 3
        diff = self._c_xyz[c] - self._loc_xyz[self._o_loc[o]]
        dist = np.sqrt((diff * diff).sum(axis=1))
        distance, _ = self._distance_part(dist, self._c_radius[c])
        return {"texte": text, "competences": skills, "metier": metier, "distance": distance, "contrat": compat.astype(np.float32)}, dist

    def parts(self, ci=slice(None), oj=slice(None)) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Full matrices of the five parts for candidates *ci* × offers *oj*, the distances (km) and the outside mask.

        Meant for small tables (a page, a test, an explanation); :meth:`rank` never builds them.
        """
        ci = np.arange(len(self.candidates_.ids))[ci] if isinstance(ci, slice) else np.asarray(ci)
        oj = np.arange(len(self.offers_.ids))[oj] if isinstance(oj, slice) else np.asarray(oj)
        text = self.text_.block(self._W_c[ci], self._text_side[:, oj], self._norm_c[ci])
        c = np.repeat(ci, len(oj))
        o = np.tile(oj, len(ci))
        flat, dist = self._pair_parts(c, o, text.ravel())
        shape = (len(ci), len(oj))
        parts = {p: v.reshape(shape) for p, v in flat.items()}
        dist = dist.reshape(shape)
        outside = (dist / self._c_radius[ci][:, None] > 1) & ~np.isnan(dist)
        return parts, dist, outside

    # ---------------------------------------------------------------- rank
    def rank(
        self,
        k: int = 10,
        direction: Literal["offers", "candidates"] = "offers",
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
        if direction not in ("offers", "candidates"):
            raise ValueError("direction must be 'offers' or 'candidates'")
        w = normalise_weights(weights if weights is not None else self.weights)
        n_c, n_o = len(self.candidates_.ids), len(self.offers_.ids)
        if direction == "offers":
            cand_idx = np.arange(n_c) if queries is None else np.asarray(queries, dtype=int)
            offer_idx = np.arange(n_o)
        else:
            cand_idx = np.arange(n_c)
            offer_idx = np.arange(n_o) if queries is None else np.asarray(queries, dtype=int)
        O_sk_w = np.ascontiguousarray(self._O_sk[:, offer_idx] * np.float32(w["competences"]))
        right = np.ascontiguousarray(self._right[:, offer_idx])
        k_eff = max(0, min(int(k), len(offer_idx) if direction == "offers" else len(cand_idx)))
        blocks = [cand_idx[s : s + self.chunk_size] for s in range(0, len(cand_idx), self.chunk_size)]

        def work(ci: np.ndarray):
            score, text = self._chunk(ci, offer_idx, w, O_sk_w, right)
            if direction == "offers":
                axis_len = score.shape[1]
                kk = min(k_eff, axis_len)
                top = np.argpartition(-score, kk - 1, axis=1)[:, :kk] if kk < axis_len else np.tile(np.arange(axis_len), (len(ci), 1))
                rows = np.arange(len(ci))[:, None]
                return ci[rows].repeat(kk, axis=1), offer_idx[top], score[rows, top], text[rows, top]
            kk = min(k_eff, score.shape[0])
            top = np.argpartition(-score, kk - 1, axis=0)[:kk] if kk < score.shape[0] else np.tile(np.arange(score.shape[0])[:, None], (1, score.shape[1]))
            cols = np.arange(score.shape[1])[None, :]
            return ci[top], offer_idx[cols].repeat(kk, axis=0), score[top, cols], text[top, cols]

        jobs = self.n_jobs or min(2, os.cpu_count() or 1)
        if jobs > 1 and len(blocks) > 1:
            with ThreadPoolExecutor(jobs) as pool:
                pieces = list(pool.map(work, blocks))
        else:
            pieces = [work(b) for b in blocks]
        c_all, o_all, s_all, t_all = (np.concatenate([p[i] for p in pieces], axis=0) for i in range(4))
        if direction == "candidates" and c_all.shape[0] > k_eff:
            top = np.argpartition(-s_all, k_eff - 1, axis=0)[:k_eff]
            cols = np.arange(s_all.shape[1])[None, :]
            c_all, o_all, s_all, t_all = c_all[top, cols], o_all[top, cols], s_all[top, cols], t_all[top, cols]
        if direction == "candidates":
            c_all, o_all, s_all, t_all = c_all.T, o_all.T, s_all.T, t_all.T
        # Now one row per query, its items in any order: sort them, drop the filtered ones.
        order = np.argsort(-s_all, axis=1, kind="stable")
        r = np.arange(s_all.shape[0])[:, None]
        c_all, o_all, s_all, t_all = c_all[r, order], o_all[r, order], s_all[r, order], t_all[r, order]
        keep = np.isfinite(s_all)
        ranks = np.cumsum(keep, axis=1)[keep]
        c_pos, o_pos, score, text = c_all[keep], o_all[keep], s_all[keep], t_all[keep]
        parts, dist = self._pair_parts(c_pos, o_pos, text.astype(np.float32))
        merged = {"rank": ranks, "score": score, "distance_km": dist, **parts}
        frame = self._frame(c_pos, o_pos, merged, details)
        return MatchResult(
            frame=frame,
            direction=direction,
            k=k_eff,
            weights=w,
            warnings=self.warnings_,
            ignored_columns=self.ignored_columns_,
            n_candidates=n_c,
            n_offers=n_o,
        )

    def _frame(self, c_pos: np.ndarray, o_pos: np.ndarray, merged: dict, details: bool) -> pd.DataFrame:
        cand, off = self.candidates_, self.offers_
        frame = pd.DataFrame(
            {
                "candidate_id": cand.ids[c_pos],
                "offer_id": off.ids[o_pos],
                "rank": merged["rank"].astype(int),
                "score": np.round(100 * merged["score"].astype(float), 1),
                **{p: np.round(merged[p].astype(float), 3) for p in PARTS},
                "distance_km": np.round(merged["distance_km"].astype(float), 1),
                "radius_km": cand.frame["radius_km"].to_numpy()[c_pos],
                "offer_title": off.frame["title"].to_numpy()[o_pos],
                "offer_rome": self._o_rome[o_pos],
                "candidate_job": cand.frame["desired_job"].to_numpy()[c_pos],
                "candidate_rome": self._c_rome[c_pos],
            }
        )
        if details:
            have_sets = [set(x) for x in cand.frame["skills"]]
            req = off.frame["required"].to_numpy()
            des = off.frame["desired"].to_numpy()
            all_skills = {s for lst in (*req, *des) for s in lst}
            label = {s: self.skills_.label(s) for s in all_skills}
            training = {s: self.skills_.training(s) for s in all_skills}
            matched, miss_r, miss_d, trainings = [], [], [], []
            for i, j in zip(c_pos.tolist(), o_pos.tolist()):
                have = have_sets[i]
                r, d = req[j], des[j]
                matched.append(" ; ".join([label[x] for x in r if x in have] + [label[x] for x in d if x in have]))
                mr = [x for x in r if x not in have]
                miss_r.append(" ; ".join([label[x] for x in mr]))
                miss_d.append(" ; ".join([label[x] for x in d if x not in have]))
                trainings.append(" ; ".join([training[x] for x in mr[:3]]))
            frame["matched_skills"] = matched
            frame["missing_required"] = miss_r
            frame["missing_desired"] = miss_d
            frame["trainings"] = trainings
        return frame

    # -------------------------------------------------------------- helpers
    def positions(self, ids, side: Literal["candidates", "offers"] = "candidates") -> np.ndarray:
        """Positions of the given ids in the fitted tables."""
        known = self.candidates_.ids if side == "candidates" else self.offers_.ids
        lookup = {v: i for i, v in enumerate(known)}
        return np.asarray([lookup[str(v)] for v in ids if str(v) in lookup], dtype=int)

    def rome_table(self, side: Literal["candidates", "offers"] = "candidates") -> pd.DataFrame:
        """The ROME suggestions (up to three, with scores) of every title."""
        s = self.candidates_ if side == "candidates" else self.offers_
        titles = s.frame["desired_job"] if side == "candidates" else s.frame["title"]
        rows = []
        for ident, title, sugg in zip(s.ids, titles, s.codes):
            row = {"id": ident, "intitulé": title}
            for r in range(3):
                code, score = sugg[r] if r < len(sugg) else (None, np.nan)
                row[f"code {r + 1}"] = code
                row[f"métier {r + 1}"] = self.reference_.job_label(code) if code else None
                row[f"score {r + 1}"] = score
            rows.append(row)
        return pd.DataFrame(rows)


def _xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on a sphere of the Earth's mean radius, in km (NaN where unknown)."""
    phi, lam = np.radians(lat), np.radians(lon)
    r = 6371.0088
    return np.stack([r * np.cos(phi) * np.cos(lam), r * np.cos(phi) * np.sin(lam), r * np.sin(phi)], axis=1).astype(np.float32)


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


def explain_match(row, weights: dict) -> list[str]:
    """French sentences explaining one match (a row of ``MatchResult.frame``)."""
    row = dict(row)
    lines = [
        f"Score {num(row['score'], 0)}/100 = "
        + " + ".join(f"{PART_LABELS[p].split(' (')[0].lower()} {num(100 * weights[p] * row[p], 0)}" for p in PARTS if weights[p] > 0)
        + "."
    ]
    if row.get("matched_skills"):
        lines.append(f"Compétences en commun : {row['matched_skills']}.")
    if row.get("missing_required"):
        lines.append(f"Compétences requises manquantes : {row['missing_required']}.")
        if row.get("trainings"):
            lines.append(f"Formation à proposer : {row['trainings']}.")
    if row.get("missing_desired"):
        lines.append(f"Compétences souhaitées manquantes : {row['missing_desired']}.")
    if np.isfinite(row.get("distance_km", np.nan)):
        lines.append(f"Distance : {num(row['distance_km'], 1)}\u00a0km pour un rayon de mobilité de {num(row['radius_km'], 0)}\u00a0km.")
    else:
        lines.append("Distance inconnue (commune non reconnue) : la part « distance » vaut 0,5.")
    if row.get("offer_rome"):
        same = row.get("candidate_rome") == row.get("offer_rome")
        lines.append(
            f"Métier de l'offre : {row['offer_rome']} ; métier recherché : {row.get('candidate_rome') or 'non reconnu'}"
            + (" (identiques)." if same else ".")
        )
    return [typography(line) for line in lines]


def _location_warnings(loc, frame: pd.DataFrame, who: tuple[str, str]) -> list[str]:
    """Warnings for rows whose place is unknown or missing (offers and candidates alike)."""
    warnings = []
    if loc.unknown_mask.any():
        warnings.append(prep.warn(int(loc.unknown_mask.sum()), who, f"dont la commune est inconnue ({prep._examples(loc.unknown_names)}) : distance non calculée, pas de filtre de distance", prep._rows(frame, loc.unknown_mask)))
    if loc.missing_mask.any():
        warnings.append(prep.warn(int(loc.missing_mask.sum()), who, "sans commune ni coordonnées : distance non calculée", prep._rows(frame, loc.missing_mask)))
    return warnings
