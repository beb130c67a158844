"""French typography for the sentences the water demo writes (no-break spaces before : ; ! ? and inside « »)."""

from __future__ import annotations

import re

from sandbox.text import NBSP, typography

_OPEN = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE = re.compile(r"[ \u00a0\u202f]*»")


def fr(text: str) -> str:
    """The sentence with French no-break spaces.

    >>> fr("Attention : « fuite » ?") == "Attention\\u00a0: «\\u00a0fuite\\u00a0»\\u202f?"
    True
    """
    text = _OPEN.sub("«" + NBSP, text)
    text = _CLOSE.sub(NBSP + "»", text)
    return typography(text)
