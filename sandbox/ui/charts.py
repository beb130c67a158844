"""Altair charts converted once per content: the spec, with its data as Arrow bytes, is cached.

Converting an Altair chart for the browser (``chart.to_dict()`` with
schema validation, then the data to Arrow) costs tens of milliseconds per
chart and per run; a page with five charts spent a fifth of its server
time there (issue 14, a workshop of 30). With a ``cache_key`` that
identifies what the chart shows, :func:`show_chart` converts it once and
every later run, in any session, sends the cached spec.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import streamlit as st


@st.cache_data(max_entries=256, show_spinner=False)
def _spec(cache_key: str, _build: Callable[[], alt.TopLevelMixin | None]) -> dict | None:
    # Streamlit's own conversion (the one st.altair_chart runs): the same spec, datasets as Arrow bytes.
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    chart = _build()
    return None if chart is None else _convert_altair_to_vega_lite_spec(chart)


def show_chart(
    build: Callable[[], alt.TopLevelMixin | None], *, cache_key: str | None = None, width: str = "stretch"
) -> bool:
    """Show the chart *build* returns, as ``st.altair_chart`` would; False when *build* returns None (nothing shown).

    Parameters
    ----------
    build : callable
        Returns the Altair chart (or None: no chart); called only when the spec is not cached.
    cache_key : str, optional
        Identifies the chart's content (a digest of the data and the
        parameters it is drawn from, and which chart). None: converted on
        every run, as ``st.altair_chart`` does.
    width : str
        As for ``st.altair_chart``.
    """
    if cache_key is None:
        chart = build()
        if chart is not None:
            st.altair_chart(chart, width=width)
        return chart is not None
    spec = _spec(cache_key, build)  # a fresh copy on every call: Streamlit pops its datasets
    if spec is not None:
        st.vega_lite_chart(spec=spec, width=width)
    return spec is not None
