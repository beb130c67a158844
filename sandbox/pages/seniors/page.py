"""Seniors: where the needs are (territory mode) and whom to visit first within a capacity (person mode)."""

from pathlib import Path

import streamlit as st

from sandbox.ui import explain, page_header
from sandbox.pages.seniors.persons import person_mode
from sandbox.pages.seniors.territory import territory_mode

KEY = "seniors"
TERRITORY = "Territoire : où sont les besoins ?"
PERSONS = "Personnes : qui visiter d'abord ?"

page_header(
    "Seniors : repérer les besoins d'accompagnement",
    "Un CCAS ne peut pas rendre visite à toutes les personnes âgées : il doit aller d'abord vers les plus isolées, "
    "pauvres ou fragiles, **avant** la crise. L'IA combine des indicateurs publics pour situer les besoins par commune, "
    "et, sur le fichier du CCAS, estime pour chaque personne un risque d'hospitalisation ou d'entrée en établissement "
    "pour proposer une liste de visites dans la capacité disponible — une **aide à la décision**, validée par un agent.",
    demo=KEY,
)

mode = st.radio(
    "Mode",
    [TERRITORY, PERSONS],
    horizontal=True,
    key=f"{KEY}.mode",
    captions=["données agrégées, aucune donnée personnelle", "fichier nominatif : données personnelles et de santé"],
)
if mode == PERSONS:
    person_mode(KEY)
else:
    territory_mode(KEY)

HERE = Path(__file__).parent
explain((HERE / "how.md").read_text(encoding="utf-8"), (HERE / "limits.md").read_text(encoding="utf-8"))
