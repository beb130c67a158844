"""Helpers shared by the test files (importable as ``helpers``: ``tests/conftest.py`` puts this folder on the path)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from sandbox.ui.safety import UNEXPECTED_ERROR


def no_crash(at: AppTest) -> None:
    """The one thing no page may do: show a traceback or the generic « erreur inattendue » box.

    A French ``st.error`` about the user's data is allowed (that is the page
    doing its job); an exception shown on screen, or caught by
    :func:`sandbox.ui.safety.run_page` and shown as ``UNEXPECTED_ERROR``, is not.
    """
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.error if e.value == UNEXPECTED_ERROR], [e.value for e in at.error]
