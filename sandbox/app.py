"""Bac à sable IA — the entry point: ``streamlit run sandbox/app.py``.

Builds the navigation from :mod:`sandbox.registry`, draws the shared
sidebar and runs the chosen page behind a French error message.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script by Streamlit: make ``import sandbox`` work without install
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st

from sandbox import registry
from sandbox.ui.maps import ensure_leaflet
from sandbox.ui.safety import run_page
from sandbox.ui.sidebar import render_sidebar

st.set_page_config(
    page_title="Bac à sable IA",
    page_icon=str(Path(__file__).resolve().parent / "static" / "icon.png"),
    layout="wide",
    menu_items={"About": "Bac à sable IA : des usages concrets de l'IA pour les communes, sur votre poste, hors ligne."},
)
ensure_leaflet()

sections: dict[str, list] = {}
for entry in registry.all_pages():
    page = st.Page(
        entry.path,
        title=entry.title,
        icon=entry.icon,
        url_path=entry.url,
        default=entry is registry.HOME,
    )
    sections.setdefault(entry.section, []).append(page)

current = st.navigation(sections)
render_sidebar()
run_page(current)
