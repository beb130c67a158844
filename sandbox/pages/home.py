"""Home page: what the sandbox is for, and one card per demo."""

import streamlit as st

from sandbox import registry
from sandbox.text import typography

st.title("Bac à sable IA")
st.markdown(typography(
    "Des usages concrets de l'intelligence artificielle pour les **communes de la Métropole du Grand Paris**, "
    "à essayer sur des données d'exemple ou sur les vôtres : pour animer un **atelier** avec des agents, "
    "**tester sur vos propres exports** avant d'aller plus loin, ou **préparer une demande de financement** "
    "avec des chiffres mesurés sur vos données et les risques identifiés."
))
st.info(typography(
    "**Vos données restent sur votre poste.** Tout est calculé ici, par cette application : "
    "aucun fichier n'est envoyé sur Internet et aucune statistique d'usage n'est collectée."),
    icon=":material/lock:",
)

st.header("Les démonstrations")
demos = registry.available_demos()
for start in range(0, len(demos), 2):
    for column, demo in zip(st.columns(2), demos[start : start + 2]):
        with column.container(border=True):
            st.subheader(demo.title, anchor=False)
            st.markdown(typography(
                f"**Le problème.** {demo.problem}\n\n"
                f"**Ce que fait l'IA.** {demo.ai}\n\n"
                f"**Les données.** {demo.data}\n\n"
                f"**Pour qui.** {demo.users}"
            ))
            st.page_link(demo.path, label="Ouvrir la démonstration", icon=demo.icon)

st.header("Comment s'en servir")
st.markdown(typography(
    "1. Ouvrez une démonstration : elle démarre sur des **données d'exemple synthétiques** (aucune personne réelle).\n"
    "2. Jouez sur les paramètres et lisez les chiffres **par rapport à la situation actuelle**.\n"
    "3. Essayez sur **vos fichiers** (CSV, Excel, ODS) : les colonnes sont reconnues même si leurs noms diffèrent.\n"
    "4. Lisez toujours « Limites et risques » : chaque démonstration dit où elle se trompe."
))
