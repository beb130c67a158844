"""« Fiche projet »: the sheet of the latest run of a demo, with editable yearly-gain assumptions and downloads."""

from __future__ import annotations

import re

import streamlit as st
from streamlit.errors import StreamlitAPIException

from sandbox import registry
from sandbox.data.communes import load_communes
from sandbox.workshop.profiles import ProfileError, load_profile
from sandbox.sheet.sheet import MAX_NAME, AssumptionError, UseCase, build_sheet, format_number
from sandbox.ui.runs import all_runs
from sandbox.ui.sidebar import current_commune

KEY = "sheet"

st.title("Fiche projet")
st.markdown(
    "Après une démonstration, cette page rassemble sur une à deux pages ce qu'un comité de financement demande : "
    "le cas d'usage, les données utilisées, la méthode, **les chiffres mesurés face à la situation actuelle**, "
    "les **gains annuels** sous vos hypothèses, le **coût du calcul** et les **risques** (AI Act, RGPD). "
    "Téléchargez-la en Markdown ou en PDF, et la fiche de transparence algorithmique en JSON."
)


def commune_label(name: str) -> str:
    """« Commune de Montreuil », « Commune du Blanc-Mesnil », « Commune d'Ivry-sur-Seine »."""
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if name.startswith(article):
            return f"Commune {contracted}{name[len(article):]}"
    if name[:1].lower() in "aeiouyéèêh" and not name.startswith(("L'", "La ")):
        return f"Commune d'{name}"
    return f"Commune de {name}"


def no_run_yet() -> None:
    st.info(
        "**Aucune démonstration n'a encore été lancée pendant cette session** : il n'y a pas encore de chiffres "
        "à mettre dans une fiche. Ouvrez une démonstration, lancez-la (les données d'exemple suffisent), "
        "puis revenez sur cette page.",
        icon=":material/info:",
    )
    demos = registry.available_demos()
    if not demos:
        st.caption("Aucune démonstration n'est encore installée dans cette version de l'application.")
    for demo in demos:
        try:
            st.page_link(demo.path, label=demo.title, icon=demo.icon)
        except StreamlitAPIException:  # outside the app's navigation (page tested alone)
            st.markdown(f"- {demo.title}")


runs = {k: v for k, v in all_runs().items() if k in {d.key for d in registry.DEMOS}}
if not runs:
    no_run_yet()
    st.stop()

order = sorted(runs, key=lambda k: runs[k].created, reverse=True)
current = st.session_state.get("current_demo")
default = order.index(current) if current in order else 0
demo_key = st.selectbox(
    "Démonstration",
    order,
    index=default,
    key=f"{KEY}.demo",
    format_func=lambda k: f"{registry.demo(k).title} — exécution de {runs[k].created:%H:%M:%S}",
)
summary = runs[demo_key]
try:
    profile = load_profile(demo_key)
except ProfileError as exc:
    st.error(f"La fiche de cette démonstration est introuvable ou mal formée ({exc}). Les autres pages fonctionnent toujours.")
    st.stop()

code = current_commune()
commune = load_communes().loc[code, "nom"] if code else None
with st.expander("Organisme responsable", icon=":material/account_balance:", expanded=False):
    left, right = st.columns(2)
    organisation = left.text_input(
        "Organisme responsable",
        value=commune_label(commune) if commune else "",
        key=f"{KEY}.organisation",
        placeholder="Commune de …, CCAS de …, établissement public territorial …",
        max_chars=MAX_NAME,
    )
    contact = right.text_input(
        "Contact (service ou adresse générique)", key=f"{KEY}.contact", placeholder="innovation@ma-commune.fr",
        max_chars=MAX_NAME,
    )

st.subheader("Hypothèses des gains annuels")
st.caption(
    "Remplacez les valeurs par défaut par vos chiffres (la source de chacune est dans l'aide « ? »). "
    "Nombres positifs ; la virgule décimale et les espaces entre milliers sont acceptés."
)
values: dict[str, str] = {}
columns = st.columns(2)
for i, assumption in enumerate(profile.assumptions):
    label = f"{assumption.label} ({assumption.unit})" if assumption.unit else assumption.label
    values[assumption.key] = columns[i % 2].text_input(
        label, value=format_number(assumption.default), key=f"{KEY}.{demo_key}.{assumption.key}", help=assumption.source
    )

try:
    entry = registry.demo(demo_key)
    use_case = UseCase(entry.title, problem=entry.problem, ai=entry.ai, users=entry.users)
    sheet = build_sheet(summary, use_case=use_case, assumptions=values, organisation=organisation, contact=contact, commune=commune)
except AssumptionError as exc:
    st.error(
        "**Certaines hypothèses ne sont pas utilisables** :\n\n"
        + "\n".join(f"- {m}" for m in exc.messages)
        + "\n\nCorrigez-les pour obtenir la fiche et ses téléchargements.",
        icon=":material/error:",
    )
    st.stop()

st.session_state[f"{KEY}.last_sheet"] = sheet  # read back by the tests and the workshop page
stem = f"fiche-projet-{demo_key}-{summary.created:%Y%m%d-%H%M}"


@st.cache_data(max_entries=8, show_spinner="Mise en page du PDF…")
def pdf_bytes(_sheet, cache_key: str) -> bytes:
    return _sheet.to_pdf()


markdown = sheet.to_markdown()
record = sheet.to_json()
st.subheader("Télécharger")
with st.container(horizontal=True):
    st.download_button(
        "PDF", pdf_bytes(sheet, markdown + record), file_name=f"{stem}.pdf", mime="application/pdf",
        key=f"{KEY}.pdf", icon=":material/picture_as_pdf:", type="primary", on_click="ignore",
    )
    st.download_button(
        "Markdown", markdown.encode("utf-8"), file_name=f"{stem}.md", mime="text/markdown",
        key=f"{KEY}.md", icon=":material/article:", on_click="ignore",
    )
    st.download_button(
        "Fiche de transparence (JSON)", record.encode("utf-8"), file_name=f"transparence-{demo_key}.json",
        mime="application/json", key=f"{KEY}.json", icon=":material/data_object:", on_click="ignore",
    )

st.subheader("Aperçu")
with st.container(border=True):
    st.markdown(re.sub(r"^(#+) ", r"##\1 ", markdown, flags=re.MULTILINE))  # the page keeps a single title
