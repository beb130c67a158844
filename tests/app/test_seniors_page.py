"""The seniors page in AppTest: territory mode (weights, methods, a zero weight set) and person mode (capacity, list, runs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import no_crash
from streamlit.testing.v1 import AppTest

from sandbox.models.seniors import DECISION_SUPPORT_LABEL, INDICATORS

SAMPLE_INDICATORS = ("share_75plus", "alone_60plus", "poverty_60plus", "no_car_60plus", "no_lift_60plus", "gp_distance_km", "apa_rate")
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "seniors" / "filosofi_extrait.csv"
from sandbox.text import plain

APP = str(Path(__file__).resolve().parents[2] / "sandbox" / "app.py")


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/seniors/page.py")
    at.run()
    return at


def _ranking(at: AppTest):
    return next(d.value for d in at.dataframe if "Territoire" in d.value.columns)


def _visits(at: AppTest):
    return next(d.value for d in at.dataframe if "identifiant" in d.value.columns)


@pytest.fixture(scope="module")
def territory() -> AppTest:
    return _open()


def test_territory_mode_ranks_the_communes_and_measures_robustness(territory):
    at = territory
    no_crash(at)
    assert plain(at.title[0].value) == "Seniors : repérer les besoins d'accompagnement"
    ranking = _ranking(at)
    assert len(ranking) == 10 and ranking["Indice"].is_monotonic_decreasing
    labels = [m.label for m in at.metric]
    assert "Stabilité du top 10" in labels
    assert any("synthétiques" in c.value for c in at.caption)
    run = at.session_state["runs"]["seniors"]
    assert run.personal_data is False and run.figure("top_stability") is not None

    at.selectbox(key="seniors.method").select("rank").run()
    no_crash(at)
    assert run is not at.session_state["runs"]["seniors"]
    at.number_input(key="seniors.top").set_value(5).run()
    assert len(_ranking(at)) == 5


def test_territory_mode_weights_summing_to_zero_show_a_french_error(territory):
    at = territory
    at.selectbox(key="seniors.method").select("zscore").run()
    sliders = [s for s in at.slider if s.key and s.key.startswith("seniors.w.")]
    assert {s.key for s in sliders} == {f"seniors.w.{name}" for name in INDICATORS if name in SAMPLE_INDICATORS}
    for slider in sliders:
        slider.set_value(0.0)
    at.run()
    no_crash(at)
    assert any("somme des pondérations vaut zéro" in e.value for e in at.error)
    at.slider(key="seniors.w.poverty_60plus").set_value(2.0).run()
    no_crash(at)
    assert not at.error
    assert len(_ranking(at)) == at.number_input(key="seniors.top").value


def test_territory_mode_learns_weights_from_an_indicator_taken_as_the_observed_need(territory):
    at = territory
    at.selectbox(key="seniors.outcome").select("apa_rate").run()
    no_crash(at)
    assert "seniors.w.apa_rate" not in {s.key for s in at.slider}
    assert any("hors échantillon" in m.value for m in at.markdown)
    assert "ρ de l'indice appris (hors échantillon)" in [m.label for m in at.metric]
    run = at.session_state["runs"]["seniors"]
    assert run.figure("rho_fitted") is not None and run.figure("rho_fitted").baseline is not None
    at.selectbox(key="seniors.outcome").select("").run()
    no_crash(at)


def test_territory_mode_reads_an_uploaded_insee_file_as_published():
    at = _open()
    at.radio(key="seniors.source_kind").set_value("Fichiers INSEE tels que publiés").run()
    no_crash(at)
    at.file_uploader(key="seniors.insee_files").set_value([("cc_filosofi_2021_COM.csv", FIXTURE.read_bytes(), "text/csv")]).run()
    no_crash(at)
    assert any("Filosofi 2021" in c.value for c in at.caption)
    at.selectbox(key="seniors.scope").select("france").run()
    no_crash(at)
    assert not at.error, [e.value for e in at.error]
    ranking = _ranking(at)
    assert len(ranking) == 9  # 10 rows, Pierrefitte merged into Saint-Denis
    assert any("classé" in i.value and "sans carte" in i.value for i in at.info)
    assert any("TP60AGE621" in m.value for m in at.markdown)


def test_person_mode_lists_exactly_the_capacity_and_follows_its_changes():
    at = _open()
    mode = at.radio(key="seniors.mode")
    mode.set_value(mode.options[1]).run()
    no_crash(at)
    assert len(_visits(at)) == 250  # 5 % of the 5,000 people by default
    assert any(DECISION_SUPPORT_LABEL == w.value for w in at.warning)
    labels = {m.label: m.value for m in at.metric}
    assert {"Personnes ayant besoin atteintes (test)", "Par rapport au hasard", "AUC (test)"} <= set(labels)
    run = at.session_state["runs"]["seniors"]
    assert run.personal_data and run.special_category
    assert run.figure("people_reached").baseline is not None

    at.number_input(key="seniors.capacity.5000").set_value(100).run()
    no_crash(at)
    visits = _visits(at)
    assert len(visits) == 100 and visits["rang"].tolist() == list(range(1, 101))

    at.selectbox(key="seniors.person").set_value(3).run()
    notice = " ".join(plain(m.value) for m in at.markdown)
    assert "Contribution du traitement" in notice and "au rang 4 sur 5 000" in notice

    at.slider(key="seniors.min_share").set_value(1.0).run()  # 1 visit for each of ~128 communes > 100 visits
    no_crash(at)
    assert any("parts minimales demandent" in e.value for e in at.error)
    at.number_input(key="seniors.capacity.5000").set_value(250)
    at.slider(key="seniors.min_share").set_value(0.2).run()  # ceil(0.2 % × 250) = 1 visit per commune
    no_crash(at)
    assert any("part minimale par commune" in i.value for i in at.info)
    visits = _visits(at)
    assert len(visits) == 250 and (visits["quota commune"] == "oui").sum() > 0

    at.selectbox(key="seniors.model").select("boosting").run()
    no_crash(at)
    assert at.session_state["runs"]["seniors"].parameters["Modèle"] == "gradient boosting (arbres de décision)"


def test_maps_load_nothing_from_outside_the_app():
    from sandbox.data import load_sample, validate
    from sandbox.data.communes import load_outlines
    from sandbox.data.schemas.seniors import TERRITORIES
    from sandbox.models.seniors import needs_index, prepare_territories
    from sandbox.ui.maps import external_urls
    from sandbox.pages.seniors.charts import choropleth

    index = needs_index(prepare_territories(validate(load_sample("seniors/territories"), TERRITORIES).frame))
    fmap = choropleth(index.to_geojson(load_outlines()), "index", title="Indice", tooltip=[("nom", "Commune"), ("index", "Indice")])
    assert external_urls(fmap) == []
    html = fmap.get_root().render()
    assert "Aubervilliers" in html and "Indice" in html
