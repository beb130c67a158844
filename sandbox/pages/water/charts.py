"""Charts of the water page (Altair): quality, leaks, one household's curve, its peers, the profiles."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from sandbox.models.water import LeakAlert, LeakReport, MeterSeries, QualityReport
from sandbox.text import typography

LEAK_COLOUR = "#e1000f"
MAIN_COLOUR = "#000091"
GREY = "#929292"


def quality_chart(report: QualityReport) -> alt.Chart | None:
    counts = report.counts()
    if counts.empty:
        return None
    data = counts.rename("compteurs").rename_axis("problème").reset_index()
    return (
        alt.Chart(data, title="Compteurs concernés par chaque problème")
        .mark_bar(color=MAIN_COLOUR)
        .encode(
            x=alt.X("compteurs:Q", title="compteurs"),
            y=alt.Y("problème:N", sort="-x", title=None),
            tooltip=["problème", "compteurs"],
        )
        .properties(height=alt.Step(32))
    )


def leaks_chart(leaks: LeakReport) -> alt.Chart | None:
    if not len(leaks):
        return None
    data = leaks.to_frame()
    data["état"] = np.where(data["en cours"], "en cours", "arrêtée")
    return (
        alt.Chart(data, title=typography("Fuites probables : début et litres perdus par jour"))
        .mark_circle(opacity=0.8)
        .encode(
            x=alt.X("début estimé:T", title="début estimé", axis=alt.Axis(format="%d/%m")),
            y=alt.Y("litres perdus par jour:Q", title="litres perdus par jour"),
            size=alt.Size("coût par an (€):Q", title="coût par an (€)"),
            color=alt.Color("état:N", scale=alt.Scale(domain=["en cours", "arrêtée"], range=[LEAK_COLOUR, GREY]), title=None),
            tooltip=["compteur", alt.Tooltip("début estimé:T", format="%d/%m/%Y %H:%M"), alt.Tooltip("alerte le:T", format="%d/%m/%Y %H:%M"),
                     "débit (L/h)", "litres perdus par jour", "coût par an (€)"],
        )
        .properties(height=280)
    )


def _leak_bands(alerts: list[LeakAlert], end: pd.Timestamp) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "début": [a.start for a in alerts],
            "fin": [a.end if a.end is not None else end for a in alerts],
            "légende": ["fuite probable"] * len(alerts),
        }
    )


def household_chart(series: MeterSeries, meter: str, alerts: list[LeakAlert]) -> alt.Chart:
    """Daily litres of one household over the whole period, the leak periods highlighted."""
    i = series.meter_position(meter)
    days = series.days()
    daily = series.daily(series.volume[i : i + 1], min_hours=20)[0]
    data = pd.DataFrame({"jour": days, "litres": daily})
    line = (
        alt.Chart(data)
        .mark_line(color=MAIN_COLOUR, strokeWidth=1.2)
        .encode(x=alt.X("jour:T", title=None, axis=alt.Axis(format="%d/%m")), y=alt.Y("litres:Q", title="litres par jour"),
                tooltip=[alt.Tooltip("jour:T", format="%d/%m/%Y"), alt.Tooltip("litres:Q", format=".0f")])
    )
    layers = [line]
    if alerts:
        bands = _leak_bands(alerts, days[-1] + pd.Timedelta(days=1))
        layers.insert(0, alt.Chart(bands).mark_rect(color=LEAK_COLOUR, opacity=0.15).encode(
            x="début:T", x2="fin:T", tooltip=[alt.Tooltip("début:T", format="%d/%m/%Y %H:%M"), "légende"]))
    return alt.layer(*layers).properties(title=typography(f"Compteur {meter} : consommation par jour"), height=260)


def hourly_chart(series: MeterSeries, meter: str, around: pd.Timestamp, days: int = 6, night: tuple[int, int] = (1, 5)) -> alt.Chart:
    """Hour by hour around a date: what the detector sees (nights shaded, the estimated start marked)."""
    i = series.meter_position(meter)
    times = series.cell_times()
    lo = max(0, int(np.searchsorted(times, around.normalize() - pd.Timedelta(days=days // 2))))
    hi = min(len(times), lo + days * 24)
    data = pd.DataFrame({"heure": times[lo:hi], "litres": series.volume[i, lo:hi]})
    nights = pd.DataFrame({"début": [d + pd.Timedelta(hours=night[0]) for d in pd.date_range(times[lo].normalize(), times[hi - 1], freq="D")]})
    nights["fin"] = nights["début"] + pd.Timedelta(hours=night[1] - night[0])
    shade = alt.Chart(nights).mark_rect(color=GREY, opacity=0.15).encode(x="début:T", x2="fin:T")
    bars = alt.Chart(data).mark_bar(color=MAIN_COLOUR).encode(
        x=alt.X("heure:T", title=None, axis=alt.Axis(format="%d/%m %Hh")), y=alt.Y("litres:Q", title="litres par heure"),
        tooltip=[alt.Tooltip("heure:T", format="%d/%m %H:%M"), alt.Tooltip("litres:Q", format=".0f")])
    rule = alt.Chart(pd.DataFrame({"t": [around]})).mark_rule(color=LEAK_COLOUR, strokeWidth=2).encode(x="t:T")
    return alt.layer(shade, bars, rule).properties(
        title="Heure par heure autour du début estimé (nuits en gris, début en rouge)", height=220)


def peers_chart(values: np.ndarray, household: float, mean: float, efficient: float) -> alt.Chart:
    """Where the household stands among similar homes."""
    data = pd.DataFrame({"litres par jour": values})
    hist = alt.Chart(data).mark_bar(color=GREY, opacity=0.6).encode(
        x=alt.X("litres par jour:Q", bin=alt.Bin(maxbins=30), title="litres par jour"),
        y=alt.Y("count():Q", title="foyers semblables"))
    marks = pd.DataFrame(
        {
            "valeur": [efficient, mean, household],
            "repère": ["20 % les plus économes", "moyenne des foyers semblables", "ce foyer"],
        }
    )
    rules = alt.Chart(marks).mark_rule(strokeWidth=3).encode(
        x="valeur:Q",
        color=alt.Color("repère:N", scale=alt.Scale(domain=list(marks["repère"]), range=["#18753c", GREY, MAIN_COLOUR]),
                        title=None, legend=alt.Legend(labelLimit=260)),
        tooltip=["repère", alt.Tooltip("valeur:Q", format=".0f")],
    )
    return alt.layer(hist, rules).properties(title="Parmi les foyers semblables", height=240)


def profiles_chart(profiles: pd.DataFrame) -> alt.Chart | None:
    if profiles.empty:
        return None
    data = profiles.assign(pourcentage=profiles["part"] * 100, profil=profiles["segment"] + " (" + profiles["foyers"].astype(str) + ")")
    return (
        alt.Chart(data, title="Journée type de chaque profil (part de l'eau du jour à chaque heure)")
        .mark_line(point=True)
        .encode(
            x=alt.X("heure:O", title="heure"),
            y=alt.Y("pourcentage:Q", title="% de l'eau du jour"),
            color=alt.Color("profil:N", title="profil (foyers)"),
            tooltip=["segment", "heure", alt.Tooltip("pourcentage:Q", format=".1f")],
        )
        .properties(height=300)
    )
