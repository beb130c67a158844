"""Clock times of the collection demo: « 8:00 » → minutes, minutes → « 08 h 00 », time windows in French."""

from __future__ import annotations

import math
import re

import numpy as np

_CLOCK = re.compile(r"^\s*(\d{1,2})\s*(?:[:hH]\s*(\d{1,2})?)?(?::\d{1,2})?\s*$")


def parse_clock(value: object) -> float:
    """Minutes since midnight from « 8:00 », « 08h30 », « 8h », « 07:45:00 »; NaN if empty; ValueError if unreadable.

    >>> parse_clock("8:00"), parse_clock("08h30"), parse_clock("7 h"), parse_clock("")
    (480.0, 510.0, 420.0, nan)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    text = str(value).strip()
    if not text:
        return math.nan
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(text)
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 24 or minutes >= 60:
        raise ValueError(text)
    return hours * 60.0 + minutes


def clock(minutes: float) -> str:
    """« 07 h 42 » for minutes since midnight.

    >>> clock(462)
    '07\\xa0h\\xa042'
    """
    if minutes is None or not math.isfinite(minutes):
        return "–"
    total = int(round(minutes))
    return f"{total // 60:02d}\u00a0h\u00a0{total % 60:02d}"


def window_text(early, late, start: float) -> str:
    """« pas avant 07 h 00, au plus tard 09 h 00 » for a window in minutes from *start* (minutes since midnight).

    >>> window_text(60, float("nan"), 360)
    'pas avant 07\\xa0h\\xa000'
    """
    parts = []
    if early is not None and np.isfinite(early):
        parts.append(f"pas avant {clock(start + early)}")
    if late is not None and np.isfinite(late):
        parts.append(f"au plus tard {clock(start + late)}")
    return ", ".join(parts)
