"""What a workshop of 30 shares between sessions (issue 14): the samples, the maps' HTML.

Sharing must never let one session change what another sees: a sample is
handed out as a copy-on-write copy, and a cached map is exactly what
``st_folium`` would have sent for the same map.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import streamlit_folium as sf
from sandbox.data.schemas.water import HOUSEHOLDS
from sandbox.ui import inputs, maps


def test_a_session_changing_its_sample_does_not_change_the_next_sessions():
    first = inputs._sample("water/households", HOUSEHOLDS, "drop")
    original = first.frame.copy(deep=True)
    column = first.frame.columns[0]
    first.frame.loc[first.frame.index[0], column] = "modifié"
    first.frame["ajout"] = 1
    first.mapping["x"] = "y"
    second = inputs._sample("water/households", HOUSEHOLDS, "drop")
    assert "ajout" not in second.frame.columns and "x" not in second.mapping
    assert second.frame.equals(original)
    assert first.frame is not second.frame


def test_the_sample_is_shared_not_copied():
    first = inputs._sample("water/households", HOUSEHOLDS, "drop")
    second = inputs._sample("water/households", HOUSEHOLDS, "drop")
    numeric = first.frame.select_dtypes("number").columns[0]
    assert np.shares_memory(first.frame[numeric].to_numpy(), second.frame[numeric].to_numpy())


def test_the_sample_token_changes_with_the_file(tmp_path, monkeypatch):
    (tmp_path / "water").mkdir()
    path = tmp_path / "water" / "households.csv"
    path.write_text("meter;occupants\nA;2\n", encoding="utf-8")
    monkeypatch.setenv("SANDBOX_SAMPLE_DIR", str(tmp_path))
    before = inputs.sample_token("water/households", HOUSEHOLDS, "drop")
    path.write_text("meter;occupants\nA;2\nB;3\n", encoding="utf-8")
    after = inputs.sample_token("water/households", HOUSEHOLDS, "drop")
    assert before[:2] == after[:2] and before != after
    assert before[1] == str(path)


def _demo_map():
    import folium

    fmap = maps.base_map((48.86, 2.44), 13, height=300)
    maps.add_markers(fmap, [{"lat": 48.86, "lon": 2.44, "tooltip": "<b>Dépôt</b> ${x}"}])
    maps.add_legend(fmap, [("#1f77b4", "Camion 1")], "Tournées")
    folium.PolyLine([[48.86, 2.44], [48.87, 2.45]]).add_to(fmap)
    return fmap


def test_cached_map_parts_are_what_st_folium_sends(monkeypatch):
    fmap = _demo_map()
    twin = copy.deepcopy(fmap)  # the same element ids
    sent = {}
    monkeypatch.setattr(sf, "_component_func", lambda **kwargs: sent.update(kwargs))
    sf.st_folium(twin, key="k.map", height=300, width=None, returned_objects=[])
    parts = maps.component_parts(fmap, "k.map")
    assert parts == {name: sent[name] for name in parts}
    assert "<b>" not in parts["script"] and "${x}" not in parts["script"]  # user text stays escaped
    assert r"\u0026lt;b\u0026gt;D\u00e9p\u00f4t" in parts["script"]
    assert all(not link.startswith("http") for link in parts["js_links"] + parts["css_links"])


def test_show_map_builds_a_cached_map_once(monkeypatch):
    calls = []
    monkeypatch.setattr(sf, "_component_func", lambda **kwargs: calls.append(kwargs["key"]))
    built = []

    def build():
        built.append(1)
        return _demo_map()

    maps._map_parts.clear()
    for _ in range(3):
        maps.show_map(build, key="k.map2", cache_key="same-content")
    assert len(built) == 1 and len(calls) == 3 and len(set(calls)) == 1
    maps.show_map(build, key="k.map2", cache_key="other-content")
    assert len(built) == 2


@pytest.mark.parametrize("cache_key", [None, "x"])
def test_show_map_accepts_a_map_or_a_builder(monkeypatch, cache_key):
    shown = []
    monkeypatch.setattr(sf, "_component_func", lambda **kwargs: shown.append(kwargs["html"]))
    monkeypatch.setattr(maps, "st_folium", lambda fmap, **kwargs: shown.append(fmap))
    maps._map_parts.clear()
    maps.show_map(_demo_map(), key="k.map3", cache_key=cache_key)
    maps.show_map(_demo_map, key="k.map4", cache_key=None if cache_key is None else cache_key + "b")
    assert len(shown) == 2


def test_a_cached_chart_is_what_st_altair_chart_sends_and_is_built_once(monkeypatch):
    import altair as alt
    import pandas as pd
    from streamlit.elements import vega_charts

    from sandbox.ui import charts

    frame = pd.DataFrame({"jour": pd.date_range("2025-01-01", periods=3), "litres": [1.0, 2.5, 4.0]})
    built = []

    def build():
        built.append(1)
        return alt.Chart(frame).mark_line().encode(x="jour:T", y="litres:Q")

    sent = []
    monkeypatch.setattr(charts.st, "vega_lite_chart", lambda spec, width: sent.append(spec))
    charts._spec.clear()
    for _ in range(3):
        assert charts.show_chart(build, cache_key="chart-a")
    assert len(built) == 1 and len(sent) == 3
    assert sent[0] == vega_charts._convert_altair_to_vega_lite_spec(build())
    assert sent[0] is not sent[1]  # each run gets its own copy (Streamlit pops its datasets)
    assert not charts.show_chart(lambda: None, cache_key="chart-none")


def _true_key(frame) -> str:
    """What frame_key computes for any frame: the digest of its hashed rows."""
    import hashlib

    import pandas as pd

    return hashlib.sha1(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()).hexdigest()


def test_frame_key_of_an_untouched_sample_copy_is_the_samples_digest_computed_once(monkeypatch):
    first = inputs._sample("water/households", HOUSEHOLDS, "drop")
    expected = _true_key(first.frame)
    assert inputs.frame_key(first.frame) == expected
    hashed = []
    monkeypatch.setattr(inputs, "_hash_frame", lambda frame: hashed.append(1) or "recomputed")
    second = inputs._sample("water/households", HOUSEHOLDS, "drop")  # another session's copy
    assert inputs.frame_key(second.frame) == expected and not hashed  # answered from the shared digest


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.__setitem__(f.columns[1], f[f.columns[1]].copy()),  # a column replaced (same values)
        lambda f: f.iloc.__setitem__((0, 1), 9),  # one cell
        lambda f: f.__setitem__("ajout", 1),  # a new column
        lambda f: f.drop(columns=f.columns[0], inplace=True),
        lambda f: f.sort_values(f.columns[1], inplace=True),
        lambda f: setattr(f, "index", f.index[::-1]),
        lambda f: f.rename(columns={f.columns[0]: "autre"}, inplace=True),
    ],
    ids=["column", "cell", "new-column", "drop", "sort", "index", "rename"],
)
@pytest.mark.filterwarnings("ignore:The inplace keyword")  # in-place changes are deprecated, still possible: still caught
def test_frame_key_of_a_changed_sample_copy_is_hashed_afresh(change):
    mine = inputs._sample("water/households", HOUSEHOLDS, "drop")
    sample_key = inputs.frame_key(mine.frame)
    change(mine.frame)
    assert inputs.frame_key(mine.frame) == _true_key(mine.frame)
    other = inputs._sample("water/households", HOUSEHOLDS, "drop")  # the next session still gets the sample
    assert inputs.frame_key(other.frame) == sample_key == _true_key(other.frame)
