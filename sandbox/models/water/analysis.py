"""The whole chain, as the page and the command line run it: quality → leaks → habits → peers → messages."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from sandbox.models.water._readings import Readings
from sandbox.models.water._series import MeterSeries, build_series
from sandbox.models.water.anomalies import UnusualDays, unusual_days
from sandbox.models.water.campaign import DEFAULT_EFFECT, CampaignResult, simulate_campaign
from sandbox.models.water.leaks import METHOD_NIGHTS, LeakReport, detect_leaks
from sandbox.models.water.messages import SENDER, MessageSet, compose_messages
from sandbox.models.water.peers import PeerComparison, compare_peers, consumption
from sandbox.models.water.prices import DEFAULT_PRICE_EUR_M3
from sandbox.models.water.quality import STATUS_UNUSABLE, QualityReport, clean_series, quality_report
from sandbox.models.water.segments import ProfileSegmenter
from sandbox.sheet.report import Figure
from sandbox.text import num, plural, typography

BILLING_DELAY_DAYS = 91.0
"""Today's practice: a leak found at the next half-yearly bill, three months later on average."""

DATE_ONLY = ("date", "première nuit", "dernière nuit")
"""Columns of the exports that hold a day (written dd/mm/yyyy), the others a time."""

YES_NO = {True: "oui", False: "non"}

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class WaterParams:
    """Every setting of the analysis, with the defaults of the page and the command line."""

    kind: str = "auto"
    unit: str = "auto"
    freq: str = "auto"
    price_eur_m3: float = DEFAULT_PRICE_EUR_M3
    night_start: int = 1
    night_end: int = 5
    nights: int = 3
    min_flow_l_h: float = 1.0
    min_leak_l_day: float = 100.0
    stuck_days: float = 30.0
    frozen_hours: float = 24.0
    max_flow_l_h: float = 5000.0
    unusual_threshold: float = 5.0
    n_segments: int = 5
    seed: int = 42
    min_peers: int = 20
    period_days: int = 90
    sender: str = SENDER

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class WaterAnalysis:
    """Everything one run found, kept apart: quality first, then the analyses and the messages.

    Attributes
    ----------
    series : MeterSeries or None
        Clean volumes (stuck and frozen periods, unusable meters set to NaN);
        None for a city analysed in partitions (:mod:`sandbox.models.water.partition`),
        whose volumes stay on the workers.
    quality : QualityReport
    leaks : LeakReport
    unusual : UnusualDays
    segments : ProfileSegmenter
    peers : PeerComparison
    messages : MessageSet
    usage : DataFrame
        Average litres per day of each meter (period, whole data, halves).
    params : WaterParams
    n_readings : int
    households_note : str or None
    seconds : dict
        Time spent in each step.
    span : (Timestamp, Timestamp), optional
        The period, when there is no *series*.
    """

    series: MeterSeries | None
    quality: QualityReport
    leaks: LeakReport
    unusual: UnusualDays
    segments: ProfileSegmenter
    peers: PeerComparison
    messages: MessageSet
    usage: pd.DataFrame
    params: WaterParams
    n_readings: int
    households_note: str | None = None
    seconds: dict = field(default_factory=dict)
    span: tuple[pd.Timestamp, pd.Timestamp] | None = None

    @property
    def meters(self) -> np.ndarray:
        return self.series.meters if self.series is not None else self.segments.meters_

    @property
    def hourly(self) -> bool:
        """Hourly analysis (otherwise daily)."""
        return self.series.hourly if self.series is not None else self.leaks.method == METHOD_NIGHTS

    def analysed_meters(self) -> list[str]:
        ok = self.quality.meters["état"] != STATUS_UNUSABLE
        return self.quality.meters.loc[ok, "compteur"].astype(str).tolist()

    @property
    def period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        if self.series is None:
            return self.span
        days = self.series.days()
        return days[0], days[-1] + pd.Timedelta(days=1)

    def campaign(
        self,
        meters: list[str] | np.ndarray | None = None,
        *,
        effect: float = DEFAULT_EFFECT,
        control_share: float = 0.2,
    ) -> CampaignResult:
        """Simulate a campaign on *meters* (every analysed meter by default)."""
        usage = self.usage.set_index("compteur")
        chosen = usage.index.intersection(pd.Index(meters if meters is not None else self.analysed_meters()))
        sel = usage.loc[chosen]
        return simulate_campaign(
            sel["litres_jour_annee"].to_numpy(),
            effect=effect,
            control_share=control_share,
            price_eur_m3=self.params.price_eur_m3,
            before=sel["premiere_moitie"].to_numpy(),
            after=sel["seconde_moitie"].to_numpy(),
        )

    def detection_days(self) -> float | None:
        """Average days from the estimated start of a leak to its alert (None without an alert)."""
        delays = [(a.detected - a.start).total_seconds() / 86400 for a in self.leaks.alerts]
        return float(np.mean(delays)) if delays else None

    def figures(self, campaign: CampaignResult | None = None) -> list[Figure]:
        """What the run measured, against today's practice: the page, the command line and the project sheet read it.

        Parameters
        ----------
        campaign : CampaignResult, optional
            The campaign chosen on the page; by default :meth:`campaign` on
            every analysed meter with the default effect.

        Examples
        --------
        >>> from sandbox.data import load_sample, validate
        >>> from sandbox.data.schemas.water import READINGS
        >>> result = analyse(Readings.from_validated(validate(load_sample("water/export_releveur"), READINGS)))
        >>> [(f.key, round(f.value, 1)) for f in result.figures()][:3]
        [('leaks', 1.0), ('detection_days', 2.7), ('m3_leaks', 52.6)]
        """
        campaign = campaign if campaign is not None else self.campaign()
        delay = self.detection_days()
        return [
            Figure("Fuites probables en cours", float(len(self.leaks.ongoing())), "", key="leaks", lower_is_better=False),
            Figure("Délai avant l'alerte de fuite", delay if delay is not None else 0.0, "jours",
                   baseline=BILLING_DELAY_DAYS, decimals=1, key="detection_days"),
            Figure("Eau perdue par les fuites en cours", self.leaks.m3_per_year, "m³/an", key="m3_leaks"),
            Figure("Consommation des foyers destinataires", campaign.baseline_m3_year - campaign.saved_m3_year, "m³/an",
                   baseline=campaign.baseline_m3_year, key="m3_consumption"),
            Figure("Eau économisée par la campagne", campaign.saved_m3_year, "m³/an", lower_is_better=False, key="m3_saved"),
            Figure("Économie pour les foyers", campaign.saved_eur_year, "€/an", lower_is_better=False, key="eur_saved"),
        ]

    def exports(self) -> dict[str, pd.DataFrame]:
        """The tables the command line writes and the page offers, by file name (days as dd/mm/yyyy text).

        Examples
        --------
        >>> from sandbox.data import load_sample, validate
        >>> from sandbox.data.schemas.water import READINGS
        >>> result = analyse(Readings.from_validated(validate(load_sample("water/export_releveur"), READINGS)))
        >>> tables = result.exports()
        >>> list(tables), tables["alerts.csv"][["compteur", "en cours"]].values.tolist()
        (['alerts.csv', 'messages.csv', 'quality.csv', 'quality_meters.csv', 'unusual_days.csv', 'households.csv'], [['40221789', 'oui']])
        """
        alerts = self.leaks.to_frame()
        alerts["en cours"] = alerts["en cours"].map(YES_NO)
        peers = self.peers.to_frame()[["compteur", "litres_jour", "groupe", "pairs", "moyenne", "econome", "position", "raison"]]
        tables = {
            "alerts.csv": alerts,
            "messages.csv": self.messages.to_frame(),
            "quality.csv": self.quality.to_frame(),
            "quality_meters.csv": self.quality.meters,
            "unusual_days.csv": self.unusual.to_frame(),
            "households.csv": self.segments.to_frame().merge(peers, on="compteur", how="left"),
        }
        return {name: _days_as_text(frame) for name, frame in tables.items()}

    def summary(self) -> list[str]:
        """French lines for the command line and the page."""
        start, end = self.period
        leaks = self.leaks
        lines = [
            f"{plural(self.n_readings, 'relevé')} de {plural(len(self.meters), 'compteur')}, "
            f"du {start:%d/%m/%Y} au {(end - pd.Timedelta(days=1)):%d/%m/%Y} "
            f"(analyse {'horaire' if self.hourly else 'journalière'}).",
            *self.quality.summary(),
            f"Fuites probables : {plural(len(leaks), 'alerte')} sur {plural(len(leaks.meters_with_alert()), 'compteur')}, "
            f"dont {num(len(leaks.ongoing()))} en cours ({num(leaks.m3_per_year)} m³ et {num(leaks.cost_per_year)} € par an "
            f"au prix de {num(self.params.price_eur_m3, 2)} €/m³).",
            f"Journées inhabituelles : {num(len(self.unusual))} sur {plural(self.unusual.table['compteur'].nunique(), 'compteur')}.",
        ]
        if self.segments.names_:
            sizes = ", ".join(f"{n} ({num(int(s))})" for n, s in zip(self.segments.names_, self.segments.sizes_))
            lines.append(f"Profils : {sizes}.")
        comparable = int(self.peers.table["comparable"].sum())
        lines.append(f"Comparaison avec des foyers semblables : {plural(comparable, 'foyer')}.")
        if self.households_note:
            lines.append(self.households_note)
        lines.append(f"Messages : {plural(len(self.messages.table), 'message')} ({plural(self.messages.parts.shape[0], 'foyer')}).")
        return [typography(line) for line in lines]


def _days_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in DATE_ONLY:
        if col in frame and pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%d/%m/%Y")
    return frame


def households_note(meter_ids: np.ndarray, households: pd.DataFrame | None) -> str | None:
    """The French note on how the description of the homes matches the meters (None if all do)."""
    if households is None:
        return "Sans description des logements, les foyers ne sont pas comparés entre eux."
    known = pd.Index(households["meter"].astype("str"))
    meters = pd.Index(np.asarray(meter_ids).astype(str))
    matched = int(meters.isin(known).sum())
    if matched == 0:
        return (
            "La description des logements ne correspond à aucun compteur des relevés (identifiants différents) : "
            "pas de comparaison entre foyers."
        )
    if matched < len(meters):
        return f"{plural(len(meters) - matched, 'compteur')} sans description de logement : pas de comparaison pour eux."
    return None


@dataclass(frozen=True)
class Prepared:
    """Readings converted, checked and cleaned: the part of the analysis that depends only on the data."""

    series: MeterSeries
    quality: QualityReport
    n_readings: int
    seconds: dict = field(default_factory=dict)


def prepare(readings: Readings, params: WaterParams = WaterParams()) -> Prepared:
    """Conversion to a regular grid, quality report, stuck and frozen periods set aside.

    Examples
    --------
    >>> times = pd.date_range("2025-03-01 01:00", periods=24 * 40, freq="h")
    >>> litres = np.where(np.arange(24 * 40) < 24 * 5, 3.0 + np.arange(24 * 40) % 2, 0.0)
    >>> prepared = prepare(Readings.from_arrays(["A"] * len(times), times, litres))
    >>> prepared.quality.issues["problème"].tolist(), bool(np.isnan(prepared.series.volume[0, -24:]).all())
    (['compteur bloqué'], True)
    """
    tick = time.perf_counter()
    raw = build_series(readings, kind=params.kind, unit=params.unit, freq=params.freq, max_flow_l_h=params.max_flow_l_h)
    mid = time.perf_counter()
    quality = quality_report(raw, stuck_days=params.stuck_days, frozen_hours=params.frozen_hours)
    series = clean_series(raw, quality)
    return Prepared(series, quality, len(readings), {"series": mid - tick, "quality": time.perf_counter() - mid})


def analyse(
    readings: Readings | Prepared,
    households: pd.DataFrame | None = None,
    params: WaterParams = WaterParams(),
    *,
    progress: Progress | None = None,
) -> WaterAnalysis:
    """Run the whole chain on readings (and optionally the description of the homes).

    *readings* may also be the output of :func:`prepare` (the page caches it
    apart, so that changing a setting of the leaks or the messages does not
    convert the readings again).

    Examples
    --------
    >>> from sandbox.data import load_sample, validate
    >>> from sandbox.data.schemas.water import READINGS
    >>> frame = load_sample("water/export_releveur")
    >>> result = analyse(Readings.from_validated(validate(frame, READINGS)))
    >>> result.quality.conversion.kind, result.quality.conversion.unit, len(result.meters)
    ('index', 'm3', 6)
    """
    seconds: dict[str, float] = {}
    tick = time.perf_counter()

    def step(name: str, fraction: float, label: str) -> None:
        nonlocal tick
        now = time.perf_counter()
        seconds[name] = now - tick
        tick = now
        if progress is not None:
            progress(fraction, label)

    if progress is not None:
        progress(0.0, "Conversion des relevés et contrôle de la qualité…")
    prepared = readings if isinstance(readings, Prepared) else prepare(readings, params)
    seconds.update(prepared.seconds)
    series, quality = prepared.series, prepared.quality
    tick = time.perf_counter()
    if progress is not None:
        progress(0.5, "Recherche des fuites…")
    leaks = detect_leaks(
        series,
        night=(params.night_start, params.night_end),
        nights=params.nights,
        min_flow_l_h=params.min_flow_l_h,
        price_eur_m3=params.price_eur_m3,
        min_leak_l_day=params.min_leak_l_day,
    )
    step("leaks", 0.6, "Journées inhabituelles…")
    unusual = unusual_days(series, leaks=leaks, threshold=params.unusual_threshold)
    step("unusual", 0.7, "Profils de consommation…")
    leak_periods: dict[str, list[tuple]] = {}
    for alert in leaks.alerts:
        end = alert.end if alert.end is not None else alert.last_seen + pd.Timedelta(days=1)
        leak_periods.setdefault(alert.meter, []).append((alert.start, end))
    segments = ProfileSegmenter(n_segments=params.n_segments, seed=params.seed).fit(series, exclude=leak_periods)
    step("segments", 0.8, "Comparaison avec des foyers semblables…")
    peers = compare_peers(series, households, min_peers=params.min_peers, period_days=params.period_days)
    usage = consumption(series, params.period_days)
    step("peers", 0.9, "Rédaction des messages…")
    analysed = quality.meters.loc[quality.meters["état"] != STATUS_UNUSABLE, "compteur"].to_numpy()
    messages = compose_messages(
        analysed, peers=peers, leaks=leaks, segments=segments, price_eur_m3=params.price_eur_m3, sender=params.sender
    )
    step("messages", 1.0, "Terminé.")
    return WaterAnalysis(
        series=series,
        quality=quality,
        leaks=leaks,
        unusual=unusual,
        segments=segments,
        peers=peers,
        messages=messages,
        usage=usage,
        params=params,
        n_readings=prepared.n_readings,
        households_note=households_note(series.meters, households),
        seconds=seconds,
    )
