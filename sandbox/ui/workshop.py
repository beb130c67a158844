"""Workshop mode: the sidebar switch, the facilitator notes on each demo page, and « Réinitialiser ».

The notes come from the demo's profile (``sandbox/workshop/<key>.toml``).
« Réinitialiser » clears every session key of the page — they all start
with ``f"{KEY}."`` by convention — so its widgets, its data choice and its
seed come back to their defaults on the next run: a workshop sees the same
thing again.

The facilitator pages are protected by a code once the app is opened to
the room (:func:`facilitator_gate`).
"""

from __future__ import annotations

import functools
import hmac
import os
import secrets
import sys
import time

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


# -- facilitator code -------------------------------------------------------------------------------
#
# Once the app is opened to the room (``make run HOST=0.0.0.0``), anyone on the Wi-Fi can open every
# page: the facilitator pages (« Retours de l'atelier »: read, export, erase) ask for a code. It is
# ``$BAC_A_SABLE_CODE`` if set (then asked even on localhost), else, when the server listens beyond
# this computer, a code generated once per server process and written in the server's terminal.

CODE_ENV = "BAC_A_SABLE_CODE"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_UNLOCKED = "_facilitator.unlocked"
_FAILURES = "_facilitator.failures"
MAX_FAILURES = 5
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def opened_to_room(address: str | None) -> bool:
    """True when the server listens beyond this computer (``server.address`` not a loopback one).

    >>> opened_to_room("127.0.0.1"), opened_to_room("0.0.0.0"), opened_to_room("")
    (False, True, True)
    """
    return (address or "").strip().strip("[]") not in LOOPBACK


@functools.lru_cache(maxsize=1)
def _generated_code() -> str:
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    print(  # the server's terminal, which only the facilitator sees
        f"\n  Code animateur (page « Retours de l'atelier ») : {code}\n"
        f"  (fixez-le avec la variable {CODE_ENV} pour le garder d'un lancement à l'autre)\n",
        file=sys.stderr,
        flush=True,
    )
    return code


def facilitator_code(address: str | None = None, environ: dict | None = None) -> str | None:
    """The code the facilitator pages ask for, or None when they are open (app on this computer only).

    >>> facilitator_code("127.0.0.1", {})
    >>> facilitator_code("127.0.0.1", {"BAC_A_SABLE_CODE": " atelier-42 "})
    'atelier-42'
    >>> len(facilitator_code("0.0.0.0", {}))
    8
    """
    environ = os.environ if environ is None else environ
    code = (environ.get(CODE_ENV) or "").strip()
    if code:
        return code
    if address is None:
        address = st.get_option("server.address")
    return _generated_code() if opened_to_room(address) else None


def check_code(entered: str, code: str) -> bool:
    """Compare in constant time (``hmac.compare_digest``), ignoring case and surrounding spaces.

    >>> check_code(" abcd2345 ", "ABCD2345"), check_code("ABCD2344", "ABCD2345")
    (True, False)
    """
    return hmac.compare_digest(entered.strip().upper().encode("utf-8"), code.strip().upper().encode("utf-8"))


def facilitator_gate() -> bool:
    """Ask for the facilitator code when one is required; True when the page may be shown.

    A page calls ``if not facilitator_gate(): st.stop()`` right after its title.
    The unlocked state lasts for the browser session; after
    :data:`MAX_FAILURES` wrong codes the session is refused.
    """
    code = facilitator_code()
    if code is None or st.session_state.get(_UNLOCKED):
        return True
    failures = int(st.session_state.get(_FAILURES, 0))
    if failures >= MAX_FAILURES:
        st.error(
            "Trop de codes erronés : cette page reste fermée dans cet onglet. "
            "Demandez le code à l'animateur, puis ouvrez l'application dans un nouvel onglet.",
            icon=":material/lock:",
        )
        return False
    st.info(
        "Cette page est réservée à l'animateur de l'atelier : saisissez le **code animateur** "
        "affiché dans le terminal où l'application a été lancée.",
        icon=":material/lock:",
    )
    with st.form("_facilitator.form", border=False):
        entered = st.text_input("Code animateur", type="password", key="_facilitator.code", max_chars=64)
        submitted = st.form_submit_button("Ouvrir la page", icon=":material/lock_open:")
    if submitted:
        if check_code(entered or "", code):
            st.session_state[_UNLOCKED] = True
            st.session_state.pop(_FAILURES, None)
            st.rerun()
        st.session_state[_FAILURES] = failures + 1
        time.sleep(0.5)  # slows guessing down; the session is refused after MAX_FAILURES
        if failures + 1 >= MAX_FAILURES:
            st.rerun()
        st.error("Code incorrect.", icon=":material/error:")
    return False
