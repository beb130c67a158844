"""The values the collection demo uses in code, and their French labels (one map for all)."""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    """What happens to a collection point today."""

    SERVED = "served"
    OPTIONAL_SKIPPED = "optional_skipped"
    UNSERVED = "unserved"

    def __str__(self) -> str:
        return self.value


class FillSource(str, Enum):
    """Where a point's volume comes from."""

    FORECAST = "forecast"
    GIVEN_FILL = "given_fill"
    FULL_ASSUMED = "full_assumed"
    GIVEN_VOLUME = "given_volume"

    def __str__(self) -> str:
        return self.value


class Rounds(str, Enum):
    """Which rounds of a plan: the optimised ones or today's (the baseline)."""

    OPTIMISED = "optimised"
    BASELINE = "baseline"

    def __str__(self) -> str:
        return self.value


class Step(str, Enum):
    """A line of a route sheet."""

    START = "start"
    COLLECT = "collect"
    UNLOAD = "unload"
    RETURN = "return"

    def __str__(self) -> str:
        return self.value


LABELS_FR: dict[Enum, str] = {
    Status.SERVED: "collecté",
    Status.OPTIONAL_SKIPPED: "facultatif non collecté",
    Status.UNSERVED: "non desservi",
    FillSource.FORECAST: "prévision",
    FillSource.GIVEN_FILL: "remplissage indiqué",
    FillSource.FULL_ASSUMED: "bac plein supposé",
    FillSource.GIVEN_VOLUME: "volume indiqué",
    Rounds.OPTIMISED: "tournées optimisées",
    Rounds.BASELINE: "tournées actuelles",
    Step.START: "départ",
    Step.COLLECT: "collecte",
    Step.UNLOAD: "vidage",
    Step.RETURN: "retour",
}


def label(value: object) -> str:
    """The French label of a code value (any other value as text).

    >>> label(Status.SERVED), label("served"), label(FillSource.FORECAST), label("autre")
    ('collecté', 'collecté', 'prévision', 'autre')
    """
    if isinstance(value, Enum):
        return LABELS_FR.get(value, str(value.value))
    for enum in (Status, FillSource, Rounds, Step):
        try:
            return LABELS_FR[enum(value)]
        except ValueError:
            continue
    return "" if value is None else str(value)
