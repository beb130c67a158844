"""Pieces of the matching page: the input with the wrong-file check, the score bars, a match card."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from sandbox.data import Schema, Validated
from sandbox.data.schemas.matching import check_kind
from sandbox.models.matching import PART_LABELS, PARTS, explain_match, protected_columns
from sandbox.text import md_escape, num, q, typography
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
        header = f"{int(row['rank'])}. {md_escape(str(row[title_column]))} — {num(row['score'], 0)}/100"  # user text: inert Markdown
        with st.expander(header, expanded=i == 0):  # one list per card: one element, not one per line (issue 14)
            st.markdown("\n".join(f"- {md_escape(line)}" for line in explain_match(row, weights)))


def never_read_note(columns: list[str]) -> None:
    if columns:
        st.caption(":material/visibility_off: " + typography(
            "Colonnes présentes mais **jamais lues** par le score : "
            + ", ".join(q(c) for c in columns)
            + ". Elles ne servent qu'à l'affichage ou sont ignorées ; les exports sont pseudonymisés."
        ))


def reference_panel(key: str):
    """Which ROME reference is in use; with only the bundled extract, how to get the full one and an upload of the release zip."""
    import tempfile
    from pathlib import Path

    from sandbox.data import DataError
    from sandbox.data.rome import DOWNLOAD_HINT, import_release
    from sandbox.models.matching import load_reference, prepare_reference

    reference = load_reference()
    if reference.is_official:
        st.caption(":material/menu_book: " + typography(reference.describe()))
        return reference
    st.info(
        typography(
            reference.describe()
            + " Pour reconnaître tous les métiers, importez le référentiel officiel ROME 4.0 (données ouvertes de France Travail, "
            "Licence Ouverte) une fois pour toutes : " + DOWNLOAD_HINT
        ),
        icon=":material/menu_book:",
    )
    with st.expander("Importer le référentiel ROME 4.0 (archive zip publiée)", icon=":material/upload_file:"):
        upload = st.file_uploader("Archive zip du référentiel ROME 4.0", type=["zip"], key=f"{key}.rome_zip")
        if upload is not None and st.button("Importer ce référentiel", key=f"{key}.rome_import"):
            try:
                with st.spinner("Vérification et import du référentiel…"), tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / "rome.zip"
                    path.write_bytes(upload.getvalue())
                    import_release(path)
                with st.spinner("Préparation du codeur d'intitulés et de l'index des compétences…"):
                    prepare_reference()
            except DataError as exc:
                st.error(md_escape(str(exc)), icon=":material/error:")
                return reference
            st.cache_data.clear()
            st.rerun()
    return reference


def coding_tab(key: str, rome) -> None:
    """Code the job titles of an uploaded table to ROME; the user corrects the codes and downloads the table."""
    from sandbox.data import DataError, read_table
    from sandbox.data.export import to_csv_bytes

    st.markdown(typography(
        "Déposez un tableau d'offres ou de candidats : chaque intitulé reçoit un code ROME, une confiance et deux autres "
        "propositions ; en dessous du seuil, « métier non reconnu ». Corrigez les codes dans le tableau puis téléchargez-le."
    ))
    upload = st.file_uploader("Tableau à coder (CSV, XLSX, ODS)", type=["csv", "xlsx", "xls", "ods", "txt"], key=f"{key}.code_file")
    if upload is None:
        return
    try:
        frame = read_table(upload.getvalue(), upload.name, max_rows=50_000)
    except DataError as exc:
        st.error(md_escape(str(exc)), icon=":material/error:")
        return
    columns = [str(c) for c in frame.columns]
    guess = next((i for i, c in enumerate(columns) if any(w in c.lower() for w in ("intitul", "métier", "metier", "poste", "titre"))), 0)
    a, b = st.columns(2)
    title_col = a.selectbox("Colonne de l'intitulé", columns, index=guess, key=f"{key}.code_col")
    desc_options = ["(aucune)", *[c for c in columns if c != title_col]]
    desc_col = b.selectbox("Colonne de description (facultative)", desc_options, key=f"{key}.code_desc")
    coded = _coded(frame, title_col, None if desc_col == "(aucune)" else desc_col, rome)
    unknown = int(coded["code_rome"].isna().sum())
    st.caption(typography(f"{num(len(coded))} lignes codées ; {num(unknown)} « métier non reconnu » (confiance sous {num(rome.min_score / 100, 2)})."))
    edited = st.data_editor(
        coded,
        key=f"{key}.code_editor",
        hide_index=True,
        disabled=[c for c in coded.columns if c not in ("code_rome",)],
        column_config={"code_rome": st.column_config.TextColumn("code ROME (modifiable)", max_chars=5, validate=r"^[A-N][0-9]{4}$")},
    )
    st.download_button("Tableau codé (CSV)", to_csv_bytes(edited), "intitules_codes_rome.csv", "text/csv", key=f"{key}.code_dl")


@st.cache_data(max_entries=4, show_spinner="Codage des intitulés…")
def _coded(frame: pd.DataFrame, title_col: str, desc_col: str | None, _rome) -> pd.DataFrame:
    titles = frame[title_col].astype("object")
    descriptions = frame[desc_col].astype("object") if desc_col else None
    out = _rome.code(titles.tolist(), None if descriptions is None else descriptions.tolist())
    out.insert(0, "intitulé", titles.to_numpy())
    return out


def related_jobs(rows: pd.DataFrame, weights: dict) -> None:
    """The « métiers proches » offers of a candidate, apart from the main list."""
    if rows.empty:
        return
    st.markdown("**" + typography("Métiers proches") + "** — " + typography(
        "offres d'autres métiers vers lesquels le référentiel ROME indique une mobilité possible depuis le métier recherché."
    ))
    st.dataframe(
        rows[["rank", "offer_id", "offer_title", "offer_rome", "score", "matched_skills", "missing_required"]].rename(
            columns={"rank": "rang", "offer_id": "offre", "offer_title": "intitulé", "offer_rome": "code ROME", "score": "score",
                     "matched_skills": "compétences en commun", "missing_required": "compétences manquantes"}
        ),
        hide_index=True,
    )
