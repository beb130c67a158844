"""The upload limit said in French (issue 14 #15): a caption under every table uploader, a French error past it.

Streamlit's browser check answers « File must be 50.0MB or smaller. » in English and
cannot be translated; the app states the limit in French beside the uploader and
refuses, in French, a file over the limit that reaches the server anyway.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import no_crash
from streamlit.testing.v1 import AppTest

from sandbox.data import DataError
from sandbox.text import plain
from sandbox.ui.inputs import MAX_UPLOAD_MB, check_upload_size, upload_limit_caption


@pytest.fixture(autouse=True)
def _restore_limit(monkeypatch):
    """``_page`` lowers the module's limit in this process: put it back after each test."""
    from sandbox.ui import inputs

    monkeypatch.setattr(inputs, "MAX_UPLOAD_MB", inputs.MAX_UPLOAD_MB)


def _page(limit_mb: int) -> None:
    import streamlit as st

    from sandbox.data import Column, Schema
    from sandbox.ui import inputs

    inputs.MAX_UPLOAD_MB = limit_mb
    schema = Schema("relevés", (Column("compteur", "id"), Column("volume", "number")))
    st.session_state.setdefault("t.source", inputs.UPLOAD)
    inputs.table_input(schema, sample="water/households", key="t")


def _run(limit_mb: int) -> AppTest:
    at = AppTest.from_function(_page, args=(limit_mb,), default_timeout=60)
    at.run()
    return at


def test_every_table_uploader_states_the_limit_in_french():
    at = _run(MAX_UPLOAD_MB)
    assert not at.exception
    uploader = at.file_uploader[0]
    assert uploader.proto.max_upload_size_mb == MAX_UPLOAD_MB
    captions = [plain(c.value) for c in at.caption]
    assert any(c.startswith(f"Taille maximale : {MAX_UPLOAD_MB} Mo par fichier.") for c in captions), captions


def test_a_file_over_the_limit_gets_a_french_error_naming_it():
    at = _run(1)
    assert at.file_uploader[0].proto.max_upload_size_mb == 1
    big = b"compteur;volume\n" + b"C100001;12,5\n" * 90_000  # 1.1 MB
    at.file_uploader[0].upload("gros_releves.csv", big, "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [plain(e.value) for e in at.error]
    assert any("releves.csv" in e and "pèse 1,1 Mo, au-delà de la limite de 1 Mo par fichier" in e for e in errors), errors
    assert not any("lignes retenues" in plain(c.value) for c in at.caption)


def test_a_file_within_the_limit_is_read():
    at = _run(1)
    at.file_uploader[0].upload("releves.csv", b"compteur;volume\nC1;12,5\nC2;3\n", "text/csv").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("2 lignes retenues sur 2" in plain(c.value) for c in at.caption)


def test_size_check_and_caption():
    check_upload_size(50 << 20, "juste.csv", 50)  # exactly the limit: accepted
    with pytest.raises(DataError, match=r"pèse 51,0 Mo, au-delà de la limite de 50 Mo par fichier") as info:
        check_upload_size(51 << 20, "trop.xlsx", 50)
    assert "trop.xlsx" in str(info.value) and "ligne de commande" in str(info.value)
    assert "pour chaque fichier" in upload_limit_caption(200, several=True)
    assert "File must be 200.0MB or smaller" in upload_limit_caption(200)


APP = str(Path(__file__).resolve().parents[2] / "sandbox" / "app.py")


def _caption_after(at: AppTest, text: str) -> list[str]:
    return [plain(c.value) for c in at.caption if plain(c.value).startswith(text)]


@pytest.mark.parametrize(
    ("page", "state", "uploader", "caption"),
    [
        ("pages/collection/page.py", {"collection.time_limit": 1}, "collection.matrix", "Taille maximale : 50 Mo par fichier."),
        ("pages/seniors/page.py", {"seniors.source_kind": "Fichiers INSEE tels que publiés"}, "seniors.insee_files",
         "Taille maximale : 50 Mo pour chaque fichier."),
        ("pages/ocr/page.py", {"ocr.source": "upload"}, "ocr.files", "Taille maximale : 50 Mo pour chaque fichier."),
    ],
    ids=["collection", "seniors", "ocr"],
)
def test_the_other_uploaders_state_the_limit_in_french(page, state, uploader, caption):
    """The distance matrix (collection), the INSEE files (seniors) and the scans (OCR) use the shared uploader."""
    at = AppTest.from_file(APP, default_timeout=300)  # a shared machine: no timing here
    at.run()
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(page)
    at.run()
    no_crash(at)
    widget = at.file_uploader(key=uploader)
    assert widget.proto.max_upload_size_mb == MAX_UPLOAD_MB
    assert _caption_after(at, caption), [plain(c.value) for c in at.caption]
