"""French text helpers: quotes, numbers, lists of rows, typography.

The interface speaks French; these helpers keep its typography right
(« guillemets » with no-break spaces, a narrow no-break space before ; ! ?,
decimal commas and thin spaces between thousands).

Examples
--------
>>> q("latitude")
'«\\xa0latitude\\xa0»'
>>> num(1234567.891, 1)
'1\\u202f234\\u202f567,9'
>>> pct(-0.153)
'−15,3\\xa0%'
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

NBSP = "\u00a0"  # no-break space: before « : », inside « », before %
NNBSP = "\u202f"  # narrow no-break space: before ; ! ? and between thousands
MINUS = "\u2212"


def q(text: object) -> str:
    """Return *text* between French quotes, with no-break spaces inside."""
    return f"«{NBSP}{text}{NBSP}»"


def num(value: float | int | None, decimals: int = 0) -> str:
    """Format a number the French way: ``1 234,5`` (narrow no-break spaces)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    sign = MINUS if round(value, decimals) < 0 else ""
    return sign + f"{abs(value):,.{decimals}f}".replace(",", NNBSP).replace(".", ",")


def pct(ratio: float | None, decimals: int = 1, *, signed: bool = False) -> str:
    """Format a ratio (0.153) as a French percentage (``15,3 %``)."""
    if ratio is None or not math.isfinite(ratio):
        return "–"
    text = num(ratio * 100, decimals) + NBSP + "%"
    if signed and ratio > 0:
        text = "+" + text
    return text


def unit(value: float | int | None, unit_label: str, decimals: int = 0) -> str:
    """Format a quantity with its unit: ``12,5 km``."""
    return f"{num(value, decimals)}{NBSP}{unit_label}"


def rows_list(rows: Iterable[int], limit: int = 5) -> str:
    """List spreadsheet row numbers: ``14, 27, 90`` or ``14, 27, … (12 en tout)``."""
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:limit])
    if len(rows) > limit:
        shown += f", … ({len(rows)} en tout)"
    return shown


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``plural(3, "ligne")`` → ``3 lignes``; French plural rule (0 and 1 are singular)."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{num(count)} {word}"


_SPACE_BEFORE = re.compile(r"[ \u00a0\u202f]*([;!?])(?=\s|$)")
_SPACE_BEFORE_COLON = re.compile(r"(?<=\S)[ \u00a0\u202f]*:(?=\s|$)")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]*»")
_SHORTCODE_END = re.compile(r":[\w/-]+$")  # « :material/lock » before the closing colon


def typography(text: str) -> str:
    """Put the French no-break spaces before ``; ! ? :`` (outside URLs and times) and inside « ».

    >>> typography("Attention: fuite !")
    'Attention\\xa0: fuite\\u202f!'
    >>> typography(":material/lock: Vos données")
    ':material/lock: Vos données'
    >>> typography("une « fuite »?") == "une «\\u00a0fuite\\u00a0»\\u202f?"
    True
    """
    text = _OPEN_QUOTE.sub("«" + NBSP, text)
    text = _CLOSE_QUOTE.sub(NBSP + "»", text)
    text = _SPACE_BEFORE.sub(lambda m: NNBSP + m.group(1), text)

    def colon(match: re.Match) -> str:
        if _SHORTCODE_END.search(text, 0, match.start()):  # an icon or emoji shortcode, not prose
            return match.group(0)
        return NBSP + ":"

    return _SPACE_BEFORE_COLON.sub(colon, text)


def plain(text: str) -> str:
    """The text with its no-break spaces turned into plain spaces (for logs, tests, searching)."""
    return text.replace(NBSP, " ").replace(NNBSP, " ")


def strip_accents(text: str) -> str:
    """The text without its accents and other combining marks (NFKD decomposition).

    >>> strip_accents("Éléonore à L'Haÿ-les-Roses")
    "Eleonore a L'Hay-les-Roses"
    """
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# Inline Markdown (emphasis, code, links and images), HTML, LaTeX and tables; « [ » also
# disarms Streamlit's directives (« :red[…] »). Text is flattened to one line, so block
# markers (« # », « - », « 1. ») never start a line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>$~|])")


_AUTOLINK = re.compile(r"[a-z][a-z0-9+.-]*:(?=//)|\bwww\.", re.IGNORECASE)


def md_escape(text: object) -> str:
    """User text made inert for Streamlit Markdown (``st.markdown``, captions, alerts, widget labels).

    Markdown, HTML and LaTeX characters get a backslash; line breaks become
    spaces. A header written as ``![h](http://…)`` is then shown as text, and
    the browser calls no host; ordinary names and file names are unchanged.

    >>> md_escape("![h](http://x.example/p.png)")
    '!\\\\[h\\\\](http\\\\://x.example/p.png)'
    >>> md_escape("voir http://x.example ou www.x.example")
    'voir http\\\\://x.example ou www\\\\.x.example'
    >>> md_escape("usagers.csv"), md_escape("date_naissance"), md_escape("Prénom\\nNom")
    ('usagers.csv', 'date\\\\_naissance', 'Prénom Nom')
    """
    flat = " ".join(str(text).splitlines())
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
    # Bare addresses would still become links (GFM autolinks): break their pattern with escapes.
    return _AUTOLINK.sub(lambda m: m.group(0).replace(":", "\\:").replace(".", "\\."), escaped)
