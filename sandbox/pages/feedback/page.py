"""« Retours de l'atelier »: the reports participants sent with « Signaler », listed and exported as CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sandbox import registry
from sandbox.workshop.feedback import FeedbackError, FeedbackStore, to_csv
from sandbox.text import plural
from sandbox.ui.workshop import facilitator_gate

KEY = "feedback"

st.title("Retours de l'atelier")
st.markdown(
    "Sous chaque résultat, le bouton **Signaler** permet aux participants de noter ce qu'ils trouvent faux, "
    "surprenant ou à améliorer ; le retour est enregistré **sur ce poste** avec la page et les paramètres du "
    "moment. Retrouvez-les ici et exportez-les pour les reprendre après l'atelier."
)

if not facilitator_gate():
    st.stop()

store = FeedbackStore()  # its path is never shown: the room may see this screen (SANDBOX_FEEDBACK_DB sets it)


def titles() -> dict[str, str]:
    return {d.key: d.title for d in registry.DEMOS}


flash = st.session_state.pop(f"{KEY}.flash", None)
if flash:
    st.success(flash, icon=":material/check:")

try:
    entries = store.list()
except FeedbackError as exc:
    st.error(str(exc), icon=":material/error:")
    st.caption("Les démonstrations et la fiche projet continuent de fonctionner ; seuls les retours sont indisponibles.")
    st.stop()

if not entries:
    st.info(
        "Aucun retour pour l'instant. Lancez une démonstration : le bouton **Signaler** apparaît sous ses résultats.",
        icon=":material/forum:",
    )
    st.stop()

names = titles()
demos = sorted({e.demo for e in entries}, key=lambda k: names.get(k, k))
chosen = st.multiselect(
    "Démonstrations", demos, default=demos, format_func=lambda k: names.get(k, k), key=f"{KEY}.demos"
)
shown = [e for e in entries if e.demo in chosen]
st.markdown(f"**{plural(len(shown), 'retour affiché', 'retours affichés')}** sur {len(entries)}.")

table = pd.DataFrame(
    {
        "n°": [e.id for e in shown],
        "date": [e.created.strftime("%d/%m/%Y %H:%M") for e in shown],
        "démonstration": [names.get(e.demo, e.demo) for e in shown],
        "type": [e.category for e in shown],
        "commentaire": [e.comment for e in shown],
        "paramètres": [" ; ".join(f"{k} = {v}" for k, v in e.parameters.items()) for e in shown],
        "données": [e.context.get("description", "") for e in shown],
    }
)
st.dataframe(table, hide_index=True, width="stretch")

st.download_button(
    "Exporter en CSV",
    to_csv(shown),
    file_name="retours-atelier.csv",
    mime="text/csv",
    key=f"{KEY}.csv",
    icon=":material/download:",
    type="primary",
    on_click="ignore",
    help="Fichier CSV (séparateur point-virgule, UTF-8) qui s'ouvre dans un tableur.",
)

with st.expander("Vider les retours", icon=":material/delete:"):
    st.caption("Après les avoir exportés, vous pouvez effacer les retours de ce poste pour l'atelier suivant.")
    confirm = st.checkbox("Je confirme : effacer tous les retours enregistrés sur ce poste", key=f"{KEY}.confirm")
    if st.button("Effacer tous les retours", key=f"{KEY}.clear", disabled=not confirm):
        try:
            deleted = store.delete()
        except FeedbackError as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            st.session_state[f"{KEY}.flash"] = f"{plural(deleted, 'retour effacé', 'retours effacés')}."
            st.rerun()
