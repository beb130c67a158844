"""The result tabs of the water page: quality, leaks, one household, profiles, campaign, downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sandbox.data import to_csv_bytes
from sandbox.models.water import (
    BILLING_DELAY_DAYS,
    EFFECT_SOURCES,
    PRICE_SOURCE_FR,
    CampaignResult,
    WaterAnalysis,
    sms_segments,
)
from sandbox.models.water.analysis import DATE_ONLY
from sandbox.models.water.messages import LETTER, SMS
from sandbox.models.water.peers import ABOVE
from sandbox.models.water.quality import STATUS_CHECK, STATUS_OK
from sandbox.text import num, pct, plural, q, typography
from sandbox.ui import kpi
from sandbox.ui.charts import show_chart
from sandbox.pages.water.charts import (
    household_chart,
    hourly_chart,
    leaks_chart,
    peers_chart,
    profiles_chart,
    quality_chart,
)

ALL = "Tous les foyers analysés"
ABOVE_AVERAGE = "Foyers au-dessus de la moyenne de leurs pairs"
PROFILE = typography("Profil : ")
COMMUNE = typography("Commune : ")


def table(frame: pd.DataFrame, height: int = 280) -> None:
    """A dataframe with French date formats."""
    config = {}
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            fmt = "DD/MM/YYYY" if col in DATE_ONLY else "DD/MM/YYYY HH:mm"
            config[col] = st.column_config.DatetimeColumn(col, format=fmt)
    st.dataframe(frame, hide_index=True, height=height, column_config=config)


def _key(chart_key: str | None, *parts) -> str | None:
    """The cache key of one chart of the analysis *chart_key* (None: not cached)."""
    return None if chart_key is None else ":".join(map(str, (chart_key, *parts)))


def quality_tab(a: WaterAnalysis, chart_key: str | None = None) -> None:
    meters = a.quality.meters
    status = meters["état"].value_counts()
    c1, c2, c3 = st.columns(3)
    c1.metric("Compteurs sans problème", num(status.get(STATUS_OK, 0)))
    c2.metric("Compteurs à vérifier", num(status.get(STATUS_CHECK, 0)))
    c3.metric("Heures couvertes (moyenne)", pct(float(meters["couverture"].mean()) if len(meters) else 0.0))
    show_chart(lambda: quality_chart(a.quality), cache_key=_key(chart_key, "quality"))
    for note in a.quality.notes:
        st.caption(note)
    st.markdown(typography("**Problèmes par compteur** (une lacune n'est jamais prise pour une fuite ; les périodes bloquées ou figées sont écartées de l'analyse)"))
    table(a.quality.issues, 300)


def leaks_tab(a: WaterAnalysis, chart_key: str | None = None) -> None:
    leaks = a.leaks
    ongoing = leaks.ongoing()
    c1, c2, c3 = st.columns(3)
    with c1:
        kpi("Fuites en cours", len(ongoing), unit="", lower_is_better=True,
            help=f"{plural(len(leaks), 'alerte')} en tout, dont celles qui se sont arrêtées.")
    with c2:
        kpi("Eau perdue par an", leaks.m3_per_year, unit="m³", help=f"Soit {num(leaks.cost_per_year)} € par an au prix choisi.")
    with c3:
        kpi("Délai avant l'alerte", a.detection_days(), BILLING_DELAY_DAYS, unit="jours", decimals=1,
            help=typography("Du début estimé de la fuite à l'alerte, comparé à la découverte à la facture (relevé semestriel : 91 jours en moyenne)."))
    if not show_chart(lambda: leaks_chart(leaks), cache_key=_key(chart_key, "leaks")):
        st.info(typography("Aucun débit continu la nuit : pas de fuite probable avec ces réglages."))
        return
    table(leaks.to_frame(), 260)


def _meter_label(a: WaterAnalysis, meter: str, leak_meters: set[str]) -> str:
    return f"{meter} — fuite probable" if meter in leak_meters else meter


def household_tab(a: WaterAnalysis, key: str, chart_key: str | None = None) -> None:
    leak_meters = {x.meter for x in a.leaks.ongoing()}
    meters = a.analysed_meters()
    if not meters:
        st.info("Aucun compteur n'a assez de relevés pour être analysé.")
        return
    ordered = sorted(meters, key=lambda m: (m not in leak_meters, m))
    meter = st.selectbox("Foyer", ordered, format_func=lambda m: _meter_label(a, m, leak_meters), key=f"{key}.meter",
                         help="Les foyers avec une fuite probable en cours sont en tête de liste.")
    alerts = a.leaks.for_meter(meter)
    show_chart(lambda: household_chart(a.series, meter, alerts), cache_key=_key(chart_key, "household", meter))
    for alert in alerts:
        state = "toujours en cours à la fin des relevés" if alert.ongoing else f"arrêtée après le {alert.last_seen:%d/%m/%Y}"
        st.error(typography(
            f"**Fuite probable** depuis le {alert.start:%d/%m/%Y} vers {alert.start:%H} h ({state}) : environ "
            f"{num(alert.flow_l_h, 1)} L/h, soit {num(alert.litres_per_day)} litres par jour et "
            f"{num(alert.cost_per_year)} € par an. Alerte donnée le {alert.detected:%d/%m/%Y} à {alert.detected:%H} h, "
            f"après {plural(a.params.nights, 'nuit')} de débit continu."),
            icon=":material/water_damage:",
        )
    if alerts and a.series.hourly:
        show_chart(lambda: hourly_chart(a.series, meter, alerts[-1].start, night=(a.params.night_start, a.params.night_end)),
                   cache_key=_key(chart_key, "hourly", meter))
    issues = a.quality.for_meter(meter)
    if not issues.empty:
        st.warning(typography("Qualité des relevés de ce compteur : " + " ; ".join(f"{p} ×{n}" for p, n in zip(issues["problème"], issues["nombre"]))),
                   icon=":material/rule:")
    peer = a.peers.row(meter)
    if peer and peer["comparable"]:
        show_chart(lambda: peers_chart(a.peers.peers_of(meter), peer["litres_jour"], peer["moyenne"], peer["econome"]),
                   cache_key=_key(chart_key, "peers", meter))
        st.caption(typography(f"Comparé aux {peer['groupe']} ({plural(int(peer['pairs']), 'foyer')}) sur les {num(a.peers.period_days)} derniers jours : {peer['position']}."))
    elif peer:
        st.caption(typography(f"Pas de comparaison pour ce foyer : {peer['raison']}."))
    unusual = a.unusual.for_meter(meter)
    if not unusual.empty:
        with st.expander(f"Journées inhabituelles de ce foyer ({num(len(unusual))})"):
            table(unusual[["date", "critère", "raison"]], 200)
    texts = a.messages.for_meter(meter)
    letter, sms = st.columns([3, 2])
    with letter:
        st.markdown("**Courrier**")
        with st.container(border=True):
            st.markdown(texts.get(LETTER, "").replace("\n\n", "\u2029").replace("\n", "  \n").replace("\u2029", "\n\n"))
    with sms:
        st.markdown("**SMS**")
        text = texts.get(SMS, "")
        st.info(text, icon=":material/sms:")
        st.caption(f"{num(len(text))} caractères, {plural(sms_segments(text), 'SMS')}.")


def profiles_tab(a: WaterAnalysis, chart_key: str | None = None) -> None:
    if not show_chart(lambda: profiles_chart(a.segments.profiles_frame()), cache_key=_key(chart_key, "profiles")):
        st.info("Les profils demandent des relevés horaires et au moins quelques dizaines de foyers.")
    else:
        st.caption("Chaque profil reçoit un conseil adapté dans les messages (douche le matin, machines le soir, arrosage l'été…).")
    st.markdown(typography(f"**Journées inhabituelles** ({num(len(a.unusual))}) : loin des habitudes du foyer, avec la raison."))
    table(a.unusual.to_frame(), 280)


def campaign_tab(a: WaterAnalysis, households: pd.DataFrame | None, key: str) -> CampaignResult:
    targets = [ALL]
    if a.peers.table["comparable"].any():
        targets.append(ABOVE_AVERAGE)
    targets += [f"{PROFILE}{n}" for n in a.segments.names_]
    if households is not None and households["commune"].notna().any():
        targets += [f"{COMMUNE}{c}" for c in sorted(households["commune"].dropna().unique())]
    c1, c2, c3 = st.columns(3)
    target = c1.selectbox("Foyers ciblés", targets, key=f"{key}.target")
    effect = c2.slider("Effet attendu (baisse de la consommation)", 0.0, 15.0, 5.0, 0.5, format="%.1f %%", key=f"{key}.effect",
                       help=typography("5 % par défaut : l'ordre de grandeur des essais publiés (voir les sources ci-dessous).")) / 100
    control = c3.slider("Part de foyers témoins", 0, 50, 20, 5, format="%d %%", key=f"{key}.control",
                        help=typography("Ces foyers ne reçoivent rien : la comparaison avec eux mesure l'effet réel.")) / 100
    meters = _target_meters(a, households, target)
    result = a.campaign(meters, effect=effect, control_share=control)
    k1, k2, k3 = st.columns(3)
    with k1:
        kpi("Eau économisée", result.saved_m3_year, unit="m³/an", lower_is_better=False)
    with k2:
        kpi("Économie pour les foyers", result.saved_eur_year, unit="€/an", lower_is_better=False)
    with k3:
        kpi("Foyers nécessaires pour mesurer l'effet", result.n_required, unit="foyers",
            help=typography(f"{num(result.n_target)} foyers ciblés. Test bilatéral à 5 %, puissance 80 %, en tenant compte de la consommation passée (ρ = {num(result.rho, 2)})."))
    (st.success if result.detectable else st.warning)(result.verdict())
    with st.expander(typography("D'où vient l'effet attendu ?")):
        st.markdown("\n".join(f"- {s}" for s in EFFECT_SOURCES))
        st.caption(PRICE_SOURCE_FR)
    return result


def _target_meters(a: WaterAnalysis, households: pd.DataFrame | None, target: str) -> list[str]:
    analysed = a.analysed_meters()
    if target == ABOVE_AVERAGE:
        t = a.peers.table
        return t.loc[t["position"] == ABOVE, "compteur"].astype(str).tolist()
    if target.startswith(PROFILE):
        name = target.removeprefix(PROFILE)
        seg = a.segments.to_frame()
        return seg.loc[seg["segment"] == name, "compteur"].astype(str).tolist()
    if target.startswith(COMMUNE) and households is not None:
        commune = target.removeprefix(COMMUNE)
        return households.loc[households["commune"] == commune, "meter"].astype(str).tolist()
    return analysed


def downloads_tab(a: WaterAnalysis, key: str) -> None:
    st.caption(typography(f"Fichiers CSV (séparateur {q(';')}, virgule décimale), comme ceux de la ligne de commande « python -m sandbox water »."))
    files = [
        ("Alertes de fuite", "alerts.csv"),
        ("Messages (compteur, canal, texte)", "messages.csv"),
        ("Rapport de qualité", "quality.csv"),
        ("Journées inhabituelles", "unusual_days.csv"),
    ]
    cols = st.columns(len(files))
    for col, (label, name) in zip(cols, files):
        # Written when clicked, not on every run: a page view costs no CSV (issue 14, a workshop of 30).
        col.download_button(label, _csv_export(a, name), file_name=name, mime="text/csv", key=f"{key}.dl.{name}", width="stretch")


def _csv_export(a: WaterAnalysis, name: str):
    """The download's data as a callable, run when the button is clicked."""
    return lambda: to_csv_bytes(a.exports()[name], date_format="%d/%m/%Y %H:%M")
