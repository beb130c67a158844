"""Pieces of the matching page: the input with the wrong-file check, the score bars, a match card."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from sandbox.data import Schema, Validated
from sandbox.data.schemas.matching import check_kind
from sandbox.models.matching import PART_LABELS, PARTS, explain_match, protected_columns
from sandbox.text import num, q, typography
from sandbox.ui.inputs import table_input

PART_COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#9d755d"]


def matching_input(schema: Schema, *, sample: str, key: str, expected: str, label: str) -> tuple[Validated | None, list[str]]:
    """``table_input`` plus the check that an upload is the expected file; returns the table and the columns never read."""
    result = table_input(
        schema,
        sample=sample,
        key=key,
        label=label,
        errors="drop",
        check=lambda df: check_kind([str(c) for c in df.columns], expected, df.attrs.get("filename")),
    )
    if result is None:
        return None, []
    return result, protected_columns(list(result.source_columns))


def score_bars(frame: pd.DataFrame, weights: dict, label_column: str, *, height: int | None = None) -> alt.Chart:
    """A horizontal stacked bar per match: what each part brings to the score (out of 100)."""
    rows = []
    for _, row in frame.iterrows():
        for part in PARTS:
            rows.append({"rapprochement": f"{int(row['rank'])}. {row[label_column]}", "part": PART_LABELS[part], "ordre": PARTS.index(part),
                         "points": round(100 * weights[part] * row[part], 1)})
    data = pd.DataFrame(rows)
    order = list(dict.fromkeys(data["rapprochement"])) if len(data) else []
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("sum(points):Q", title="score (sur 100)", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("rapprochement:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("part:N", title="part du score", sort=[PART_LABELS[p] for p in PARTS],
                            scale=alt.Scale(domain=[PART_LABELS[p] for p in PARTS], range=PART_COLOURS)),
            order=alt.Order("ordre:Q"),
            tooltip=["rapprochement", "part", alt.Tooltip("points:Q", format=".1f")],
        )
        .properties(height=height or max(120, 34 * len(order)))
    )


def match_cards(frame: pd.DataFrame, weights: dict, title_column: str, *, key: str) -> None:
    """One folded card per match with its explanation, missing skills and training."""
    for i, (_, row) in enumerate(frame.iterrows()):
        header = f"{int(row['rank'])}. {row[title_column]} — {num(row['score'], 0)}/100"
        with st.expander(header, expanded=i == 0):
            for line in explain_match(row, weights):
                st.markdown(f"- {line}")


def never_read_note(columns: list[str]) -> None:
    if columns:
        st.caption(":material/visibility_off: " + typography(
            "Colonnes présentes mais **jamais lues** par le score : "
            + ", ".join(q(c) for c in columns)
            + ". Elles ne servent qu'à l'affichage ou sont ignorées ; les exports sont pseudonymisés."
        ))
