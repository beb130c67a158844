"""Where demo pages leave what a run measured, for the project sheet."""

from __future__ import annotations

import streamlit as st

from sandbox.models.report import RunSummary

RUNS_KEY = "runs"


def publish_run(summary: RunSummary) -> None:
    """Record the latest run of a demo (kept across page changes, for this session only)."""
    st.session_state.setdefault(RUNS_KEY, {})[summary.demo] = summary


def last_run(demo: str) -> RunSummary | None:
    """The latest run of *demo* in this session, if any."""
    return st.session_state.get(RUNS_KEY, {}).get(demo)


def all_runs() -> dict[str, RunSummary]:
    """The latest run of each demo in this session."""
    return dict(st.session_state.get(RUNS_KEY, {}))
