"""A French lexicon to score a reading: the share of its words that are French words.

Two sources, both offline:

* a short list of the most frequent French words (articles, prepositions,
  pronouns, auxiliaries, administrative vocabulary), written for this
  project and always available;
* Tesseract's own French word list, extracted once per process from the
  installed ``fra.traineddata`` with Tesseract's tools ``combine_tessdata``
  and ``dawg2wordlist`` (about 74,000 words), in a private temporary folder
  removed at once. Without those tools, only the short list is used.

Words are compared in lower case, without the elided article (« l'an » →
« an »), so the lexicon needs no capitalised or elided forms.

Examples
--------
>>> lexicon = Lexicon.builtin()
>>> lexicon.share(["Le", "maire", "de", "la", "dlibr"])  # 11 of 16 letters
0.6875
>>> normalise_word("l’Hôtel-de-Ville,")
'hôtel-de-ville'
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# The most frequent words of French prose and of municipal records (articles,
# prepositions, pronouns, auxiliaries, numbers in letters, months, titles).
COMMON_WORDS = frozenset(
    """
    a à afin ai ainsi alors an ans après au aucun aucune aujourd aussi autre autres aux avait avant avec avoir avons
    avril ayant bien bon ça car ce ceci cela celle celles celui cent cependant certain certains ces cet cette chacun
    chaque chez ci cinq comme commune comment conseil contre d dans de décembre déjà depuis des deux dit dix donc dont
    doit du elle elles en encore entre est et été étaient était état être eu eux faire fait faut février fille fils
    fin fois font gouvernement hier homme hui huit il ils janvier jour jours juillet juin jusqu l la là le leur leurs
    les lesquels lui m ma madame mai maire mais mars même mes mil mille moi moins mon monsieur n ne neuf ni nom non
    nos notre nous novembre octobre on ont ou où par parce pas pendant peu peut plus point pour premier première
    président qu quand quatre que quel quelle quelque qui quinze rien s sa sans se sept septembre ses si sieur six
    soit son sont sous sur t ta tant te tel tels ces toi ton tous tout toute toutes treize trois trente très tu un une
    vers vingt ville vos votre vous y ceux celles dame dont douze onze seize quatorze soixante article arrête
    arrêté département commissaire citoyen république loi lois être fut fût été sera seront ont eût
    """.split()
)

_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.IGNORECASE)
_EDGES = re.compile(r"^[^\w]+|[^\w]+$")
_LETTERS = re.compile(r"[^\W\d_]")


def normalise_word(word: str) -> str:
    """Lower case, without surrounding punctuation nor an elided article.

    >>> normalise_word("«Qu'il")
    'il'
    """
    word = _EDGES.sub("", word.strip())
    word = _ELISION.sub("", word)
    return _EDGES.sub("", word).lower()


def is_wordlike(word: str) -> bool:
    """A token worth looking up: at least two letters, mostly letters.

    >>> is_wordlike("1926"), is_wordlike("—"), is_wordlike("mairie")
    (False, False, True)
    """
    letters = len(_LETTERS.findall(word))
    return letters >= 2 and letters >= 0.6 * len(word)


@dataclass(frozen=True)
class Lexicon:
    """A set of lower-case French words and the share of a reading's words found in it."""

    words: frozenset[str]
    source: str = "liste intégrée"

    @classmethod
    def builtin(cls) -> "Lexicon":
        """The short list written for this project (always available)."""
        return cls(COMMON_WORDS, "liste intégrée")

    def __contains__(self, word: str) -> bool:
        w = normalise_word(word)
        if w in self.words:
            return True
        return "-" in w and all(part in self.words for part in w.split("-") if part)

    def share(self, words: Iterable[str]) -> float | None:
        """Share of the word-like tokens of *words* found in the lexicon, weighted by length; None without any."""
        found = total = 0
        for word in words:
            w = normalise_word(word)
            if not is_wordlike(w):
                continue
            total += len(w)
            found += len(w) if w in self else 0
        return found / total if total else None


def _tesseract_words(lang: str = "fra") -> frozenset[str]:
    """Tesseract's word list for *lang*, extracted in a private temporary folder; empty if not possible."""
    combine, dump = shutil.which("combine_tessdata"), shutil.which("dawg2wordlist")
    model = _traineddata(lang)
    if not (combine and dump and model):
        return frozenset()
    with tempfile.TemporaryDirectory(prefix="sandbox-lexicon-") as folder:  # 0700, removed on exit
        prefix = str(Path(folder) / lang) + "."
        try:
            subprocess.run([combine, "-u", str(model), prefix], capture_output=True, check=True, timeout=60)
            out = Path(folder) / "words.txt"
            subprocess.run([dump, prefix + "lstm-unicharset", prefix + "lstm-word-dawg", str(out)],
                           capture_output=True, check=True, timeout=60)
            text = out.read_text(encoding="utf-8", errors="replace")
        except (OSError, subprocess.SubprocessError):
            return frozenset()
    return frozenset(w for w in (normalise_word(line) for line in text.splitlines()) if w)


def _traineddata(lang: str) -> Path | None:
    """Where Tesseract keeps ``<lang>.traineddata``, or None."""
    import os

    folders = [os.environ.get("TESSDATA_PREFIX", "")]
    folders += [f"/usr/share/tesseract-ocr/{v}/tessdata" for v in (5, 4)] + ["/usr/share/tessdata", "/usr/local/share/tessdata"]
    for folder in folders:
        if folder and (Path(folder) / f"{lang}.traineddata").is_file():
            return Path(folder) / f"{lang}.traineddata"
    return None


@lru_cache(maxsize=2)
def french_lexicon() -> Lexicon:
    """The built-in list plus Tesseract's French word list when its tools are installed (once per process)."""
    extra = _tesseract_words("fra")
    if not extra:
        return Lexicon.builtin()
    return Lexicon(COMMON_WORDS | extra, "liste intégrée et dictionnaire de Tesseract")
