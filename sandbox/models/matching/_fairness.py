"""Fairness check: the discrimination test (counterfactual names and gender marks)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.models.matching._prepare import protected_columns
from sandbox.models.matching._reference import first_name_display

# Masculine ↔ feminine forms swapped by the test (job titles, adjectives of self-description, civilities).
GENDER_PAIRS: tuple[tuple[str, str], ...] = (
    ("il", "elle"), ("monsieur", "madame"), ("né", "née"),
    ("animateur", "animatrice"), ("aide-soignant", "aide-soignante"), ("agent", "agente"),
    ("cuisinier", "cuisinière"), ("jardinier", "jardinière"), ("policier", "policière"),
    ("chauffeur", "chauffeuse"), ("conducteur", "conductrice"), ("éducateur", "éducatrice"),
    ("assistant", "assistante"), ("employé", "employée"), ("technicien", "technicienne"),
    ("gardien", "gardienne"), ("médiateur", "médiatrice"), ("conseiller", "conseillère"),
    ("infirmier", "infirmière"), ("livreur", "livreuse"), ("plongeur", "plongeuse"),
    ("magasinier", "magasinière"), ("mécanicien", "mécanicienne"), ("électricien", "électricienne"),
    ("ouvrier", "ouvrière"), ("surveillant", "surveillante"), ("accompagnant", "accompagnante"),
    ("intervenant", "intervenante"), ("brigadier", "brigadière"), ("maître-nageur", "maître-nageuse"),
    ("adjoint", "adjointe"), ("chargé", "chargée"), ("salarié", "salariée"), ("diplômé", "diplômée"),
    ("motivé", "motivée"), ("sérieux", "sérieuse"), ("rigoureux", "rigoureuse"), ("organisé", "organisée"),
    ("polyvalent", "polyvalente"), ("expérimenté", "expérimentée"), ("formé", "formée"),
    ("habitué", "habituée"), ("prêt", "prête"), ("ponctuel", "ponctuelle"), ("attentif", "attentive"),
    ("patient", "patiente"), ("passionné", "passionnée"), ("investi", "investie"), ("habilité", "habilitée"),
    ("titulaire", "titulaire"), ("plombier", "plombière"), ("sportif", "sportive"), ("jardinier-paysagiste", "jardinière-paysagiste"),
)
# First names given by the test; the last two are deliberately absent from the list the model removes,
# so the test also checks that a name it does not know cannot move a ranking.
SWAP_NAMES: tuple[str, ...] = ("Mohamed", "Pierre", "Marie", "Fatoumata", "Kévin", "Mei", "Oluwaseun", "Thanh-Huong")
TEXT_COLUMNS = ("desired_job", "skills", "experience")


def _case_like(source: str, word: str) -> str:
    if source.isupper() and len(source) > 1:
        return word.upper()
    if source[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


_FLIP = {}
for _m, _f in GENDER_PAIRS:
    if _m != _f:
        _FLIP[_m] = _f
        _FLIP[_f] = _m
_GENDER_RE = re.compile(r"(?<![\w-])(" + "|".join(sorted((re.escape(w) for w in _FLIP), key=len, reverse=True)) + r")(?![\w-])", re.IGNORECASE)
_CIVILITY_RE = re.compile(r"\b(M\.|Mme)(?=\s)")


def _name_regex() -> re.Pattern:
    names = {*first_name_display(), *SWAP_NAMES}
    return re.compile(r"(?<![\w-])(" + "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True)) + r")(?![\w-])", re.IGNORECASE)


def flip_gender(text: str) -> str:
    """Swap masculine and feminine marks (« aide-soignant » ↔ « aide-soignante », « il » ↔ « elle », M. ↔ Mme).

    >>> flip_gender("Il est aide-soignant diplômé, M. Martin.")
    'Elle est aide-soignante diplômée, Mme Martin.'
    """
    text = _GENDER_RE.sub(lambda m: _case_like(m.group(0), _FLIP[m.group(0).lower()]), text)
    return _CIVILITY_RE.sub(lambda m: "Mme" if m.group(1) == "M." else "M.", text)


@dataclass(frozen=True)
class Counterfactual:
    """Candidates with other first names and the other gender marks.

    Attributes
    ----------
    frame : DataFrame
        Same rows and columns, texts changed.
    changed : DataFrame
        ``candidate_id``, ``column``, ``before``, ``after`` for every changed cell.
    """

    frame: pd.DataFrame
    changed: pd.DataFrame


def counterfactual(candidates: pd.DataFrame, seed: int = 0) -> Counterfactual:
    """Change first names and gender marks in the candidates' texts (and names, sex, age… columns).

    Every first name found in a text (or in the ``name`` column) is replaced
    by another one drawn from :data:`SWAP_NAMES`; every gender mark of
    :data:`GENDER_PAIRS` is flipped; columns whose name says they hold
    protected data (sex, age, nationality…) are shuffled across rows.

    Examples
    --------
    >>> cf = counterfactual(pd.DataFrame({"candidate_id": ["1"], "experience": ["Marie, animatrice BAFA"]}), seed=1)
    >>> cf.frame.loc[0, "experience"] != "Marie, animatrice BAFA", "animateur" in cf.frame.loc[0, "experience"]
    (True, True)
    """
    rng = np.random.default_rng(seed)
    names = _name_regex()
    out = candidates.copy()
    changes = []

    def swap(text: object, cid: str, column: str) -> object:
        if not isinstance(text, str) or not text:
            return text

        def other(m: re.Match) -> str:
            choices = [n for n in SWAP_NAMES if n.lower() != m.group(0).lower()]
            return choices[int(rng.integers(len(choices)))]

        new = flip_gender(names.sub(other, text))
        if new != text:
            changes.append((cid, column, text, new))
        return new

    ids = out["candidate_id"].astype(str).tolist() if "candidate_id" in out.columns else [str(i) for i in range(len(out))]
    for column in (*TEXT_COLUMNS, "name"):
        if column in out.columns:
            out[column] = [swap(v, cid, column) for v, cid in zip(out[column], ids)]
    for column in protected_columns(out.columns):
        if column != "name":
            out[column] = out[column].to_numpy()[rng.permutation(len(out))]
    changed = pd.DataFrame(changes, columns=["candidate_id", "column", "before", "after"])
    return Counterfactual(out, changed)


@dataclass(frozen=True)
class DiscriminationReport:
    """What the discrimination test measured.

    Attributes
    ----------
    n_candidates, n_offers : int
    n_changed : int
        Candidates whose texts or name changed in the counterfactual.
    identical_offer_lists : float
        Share of candidates whose top-k offers (ids and order) did not move.
    identical_candidate_lists : float
        Share of offers whose top-k candidates did not move.
    max_score_change : float
        Largest change of a score (0-100) among the pairs listed.
    control_offer_lists, control_candidate_lists : float
        The same shares for a naive text matcher (TF-IDF on the raw text,
        no neutralisation): shows that the test does catch a biased matcher.
    examples : DataFrame
        A few changed texts, before and after.
    k : int
    seed : int
    """

    n_candidates: int
    n_offers: int
    n_changed: int
    identical_offer_lists: float
    identical_candidate_lists: float
    max_score_change: float
    control_offer_lists: float
    control_candidate_lists: float
    examples: pd.DataFrame
    k: int
    seed: int

    @property
    def passed(self) -> bool:
        return self.identical_offer_lists == 1.0 and self.identical_candidate_lists == 1.0 and self.max_score_change < 1e-6


def _lists(frame: pd.DataFrame, query: str, item: str) -> dict[str, tuple]:
    ordered = frame.sort_values([query, "rank"])
    return {q: tuple(g[item]) for q, g in ordered.groupby(query, sort=False)}


def _share_identical(a: dict, b: dict) -> float:
    keys = set(a) | set(b)
    if not keys:
        return 1.0
    return sum(a.get(key) == b.get(key) for key in keys) / len(keys)


def _naive_lists(candidates: pd.DataFrame, offers: pd.DataFrame, k: int) -> tuple[dict, dict]:
    from sklearn.feature_extraction.text import TfidfVectorizer  # here: coding titles alone never imports scikit-learn

    def text(frame, cols):
        parts = [frame[c].astype("object").where(frame[c].notna(), "").astype(str) if c in frame.columns else pd.Series("", index=frame.index) for c in cols]
        return [" ".join(v) for v in zip(*parts)]

    off_text = text(offers, ("title", "skills_required", "skills_desired", "description"))
    cand_text = text(candidates, ("desired_job", "skills", "experience"))
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True).fit(off_text)
    S = (vec.transform(cand_text) @ vec.transform(off_text).T).toarray()
    cids = candidates["candidate_id"].astype(str).to_numpy()
    oids = offers["offer_id"].astype(str).to_numpy()
    k_o, k_c = min(k, S.shape[1]), min(k, S.shape[0])
    by_cand = {cids[i]: tuple(oids[np.argsort(-S[i], kind="stable")[:k_o]]) for i in range(S.shape[0])}
    by_offer = {oids[j]: tuple(cids[np.argsort(-S[:, j], kind="stable")[:k_c]]) for j in range(S.shape[1])}
    return by_cand, by_offer


def discrimination_test(candidates: pd.DataFrame, offers: pd.DataFrame, k: int = 10, seed: int = 0, **params) -> DiscriminationReport:
    """Run the real pipeline twice — as is, and with other first names and gender marks — and compare.

    Parameters
    ----------
    candidates, offers : DataFrame
        As for :func:`~sandbox.models.matching.match`.
    k : int
        Length of the ranked lists compared, in both directions.
    seed : int
        Seed of the name draw.
    **params
        Passed to :class:`~sandbox.models.matching.Matcher` (weights, radius…).

    Examples
    --------
    >>> offers = pd.DataFrame({"offer_id": ["O1", "O2"], "title": ["Aide-soignant", "Animateur"],
    ...                        "skills_required": ["DEAS", "BAFA"], "commune": ["Paris", "Paris"]})
    >>> cands = pd.DataFrame({"candidate_id": ["C1", "C2"], "desired_job": ["aide-soignante", "animateur"],
    ...                       "experience": ["Marie, aide-soignante diplômée", "Mohamed, animateur motivé"],
    ...                       "commune": ["Paris", "Paris"]})
    >>> discrimination_test(cands, offers, k=2).passed
    True
    """
    from sandbox.models.matching._model import Matcher

    cf = counterfactual(candidates, seed=seed)
    m1 = Matcher(**params).fit(candidates, offers)
    m2 = Matcher(**params).fit(cf.frame, offers)
    r1o, r2o = m1.rank(k, "offers", details=False), m2.rank(k, "offers", details=False)
    r1c, r2c = m1.rank(k, "candidates", details=False), m2.rank(k, "candidates", details=False)
    joined = r1o.frame.merge(r2o.frame, on=["candidate_id", "offer_id"], how="outer", suffixes=("_a", "_b"))
    diff = (joined["score_a"] - joined["score_b"]).abs()
    max_change = float(diff.max()) if diff.notna().any() else 0.0
    if diff.isna().any():
        max_change = float("inf")
    c1, o1 = _naive_lists(candidates, offers, k)
    c2, o2 = _naive_lists(cf.frame, offers, k)
    examples = cf.changed[cf.changed["column"] == "experience"].head(5)
    return DiscriminationReport(
        n_candidates=len(candidates),
        n_offers=len(offers),
        n_changed=int(cf.changed["candidate_id"].nunique()) if len(cf.changed) else 0,
        identical_offer_lists=_share_identical(_lists(r1o.frame, "candidate_id", "offer_id"), _lists(r2o.frame, "candidate_id", "offer_id")),
        identical_candidate_lists=_share_identical(_lists(r1c.frame, "offer_id", "candidate_id"), _lists(r2c.frame, "offer_id", "candidate_id")),
        max_score_change=max_change,
        control_offer_lists=_share_identical(c1, c2),
        control_candidate_lists=_share_identical(o1, o2),
        examples=examples.reset_index(drop=True),
        k=k,
        seed=seed,
    )
