"""The SQLite feedback store: created on first use, two writers at once, and every broken database in French."""

from __future__ import annotations

import csv
import io
import multiprocessing
import sqlite3
import threading
from datetime import datetime

import pytest

from sandbox.workshop.feedback import ENV_VAR, FeedbackError, FeedbackStore, feedback_path, to_csv
from sandbox.text import plain


def test_created_on_first_write_with_its_folder(tmp_path):
    path = tmp_path / "feedback" / "sous-dossier" / "retours.sqlite3"
    store = FeedbackStore(path)
    assert store.list() == [] and store.count() == 0 and not path.exists()  # reading creates nothing
    entry = store.add("collection", "  La tournée 2 passe deux fois rue Hoche.  ", page="Collecte", category="Résultat faux",
                      parameters={"Camions": 3, "Facteur de détour": 1.3}, context={"lignes": 400})
    assert path.is_file()
    assert entry.id == 1 and entry.comment == "La tournée 2 passe deux fois rue Hoche."
    [stored] = store.list()
    assert (stored.demo, stored.page, stored.category) == ("collection", "Collecte", "Résultat faux")
    assert stored.parameters == {"Camions": 3, "Facteur de détour": 1.3} and stored.context == {"lignes": 400}
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_path_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "x.sqlite3"))
    assert feedback_path() == tmp_path / "x.sqlite3" and FeedbackStore().path == tmp_path / "x.sqlite3"
    monkeypatch.delenv(ENV_VAR)
    assert feedback_path().name == "retours.sqlite3"


def test_list_filters_newest_first_and_delete(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    for i in range(3):
        store.add("water" if i % 2 else "matching", f"retour {i}")
    assert [e.comment for e in store.list()] == ["retour 2", "retour 1", "retour 0"]
    assert [e.comment for e in store.list("water")] == ["retour 1"]
    assert store.delete([2]) == 1 and store.count() == 2
    assert store.delete() == 2 and store.list() == []


def test_parameters_that_are_not_json_are_stored_as_text(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    store.add("seniors", "ok", parameters={"date": datetime(2026, 3, 1), "poids": (0.5, 0.5)})
    [entry] = store.list()
    assert entry.parameters == {"date": "2026-03-01 00:00:00", "poids": [0.5, 0.5]}


def _write_many(path: str, who: str, count: int) -> None:
    store = FeedbackStore(path, timeout=30)
    for i in range(count):
        store.add("collection", f"{who} {i}", parameters={"writer": who, "i": i})


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_write_many, args=(path, who, 150)) for who in ("A", "B")]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=120)
        assert w.exitcode == 0
    entries = FeedbackStore(path).list()
    assert len(entries) == 300 and len({e.id for e in entries}) == 300
    for who in ("A", "B"):
        assert sorted(e.parameters["i"] for e in entries if e.parameters["writer"] == who) == list(range(150))


def test_two_threads_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "threads.sqlite3")
    threads = [threading.Thread(target=_write_many, args=(path, who, 100)) for who in ("T1", "T2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert FeedbackStore(path).count() == 200


def test_an_empty_or_overlong_comment_is_refused_in_french(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    with pytest.raises(FeedbackError, match="Écrivez un commentaire"):
        store.add("water", "   ")
    with pytest.raises(FeedbackError, match="limite"):
        store.add("water", "x" * 5000)
    assert store.count() == 0


def test_a_corrupt_database_gets_a_french_message_and_a_fresh_file_works(tmp_path):
    path = tmp_path / "retours.sqlite3"
    path.write_bytes(b"ceci n'est pas une base SQLite " * 200)
    store = FeedbackStore(path)
    for action in (store.list, lambda: store.add("water", "un retour")):
        with pytest.raises(FeedbackError) as err:
            action()
        text = plain(str(err.value))
        assert "endommagée" in text and "Renommez" in text and "terminal" in text
        assert "retours.sqlite3" not in text and str(tmp_path) not in text  # the path is never shown (issue 14 #9)
    path.rename(tmp_path / "retours.abime")
    assert store.add("water", "après").id == 1


def test_a_locked_database_gets_a_french_message(tmp_path):
    path = tmp_path / "retours.sqlite3"
    store = FeedbackStore(path, timeout=0.2)
    store.add("water", "premier")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(FeedbackError) as err:
            store.add("water", "second")
        assert "verrouillée" in str(err.value) and "Réessayez" in str(err.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.add("water", "second").id == 2


def test_a_folder_or_an_unwritable_place_gets_a_french_message(tmp_path):
    with pytest.raises(FeedbackError, match="est un dossier"):
        FeedbackStore(tmp_path).add("water", "x")
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    with pytest.raises(FeedbackError, match="Impossible de créer le dossier"):
        FeedbackStore(blocker / "sous" / "f.sqlite3").add("water", "x")


def test_a_database_without_the_table_is_reported(tmp_path):
    path = tmp_path / "autre.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("CREATE TABLE autre (x)")
    conn.commit()
    conn.close()
    with pytest.raises(FeedbackError, match="endommagée"):
        FeedbackStore(path).list()


def test_csv_export_opens_in_a_french_spreadsheet(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    store.add("collection", "Pourquoi ce point ;\nn'est-il pas servi ?", page="Collecte", category="Question",
              parameters={"Camions": 3}, context={"description": "400 points"}, created=datetime(2026, 3, 12, 14, 5, 31))
    data = to_csv(store.list())
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: accents right in Excel
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["numéro", "date", "démonstration", "page", "catégorie", "commentaire"]
    assert rows[1] == ["1", "12/03/2026 14:05", "collection", "Collecte", "Question",
                       "Pourquoi ce point ;\nn'est-il pas servi ?", "Camions = 3", "description = 400 points"]
