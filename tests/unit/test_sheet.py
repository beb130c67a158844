"""The project sheet built from hand-made runs of all five demos: figures, gains, risks, PDF text, JSON record.

The same checks run on real runs of the demos that have landed in
``tests/app/test_workshop.py``; here the runs are made by hand so that the
sheet is tested for every demo key, whatever has landed.
"""

from __future__ import annotations

import io
import json
import re
import sys
import types
from datetime import datetime

import pypdf
import pytest

from sandbox import registry
from sandbox.sheet import pdf as pdf_module
from sandbox.workshop.profiles import ProfileError, available_profiles, load_profile, parse_profile
from sandbox.sheet.sheet import MAX_FILES_SHOWN, MAX_NAME, AssumptionError, UseCase, build_sheet, check_assumptions
from sandbox.sheet.report import DataSummary, Figure, RunSummary
from sandbox.text import num, plain

DEMO_KEYS = [d.key for d in registry.DEMOS]


def build(run: RunSummary, **options):
    """The sheet as the « Fiche projet » page builds it: the use case comes from the registry."""
    d = registry.demo(run.demo)
    return build_sheet(run, use_case=UseCase(d.title, d.problem, d.ai, d.users), **options)


def hand_made(demo: str, **changes) -> RunSummary:
    """A run of *demo* as its page would publish it, with the figure keys its gain rules use."""
    runs = {
        "collection": dict(
            data=DataSummary("exemple", ("points.csv",), 400, "400 points de collecte, dépôt au « Cœur de ville »"),
            parameters={"Camions": 4, "Facteur de détour": 1.3},
            figures=(
                Figure("Distance totale", 182.4, "km", baseline=231.0, key="km", decimals=1),
                Figure("Heures de tournée", 21.5, "h", baseline=26.0, key="hours", decimals=1),
                Figure("CO₂ émis", 232.0, "kg", baseline=294.0, key="co2_kg"),
            ),
            compute_seconds=3.6,
        ),
        "ocr": dict(
            data=DataSummary("exemple", ("deliberation.png", "registre.png", "arrete.png", "lettre.png"), 4, "4 pages vieillies, « sœur » et « cœur » compris"),
            parameters={"Langue": "fra", "Nettoyage": "automatique"},
            figures=(
                Figure("Pages rendues cherchables", 4, "pages", key="pages", lower_is_better=False),
                Figure("Taux d'erreur de caractères", 3.1, "%", baseline=11.9, key="cer", decimals=1),
            ),
            compute_seconds=12.0,
            personal_data=True,
        ),
        "water": dict(
            data=DataSummary("exemple", ("releves.csv",), 4_380_000, "500 foyers « Œillets », relevés horaires", "du 01/01/2025 au 31/12/2025"),
            parameters={"Seuil de nuit (L/h)": 2.0},
            figures=(
                Figure("Fuites détectées", 38, "fuites", key="leaks", lower_is_better=False),
                Figure("Eau perdue par les fuites en cours", 5120.0, "m³/an", key="m3_leaks"),
                Figure("Économies de la campagne", 1890.0, "m³/an", key="m3_saved", lower_is_better=False),
            ),
            compute_seconds=40.0,
            personal_data=True,
        ),
        "matching": dict(
            data=DataSummary("fichier", ("candidats.xlsx", "offres.csv"), 1300, "1 000 candidats et 300 offres (« cœur de métier »)"),
            parameters={"Poids texte": 0.4, "Poids distance": 0.2},
            figures=(
                Figure("Rappel@10", 93.0, "%", baseline=71.0, key="recall_at_k", lower_is_better=False, decimals=1),
                Figure("Rang réciproque moyen", 0.62, "", baseline=0.41, key="mrr", lower_is_better=False, decimals=2),
            ),
            compute_seconds=6.0,
            personal_data=True,
        ),
        "seniors": dict(
            data=DataSummary("exemple", ("registre.csv",), 5000, "registre synthétique, « cœur » de cible 75 ans et plus"),
            parameters={"Visites possibles": 250},
            figures=(
                Figure("Personnes en besoin atteintes", 121, "personnes", baseline=52, key="people_reached", lower_is_better=False),
                Figure("AUC", 0.83, "", key="auc", lower_is_better=False, decimals=2),
            ),
            compute_seconds=4.0,
            personal_data=True,
            special_category=True,
        ),
    }
    return RunSummary(demo=demo, created=datetime(2026, 3, 12, 10, 30), **{**runs[demo], **changes})


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(plain(text).split())


EXPECTED_CLASS = {"ocr": "Risque minimal", "collection": "Risque minimal", "water": "Risque minimal", "matching": "Haut risque", "seniors": "Haut risque"}


def test_every_demo_has_a_valid_profile_and_every_profile_a_demo():
    assert sorted(available_profiles()) == sorted(DEMO_KEYS)
    for key in DEMO_KEYS:
        profile = load_profile(key)
        assert 2 <= len(profile.workshop.questions) <= 3 and 1 <= len(profile.workshop.exercises) <= 2
        assert profile.ai_act.label == EXPECTED_CLASS[key]
        assert all(a.source for a in profile.assumptions) and profile.gains
        assert "«\u00a0" in profile.workshop.misconception  # French quotes with their no-break spaces


def test_ai_act_reasons_cite_the_annex_points():
    assert "point 4 a" in load_profile("matching").ai_act.reason
    assert "point 5 a" in load_profile("seniors").ai_act.reason
    assert "annexe III" in load_profile("collection").ai_act.reason


@pytest.mark.parametrize("demo", DEMO_KEYS)
def test_sheet_of_a_hand_made_run(demo):
    run = hand_made(demo)
    sheet = build(run, organisation="Commune de Montreuil", contact="innovation@montreuil.example", commune="Montreuil")
    assert sheet.ai_act.label == EXPECTED_CLASS[demo]
    assert all(g.value is not None for g in sheet.gains), [g.calculation for g in sheet.gains]

    shown_figures = [plain(num(f.value, f.decimals)) for f in run.figures]
    markdown = plain(sheet.to_markdown())
    for figure, shown in zip(run.figures, shown_figures):
        assert figure.label in markdown and shown in markdown
    assert f"Pré-classification AI Act : {EXPECTED_CLASS[demo]}" in markdown

    pages, text = pdf_text(sheet.to_pdf())
    assert 1 <= pages <= 2, "the sheet must fit on one or two pages"
    for figure, shown in zip(run.figures, shown_figures):
        assert figure.label in text and shown in text
    assert EXPECTED_CLASS[demo] in text
    assert registry.demo(demo).title in text
    assert "« " in text and " »" in text and "œ" in text.lower()  # quotes and ligature rendered by the Unicode font
    for gain in sheet.gains:
        assert plain(gain.shown) in text

    record = json.loads(sheet.to_json())
    assert record["risques"]["ai_act"]["classe"] == EXPECTED_CLASS[demo]
    assert record["donnees"]["donnees_personnelles"] is run.personal_data
    assert [p["cle"] for p in record["performance"]] == [f.key for f in run.figures]
    for field in ("finalite", "organisme_responsable", "type_de_decision", "controle_humain", "comment_contester", "methode"):
        assert record[field], field
    assert record["organisme_responsable"]["nom"] == "Commune de Montreuil"


def test_collecte_gains_known_answer():
    sheet = build(hand_made("collection"))
    km, fuel, hours, hours_eur, co2 = (sheet.gain(k) for k in ("km_year", "fuel_eur", "hours_year", "hours_eur", "co2_year"))
    assert km.value == pytest.approx((231.0 - 182.4) * 260)
    assert fuel.value == pytest.approx((231.0 - 182.4) * 260 * 1.2)
    assert hours.value == pytest.approx(4.5 * 260 * 3) and hours_eur.value == pytest.approx(4.5 * 260 * 3 * 25)
    assert co2.value == pytest.approx(62 * 260 / 1000)
    assert plain(fuel.calculation) == "(231 − 182,4) × 260 × 1,2"
    assert plain(fuel.shown) == "15 163 €/an"
    # frugality: 3.6 s at 30 W = 0.03 Wh; 260 runs a year
    assert sheet.frugality.energy_wh == pytest.approx(0.03)
    assert sheet.frugality.runs_per_year == 260
    assert "3,6 s × 30 W" in plain(sheet.frugality.text())


def test_other_demos_gains_known_answers():
    eau = build(hand_made("water"), assumptions={"scale": "10"})
    assert eau.gain("campaign_eur").value == pytest.approx(1890 * 10 * 4.34)
    assert eau.gain("leaks_m3").value == pytest.approx(5120 * 0.7 * 10)
    assert build(hand_made("matching")).gain("better_matches").value == pytest.approx(220)
    assert build(hand_made("seniors")).gain("people_reached").value == 69 * 12
    # a run on synthetic meters says « no personal data »; the sheet is about the real use, which has some
    water = build(hand_made("water", personal_data=False))
    assert water.gdpr.personal_data and water.gdpr.dpia == "oui"
    assert "oui dans l'usage réel (cette exécution : données d'exemple synthétiques)" in plain(water.to_markdown())
    assert json.loads(water.to_json())["donnees"]["execution_sur_donnees_synthetiques"] is True
    uploaded = build(hand_made("water", personal_data=False, data=DataSummary("fichier", ("agrege.csv",), 12, "moyennes par quartier")))
    assert not uploaded.gdpr.personal_data and uploaded.gdpr.dpia == "non"
    ocr = build(hand_made("ocr"))
    assert ocr.gain("typing_hours").value == pytest.approx(2000 * 11 / 60)
    assert ocr.frugality.runs_per_year == 500  # 2 000 pages a year, 4 pages in this run


def test_edited_assumptions_are_used_and_marked():
    sheet = build(hand_made("collection"), assumptions={"cost_per_km": "2,5", "days_per_year": " 10 "})
    assert sheet.gain("fuel_eur").value == pytest.approx(48.6 * 10 * 2.5)
    assert "2,5 €/km (modifiée)" in plain(sheet.to_markdown())
    emploi = build(hand_made("matching"), assumptions={"candidates_per_year": "1\u202f500"})  # as format_number writes it
    assert emploi.gain("better_matches").value == pytest.approx((93 - 71) / 100 * 1500)


def test_a_missing_figure_makes_the_gain_not_computed_and_says_which():
    run = hand_made("collection", figures=(Figure("Distance totale", 182.4, "km", baseline=231.0, key="km", decimals=1),))
    sheet = build(run)
    assert sheet.gain("fuel_eur").value is not None
    hours = sheet.gain("hours_year")
    assert hours.value is None and hours.shown == "non calculé" and "ne mesure pas le chiffre « hours »" in plain(hours.calculation)
    assert "non calculé" in pdf_text(sheet.to_pdf())[1]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"cost_per_km": "-1,2"}, "une valeur négative (−1,2) n'a pas de sens ici"),
        ({"cost_per_km": "un euro"}, "« un euro » n'est pas un nombre"),
        ({"cost_per_km": ""}, "la valeur est vide"),
        ({"days_per_year": "400"}, "400 est trop grand ; le maximum est 366 jours/an"),
        ({"cost_per_km": float("nan")}, "n'est pas un nombre fini"),
        ({"power_w": "0"}, "0 est trop petit ; le minimum est 1 W"),
    ],
)
def test_bad_assumptions_get_french_messages(values, expected):
    with pytest.raises(AssumptionError) as err:
        build(hand_made("collection"), assumptions=values)
    assert len(err.value.messages) == 1
    message = plain(err.value.messages[0])
    assert message.startswith("Hypothèse «") and expected in message


def test_all_bad_assumptions_are_reported_at_once():
    with pytest.raises(AssumptionError) as err:
        check_assumptions(load_profile("water"), {"price_m3": "-4", "scale": "x", "repair_share": "1,5"})
    assert len(err.value.messages) == 3


def test_gdpr_and_ai_act_follow_the_run():
    territory = build(hand_made(
        "seniors", personal_data=False, special_category=False,
        figures=(Figure("Stabilité du top 10", 83.0, "%", lower_is_better=False, key="top_stability"),),
    ))
    assert territory.ai_act.label == "Risque minimal" and "territoire" in territory.ai_act.scope
    assert territory.gdpr.dpia == "non"
    assert territory.gain("people_reached").calculation.startswith("mesuré en mode personnes seulement")
    person = build(hand_made("seniors"))
    assert person.ai_act.label == "Haut risque" and person.gdpr.dpia == "oui" and person.gdpr.special_category
    routes = build(hand_made("collection"))
    assert not routes.gdpr.personal_data and routes.gdpr.dpia == "non"
    assert "synthétiques" in routes.gdpr.synthetic_note
    # a run on synthetic meters says « no personal data »; the sheet is about the real use, which has some
    water = build(hand_made("water", personal_data=False))
    assert water.gdpr.personal_data and water.gdpr.dpia == "oui"
    assert "oui dans l'usage réel (cette exécution : données d'exemple synthétiques)" in plain(water.to_markdown())
    assert json.loads(water.to_json())["donnees"]["execution_sur_donnees_synthetiques"] is True
    uploaded = build(hand_made("water", personal_data=False, data=DataSummary("fichier", ("agrege.csv",), 12, "moyennes par quartier")))
    assert not uploaded.gdpr.personal_data and uploaded.gdpr.dpia == "non"
    ocr = build(hand_made("ocr"))
    assert ocr.gdpr.dpia == "à évaluer" and ocr.gdpr.dpia_label == "À évaluer avec le DPO"


def test_the_method_comes_from_the_model_module_when_it_defines_it(monkeypatch):
    fake = types.ModuleType("sandbox.models.water")
    fake.METHOD_SUMMARY_FR = "Méthode   écrite par\nle module de l'eau."
    monkeypatch.setitem(sys.modules, "sandbox.models.water", fake)
    assert build(hand_made("water")).method == "Méthode écrite par le module de l'eau."
    monkeypatch.setitem(sys.modules, "sandbox.models.water", types.ModuleType("sandbox.models.water"))
    assert build(hand_made("water")).method == load_profile("water").method_fallback


def test_pdf_without_any_unicode_font_falls_back_to_helvetica(monkeypatch):
    monkeypatch.delenv(pdf_module.FONT_ENV, raising=False)
    monkeypatch.setattr(pdf_module, "FONT_CANDIDATES", (("/nonexistent/a.ttf", "/nonexistent/b.ttf"),))
    assert pdf_module.find_font() is None
    pages, text = pdf_text(build(hand_made("water")).to_pdf())
    assert pages <= 2 and "Économies de la campagne" in text and "1 890 m3/an" in text
    assert "OEillets" in text and "EUR/an" in text


def test_pdf_with_a_font_lacking_narrow_spaces(monkeypatch):
    liberation = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
    from pathlib import Path

    if not Path(liberation).is_file():
        pytest.skip("Liberation Sans absente (paquet fonts-liberation)")
    monkeypatch.setenv(pdf_module.FONT_ENV, liberation)
    pages, text = pdf_text(build(hand_made("collection")).to_pdf())
    assert "15 163 €/an" in text and "« Cœur de ville »" in text


def test_profiles_cannot_run_code_and_must_be_complete():
    data = {
        "method_fallback": "x",
        "workshop": {"show_first": "a", "questions": ["q1", "q2"], "misconception": "m", "answer": "r", "exercises": ["e"]},
        "ai_act": {"level": "minimal", "reason": "r", "reference": "x", "obligations": "o"},
        "gdpr": {"personal_data": "p", "special_category": "s", "dpia": "non", "dpia_reason": "d", "legal_basis": "b"},
        "transparency": {"purpose": "p", "decision": "d", "human_oversight": "h", "contest": "c"},
        "gains": [{"key": "g", "label": "G", "unit": "€", "formula": "__import__('os').system('true')"}],
    }
    with pytest.raises(ProfileError, match="not allowed"):
        parse_profile("test", data)
    data["gains"][0]["formula"] = "km_gain * 2"
    assert parse_profile("test", data).gains[0].formulas == ("km_gain * 2",)
    data["ai_act"]["level"] = "moyen"
    with pytest.raises(ProfileError, match="level"):
        parse_profile("test", data)
    with pytest.raises(ProfileError):
        load_profile("inconnue")


def test_the_sheet_never_contains_more_than_the_run_summary():
    """Personal data cannot leak into the sheet: it only sees the summary (descriptions, parameters, figures)."""
    sheet = build(hand_made("matching"))
    record = sheet.to_json()
    for text in (record, sheet.to_markdown()):
        assert not re.search(r"[\w.]+@[\w-]+\.[a-z]{2,}", text)  # no e-mail address: the run had none to give


def test_a_huge_organisation_and_400_files_still_make_a_pdf():
    """Issue 14 #13: fpdf « row too high » — user text is bounded, long lists are counted."""
    files = tuple(f"scan_{i:03d}.png" for i in range(400))
    run = hand_made("ocr", data=DataSummary("fichier", files, 400, "400 pages"))
    sheet = build(run, organisation="Commune de Montreuil " * 400, contact="c" * 9000)
    assert len(sheet.organisation) == MAX_NAME and sheet.organisation.endswith("…") and len(sheet.contact) == MAX_NAME
    pages, text = pdf_text(sheet.to_pdf())
    assert 1 <= pages <= 3
    assert f"et {400 - MAX_FILES_SHOWN} autres" in text and "scan_000.png" in text and "scan_399.png" not in text
    one_word = build(run, organisation="A" * 8000)  # no space to break at
    assert pdf_text(one_word.to_pdf())[0] <= 3
    assert len(json.loads(sheet.to_json())["donnees"]["fichiers"]) == 400  # the record keeps the full list


def test_user_text_cannot_become_markdown_in_the_preview():
    sheet = build(hand_made("collection"), organisation="![x](http://evil.example/i.png) $x$ | <b>", contact="*c*")
    markdown = sheet.to_markdown()
    assert "![x](" not in markdown and "!\\[x\\](" in markdown
    assert "\\$x\\$" in markdown and "\\|" in markdown and "\\<b\\>" in markdown and "\\*c\\*" in markdown


def test_the_sheet_package_does_not_import_the_app_page_list_nor_form_a_circle():
    """Issue 15: nothing below the app imports ``sandbox.registry``; sheet → workshop, never back."""
    import ast
    from pathlib import Path

    import sandbox

    root = Path(sandbox.__file__).parent
    imports: dict[str, set[str]] = {}
    for package in ("sheet", "workshop", "ui"):
        for path in (root / package).glob("*.py"):
            names: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    names.add(node.module + "." + ".".join(a.name for a in node.names))
                elif isinstance(node, ast.Import):
                    names.update(a.name for a in node.names)
            imports[f"{package}/{path.name}"] = names
    for module, names in imports.items():
        assert not any("registry" in n for n in names), module
    for module, names in imports.items():
        if module.startswith("workshop/"):
            assert not any(n.startswith("sandbox.sheet") for n in names), module
        if module == "sheet/pdf.py" or module == "sheet/markdown.py":
            assert not any(n.startswith("sandbox.sheet.sheet") for n in names), module
