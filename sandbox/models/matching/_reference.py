"""The job reference: ROME 4.0 codes and labels, skills per job, synonyms, trainings, first names.

Files in ``sandbox/data/reference/`` (``;``-separated, UTF-8):

- ``rome.csv``: ``code;libelle;appellations`` — the subset of ROME 4.0 job
  sheets used here (codes and labels are public facts published by France
  Travail), with common job titles (« appellations ») separated by ``|``.
- ``rome_competences.csv``: ``competence;codes;synonymes;formation`` — one
  skill per line, the ROME codes it belongs to (space-separated), its
  synonyms and abbreviations (``|``) and a training to propose when it is
  missing.
- ``prenoms.txt``: first names removed from every text before scoring.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sandbox import PACKAGE_DIR
from sandbox.text import strip_accents

REFERENCE_DIR = PACKAGE_DIR / "data" / "reference"


@dataclass(frozen=True)
class Reference:
    """The job and skill reference.

    Attributes
    ----------
    jobs : DataFrame
        ``code``, ``label``, ``titles`` (list of str), indexed by code.
    skills : DataFrame
        ``skill`` (canonical French label), ``codes`` (list), ``forms``
        (label, synonyms and abbreviations), ``training``; indexed by
        ``skill``.
    """

    jobs: pd.DataFrame
    skills: pd.DataFrame

    def job_label(self, code: str | None) -> str:
        if code is None or code not in self.jobs.index:
            return ""
        return str(self.jobs.at[code, "label"])

    def skills_of(self, code: str) -> list[str]:
        """The skills of a ROME code, in the reference's order."""
        return [s for s, codes in zip(self.skills["skill"], self.skills["codes"]) if code in codes]


@lru_cache(maxsize=4)
def load_reference(directory: str | None = None) -> Reference:
    """Read the reference files (cached).

    Examples
    --------
    >>> ref = load_reference()
    >>> ref.job_label("K2204")
    'Nettoyage de locaux'
    >>> "BAFA" in ref.skills_of("G1203")
    True
    """
    folder = Path(directory) if directory else REFERENCE_DIR
    jobs = pd.read_csv(folder / "rome.csv", sep=";", dtype=str, encoding="utf-8")
    jobs = pd.DataFrame(
        {
            "code": jobs["code"].str.strip(),
            "label": jobs["libelle"].str.strip(),
            "titles": [[t.strip() for t in str(a).split("|") if t.strip()] for a in jobs["appellations"].fillna("")],
        }
    ).set_index("code", drop=False)
    skills = pd.read_csv(folder / "rome_competences.csv", sep=";", dtype=str, encoding="utf-8").fillna("")
    skills = pd.DataFrame(
        {
            "skill": skills["competence"].str.strip(),
            "codes": [c.split() for c in skills["codes"]],
            "forms": [
                [s.strip()] + [f.strip() for f in syn.split("|") if f.strip()]
                for s, syn in zip(skills["competence"], skills["synonymes"])
            ],
            "training": skills["formation"].str.strip(),
        }
    ).set_index("skill", drop=False)
    return Reference(jobs=jobs, skills=skills)


def _fold_name(name: str) -> str:
    return strip_accents(name.strip().lower())


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Folded first names (« mohamed », « marie », « kevin »…) never read by the model."""
    names = set()
    for line in (REFERENCE_DIR / "prenoms.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for part in _fold_name(line).replace("-", " ").split():
            names.add(part)
    return frozenset(names)


@lru_cache(maxsize=1)
def first_name_display() -> tuple[str, ...]:
    """First names as written in the file (with accents), for the discrimination test."""
    return tuple(
        line.strip()
        for line in (REFERENCE_DIR / "prenoms.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
