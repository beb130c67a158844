"""``--cluster`` on ocr, water and match: the same outputs as the local run, on a LocalCluster of two processes.

One LocalCluster for the whole module; the commands reach it by its
address (the path a real cluster takes).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sandbox.cli import build_parser, main
from sandbox.data import DataError

REPO_DIR = Path(__file__).resolve().parents[2]
SAMPLES = REPO_DIR / "sample_data"

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def address():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       memory_limit="1GB")
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def files_of(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name not in skip}


# --- match -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matching_tables(tmp_path_factory):
    root = tmp_path_factory.mktemp("match")
    cand = pd.read_csv(SAMPLES / "matching" / "candidats.csv", sep=None, engine="python", dtype=str).head(150)
    cand_path = root / "candidats.csv"
    cand.to_csv(cand_path, sep=";", index=False)
    return cand_path, SAMPLES / "matching" / "offres.csv", root


@pytest.mark.parametrize("direction", [[], ["--par-offre"]])
def test_match_on_cluster_equals_local(address, matching_tables, monkeypatch, direction):
    import sandbox.cluster.matching as on_cluster

    monkeypatch.setattr(on_cluster, "CHUNK_ROWS", 40)  # four chunks over the two workers
    cand, offers, root = matching_tables
    local, remote = root / f"local{len(direction)}.csv", root / f"cluster{len(direction)}.csv"
    assert main(["match", str(cand), str(offers), "--top", "3", "--out", str(local), *direction]) == 0
    assert main(["match", str(cand), str(offers), "--top", "3", "--out", str(remote), *direction, "--cluster", address]) == 0
    a = pd.read_csv(local, sep=";", dtype=str)
    b = pd.read_csv(remote, sep=";", dtype=str)
    assert len(a) > 100
    if direction:  # per offer: the same top-3 of each offer (ties may come in another order)
        key = ["offer_id", "rank"]
        pd.testing.assert_frame_equal(a.sort_values(key, ignore_index=True)[["offer_id", "score"]],
                                      b.sort_values(key, ignore_index=True)[["offer_id", "score"]])
    else:
        assert local.read_bytes() == remote.read_bytes()


# --- water -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def meter_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("water")
    frame = pd.read_parquet(SAMPLES / "water" / "readings.parquet")
    meters = frame["compteur"].drop_duplicates().head(40)
    parts = root / "parts"
    parts.mkdir()
    for i, meter in enumerate(meters):
        frame[frame["compteur"] == meter].to_parquet(parts / f"{i:03d}.parquet", index=False)
    return parts


def test_water_on_cluster_equals_local(address, meter_files, monkeypatch, tmp_path, capsys):
    import sandbox.cluster.water as on_cluster

    monkeypatch.setattr(on_cluster, "PARTITION_READINGS", 4 * on_cluster.readings_in(meter_files / "000.parquet"))
    n = len(on_cluster.partitions(sorted(meter_files.iterdir())))  # about four meters in each
    assert 8 <= n <= 12
    homes = str(SAMPLES / "water" / "households.csv")
    assert main(["water", str(meter_files), "--households", homes, "--min-peers", "3", "--out", str(tmp_path / "a")]) == 0
    assert main(["water", str(meter_files), "--households", homes, "--min-peers", "3", "--out", str(tmp_path / "b"),
                 "--cluster", address]) == 0
    a, b = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    assert set(a) >= {"alerts.csv", "messages.csv", "quality.csv", "quality.txt", "households.csv"}
    assert a == b
    assert f"Partitions : {n}/{n}" in capsys.readouterr().err
    alerts = pd.read_csv(tmp_path / "b" / "alerts.csv", sep=";")
    assert len(alerts) > 0  # the sample has leaks: the comparison is not between two empty files


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_water_one_large_file_is_split_by_meter_and_equals_local(address, monkeypatch, tmp_path, capsys, suffix):
    import sandbox.cluster.water as on_cluster

    frame = pd.read_parquet(SAMPLES / "water" / "readings.parquet")
    keep = frame["compteur"].drop_duplicates().head(30)
    frame = frame[frame["compteur"].isin(keep)].sample(frac=1.0, random_state=3)  # meters interleaved, as an export
    frame = frame.sort_values("date_heure", kind="stable")
    path = tmp_path / f"releves{suffix}"
    if suffix == ".csv":  # a French CSV: dates and decimal commas as text
        frame = frame.assign(date_heure=frame["date_heure"].dt.strftime("%d/%m/%Y %H:%M"))
        frame.to_csv(path, sep=";", decimal=",", index=False)
    else:
        frame.to_parquet(path, index=False)
    monkeypatch.setattr(on_cluster, "PARTITION_READINGS", on_cluster.readings_in(path) // 5 + 1)  # five partitions
    if suffix == ".parquet":  # the workers read their partition again in the second pass, as for a large city
        monkeypatch.setattr(on_cluster, "KEEP_SHARE", 0.0)
    homes = str(SAMPLES / "water" / "households.csv")
    assert main(["water", str(path), "--households", homes, "--min-peers", "3", "--out", str(tmp_path / "a")]) == 0
    assert main(["water", str(path), "--households", homes, "--min-peers", "3", "--out", str(tmp_path / "b"),
                 "--cluster", address]) == 0
    err = capsys.readouterr().err
    assert "par compteur en 5 partitions" in err and "Partitions : 5/5" in err
    kept = "gardées dans la mémoire des workers" if suffix == ".csv" else "relues à chaque passe"
    assert f"5 partitions de compteurs, {kept}" in err
    a, b = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    assert set(a) >= {"alerts.csv", "messages.csv", "quality.csv", "quality.txt", "households.csv"}
    assert a == b
    assert [p.name for p in (tmp_path / "b").iterdir() if p.name.startswith(".partitions")] == []  # removed
    assert len(pd.read_csv(tmp_path / "b" / "alerts.csv", sep=";")) > 0


def _reading_notes(text: str) -> tuple[str, dict]:
    """quality.txt without its « Lecture du fichier » notes, and the rows those notes name, by reason and meter.

    One run writes one note per reason for the whole file; a split file gives one per partition (as the
    local run gives one per block of a file larger than its block): the rows named must be the same.
    """
    text = text.replace("\u202f", " ").replace("\xa0", " ")
    head, notes = text.split("Lecture du fichier :\n", 1)
    notes, tail = notes.split("\n\n", 1) if "\n\n" in notes else (notes, "")
    named: dict = {}
    for line in notes.splitlines():
        ignored = re.match(r"- \d+ lignes? ignorées? : (.*) \(lignes? ([\d, ]+)\)\.$", line)
        if ignored:
            named.setdefault(ignored[1], set()).update(int(r) for r in ignored[2].split(", "))
            continue
        if "compteur « " in line:  # « … ignorés : compteur « A » (lignes 4, 9), compteur « B » (ligne 12) »
            reason = line.split(" : ")[0].split(" ", 2)[-1] if line[2].isdigit() else line.split(" : ")[0]
            reason = re.sub(r"\b(relevé|ignoré)s\b", r"\1", reason)  # one reading or several: the same reason
            for meter, rows in re.findall(r"compteur « ([^»]+) » \(lignes? ([\d, ]+)\)", line):
                named.setdefault(reason, set()).update((meter, int(r)) for r in rows.split(", "))
            assert "autres compteurs" not in line  # every row is named: the comparison is complete
            continue
        named.setdefault(line, set())  # any other note: the same text in both runs
    return head + tail, named


def test_water_split_file_names_bad_rows_by_their_line_in_the_file(address, monkeypatch, tmp_path):
    """Bad rows of meters in five partitions: the quality report names the lines of the original file."""
    import sandbox.cluster.water as on_cluster

    frame = pd.read_parquet(SAMPLES / "water" / "readings.parquet")
    keep = frame["compteur"].drop_duplicates().head(30)
    frame = frame[frame["compteur"].isin(keep)].reset_index(drop=True)  # meter by meter, as an export
    frame = frame.assign(date_heure=frame["date_heure"].dt.strftime("%d/%m/%Y %H:%M"),
                         volume_litres=frame["volume_litres"].map(lambda v: f"{v:g}".replace(".", ",")))
    meters = keep.tolist()
    bad = {  # meter: (column, value, readings hit) in all five partitions (six meters each)
        meters[1]: ("date_heure", "pas une date", [300, 4000]),
        meters[13]: ("date_heure", "31/02/2025 10:00", [500]),
        meters[7]: ("volume_litres", "", [200, 6000]),
        meters[25]: ("volume_litres", "", [800]),
        meters[19]: ("volume_litres", "beaucoup", [1000, 1001]),
        meters[28]: ("volume_litres", "99999999", [3000]),  # an impossible flow
        meters[10]: ("volume_litres", "99999999", [2500]),
    }
    lines = {}
    for meter, (column, value, hits) in bad.items():
        rows = frame.index[frame["compteur"] == meter][hits]
        frame.loc[rows, column] = value
        lines[meter] = (rows + 2).tolist()  # spreadsheet lines (header = 1)
    dup = frame[frame["compteur"] == meters[22]].iloc[[700]]
    frame = pd.concat([frame.iloc[: dup.index[0] + 1], dup, frame.iloc[dup.index[0] + 1:]], ignore_index=True)
    for meter in meters[23:]:  # the duplicate shifts the lines of the meters after it by one
        lines[meter] = [r + 1 for r in lines.get(meter, [])]
    path = tmp_path / "releves.csv"
    frame.to_csv(path, sep=";", index=False)
    monkeypatch.setattr(on_cluster, "PARTITION_READINGS", on_cluster.readings_in(path) // 5 + 1)  # five partitions
    monkeypatch.setattr(on_cluster, "KEEP_SHARE", 0.0)  # partitions read in each pass, as for a large city
    assert main(["water", str(path), "--out", str(tmp_path / "a")]) == 0
    assert main(["water", str(path), "--out", str(tmp_path / "b"), "--cluster", address]) == 0
    a, b = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    assert {k: v for k, v in a.items() if k != "quality.txt"} == {k: v for k, v in b.items() if k != "quality.txt"}
    rest_a, named_a = _reading_notes(a["quality.txt"].decode("utf-8"))
    rest_b, named_b = _reading_notes(b["quality.txt"].decode("utf-8"))
    assert rest_a == rest_b
    assert named_a == named_b
    # The lines are those of the file, checked against the rows spoiled above (not only against the local run).
    assert named_b["valeur illisible comme date dans « date et heure »"] == {*lines[meters[1]], *lines[meters[13]]}
    assert named_b["valeur non numérique dans « volume consommé »"] == set(lines[meters[19]])
    assert {m for m, _ in named_b["relevé sans valeur de volume ignoré"]} == {meters[7], meters[25]}
    assert {r for _, r in named_b["relevé sans valeur de volume ignoré"]} == {*lines[meters[7]], *lines[meters[25]]}
    issues = pd.read_csv(tmp_path / "b" / "quality.csv", sep=";", dtype=str)
    impossible = issues[issues["problème"] == "débit impossible"].set_index("compteur")["lignes"].to_dict()
    assert impossible == {meters[10]: str(lines[meters[10]][0]), meters[28]: str(lines[meters[28]][0])}
    duplicate = issues[issues["problème"] == "doublon"]
    assert duplicate["compteur"].tolist() == [meters[22]]
    copy = frame.index[frame["compteur"] == meters[22]][701] + 2  # the repeated reading's copy: the line left out
    assert duplicate["lignes"].tolist() == [str(copy)]


def test_split_keeps_whole_meters_in_file_order(tmp_path):
    import argparse

    from sandbox.cluster._split import split_by_meter

    rows = [f"M{m};01/03/2025 {h:02d}:00;{m}" for h in range(1, 5) for m in (7, 3, 9, 1, 5)]
    path = tmp_path / "r.csv"
    path.write_text("pds;date;litres\n" + "\n".join(rows) + "\n", encoding="cp1252")
    parts = split_by_meter(path, argparse.Namespace(col=["meter=pds"]), tmp_path / "parts", 3)
    meters = [pd.read_csv(p, sep=";", dtype=str)["pds"].tolist() for p in parts]
    assert [list(dict.fromkeys(m)) for m in meters] == [["M7", "M3"], ["M9", "M1"], ["M5"]]
    assert all(len(m) == 4 * len(set(m)) for m in meters)  # whole meters, each reading once


def test_water_meter_split_across_partitions_is_refused(address, meter_files, monkeypatch, tmp_path):
    import sandbox.cluster.water as on_cluster
    from sandbox.cluster import connect
    from sandbox.commands.water import reading_files
    from sandbox.models.water import WaterParams

    split = tmp_path / "split"
    split.mkdir()
    frame = pd.read_parquet(meter_files / "000.parquet")
    frame.iloc[: len(frame) // 2].to_parquet(split / "a.parquet", index=False)
    pd.read_parquet(meter_files / "001.parquet").to_parquet(split / "b.parquet", index=False)
    frame.iloc[len(frame) // 2:].to_parquet(split / "c.parquet", index=False)
    monkeypatch.setattr(on_cluster, "PARTITION_READINGS", 1)  # one file per partition
    args = build_parser().parse_args(["water", str(split)])
    with connect(address) as client, pytest.raises(DataError, match="se trouve dans des fichiers de partitions différentes"):
        on_cluster.analyse_city(client, reading_files(split), args, WaterParams())


# --- ocr -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    from sandbox.data.generators.ocr import render_lines

    root = tmp_path_factory.mktemp("scans")
    texts = {"a": ["Arrêté du maire", "de la commune"], "b": ["Registre des naissances"], "c": ["Lettre du préfet"]}
    (root / "sub").mkdir()
    for name, lines in texts.items():
        folder = root / "sub" if name == "c" else root
        render_lines(lines, size=(700, 220), font_px=30).save(folder / f"{name}.png")
    (root / "sub" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not an image")
    return root


def test_ocr_on_cluster_equals_local_lists_failures_and_resumes(address, scans, tmp_path, capsys):
    listed = [scans / "a.png", scans / "b.png", scans / "sub" / "broken.png", scans / "sub" / "c.png"]
    status = main(["ocr", *map(str, listed), "--out", str(tmp_path / "local"), "--formats", "txt,alto,csv", "--jobs", "1"])
    assert status == 1  # the broken file
    out = tmp_path / "cluster"
    assert main(["ocr", str(scans), "--out", str(out), "--formats", "txt,alto,csv", "--cluster", address]) == 1
    assert files_of(tmp_path / "local") == files_of(out, skip=("erreurs.csv",))
    assert "Arrêté" in (out / "a.txt").read_text(encoding="utf-8")
    errors = pd.read_csv(out / "erreurs.csv", sep=";", encoding="utf-8-sig")
    assert errors["fichier"].str.endswith("broken.png").tolist() == [True]
    assert "image" in errors["raison"].iloc[0]
    capsys.readouterr()

    # Resumed: a document whose exports were lost is written again from the pages kept, nothing is read again.
    (out / "b.txt").unlink()
    listing = scans / "liste.txt"
    listing.write_text("a.png\nb.png\nsub/c.png\n", encoding="utf-8")
    assert main(["ocr", str(listing), "--out", str(out), "--formats", "txt,alto,csv", "--cluster", address]) == 0
    captured = capsys.readouterr()
    assert "2 document(s) déjà écrit(s), 1 page(s) déjà lue(s)" in captured.err
    assert "0 page(s) lue(s) sur le cluster, 1 document(s) écrit(s), 0 erreur(s)" in captured.out
    assert (out / "b.txt").read_bytes() == (tmp_path / "local" / "b.txt").read_bytes()
    assert not (out / "erreurs.csv").exists()


# --- no Dask without the option, French error without a scheduler ----------------------------------


def test_no_dask_import_without_cluster(tmp_path):
    code = (
        "import sys\n"
        "from sandbox.cli import main\n"
        f"status = main(['water', {str(SAMPLES / 'water' / 'export_releveur.csv')!r}, '--out', {str(tmp_path)!r}])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "print('LOADED', loaded, status)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_DIR, capture_output=True, text=True, timeout=300)
    assert "LOADED [] 0" in done.stdout, done.stderr[-2000:]


def test_unreachable_cluster_gives_a_french_error(monkeypatch):
    import sandbox.cluster as cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)
    with pytest.raises(DataError) as caught:
        with cluster.connect("127.0.0.1:9"):
            pass
    message = str(caught.value)
    assert message.startswith("Impossible de joindre le cluster Dask à l'adresse 127.0.0.1:9")
    assert "--cluster local" in message


def test_an_ocr_worker_reads_with_one_thread_in_a_private_folder_removed_at_exit():
    """As the local pool's workers: without it OpenCV starts a thread per core in every Dask worker, and page images
    and Tesseract's files would go to the shared /tmp (issue 14 #6). Run in a child process: it changes process state."""
    code = (
        "import os, stat, tempfile, cv2\n"
        "from sandbox.cluster.ocr import _prepare_worker, _WORKER_FOLDER\n"
        "_prepare_worker(); _prepare_worker()\n"
        "folder = _WORKER_FOLDER[0]\n"
        "assert len(_WORKER_FOLDER) == 1\n"
        "assert tempfile.gettempdir().startswith(folder), tempfile.gettempdir()\n"
        "print(cv2.getNumThreads(), os.environ['OMP_THREAD_LIMIT'], oct(stat.S_IMODE(os.stat(folder).st_mode)), folder)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    threads, omp, mode, folder = run.stdout.split()
    assert (threads, omp, mode) == ("1", "1", "0o700")
    assert not Path(folder).exists()  # removed when the worker process ends
