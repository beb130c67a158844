"""Workshop mode: the sidebar switch, the facilitator notes on each demo page, and « Réinitialiser ».

The notes come from the demo's profile (``sandbox/workshop/<key>.toml``).
« Réinitialiser » clears every session key of the page — they all start
with ``f"{KEY}."`` by convention — so its widgets, its data choice and its
seed come back to their defaults on the next run: a workshop sees the same
thing again.
"""

from __future__ import annotations

import streamlit as st

from sandbox.workshop.profiles import ProfileError, load_profile

WORKSHOP_KEY = "workshop_mode"
_RESET_DONE = "_workshop.reset_done"


def workshop_enabled() -> bool:
    """True when the sidebar switch « Mode atelier » is on."""
    return bool(st.session_state.get(WORKSHOP_KEY, False))


def workshop_switch() -> bool:
    """The sidebar switch; returns its state."""
    return st.toggle(
        "Mode atelier",
        key=WORKSHOP_KEY,
        help="Affiche sur chaque démonstration les notes d'animation (questions pour la salle, idée reçue, "
        "exercices) et un bouton « Réinitialiser » qui remet la page à ses réglages par défaut.",
    )


def demo_keys(demo: str) -> list[str]:
    """The session keys that belong to a demo page (``f"{demo}."`` prefix)."""
    prefix = f"{demo}."
    return [k for k in list(st.session_state.keys()) if str(k).startswith(prefix)]


def reset_demo(demo: str) -> int:
    """Forget every widget value and stored choice of *demo*'s page; returns how many keys were cleared.

    Meant as a button callback: it runs before the page, so the page's
    widgets are created again with their defaults (and the default seed).
    The session's pseudonymisation key and published runs are kept.
    """
    keys = demo_keys(demo)
    for key in keys:
        del st.session_state[key]
    st.session_state[_RESET_DONE] = (demo, len(keys))
    return len(keys)


def current_seed(demo: str) -> object | None:
    """The seed the page's ``f"{demo}.seed"`` widget holds, or None before it is drawn (its default then)."""
    return st.session_state.get(f"{demo}.seed")


def workshop_panel(demo: str) -> None:
    """The facilitator notes and the reset button, shown under a demo page's title."""
    try:
        profile = load_profile(demo)
    except ProfileError:
        st.warning(f"Mode atelier : pas de notes d'animation pour cette page ({demo}).", icon=":material/co_present:")
        return
    notes = profile.workshop
    with st.container(border=True, key=f"_workshop.{demo}.panel"):
        st.markdown("**:material/co_present: Mode atelier — notes d'animation**")
        left, right = st.columns([4, 1])
        with left:
            questions = "\n".join(f"{i}. {text}" for i, text in enumerate(notes.questions, 1))
            exercises = "\n".join(f"{i}. {text}" for i, text in enumerate(notes.exercises, 1))
            st.markdown(
                f"**À montrer d'abord.** {notes.show_first}\n\n"
                f"**Questions pour la salle**\n\n{questions}\n\n"
                f"**Idée reçue.** {notes.misconception} {notes.answer}\n\n"
                f"**À vous de jouer**\n\n{exercises}"
            )
        with right:
            st.button(
                "Réinitialiser",
                key=f"_workshop.{demo}.reset",
                icon=":material/restart_alt:",
                on_click=reset_demo,
                args=(demo,),
                help="Remet les données, les paramètres et la graine de cette page à leurs valeurs par défaut.",
                width="stretch",
            )
            seed = current_seed(demo)
            shown = f"**{seed}**" if seed is not None else "celle par défaut de la page"
            st.caption(
                f"Graine aléatoire : {shown}. Avec la même graine et les mêmes réglages, "
                "la page refait exactement le même calcul."
            )
            done = st.session_state.get(_RESET_DONE)
            if done and done[0] == demo:
                del st.session_state[_RESET_DONE]
                st.success("Page remise à ses réglages par défaut.", icon=":material/check:")
