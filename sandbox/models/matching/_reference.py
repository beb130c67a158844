"""The job reference the matcher reads: the imported ROME 4.0 release, else the bundled extract.

The bundled extract (``sandbox/data/reference/``, ``;``-separated, UTF-8) is
written for the demo: ``rome.csv`` (``code;libelle;appellations``: a few
dozen job sheets common in communes, with everyday job titles),
``rome_competences.csv`` (``competence;codes;synonymes;formation``: skills
with their synonyms, abbreviations and a training to propose),
``rome_sigles.csv`` (``sigle;forme``: abbreviations of job titles, « ATSEM »),
``prenoms.txt`` (first names removed from every text before scoring).

When the user has imported the official release
(:func:`sandbox.data.rome.import_release`), :func:`load_reference` builds
the reference from it: every job sheet, every job title, the skills and
knowledge of each sheet and the mobility links; the extract's synonyms and
trainings are kept on top.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sandbox import PACKAGE_DIR
from sandbox.text import num, strip_accents

REFERENCE_DIR = PACKAGE_DIR / "data" / "reference"
BUNDLED = "extrait"
OFFICIAL = "officiel"


@dataclass(frozen=True, eq=False)
class Reference:
    """The job and skill reference.

    Attributes
    ----------
    jobs : DataFrame
        ``code``, ``label``, ``titles`` (list of str), ``definition``, indexed by code.
    skills : DataFrame
        ``skill`` (canonical French label), ``codes`` (list), ``forms``
        (label, synonyms and abbreviations), ``training`` (may be empty),
        ``kind``; indexed by ``skill``.
    related : dict
        ``{code: (close codes…)}``: the mobility links (empty for the extract).
    source : {"extrait", "officiel"}
    version : str
        « v4.60 » for an imported release, « extrait » otherwise.
    stamp : str
        Fingerprint of the imported release it was built from (empty otherwise): fitted models saved
        beside that release are keyed on it.
    """

    jobs: pd.DataFrame
    skills: pd.DataFrame
    related: dict = field(default_factory=dict)
    source: str = BUNDLED
    version: str = BUNDLED
    stamp: str = ""

    def job_label(self, code: str | None) -> str:
        if code is None or code not in self.jobs.index:
            return ""
        return str(self.jobs.at[code, "label"])

    @cached_property
    def skills_by_code(self) -> dict[str, list[str]]:
        """``{code: [skills…]}`` in the reference's order."""
        out: dict[str, list[str]] = {}
        for skill, codes in zip(self.skills["skill"], self.skills["codes"]):
            for code in codes:
                out.setdefault(code, []).append(skill)
        return out

    @cached_property
    def _words_cache(self) -> dict:
        return {"skill": {}, "code": {}}

    @cached_property
    def _stored_words(self) -> "_SheetWords | None":
        """The words of every sheet saved beside the imported release, or None.

        When none are saved (or they are stale) and the folder is writable, the words of every sheet are
        computed now, once, and saved for the next start (:func:`store_sheet_words`).
        """
        if not self.stamp:
            return None
        from sandbox.data.rome import fitted_writable, load_fitted

        arrays = load_fitted(STORED_WORDS, f"{self.stamp}|{_words_digest()}")
        if arrays is not None:
            try:
                return _SheetWords(arrays, self.jobs["code"].tolist())
            except (KeyError, ValueError):
                pass
        if fitted_writable():
            _save_sheet_words(self)  # fills the words cache too
        return None

    def sheet_words(self, code: str) -> list[str]:
        """The normalised words of a job sheet: label, titles and every form of its skills (cached; for an
        imported release, read from the words saved beside it)."""
        cache = self._words_cache["code"]
        words = cache.get(code)
        if words is None:
            stored = self._stored_words
            words = cache.get(code) or (stored.get(code) if stored is not None else None)
            if words is None:
                words = self._sheet_words(code)
            cache[code] = words
        return words

    def _sheet_words(self, code: str) -> list[str]:
        from sandbox.models.matching._text import tokens

        cache = self._words_cache["skill"]
        words = tokens(self.jobs.at[code, "label"]) + [w for t in self.jobs.at[code, "titles"] for w in tokens(t)]
        forms = self.skills["forms"]
        for skill in self.skills_by_code.get(code, ()):
            if skill not in cache:
                cache[skill] = [w for f in forms[skill] for w in tokens(f)]
            words += cache[skill]
        return words

    def skills_of(self, code: str) -> list[str]:
        """The skills of a ROME code, in the reference's order."""
        return list(self.skills_by_code.get(code, ()))

    @property
    def is_official(self) -> bool:
        return self.source == OFFICIAL

    def describe(self) -> str:
        """One French sentence: which reference is in use, with its counts."""
        n_titles = sum(len(t) for t in self.jobs["titles"])
        if self.is_official:
            return (
                f"Référentiel ROME 4.0 officiel, version {self.version} : {num(len(self.jobs))} fiches métiers, "
                f"{num(n_titles)} intitulés, {num(len(self.skills))} compétences et savoirs, "
                f"{num(sum(len(v) for v in self.related.values()))} liens vers des métiers proches."
            )
        return (
            f"Extrait livré avec l'application : {num(len(self.jobs))} fiches métiers du ROME 4.0 sur 1 584, "
            f"{num(n_titles)} intitulés courants, {num(len(self.skills))} compétences choisies ; "
            "un métier absent de l'extrait n'est pas reconnu."
        )


def _split(value: object, sep: str) -> list[str]:
    return [t.strip() for t in str(value or "").split(sep) if t.strip()]


@lru_cache(maxsize=2)
def bundled_reference(directory: str | None = None) -> Reference:
    """The extract bundled with the app (or the same files in *directory*).

    Examples
    --------
    >>> ref = bundled_reference()
    >>> ref.job_label("K2204"), ref.source
    ('Nettoyage de locaux', 'extrait')
    >>> "BAFA" in ref.skills_of("G1203")
    True
    """
    folder = Path(directory) if directory else REFERENCE_DIR
    jobs = pd.read_csv(folder / "rome.csv", sep=";", dtype=str, encoding="utf-8").fillna("")
    jobs = pd.DataFrame(
        {
            "code": jobs["code"].str.strip(),
            "label": jobs["libelle"].str.strip(),
            "titles": [_split(a, "|") for a in jobs["appellations"]],
            "definition": "",
        }
    ).set_index("code", drop=False)
    skills = pd.read_csv(folder / "rome_competences.csv", sep=";", dtype=str, encoding="utf-8").fillna("")
    skills = pd.DataFrame(
        {
            "skill": skills["competence"].str.strip(),
            "codes": [c.split() for c in skills["codes"]],
            "forms": [[s.strip()] + _split(syn, "|") for s, syn in zip(skills["competence"], skills["synonymes"])],
            "training": skills["formation"].str.strip(),
            "kind": "savoir-faire",
        }
    ).set_index("skill", drop=False)
    return Reference(jobs=jobs, skills=skills)


def official_reference(index, stamp: str = "") -> Reference:
    """The reference built from an imported release (:class:`sandbox.data.rome.RomeIndex`), with the extract's extras.

    *stamp* (:func:`sandbox.data.rome.index_stamp`) is given for the release stored in the app's data
    folder, so that what is fitted on it can be saved beside it.
    """
    with _gc_paused():
        return _official_reference(index, stamp)


def _official_reference(index, stamp: str) -> Reference:
    extract = bundled_reference()
    titles: dict[str, list[str]] = {}
    for code, title in zip(index.titles["code"].tolist(), index.titles["title"].tolist()):
        titles.setdefault(code, []).append(title)
    job_codes = index.jobs["code"].tolist()
    job_titles = [titles.get(c, []) for c in job_codes]

    codes_of: dict[str, list[str]] = {}
    for code, ident in zip(index.links["code"].tolist(), index.links["id"].tolist()):
        codes_of.setdefault(ident, []).append(code)
    # One skill per label (a label can be both a savoir-faire and a savoir): {label: [codes, forms, training, kind]}.
    merged: dict[str, list] = {}
    for ident, label, kind in zip(index.skills["id"].tolist(), index.skills["label"].tolist(), index.skills["kind"].tolist()):
        codes = codes_of.get(ident)
        if not codes:
            continue
        entry = merged.get(label)
        if entry is None:
            merged[label] = [list(dict.fromkeys(codes)), [label], "", kind]
        else:
            entry[0].extend(c for c in codes if c not in entry[0])
    folded = {k.lower(): k for k in merged}
    for skill, codes, forms, training in zip(extract.skills["skill"], extract.skills["codes"], extract.skills["forms"], extract.skills["training"]):
        same = folded.get(skill.lower())
        entry = merged[same] if same else merged.setdefault(skill, [[], [skill], "", "savoir-faire"])
        entry[0].extend(c for c in codes if c not in entry[0])
        entry[1].extend(f for f in forms if f not in entry[1])
        entry[2] = entry[2] or training
    entries = list(merged.values())
    skills = _skills_frame(list(merged), [e[0] for e in entries], [e[1] for e in entries], [e[2] for e in entries], [e[3] for e in entries])
    # Extract titles the release lacks (everyday words such as « agent de propreté ») stay usable.
    extra = dict(zip(extract.jobs["code"], extract.jobs["titles"]))
    job_titles = [t + [x for x in extra[c] if x not in t] if c in extra else t for c, t in zip(job_codes, job_titles)]
    jobs = _jobs_frame(job_codes, index.jobs["label"].tolist(), job_titles, index.jobs["definition"].tolist())
    mobility = index.mobility.sort_values(["code", "order"], ascending=[True, False])
    targets: dict[str, list[str]] = {}
    for code, target in zip(mobility["code"].tolist(), mobility["target"].tolist()):
        targets.setdefault(code, []).append(target)
    related = {code: tuple(found) for code, found in targets.items()}
    return Reference(jobs=jobs, skills=skills, related=related, source=OFFICIAL, version=str(index.info.get("version", "")), stamp=stamp)


def _jobs_frame(codes: list, labels: list, titles: list, definitions: list) -> pd.DataFrame:
    return pd.DataFrame({"code": codes, "label": labels, "titles": titles, "definition": definitions}, dtype=object).set_index("code", drop=False)


def _skills_frame(skills: list, codes: list, forms: list, training: list, kind: list) -> pd.DataFrame:
    return pd.DataFrame({"skill": skills, "codes": codes, "forms": forms, "training": training, "kind": kind}).set_index("skill", drop=False)


@contextmanager
def _gc_paused():
    """No garbage collection inside the block: building the reference's tens of thousands of lists would
    otherwise trigger full collections of everything already loaded (half of the build's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- the official reference stored beside the imported release -----------------------------------------
#: The name of the stored reference (:func:`sandbox.data.rome.save_fitted`).
STORED_REFERENCE = "referentiel"


def code_digest(*modules: str) -> str:
    """Fingerprint of the files the reference is built from, besides the release: this module (plus *modules*,
    file names beside it) and the bundled extract, whose synonyms, trainings and titles are merged in."""
    from sandbox.data.rome import files_digest

    here = Path(__file__).resolve().parent
    return files_digest([here / "_reference.py", *(here / m for m in modules), *sorted(REFERENCE_DIR.iterdir())])


def _reference_arrays(ref: Reference) -> dict:
    """A reference as plain arrays (packed strings, no pickle), for :func:`_restore_reference`."""
    from sandbox.data.rome import pack_lists, pack_strings

    jobs, skills = ref.jobs, ref.skills
    out = {"version": np.asarray(ref.version)}
    for name, column in (("jobs.code", jobs["code"]), ("jobs.label", jobs["label"]), ("jobs.definition", jobs["definition"]),
                         ("skills.skill", skills["skill"]), ("skills.training", skills["training"]), ("skills.kind", skills["kind"])):
        out[name] = pack_strings(column.tolist())
    for name, column in (("jobs.titles", jobs["titles"]), ("skills.codes", skills["codes"]), ("skills.forms", skills["forms"])):
        out[name], out[f"{name}.counts"] = pack_lists(column.tolist())
    out["related"] = pack_strings(ref.related)
    out["related.targets"], out["related.targets.counts"] = pack_lists(ref.related.values())
    return out


def _restore_reference(arrays: dict, stamp: str) -> Reference:
    """The reference of :func:`_reference_arrays` (ValueError or KeyError when the arrays do not fit)."""
    from sandbox.data.rome import unpack_lists, unpack_strings

    with _gc_paused():
        codes = unpack_strings(arrays["jobs.code"])
        columns = [unpack_strings(arrays["jobs.label"]), unpack_lists(arrays["jobs.titles"], arrays["jobs.titles.counts"]), unpack_strings(arrays["jobs.definition"])]
        skills = unpack_strings(arrays["skills.skill"])
        skill_columns = [unpack_lists(arrays["skills.codes"], arrays["skills.codes.counts"]), unpack_lists(arrays["skills.forms"], arrays["skills.forms.counts"]),
                         unpack_strings(arrays["skills.training"]), unpack_strings(arrays["skills.kind"])]
        related = unpack_strings(arrays["related"])
        targets = unpack_lists(arrays["related.targets"], arrays["related.targets.counts"])
        if any(len(c) != len(codes) for c in columns) or any(len(c) != len(skills) for c in skill_columns) or len(targets) != len(related):
            raise ValueError("stored reference of uneven lengths")
        return Reference(jobs=_jobs_frame(codes, *columns), skills=_skills_frame(skills, *skill_columns),
                         related={code: tuple(found) for code, found in zip(related, targets)},
                         source=OFFICIAL, version=str(arrays["version"]), stamp=stamp)


def stored_official_reference(stamp: str) -> Reference | None:
    """The reference of the imported release whose :func:`~sandbox.data.rome.index_stamp` is *stamp*: read
    back from the arrays saved beside it, else built from its index (and saved for the next start).

    A saved file of another release, of another version of the code or of the extract, or unreadable, is
    not used: the reference is built again. None when the imported index itself cannot be read.
    """
    from sandbox.data.rome import index_stamp, load_fitted, load_index, save_fitted

    key = f"{stamp}|{code_digest()}"
    arrays = load_fitted(STORED_REFERENCE, key)
    if arrays is not None:
        try:
            return _restore_reference(arrays, stamp)
        except (KeyError, ValueError, UnicodeDecodeError):
            pass
    index = load_index()
    if index is None:
        return None
    stamp = index_stamp(index)
    ref = official_reference(index, stamp=stamp)
    try:
        arrays = _reference_arrays(ref)
    except ValueError:  # a NUL in a label: never stored
        return ref
    save_fitted(STORED_REFERENCE, f"{stamp}|{code_digest()}", arrays)
    return ref


#: The name of the sheets' words saved beside the imported release.
STORED_WORDS = "mots_des_fiches"


def _words_digest() -> str:
    return code_digest("_text.py")


class _SheetWords:
    """The saved words of every sheet, decoded one sheet at a time when it is first read."""

    def __init__(self, arrays: dict, codes: list[str]) -> None:
        from sandbox.data.rome import unpack_strings

        if unpack_strings(arrays["codes"]) != codes:
            raise ValueError("saved words of other sheets")
        offsets = arrays["offsets"]
        blob = arrays["words"]
        if blob.dtype != np.uint8 or len(offsets) != len(codes) + 1 or offsets[0] != 0 or offsets[-1] != len(blob) or (np.diff(offsets) < 0).any():
            raise ValueError("saved words that do not fit their offsets")
        self._blob = blob.tobytes()
        self._offsets = offsets.tolist()
        self._position = {code: i for i, code in enumerate(codes)}

    def get(self, code: str) -> list[str] | None:
        i = self._position.get(code)
        if i is None:
            return None
        try:
            return self._blob[self._offsets[i] : self._offsets[i + 1]].decode("utf-8").split("\0")[:-1]
        except UnicodeDecodeError:
            return None


def store_sheet_words(ref: Reference) -> bool:
    """Save the words of every sheet of an imported release's reference beside it (:meth:`Reference.sheet_words`
    then reads them instead of normalising the sheet's texts). False when nothing was saved (no stamp, or
    the folder is not writable)."""
    return bool(ref.stamp) and _save_sheet_words(ref)


def _save_sheet_words(ref: Reference) -> bool:
    from sandbox.data.rome import pack_strings, save_fitted

    codes = ref.jobs["code"].tolist()
    cache = ref._words_cache["code"]
    try:
        parts = []
        for code in codes:
            words = cache.get(code)
            if words is None:
                words = cache[code] = ref._sheet_words(code)
            parts.append(pack_strings(words))
    except ValueError:  # a NUL in a word: never saved
        return False
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    words = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
    return save_fitted(STORED_WORDS, f"{ref.stamp}|{_words_digest()}", {"codes": pack_strings(codes), "words": words, "offsets": offsets})


_OFFICIAL_CACHE: dict[tuple[str, str], Reference] = {}


def load_reference(directory: str | None = None) -> Reference:
    """The reference in use: the imported official release if there is one, else the bundled extract.

    *directory* forces the extract files of that folder (tests).

    Examples
    --------
    >>> load_reference("").source in ("extrait", "officiel")
    True
    """
    if directory:
        return bundled_reference(directory)
    from sandbox.data.rome import current_stamp
    from sandbox.data.store import data_root

    stamp = current_stamp()
    if stamp is None:
        return bundled_reference()
    key = (str(data_root()), stamp)
    if key not in _OFFICIAL_CACHE:
        ref = stored_official_reference(stamp)
        if ref is None:  # the index files are unreadable
            return bundled_reference()
        _OFFICIAL_CACHE.clear()
        _OFFICIAL_CACHE[key] = ref
    return _OFFICIAL_CACHE[key]


@lru_cache(maxsize=1)
def title_abbreviations() -> dict[str, str]:
    """``{folded abbreviation: expansion}`` of job titles (« atsem » → « agent territorial spécialisé… »)."""
    path = REFERENCE_DIR / "rome_sigles.csv"
    if not path.is_file():
        return {}
    frame = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8", comment="#").fillna("")
    return {strip_accents(s.strip().lower()): f.strip() for s, f in zip(frame["sigle"], frame["forme"]) if s.strip() and f.strip()}


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
