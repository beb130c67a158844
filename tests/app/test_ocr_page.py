"""The archive OCR page in AppTest: a sample read, figures against raw Tesseract, correction, search, index.

AppTest cannot drive ``st.file_uploader``: uploads are tested in the browser
(``tests/e2e/test_ocr.py``); here the page runs on the sample documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import no_crash
from streamlit.testing.v1 import AppTest

from sandbox.models import ocr
from sandbox.models.ocr import TesseractStatus

APP = str(Path(__file__).resolve().parents[2] / "sandbox" / "app.py")


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=600)  # the machine may be shared: time is measured in bench/
    at.run()
    at.switch_page("pages/ocr/page.py")
    at.run()
    return at


@pytest.mark.tesseract
def test_reading_a_sample_shows_figures_text_index_and_the_correction_is_what_is_indexed():
    at = _open()
    no_crash(at)
    assert "manuscrite" in at.caption[0].value  # Tesseract is not for handwriting: said at the top
    assert at.multiselect(key="ocr.samples").value == ["deliberation_1926"]
    at.button(key="ocr.run").click().run()
    no_crash(at)
    metrics = {m.label: m for m in at.metric}
    assert float(metrics["Confiance moyenne"].value.split("\xa0")[0].replace(",", ".")) > 85
    cer = metrics["CER"]
    assert cer.value.startswith("0,") and cer.delta.startswith("−")  # far below raw Tesseract on the aged page
    assert any("Tesseract seul, sur l'image brute : CER" in c.value.replace("\xa0", " ") for c in at.caption)
    summary = at.session_state["runs"]["ocr"]
    cer_figure = summary.figure("cer_pct")
    assert cer_figure.value < 2 and cer_figure.baseline > 15
    assert summary.personal_data  # the page names persons

    text = at.text_area(key="ocr.text.deliberation_1926.jpg|1")
    assert "VILLE DE VINCENNES" in text.value
    # the person's correction is what the index and the search see, even after changing views
    text.set_value(text.value + "\nCopie adressée à la mairie de Bobigny.").run()
    no_crash(at)
    at.segmented_control(key="ocr.view").set_value("search").run()
    no_crash(at)
    index = next(d.value for d in at.dataframe if "type" in d.value.columns)
    assert {"1926-05-14", "94080", "Émile Lacombe", "93008"} <= set(index["valeur"])
    at.text_input(key="ocr.query").set_value("bobigny").run()
    hits = next(d.value for d in at.dataframe if "extrait" in d.value.columns)
    assert hits["page"].tolist() == [1] and "Bobigny" in hits["extrait"].iloc[0]

    at.segmented_control(key="ocr.view").set_value("cleanup").run()
    no_crash(at)
    # which reading won and why: raw first, then the measured clean-up that beat it on this aged page
    choice = next(d.value for d in at.dataframe if "lecture" in d.value.columns)
    assert choice["lecture"].tolist()[:2] == ["image brute", "nettoyage mesuré"]
    assert choice.loc[choice["retenue"] == "oui", "lecture"].tolist() == ["nettoyage mesuré"]
    assert any("Lecture retenue : nettoyage mesuré" in m.value for m in at.markdown)
    assert any("Correction de l'éclairage" in m.value for m in at.markdown)
    assert len(at.image) >= 8  # before and after of each step
    at.segmented_control(key="ocr.view").set_value("exports").run()
    no_crash(at)
    assert {b.label for b in at.get("download_button")} >= {"Texte", "PDF interrogeable", "ALTO XML", "hOCR", "Tout le lot (ZIP)"}
    at.segmented_control(key="ocr.view").set_value("text").run()
    assert "Bobigny" in at.text_area(key="ocr.text.deliberation_1926.jpg|1").value  # the correction survived

    # changing a setting says the results are stale instead of silently mixing them
    at.radio(key="ocr.mode").set_value("none").run()
    assert any("relancez la lecture" in w.value for w in at.warning)
    no_crash(at)


def test_before_a_run_the_page_invites_to_read_and_manual_steps_can_be_chosen():
    at = _open()
    no_crash(at)
    assert any("Lire les documents" in i.value for i in at.info)
    at.radio(key="ocr.mode").set_value("manual").run()
    assert at.toggle(key="ocr.step.deskew").value is True
    assert at.selectbox(key="ocr.binarise").options[2].startswith("Sauvola")
    at.multiselect(key="ocr.samples").set_value([]).run()
    assert at.button(key="ocr.run").disabled
    no_crash(at)


def test_without_tesseract_the_page_gives_the_install_command_and_no_traceback(monkeypatch):
    missing = TesseractStatus(False, None, (), "Tesseract n'est pas installé sur ce poste.")
    monkeypatch.setattr(ocr, "tesseract_status", lambda: missing)
    at = _open()
    no_crash(at)
    assert any("Tesseract n'est pas installé" in e.value for e in at.error)
    assert any("apt-get install -y tesseract-ocr tesseract-ocr-fra" in c.value for c in at.code)
    assert not at.button  # nothing to run
