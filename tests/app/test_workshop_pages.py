"""Workshop mode, « Réinitialiser », the personal-data guard widget, « Signaler », and the project sheet page, in AppTest.

The project sheet of each demo that has landed is built from a real run of
its page (parametrised over ``sandbox.registry.available_demos()``); the
shared components are also driven from small scripts, so they are tested
whatever demo exists.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from helpers import no_crash
from streamlit.testing.v1 import AppTest

from sandbox import registry
from sandbox.workshop.feedback import FeedbackStore
from sandbox.workshop.profiles import load_profile
from sandbox.sheet.report import DataSummary, Figure, RunSummary
from sandbox.text import num, plain

APP = str(Path(__file__).resolve().parents[2] / "sandbox" / "app.py")
SHEET = "pages/sheet/page.py"
WORKSHOP = "pages/feedback/page.py"
DEMOS = registry.available_demos()
RUN_LABELS = re.compile(r"lancer|lire|calculer|optimiser|analyser|exécuter|classer|reconna|entraîner", re.IGNORECASE)


@pytest.fixture(autouse=True)
def feedback_db(tmp_path, monkeypatch):
    path = tmp_path / "retours.sqlite3"
    monkeypatch.setenv("SANDBOX_FEEDBACK_DB", str(path))
    return path


@pytest.fixture
def served(monkeypatch) -> dict[str, bytes]:
    """Files the app hands to download buttons, by MIME type (the last one of each)."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            files[mimetype] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def collecte_run() -> RunSummary:
    return RunSummary(
        demo="collection",
        data=DataSummary("exemple", ("points.csv",), 400, "400 points de collecte"),
        parameters={"Camions": 4},
        figures=(
            Figure("Distance totale", 182.4, "km", baseline=231.0, key="km", decimals=1),
            Figure("Heures de tournée", 21.5, "h", baseline=26.0, key="hours", decimals=1),
            Figure("CO₂ émis", 232.0, "kg", baseline=294.0, key="co2_kg"),
        ),
        compute_seconds=2.0,
    )


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(plain(" ".join(p.extract_text() for p in reader.pages)).split())


def markdown_text(at: AppTest) -> str:
    return plain(" ".join(m.value for m in at.markdown))


# --- workshop panel and reset ------------------------------------------------------------------------


def demo_like_page():
    import streamlit as st

    from sandbox.ui.layout import page_header

    page_header("Collecte", "Deux phrases.", demo="collection")
    st.number_input("Camions", 1, 20, 4, key="collection.trucks")
    st.number_input("Graine", 0, 10**6, 42, key="collection.seed")
    st.selectbox("Flux", ["ordures ménagères", "verre"], key="collection.stream")
    st.session_state["collection.choice"] = st.session_state.get("collection.choice", "défaut")
    st.number_input("Réglage d'une autre page", 0, 10, 5, key="water.threshold")


def test_workshop_panel_shows_the_notes_only_when_the_mode_is_on():
    at = AppTest.from_function(demo_like_page)
    at.run()
    assert "À montrer d'abord" not in markdown_text(at)
    assert not [b for b in at.button if b.key == "_workshop.collection.reset"]
    at.session_state["workshop_mode"] = True
    at.run()
    no_crash(at)
    text = markdown_text(at)
    notes = load_profile("collection").workshop
    assert "À montrer d'abord" in text and "Questions pour la salle" in text and "Idée reçue" in text
    assert plain(notes.exercises[0]) in text and "Passez de 4 à 3 camions" in text
    assert all(plain(question) in text for question in notes.questions)
    assert at.button(key="_workshop.collection.reset").label == "Réinitialiser"


def test_reset_restores_the_page_defaults_and_seed_and_leaves_other_pages_alone():
    at = AppTest.from_function(demo_like_page)
    at.session_state["workshop_mode"] = True
    at.run()
    at.number_input(key="collection.trucks").set_value(3)
    at.number_input(key="collection.seed").set_value(7)
    at.selectbox(key="collection.stream").select("verre")
    at.number_input(key="water.threshold").set_value(9)
    at.session_state["collection.choice"] = "modifié"
    at.run()
    assert at.number_input(key="collection.trucks").value == 3
    assert "Graine aléatoire : **7**" in " ".join(c.value for c in at.caption)

    at.button(key="_workshop.collection.reset").click().run()
    no_crash(at)
    assert at.number_input(key="collection.trucks").value == 4
    assert at.number_input(key="collection.seed").value == 42
    assert at.selectbox(key="collection.stream").value == "ordures ménagères"
    assert at.session_state["collection.choice"] == "défaut"
    assert at.number_input(key="water.threshold").value == 9  # another page's setting is kept
    assert "Graine aléatoire : celle par défaut de la page" in " ".join(c.value for c in at.caption)
    assert any("réglages par défaut" in s.value for s in at.success)
    at.run()
    assert "Graine aléatoire : **42**" in " ".join(c.value for c in at.caption)
    assert not at.success  # the confirmation is shown once


def test_the_sidebar_switch_turns_the_mode_on():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    switch = at.sidebar.toggle(key="workshop_mode")
    assert switch.label == "Mode atelier" and switch.value is False
    switch.set_value(True).run()
    no_crash(at)
    assert at.session_state["workshop_mode"] is True


# --- personal-data guard ---------------------------------------------------------------------------


def guard_page():
    import pandas as pd
    import streamlit as st

    from sandbox.ui.privacy_guard import privacy_guard

    df = pd.DataFrame(
        {
            "Nom complet": ["Marie Dupont", "Karim Diallo", "Léa Martin", "Marie Dupont"],
            "NIR": ["2 69 05 49 588 157 80", "1 80 07 2B 045 012 17", "2 69 05 49 588 157 80", "1 80 07 2B 045 012 17"],
            "Adresse": ["12 rue de la Paix", "3 avenue Foch", "5 bd Voltaire", "12 rue de la Paix"],
            "commune": ["Saint-Denis", "Paris", "Montreuil", "Saint-Denis"],
            "volume": [1.0, 2.0, 3.0, 4.0],
        }
    )
    out = privacy_guard(df, key="collection.points.privacy", filename="usagers.csv")
    st.session_state["result"] = None if out is None else out.to_dict("list")


def test_guard_warns_and_nothing_goes_on_until_the_user_chooses():
    at = AppTest.from_function(guard_page)
    at.run()
    no_crash(at)
    assert at.session_state["result"] is None
    warning = plain(at.warning[0].value)
    assert "Données personnelles probables" in warning and "« usagers.csv »" in warning
    assert "« Nom complet »" in warning and "« NIR »" in warning and "« Adresse »" in warning and "commune" not in warning
    radios = at.radio
    assert [plain(r.label).split(" — ")[0] for r in radios] == ["« Nom complet »", "« NIR »", "« Adresse »"]
    assert all(r.value == "pseudonymise" for r in radios)
    assert "attend votre choix" in at.info[0].value


def test_guard_applies_pseudonymise_drop_keep_and_pseudonyms_are_stable_in_the_session():
    at = AppTest.from_function(guard_page)
    at.run()
    at.radio[1].set_value("drop")
    at.radio[2].set_value("keep")
    at.button[0].click().run()  # the form's « Appliquer et continuer »
    no_crash(at)
    result = at.session_state["result"]
    assert set(result) == {"Nom complet", "Adresse", "commune", "volume"}
    names = result["Nom complet"]
    assert all(v.startswith("ps_") for v in names) and names[0] == names[3] != names[1]
    assert result["Adresse"][0] == "12 rue de la Paix" and result["commune"][1] == "Paris"
    assert "« NIR » supprimée" in plain(at.success[0].value) and "n'est écrite nulle part" in at.success[0].value
    at.run()
    assert at.session_state["result"]["Nom complet"] == names  # same session key, same pseudonyms
    key = at.session_state["_privacy.key"]
    assert isinstance(key, bytes) and len(key) == 32

    other = AppTest.from_function(guard_page)  # another session: another key, other pseudonyms
    other.run()
    other.radio[1].set_value("drop")
    other.button[0].click().run()
    assert not set(other.session_state["result"]["Nom complet"]) & set(names)


def test_the_guard_writes_nothing_to_disk(monkeypatch):
    """Scan, choices, pseudonymisation and the session key: all in memory (any file opened for writing fails)."""
    import builtins
    import io as io_module
    import os

    real_open, real_os_open = builtins.open, os.open
    written: list[str] = []

    def no_write_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            written.append(str(file))
            raise PermissionError(f"écriture interdite pendant ce test : {file}")
        return real_open(file, mode, *args, **kwargs)

    def no_write_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            written.append(str(path))
            raise PermissionError(f"écriture interdite pendant ce test : {path}")
        return real_os_open(path, flags, *args, **kwargs)

    at = AppTest.from_function(guard_page)
    at.run()  # Streamlit itself starts up outside the watch
    monkeypatch.setattr(builtins, "open", no_write_open)
    monkeypatch.setattr(io_module, "open", no_write_open)
    monkeypatch.setattr(os, "open", no_write_os_open)
    at.run()
    at.button[0].click().run()
    monkeypatch.undo()
    no_crash(at)
    assert written == []
    assert all(v.startswith("ps_") for v in at.session_state["result"]["NIR"])


def upload_page():
    import streamlit as st

    from sandbox.data import Column, Schema
    from sandbox.ui.inputs import table_input

    schema = Schema("usagers", (Column("meter", "id", "compteur", synonyms=("compteur",)), Column("volume", "number", "volume")))
    result = table_input(schema, sample="communes_mgp", key="water.readings")
    st.session_state["frame"] = None if result is None else result.frame.to_dict("list")


def test_an_uploaded_table_goes_through_the_guard_before_validation():
    csv = "compteur;Prénom;Téléphone;volume\nA1;Marie;06 12 34 56 78;1,5\nB2;Karim;07 98 76 54 32;2\nA1;Marie;06 12 34 56 78;3\n"
    at = AppTest.from_function(upload_page)
    at.run()
    at.button_group[0].set_value("Mon fichier").run()
    at.file_uploader[0].set_value(("usagers.csv", csv.encode("cp1252"), "text/csv")).run()
    no_crash(at)
    assert at.session_state["frame"] is None  # nothing validated before the choice
    assert "« Prénom »" in plain(at.warning[0].value) and "« Téléphone »" in plain(at.warning[0].value)
    at.radio[1].set_value("drop")
    at.button[0].click().run()
    no_crash(at)
    frame = at.session_state["frame"]
    assert frame["meter"] == ["A1", "B2", "A1"] and frame["volume"] == [1.5, 2.0, 3.0]


# --- « Signaler » under a result -------------------------------------------------------------------------


def publishing_page():
    from sandbox.sheet.report import DataSummary, Figure, RunSummary
    from sandbox.ui.layout import page_header
    from sandbox.ui.runs import publish_run

    page_header("Collecte", "Deux phrases.", demo="collection")
    summary = RunSummary(
        demo="collection",
        data=DataSummary("fichier", ("tournees_Dupont_Marie.csv", "points.csv"), 400, "400 points de collecte"),
        parameters={"Camions": 3, "Graine": 42},
        figures=(Figure("Distance totale", 182.4, "km", baseline=231.0, key="km", decimals=1),),
        compute_seconds=1.0,
    )
    publish_run(summary)
    publish_run(summary)  # a page that publishes twice shows the actions once


def test_signaler_stores_page_parameters_and_comment(feedback_db):
    at = AppTest.from_function(publishing_page)
    at.run()
    no_crash(at)
    assert len(at.text_area) == 1 and at.session_state["runs"]["collection"].figures[0].key == "km"
    at.selectbox(key="collection.feedback.category").select("Résultat surprenant")
    at.text_area(key="collection.feedback.comment").input("La tournée 2 traverse la Seine deux fois.")
    at.button(key="collection.feedback.send").click().run()
    no_crash(at)
    assert any("est enregistré sur ce poste" in s.value for s in at.success)
    [entry] = FeedbackStore(feedback_db).list()
    assert entry.demo == "collection" and entry.page == "Collecte"  # the title page_header showed
    assert entry.category == "Résultat surprenant" and entry.comment == "La tournée 2 traverse la Seine deux fois."
    assert entry.parameters == {"Camions": 3, "Graine": 42} and entry.context["lignes"] == 400
    # Uploaded file names may name a person: counted, never stored (issue 14 #14).
    assert entry.context["fichiers"] == 2 and "Dupont" not in FeedbackStore(feedback_db).path.read_bytes().decode("latin-1")
    assert at.text_area(key="collection.feedback.comment").value == ""


def test_signaler_with_an_empty_comment_or_a_corrupt_database_says_so_in_french(feedback_db):
    at = AppTest.from_function(publishing_page)
    at.run()
    at.button(key="collection.feedback.send").click().run()
    no_crash(at)
    assert any("Écrivez un commentaire" in e.value for e in at.error)
    feedback_db.write_bytes(b"pas une base" * 100)
    at.text_area(key="collection.feedback.comment").input("Un retour").run()
    at.button(key="collection.feedback.send").click().run()
    no_crash(at)
    assert any("endommagée" in e.value for e in at.error)
    assert at.session_state["runs"]["collection"].demo == "collection"  # the page still works


# --- the pages « Fiche projet » and « Retours de l'atelier » ----------------------------------------------


def open_page(path: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(path)
    at.run()
    return at


def test_sheet_before_any_run_gives_a_french_message():
    at = open_page(SHEET)
    no_crash(at)
    assert at.title[0].value == "Fiche projet"
    assert "Aucune démonstration n'a encore été lancée" in at.info[0].value
    assert not at.get("download_button")


def test_sheet_page_builds_the_pdf_from_the_published_run(served):
    at = open_page(SHEET, runs={"collection": collecte_run()}, commune="93048")
    no_crash(at)
    assert [b.label for b in at.get("download_button")] == ["PDF", "Markdown", "Fiche de transparence (JSON)"]
    assert at.text_input(key="sheet.organisation").value == "Commune de Montreuil"
    text = pdf_text(served["application/pdf"])
    assert "Distance totale" in text and "182,4 km" in text and "231,0 km" in text and "Risque minimal" in text
    assert "Commune de Montreuil" in text and "12 636 km/an" in text  # 48,6 km × 260 days
    assert b'"classe": "Risque minimal"' in served["application/json"]

    at.text_input(key="sheet.collection.days_per_year").input("100").run()
    no_crash(at)
    assert "4 860 km/an" in pdf_text(served["application/pdf"])


@pytest.mark.parametrize(("value", "message"), [("-3", "valeur négative"), ("beaucoup", "n'est pas un nombre")])
def test_bad_assumptions_give_a_french_message_and_the_app_keeps_working(value, message):
    at = open_page(SHEET, runs={"collection": collecte_run()})
    at.text_input(key="sheet.collection.cost_per_km").input(value).run()
    no_crash(at)
    assert "Certaines hypothèses ne sont pas utilisables" in at.error[0].value and message in at.error[0].value
    assert not at.get("download_button")
    at.text_input(key="sheet.collection.cost_per_km").input("1,5").run()
    assert not at.error and len(at.get("download_button")) == 3


def test_workshop_page_lists_reports_and_survives_a_corrupt_database(feedback_db, served):
    store = FeedbackStore(feedback_db)
    store.add("collection", "Pourquoi ce point ?", page="Collecte", category="Question", parameters={"Camions": 3})
    store.add("water", "Fuite non vue", page="Eau", category="Résultat faux")
    at = open_page(WORKSHOP)
    no_crash(at)
    table = at.dataframe[0].value
    assert table["commentaire"].tolist() == ["Fuite non vue", "Pourquoi ce point ?"]
    assert table["paramètres"].tolist() == ["", "Camions = 3"]
    csv = served["text/csv"].decode("utf-8-sig")
    assert "Pourquoi ce point ?" in csv and csv.splitlines()[0].startswith("numéro;date;démonstration")

    feedback_db.unlink()
    Path(str(feedback_db) + "-wal").unlink(missing_ok=True)
    feedback_db.write_bytes(b"abime" * 500)
    at.run()
    no_crash(at)
    assert "endommagée" in at.error[0].value


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    return " ".join(str(p) for p in parts + [i.value for i in at.info])


def test_workshop_page_never_shows_the_database_path(feedback_db):
    FeedbackStore(feedback_db).add("water", "Fuite non vue", page="Eau")
    at = open_page(WORKSHOP)
    no_crash(at)
    assert len(at.dataframe) == 1 and str(feedback_db) not in all_text(at) and "sqlite3" not in all_text(at)
    feedback_db.write_bytes(b"abime" * 500)
    Path(str(feedback_db) + "-wal").unlink(missing_ok=True)
    at.run()
    assert "endommagée" in at.error[0].value and str(feedback_db.parent) not in all_text(at)


def test_workshop_page_asks_for_the_facilitator_code(feedback_db, monkeypatch):
    monkeypatch.setenv("BAC_A_SABLE_CODE", "K7M2Q9XR")
    FeedbackStore(feedback_db).add("water", "Fuite non vue", page="Eau")
    at = open_page(WORKSHOP)
    no_crash(at)
    assert not at.dataframe and not at.get("download_button") and "code animateur" in all_text(at)
    at.text_input(key="_facilitator.code").input("AAAAAAAA")
    at.button[0].click().run()
    assert any(e.value == "Code incorrect." for e in at.error) and not at.dataframe
    at.text_input(key="_facilitator.code").input(" k7m2q9xr ")
    at.button[0].click().run()
    no_crash(at)
    assert len(at.dataframe) == 1 and len(at.get("download_button")) == 1
    at.run()  # unlocked for the rest of the session
    assert len(at.dataframe) == 1


def test_workshop_page_refuses_a_session_after_too_many_wrong_codes(feedback_db, monkeypatch):
    from sandbox.ui.workshop import MAX_FAILURES

    monkeypatch.setenv("BAC_A_SABLE_CODE", "K7M2Q9XR")
    at = open_page(WORKSHOP)
    for _ in range(MAX_FAILURES):
        at.text_input(key="_facilitator.code").input("AAAAAAAA")
        at.button[0].click().run()
    assert "Trop de codes erronés" in at.error[0].value and not at.text_input
    at.session_state["_facilitator.code"] = "K7M2Q9XR"
    at.run()
    assert not at.dataframe


def test_sheet_page_survives_a_huge_organisation_name_and_400_files(served):
    """Issue 14 #13: fpdf « row too high » once broke the page; names are bounded and lists counted."""
    run = RunSummary(
        demo="collection",
        data=DataSummary("fichier", tuple(f"tournee_{i:03d}_{'x' * 40}.csv" for i in range(400)), 400, "400 fichiers"),
        parameters={"Camions": 3},
        figures=(Figure("Distance totale", 182.4, "km", baseline=231.0, key="km", decimals=1),),
        compute_seconds=1.0,
    )
    at = open_page(SHEET, runs={"collection": run}, **{"sheet.organisation": "Commune de Montreuil " * 400, "sheet.contact": "x" * 9000})
    no_crash(at)
    assert not at.error and len(at.get("download_button")) == 3
    text = pdf_text(served["application/pdf"])
    assert "et 388 autres" in text and "tournee_000" in text and "tournee_399" not in text


@pytest.mark.parametrize("demo", DEMOS, ids=[d.key for d in DEMOS])
def test_each_landed_demo_real_run_sheet_workshop_panel_and_reset(demo, served):
    """Run the demo's page on its sample data (workshop mode on): the panel is there, its RunSummary feeds the
    project sheet, whose PDF is read back; then « Réinitialiser » brings the page's defaults back."""
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state["workshop_mode"] = True
    at.run()
    at.switch_page(demo.path)
    at.run()
    no_crash(at)
    assert plain(load_profile(demo.key).workshop.show_first) in markdown_text(at)

    def published() -> bool:
        return "runs" in at.session_state and demo.key in at.session_state["runs"]

    if not published():  # a page that waits for its « Lancer » button
        buttons = [b for b in at.button if RUN_LABELS.search(b.label or "")]
        if buttons:
            buttons[0].click().run()
            no_crash(at)
    assert published(), "the page did not publish its run"
    summary = at.session_state["runs"][demo.key]
    assert summary.figures, "a run publishes its figures against the baseline"
    defaults = {w.key: w.value for w in at.number_input if w.key and w.key.startswith(f"{demo.key}.")}

    at.switch_page(SHEET)
    at.run()
    no_crash(at)
    text = pdf_text(served["application/pdf"])
    for figure in summary.figures:
        assert plain(figure.label) in text
        assert plain(num(figure.value, figure.decimals)) in text
    assert load_profile(demo.key).ai_act_for(summary.personal_data).label in text

    # Reset: changed values are put in the session without running the page (another seed can take long);
    # the reset callback runs before the page, so the page must come back with its defaults.
    at.switch_page(demo.path)
    at.run()  # the defaults again: served from the page's cache
    for key, value in defaults.items():
        if isinstance(value, (int, float)):
            at.session_state[key] = value + 1
    at.button(key=f"_workshop.{demo.key}.reset").click().run()
    no_crash(at)
    assert {w.key: w.value for w in at.number_input if w.key in defaults} == defaults
    assert any("réglages par défaut" in s.value for s in at.success)
