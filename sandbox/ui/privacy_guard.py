"""The personal-data guard of uploaded tables: warn before anything runs, then pseudonymise or drop.

:func:`sandbox.ui.inputs.table_input` calls :func:`privacy_guard` on every
uploaded table right after reading it. If columns look personal (names,
e-mails, phones, NIR, precise addresses, dates of birth — see
:mod:`sandbox.privacy`), the page stops there and asks, column by
column: pseudonymise (keyed hash; the key lives in this session only),
drop, or keep. Nothing is written to disk: the file, the key and the
transformed table stay in memory.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from sandbox.privacy import CHOICE_LABELS, CHOICES, PrivacyReport, Pseudonymiser, apply_choices, new_key, scan
from sandbox.text import md_escape, q

SESSION_KEY = "_privacy.key"  # not prefixed by a demo: the same pseudonyms on every page of the session


def session_pseudonymiser() -> Pseudonymiser:
    """The session's pseudonymiser; its random key is made on first use and never leaves memory."""
    key = st.session_state.get(SESSION_KEY)
    if not isinstance(key, bytes):
        key = new_key()
        st.session_state[SESSION_KEY] = key
    return Pseudonymiser(key)


def frame_digest(df: pd.DataFrame) -> str:
    """A content digest of a table (columns and values) to remember decisions by."""
    hashed = pd.util.hash_pandas_object(df, index=False).to_numpy()
    h = hashlib.sha1(hashed.tobytes())
    h.update("\x1f".join(map(str, df.columns)).encode())
    return h.hexdigest()


def _report(df: pd.DataFrame, key: str, digest: str) -> PrivacyReport:
    memo_key = f"{key}.report"
    memo = st.session_state.get(memo_key)
    if memo is not None and memo[0] == digest:
        return memo[1]
    report = scan(df)
    st.session_state[memo_key] = (digest, report)
    return report


def _confirm(decision_key: str, radio_keys: dict[str, str]) -> None:
    st.session_state[decision_key] = {column: st.session_state.get(rk, "pseudonymise") for column, rk in radio_keys.items()}


def _review(decision_key: str) -> None:
    st.session_state.pop(decision_key, None)


def privacy_guard(df: pd.DataFrame, *, key: str, filename: str | None = None, digest: str | None = None) -> pd.DataFrame | None:
    """Scan an uploaded table; return it (pseudonymised or trimmed as the user chose), or None while undecided.

    Parameters
    ----------
    df : DataFrame
        The table as read from the user's file.
    key : str
        Widget key prefix (the table input's key plus ``.privacy``), so the
        page's « Réinitialiser » clears the decisions with the rest.
    filename : str, optional
        Named in the warning.
    digest : str, optional
        A digest of the file's content (default: computed from *df*).

    Returns
    -------
    DataFrame or None
        The frame to continue with; its ``attrs["privacy_tag"]`` identifies
        the decision (to key caches). None when the user has not chosen yet:
        the caller must not run anything on the data.
    """
    digest = digest or frame_digest(df)
    report = _report(df, key, digest)
    if not report:
        st.caption(":material/verified_user: Aucune colonne d'apparence personnelle n'a été repérée dans ce fichier.")
        out = df
        out.attrs["privacy_tag"] = "none"
        return out

    decision_key = f"{key}.decision.{digest[:16]}"
    decision = st.session_state.get(decision_key)
    if decision is None:
        st.warning(
            f"**Données personnelles probables** dans {q(md_escape(filename)) if filename else 'ce fichier'} : "
            f"{md_escape(report.summary())} "
            "Choisissez pour chaque colonne avant de continuer : **pseudonymiser** (chaque valeur est remplacée "
            "par un code calculé avec une clé secrète gardée en mémoire pendant cette session seulement : "
            "les mêmes valeurs gardent le même code, qu'on ne peut pas retraduire sans la clé), "
            "**supprimer** la colonne, ou la **conserver** si elle est nécessaire et que vous en avez le droit. "
            "Rien n'est écrit sur le disque.",
            icon=":material/shield_person:",
        )
        radio_keys: dict[str, str] = {}
        with st.form(key=f"{key}.form.{digest[:16]}", border=True):
            for i, finding in enumerate(report.findings):
                radio_key = f"{key}.choice.{digest[:16]}.{i}"
                radio_keys[finding.column] = radio_key
                examples = md_escape(", ".join(finding.examples))
                st.radio(
                    f"{q(md_escape(finding.column))} — {finding.label}",
                    CHOICES,
                    index=0,
                    format_func=CHOICE_LABELS.get,
                    horizontal=True,
                    key=radio_key,
                    help=md_escape(finding.reason[:1].upper() + finding.reason[1:]) + (f" Exemples masqués : {examples}." if examples else ""),
                )
            st.form_submit_button(
                "Appliquer et continuer",
                type="primary",
                icon=":material/check:",
                on_click=_confirm,
                args=(decision_key, radio_keys),
            )
        st.info("L'analyse attend votre choix : rien n'a encore été calculé sur ce fichier.", icon=":material/pending:")
        return None

    pseudonymiser = session_pseudonymiser()
    out = apply_choices(df, decision, pseudonymiser)
    parts = []
    for column, choice in decision.items():
        verb = {"pseudonymise": "pseudonymisée", "drop": "supprimée", "keep": "conservée"}[choice]
        parts.append(f"{q(md_escape(column))} {verb}")
    st.success(
        "Données personnelles : " + ", ".join(parts) + ". La clé de pseudonymisation reste en mémoire pendant "
        "cette session ; elle n'est écrite nulle part.",
        icon=":material/shield_person:",
    )
    st.button("Revoir ces choix", key=f"{key}.review.{digest[:16]}", on_click=_review, args=(decision_key,), type="tertiary")
    tag = ",".join(f"{c}={v}" for c, v in sorted(decision.items()))
    out.attrs["privacy_tag"] = hashlib.sha1(f"{pseudonymiser.fingerprint}|{tag}".encode()).hexdigest()[:16]
    return out
