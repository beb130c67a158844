"""The shared data input: sample or upload, column mapping, validation.

Every demo page calls :func:`table_input` for each table it needs, so every
upload goes through the same reader, the same personal-data guard
(:mod:`sandbox.ui.privacy_guard`), the same mapping widget and the same
French error messages.
"""

from __future__ import annotations

import dataclasses
import hashlib
import weakref
from collections.abc import Callable

import pandas as pd
import streamlit as st

from sandbox.data import (
    DataError,
    Schema,
    UPLOAD_TYPES,
    Validated,
    list_sheets,
    load_sample,
    read_table,
    sample_path,
    suggest_mapping,
    validate,
)
from sandbox.data.schema import KIND_LABELS
from sandbox.text import md_escape, num, q, typography
from sandbox.ui.layout import show_error, show_warnings
from sandbox.ui.privacy_guard import privacy_guard

SAMPLE = "Données d'exemple"
UPLOAD = "Mon fichier"
ABSENT = "— (absente)"
#: Largest table file a page accepts, in MB (Streamlit's MB: 2**20 bytes). The browser refuses
#: a bigger file before sending it, with Streamlit's own English message (« File must be
#: 50.0MB or smaller. ») that the app cannot translate: the caption under each uploader says
#: the limit in French, and a file that reaches the server anyway gets a French DataError.
MAX_UPLOAD_MB = 50


def upload_limit_mb(max_mb: int | None = None) -> int:
    """The per-file limit in MB: *max_mb* (default :data:`MAX_UPLOAD_MB`), never above the server's."""
    server = st.get_option("server.maxUploadSize")
    limit = MAX_UPLOAD_MB if max_mb is None else max_mb
    return max(1, min(int(limit), int(server))) if server else max(1, int(limit))


def upload_limit_caption(max_mb: int, *, several: bool = False) -> str:
    """The French caption shown under every uploader.

    >>> print(upload_limit_caption(50).replace("\u202f", " ").replace("\u00a0", " "))
    Taille maximale : 50 Mo par fichier. Au-delà, le navigateur refuse le fichier avec un message en anglais (« File must be 50.0MB or smaller »).
    """
    each = "par fichier" if not several else "pour chaque fichier"
    return typography(
        f"Taille maximale : {num(max_mb)} Mo {each}. Au-delà, le navigateur refuse le fichier "
        f"avec un message en anglais (« File must be {max_mb:.1f}MB or smaller »)."
    )


def check_upload_size(size: int, filename: str, max_mb: int = MAX_UPLOAD_MB) -> None:
    """Refuse, in French, a file over *max_mb* that reached the server (the browser's check is only a courtesy).

    >>> check_upload_size(3 << 20, "releves.csv", 50)  # 3 MB: fine
    >>> try:
    ...     check_upload_size(60 << 20, "releves.csv", 50)
    ... except DataError as exc:
    ...     print(exc.problem)
    le fichier pèse 60,0 Mo, au-delà de la limite de 50 Mo par fichier
    """
    if size > max_mb << 20:
        raise DataError(
            f"le fichier pèse {num(size / (1 << 20), 1)} Mo, au-delà de la limite de {num(max_mb)} Mo par fichier",
            filename=filename,
            hint="Découpez-le (par période ou par secteur), gardez seulement les colonnes utiles, "
            "ou traitez-le avec la ligne de commande (python -m sandbox …), qui n'a pas cette limite.",
        )


def file_uploader(
    label: str,
    *,
    type: list[str] | None,
    key: str,
    help: str | None = None,
    accept_multiple_files: bool = False,
    max_mb: int | None = None,
):
    """``st.file_uploader`` with the app's limit, a French caption stating it, and a French error past it.

    Returns what ``st.file_uploader`` returns, without the files over the
    limit (each is reported with ``show_error``).
    """
    limit = upload_limit_mb(max_mb)
    uploaded = st.file_uploader(
        label,
        type=type,
        key=key,
        help=help,
        accept_multiple_files=accept_multiple_files,
        max_upload_size=limit,
    )
    st.caption(upload_limit_caption(limit, several=bool(accept_multiple_files)))
    files = uploaded if isinstance(uploaded, list) else [uploaded] if uploaded is not None else []
    kept = []
    for file in files:
        try:
            check_upload_size(file.size, file.name, limit)
        except DataError as exc:
            show_error(exc)
        else:
            kept.append(file)
    if isinstance(uploaded, list):
        return kept
    return kept[0] if kept else None


@st.cache_data(max_entries=8, show_spinner="Lecture du fichier…")
def _read_upload(data: bytes, filename: str, sheet: str | None) -> pd.DataFrame:
    return read_table(data, filename, sheet=sheet)


@st.cache_resource(max_entries=16, show_spinner="Chargement des données d'exemple…")
def _shared_sample(token: tuple, _schema: Schema) -> Validated:
    """A sample read and validated once for every session (it is the same for all: nothing personal)."""
    name, _path, _stamp, _schema_key, errors = token
    return validate(load_sample(name), _schema, errors=errors)


def sample_token(sample: str, schema: Schema, errors: str = "raise") -> tuple:
    """What identifies a validated sample: its name, file, modification time and size, the schema and *errors*.

    Caches shared by every session (``st.cache_resource``) key what they
    compute from a sample on this token: a sample is the same for every
    participant, so sharing it leaks nothing, and a regenerated file gets
    a new token.
    """
    path = sample_path(sample)
    stat = path.stat()
    return (sample, str(path), (stat.st_mtime_ns, stat.st_size), _schema_key(schema), errors)


def _sample(name: str, schema: Schema, errors: str) -> Validated:
    """The shared validated sample, as this session's own copy.

    The copy is shallow, hence free: with pandas' copy-on-write a change
    made by one session (a new column, a cell set) copies the data it
    touches and never reaches the shared table. A workshop of 30 then
    holds one copy of the 4-million-row water sample, not 30, and no
    session spends a second unpickling it.
    """
    token = sample_token(name, schema, errors)
    shared = _shared_sample(token, schema)
    frame = shared.frame.copy(deep=False)
    _remember_sample_copy(frame, token, shared.frame)
    return dataclasses.replace(shared, frame=frame, mapping=dict(shared.mapping))


#: The sessions' untouched copies of shared samples: ``id(copy) -> (weak ref, fingerprint, token, shared frame)``.
#: :func:`frame_key` answers for them with the sample's digest, computed once per process instead of once per run.
_SAMPLE_COPIES: dict[int, tuple] = {}


def _fingerprint(frame: pd.DataFrame) -> tuple:
    """The objects a frame's content hangs on. Any change to a copy of a shared sample replaces one of them
    (copy-on-write copies a column's array before the first write; adding, dropping or renaming columns, or
    setting the index, replaces the list or the index), and they are held here, so their ids cannot be reused."""
    return (frame.index, frame.columns, *frame._mgr.arrays)


def _remember_sample_copy(frame: pd.DataFrame, token: tuple, shared: pd.DataFrame) -> None:
    ident = id(frame)

    def forget(ref: weakref.ref) -> None:
        if _SAMPLE_COPIES.get(ident, (None,))[0] is ref:
            _SAMPLE_COPIES.pop(ident, None)

    _SAMPLE_COPIES[ident] = (weakref.ref(frame, forget), _fingerprint(frame), token, shared)


@st.cache_resource(max_entries=16, show_spinner=False)
def _shared_sample_key(token: tuple, _frame: pd.DataFrame) -> str:
    return _hash_frame(_frame)


def shared_sample_token(key: str, sample: str, schema: Schema, errors: str = "raise") -> tuple | None:
    """:func:`sample_token` when the :func:`table_input` with this *key* uses its sample, else None.

    A page passes it to a ``st.cache_resource`` function to share a result
    computed on sample data between sessions; None (an upload) means the
    per-session ``st.cache_data`` path.
    """
    return sample_token(sample, schema, errors) if input_source(key) == "exemple" else None


@st.cache_data(max_entries=16, show_spinner="Vérification des données…")
def _validate(
    _df: pd.DataFrame, df_key: str, _schema: Schema, schema_key: str, mapping: tuple, errors: str
) -> Validated:
    return validate(_df, _schema, dict(mapping), errors=errors)


def _schema_key(schema: Schema) -> str:
    return hashlib.sha1(repr(schema).encode()).hexdigest()[:12]


def expected_columns_table(schema: Schema) -> pd.DataFrame:
    """The expected columns as a small table for the upload help."""
    return pd.DataFrame(
        {
            "colonne": [c.display for c in schema.columns],
            "type": [KIND_LABELS[c.kind] for c in schema.columns],
            "obligatoire": ["oui" if c.required else "non" for c in schema.columns],
            "description": [c.description for c in schema.columns],
        }
    )


def column_mapping(df: pd.DataFrame, schema: Schema, *, key: str) -> dict[str, str | None]:
    """Let the user confirm or change which column holds each expected column.

    The automatic suggestion is preselected; required columns are marked
    with an asterisk. Returns ``{expected: actual or None}``.
    """
    suggestion = suggest_mapping(df.columns, schema)
    columns = [str(c) for c in df.columns]
    digest = hashlib.sha1("|".join(columns).encode()).hexdigest()[:8]
    incomplete = any(suggestion[c.name] is None for c in schema.required)
    mapping: dict[str, str | None] = {}
    with st.expander("Correspondance des colonnes", expanded=incomplete, icon=":material/swap_horiz:"):
        st.caption(
            "Indiquez quelle colonne de votre fichier correspond à chaque colonne attendue "
            "(* : obligatoire). La suggestion ne tient compte ni des majuscules ni des accents."
        )
        grid = st.columns(2)
        for i, col in enumerate(schema.columns):
            options = [ABSENT, *columns] if not col.required else columns
            suggested = suggestion[col.name]
            if suggested is not None:
                index = options.index(suggested)
            else:
                index = 0 if not col.required else None
            choice = grid[i % 2].selectbox(
                col.display + (" *" if col.required else ""),
                options,
                index=index,
                key=f"{key}.map.{digest}.{col.name}",
                help=col.description or KIND_LABELS[col.kind],
                placeholder="Choisissez une colonne",
            )
            mapping[col.name] = None if choice in (None, ABSENT) else choice
        st.dataframe(df.head(5), hide_index=True)
    return mapping


def table_input(
    schema: Schema,
    *,
    sample: str,
    key: str,
    label: str | None = None,
    errors: str = "raise",
    allow_upload: bool = True,
    check: Callable[[pd.DataFrame], None] | None = None,
) -> Validated | None:
    """Sample or uploaded table → read → column mapping → validated table.

    Parameters
    ----------
    schema : Schema
        What the demo expects.
    sample : str
        Name of the sample table (see :func:`sandbox.data.load_sample`).
    key : str
        Unique widget key prefix on the page.
    label : str, optional
        Heading of the input (defaults to the schema's name).
    errors : {"raise", "drop"}
        Passed to :func:`~sandbox.data.validate`.
    check : callable, optional
        Called on an uploaded table right after reading, before anything
        else; raises DataError if the file is not the one expected (e.g. an
        offers file uploaded as candidates).

    Returns
    -------
    Validated or None
        None while no usable table is there (nothing uploaded, or an error,
        which is shown in French).
    """
    label = label or schema.name.capitalize()
    source = SAMPLE
    if allow_upload:
        source = st.segmented_control(
            label, [SAMPLE, UPLOAD], default=SAMPLE, key=f"{key}.source", selection_mode="single"
        ) or SAMPLE
    try:
        if source == SAMPLE:
            result = _sample(sample, schema, errors)
        else:
            result = _uploaded(schema, key=key, errors=errors, check=check)
            if result is None:
                return None
    except DataError as exc:
        show_error(exc)
        return None
    show_warnings(list(result.warnings))
    origin = q(md_escape(result.filename)) if result.filename else "l'exemple"
    st.caption(f"{num(len(result.frame))} lignes retenues sur {num(result.input_rows)} ({origin}).")
    return result


def _uploaded(
    schema: Schema, *, key: str, errors: str, check: Callable[[pd.DataFrame], None] | None = None
) -> Validated | None:
    upload = file_uploader(
        f"Déposez votre fichier ({schema.name})",
        type=UPLOAD_TYPES,
        key=f"{key}.file",
        help="CSV (séparateur ; , ou tabulation, UTF-8 ou Windows), XLSX, XLS, ODS ou Parquet. "
        "Le fichier est lu sur ce poste et n'est envoyé nulle part.",
    )
    if upload is None:
        with st.expander("Colonnes attendues", icon=":material/table_view:"):
            if schema.description:
                st.markdown(schema.description)
            st.dataframe(expected_columns_table(schema), hide_index=True)
        return None
    data = upload.getvalue()
    sheet = None
    sheets = list_sheets(data, upload.name)
    if len(sheets) > 1:
        sheet = st.selectbox("Feuille du classeur", sheets, key=f"{key}.sheet")
    df = _read_upload(data, upload.name, sheet)
    if check is not None:
        check(df)
    digest = hashlib.sha1(data).hexdigest() + f":{sheet}"
    # Personal-data guard: nothing runs on the file until the user has chosen what to do with
    # columns that look personal; the frame that goes on is the pseudonymised or trimmed one.
    df = privacy_guard(df, key=f"{key}.privacy", filename=upload.name, digest=digest)
    if df is None:
        return None
    mapping = column_mapping(df, schema, key=key)
    df_key = f"{digest}:{df.attrs.get('privacy_tag', '')}"
    return _validate(df, df_key, schema, _schema_key(schema), tuple(sorted(mapping.items(), key=lambda kv: kv[0])), errors)


def input_source(key: str) -> str:
    """``"exemple"`` or ``"fichier"``: what the :func:`table_input` with this *key* uses now.

    For ``DataSummary.source`` (``Validated.filename`` is set for samples too,
    from the sample's file name, so it cannot tell them apart).
    """
    return "fichier" if st.session_state.get(f"{key}.source") == UPLOAD else "exemple"


def frame_key(frame: pd.DataFrame) -> str:
    """A cheap, stable key for a validated frame (to key downstream caches).

    A session's untouched copy of a shared sample (:func:`table_input`'s
    sample) gets the sample's digest, computed once for every session; a
    copy changed in any way is hashed afresh, like any other frame.
    """
    known = _SAMPLE_COPIES.get(id(frame))
    if known is not None and known[0]() is frame:
        now = _fingerprint(frame)
        if len(now) == len(known[1]) and all(a is b for a, b in zip(now, known[1])):
            return _shared_sample_key(known[2], known[3])
    return _hash_frame(frame)


def _hash_frame(frame: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    return hashlib.sha1(hashed.tobytes()).hexdigest()

