"""The last line of defence: a page that fails shows a French message, never a traceback."""

from __future__ import annotations

import logging
import os

import streamlit as st

from sandbox.data.errors import DataError

logger = logging.getLogger("sandbox")

UNEXPECTED_ERROR = (
    "Une erreur inattendue a interrompu cette page. Les autres pages fonctionnent toujours ; "
    "rechargez la page ou revenez aux données d'exemple. Si cela se reproduit, signalez-le à "
    "l'équipe avec le détail technique ci-dessous."
)


def run_page(page) -> None:
    """Run a ``st.navigation`` page; turn any error into a French message.

    ``st.rerun``/``st.stop`` are not errors (they derive from BaseException)
    and pass through. With ``SANDBOX_DEBUG=1`` errors are raised as usual.
    """
    try:
        page.run()
    except DataError as exc:
        st.error(str(exc), icon=":material/error:")
    except Exception as exc:
        if os.environ.get("SANDBOX_DEBUG") == "1":
            raise
        logger.exception("page %r failed", getattr(page, "title", page))
        st.error(UNEXPECTED_ERROR, icon=":material/error:")
        with st.expander("Détail technique"):
            st.code(f"{type(exc).__name__}: {exc}", language=None)
