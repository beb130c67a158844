"""What a demo run measured, in a form the project sheet and the workshop tools can use.

Each demo page builds a :class:`RunSummary` after a run and publishes it
(``sandbox.ui.runs.publish_run``); the project sheet (« Fiche projet »)
reads it. Figures are always given with the baseline they beat (or not).

Examples
--------
>>> with Stopwatch() as watch:
...     total = sum(range(1000))
>>> summary = RunSummary(
...     demo="collection",
...     data=DataSummary(source="exemple", files=("points.csv",), rows=400, description="400 points de collecte"),
...     parameters={"Camions": 4},
...     figures=(Figure("Distance totale", 182.0, "km", baseline=231.0, key="km"),),
...     compute_seconds=watch.seconds,
... )
>>> round(summary.figures[0].change, 3)
-0.212
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Figure:
    """One measured figure, against the baseline where there is one.

    Attributes
    ----------
    label : str
        French label (« Distance totale »).
    value : float
    unit : str
        « km », « m³/an », « pages »…
    baseline : float, optional
        The same figure for today's practice (or the naive method).
    lower_is_better : bool
    decimals : int
        Decimals to show.
    key : str
        Stable machine name (``"km"``, ``"m3_saved"``) that gain assumptions refer to.
    """

    label: str
    value: float
    unit: str = ""
    baseline: float | None = None
    lower_is_better: bool = True
    decimals: int = 0
    key: str = ""

    @property
    def change(self) -> float | None:
        """Relative change against the baseline (−0.2 is 20 % less)."""
        if self.baseline in (None, 0):
            return None
        return (self.value - self.baseline) / abs(self.baseline)


@dataclass(frozen=True)
class DataSummary:
    """The data a run used, described without any personal data.

    Attributes
    ----------
    source : {"exemple", "fichier"}
    files : tuple of str
        File names (never their content).
    rows : int
    description : str
        French phrase (« 500 foyers, relevés horaires »).
    period : str, optional
        « du 01/01/2024 au 31/12/2024 ».
    """

    source: str
    files: tuple[str, ...]
    rows: int
    description: str
    period: str | None = None


@dataclass(frozen=True)
class RunSummary:
    """Everything a demo run measured, for the project sheet.

    Attributes
    ----------
    demo : str
        The demo's key in ``sandbox.registry``.
    data : DataSummary
    parameters : mapping
        French parameter label → value, as the user set them.
    figures : tuple of Figure
        The demo's KPIs against the baseline.
    compute_seconds : float
        Wall time of the computation (measured, for the frugality section).
    personal_data : bool
        The run processed data about identifiable people.
    special_category : bool
        … including special-category data (health) under GDPR art. 9.
    """

    demo: str
    data: DataSummary
    parameters: Mapping[str, object]
    figures: tuple[Figure, ...]
    compute_seconds: float
    personal_data: bool = False
    special_category: bool = False
    created: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))

    def figure(self, key: str) -> Figure | None:
        """The figure with this key, if any."""
        return next((f for f in self.figures if f.key == key), None)


class Stopwatch:
    """``with Stopwatch() as w: ...`` then ``w.seconds`` (wall time, perf_counter)."""

    def __enter__(self) -> "Stopwatch":
        self._start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self._start
