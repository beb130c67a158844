"""The sidebar every page shares: the commune, the workshop switch, and the privacy promise."""

from __future__ import annotations

import streamlit as st

from sandbox.data.communes import load_communes
from sandbox.ui.workshop import workshop_switch

ALL = ""


def current_commune() -> str | None:
    """INSEE code of the commune chosen in the sidebar, or None for the whole métropole."""
    return st.session_state.get("commune") or None


def render_sidebar() -> None:
    communes = load_communes().sort_values("nom")
    names = dict(zip(communes["code_insee"], communes["nom"]))
    with st.sidebar:
        st.selectbox(
            "Votre commune",
            [ALL, *names],
            format_func=lambda code: names.get(code, "Toute la métropole"),
            key="commune",
            help="Sert à centrer les cartes et à remplir la fiche projet ; les démonstrations restent utilisables pour toute la métropole.",
        )
        workshop_switch()
        st.caption(
            ":material/lock: **Vos données restent sur votre poste.** Les fichiers sont lus ici, "
            "par cette application ; rien n'est envoyé sur Internet."
        )
