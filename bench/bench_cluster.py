"""Cluster : les commandes ocr, water et match sur un LocalCluster de 2 workers, contre la même commande sans cluster.

Each part runs the same command twice in the same run, without and with
``--cluster local`` (two worker processes, one thread each), compares the
output files byte for byte and prints both times and their ratio:

- OCR of N generated pages (``BENCH_CLUSTER_PAGES``, default 200) against the
  single-process ``--jobs 1``, twice: short pages (three lines, ~0.3 s each,
  where the cluster's start and per-task costs show) and whole typewritten
  pages (~1.2 s each, an archive page) (``BENCH_CLUSTER_OCR_KINDS``);
  target ≥ 1.7×;
- water on M meters × a year hourly (``BENCH_CLUSTER_METERS``, default
  10,000: the 87.6 M readings of ``bench_water``), generated streamed into
  a folder of Parquet files of G whole meters each (``BENCH_CLUSTER_GROUP``,
  default 100; the generator holds G meters at a time, never the city),
  analysed on the cluster within a worker memory limit
  (``BENCH_CLUSTER_MEMORY``, default 2GB): wall time, readings per second,
  peak resident memory of the largest worker process (from /proc) and of
  the driver. The outputs are compared with the run without a cluster on
  the files of the first K meters (``BENCH_CLUSTER_CHECK_METERS``, default
  1,000; the whole city when K ≥ M), both runs timed; prints the time of
  87.6 M readings and the workers needed for 1 billion readings in an hour,
  extrapolated linearly from the run (at 2,000 meters on the loaded 2-core
  machine: 174 s, so about 13 min for the full 10,000);
- matching of C candidates × O offers (``BENCH_CLUSTER_CANDIDATES`` 20,000,
  ``BENCH_CLUSTER_OFFERS`` 5,000) in chunks against the broadcast offers.

``BENCH_CLUSTER_PARTS=ocr,water`` runs some parts only. The figures depend on
the load of the machine (printed). Run: ``python -m bench cluster``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PAGES = int(os.environ.get("BENCH_CLUSTER_PAGES", "200"))
OCR_KINDS = os.environ.get("BENCH_CLUSTER_OCR_KINDS", "courtes,dactylographiées").split(",")
METERS = int(os.environ.get("BENCH_CLUSTER_METERS", "10000"))
GROUP = int(os.environ.get("BENCH_CLUSTER_GROUP", "100"))
CHECK_METERS = int(os.environ.get("BENCH_CLUSTER_CHECK_METERS", "1000"))
HOURS = 8760
MEMORY = os.environ.get("BENCH_CLUSTER_MEMORY", "2GB")
CANDIDATES = int(os.environ.get("BENCH_CLUSTER_CANDIDATES", "20000"))
OFFERS = int(os.environ.get("BENCH_CLUSTER_OFFERS", "5000"))
PARTS = os.environ.get("BENCH_CLUSTER_PARTS", "ocr,water,match").split(",")
OCR_TARGET = 1.7


def _processes() -> dict[int, tuple[int, int]]:
    """{pid: (parent, resident bytes)} from /proc."""
    page = os.sysconf("SC_PAGE_SIZE")
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                out[int(entry)] = (int(fields[1]), int(fields[21]) * page)
            except (OSError, ValueError, IndexError):
                continue
    return out


def run(args: list[str]) -> tuple[float, float, float, int, str]:
    """Wall time, peak of the main process (MB), peak of its largest descendant (MB), return code, stderr tail."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    main_peak = child_peak = 0.0
    stop = threading.Event()

    def poll() -> None:
        nonlocal main_peak, child_peak
        while not stop.is_set():
            procs = _processes()
            main_peak = max(main_peak, procs.get(proc.pid, (0, 0))[1] / 2**20)
            stack = [p for p, (parent, _) in procs.items() if parent == proc.pid]
            while stack:
                pid = stack.pop()
                child_peak = max(child_peak, procs[pid][1] / 2**20)
                stack.extend(p for p, (parent, _) in procs.items() if parent == pid)
            time.sleep(0.3)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    _, err = proc.communicate()
    stop.set()
    poller.join()
    return time.perf_counter() - start, main_peak, child_peak, proc.returncode, err[-600:]


def same_files(a: Path, b: Path, skip: tuple[str, ...] = ()) -> bool:
    names = sorted(p.name for p in a.iterdir() if p.is_file() and p.name not in skip)
    other = sorted(p.name for p in b.iterdir() if p.is_file() and p.name not in skip)
    return names == other and all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


def _report(name: str, local: tuple, cluster: tuple, same: bool, extra: str = "", baseline: str = "sans cluster") -> float:
    ratio = local[0] / cluster[0] if cluster[0] else float("nan")
    print(f"  {baseline} : {local[0]:.1f} s (code {local[3]}) ; --cluster local : {cluster[0]:.1f} s (code {cluster[3]})"
          f" ; rapport {ratio:.2f}× ; sorties identiques : {'oui' if same else 'NON'}{extra}")
    if local[3] or cluster[3]:
        print(f"  erreurs : {local[4]!r} / {cluster[4]!r}")
    return ratio


def _ocr_pages(folder: Path, kind: str) -> None:
    """PAGES generated pages: « courtes » (three lines on 1,240 × 600 px, about 0.3 s each: the fixed costs of a
    cluster show) or « dactylographiées » (a whole typewritten page, 1,564 × 2,000 px, about 1.2 s each: an archive
    page, where the reading dominates)."""
    from sandbox.data.generators.ocr import render_lines, render_typescript

    folder.mkdir()
    for i in range(PAGES):
        if kind == "courtes":
            image = render_lines([f"Registre des délibérations n° {i}", "Le conseil municipal, réuni en séance",
                                  f"le {1 + i % 28} mars 2025,"], size=(1240, 600), font_px=34)
        else:
            image, _ = render_typescript(seed=i)
        image.save(folder / f"p{i:04d}.png")


def bench_ocr(work: Path) -> None:
    for kind in OCR_KINDS:
        pages = work / f"pages_{kind}"
        _ocr_pages(pages, kind)
        files = [str(p) for p in sorted(pages.iterdir())]
        print(f"OCR de {PAGES} pages générées {kind} (--jobs 1 contre --cluster local, 2 workers) :")
        local = run(["ocr", *files, "--out", str(work / f"a_{kind}"), "--formats", "txt", "--jobs", "1"])
        cluster = run(["ocr", str(pages), "--out", str(work / f"b_{kind}"), "--formats", "txt", "--cluster", "local"])
        same = same_files(work / f"a_{kind}", work / f"b_{kind}", skip=("erreurs.csv",))
        ratio = _report("ocr", local, cluster, same, baseline="--jobs 1")
        print(f"  {PAGES / cluster[0] * 60:.0f} pages/min sur le cluster ; cible ≥ {OCR_TARGET}× : "
              f"{'atteinte' if ratio >= OCR_TARGET else 'manquée'}")


def write_meter_files(folder: Path, meters: int, group: int, seed: int = 9001) -> tuple[list[Path], Path]:
    """M meters × a year hourly into Parquet files of *group* whole meters, streamed; the households' CSV."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sandbox.data.generators.water import iter_chunks

    folder.mkdir(parents=True, exist_ok=True)
    files, homes = [], []
    for k, chunk in enumerate(iter_chunks(meters, seed, chunk_size=group)):
        table = chunk.readings
        table = pa.table({
            "compteur": table["compteur"].cast(pa.string()),
            "date_heure": table["date_heure"],
            "volume_litres": table["volume_litres"].cast(pa.int32()),
        })
        path = folder / f"releves_{k:05d}.parquet"
        pq.write_table(table, path)
        files.append(path)
        homes.append(chunk.households)
        del table, chunk
    households = folder.parent / "logements.csv"
    pd.concat(homes).to_csv(households, sep=";", index=False)
    return files, households


def bench_water(work: Path) -> None:
    start = time.perf_counter()
    files, homes = write_meter_files(work / "releves", METERS, GROUP)
    size = sum(p.stat().st_size for p in files) / 2**20
    rows = METERS * HOURS
    print(f"Eau : {METERS} compteurs × 8 760 h ({rows / 1e6:.1f} M relevés) en {len(files)} fichiers Parquet de "
          f"{GROUP} compteurs ({size:.0f} Mo, générés en {time.perf_counter() - start:.0f} s) ; "
          f"cluster de 2 workers limités à {MEMORY} chacun :")
    city = run(["water", str(work / "releves"), "--households", str(homes), "--out", str(work / "b"),
                "--cluster", "local", "--cluster-memory", MEMORY])
    print(f"  --cluster local sur toute la ville : {city[0]:.1f} s (code {city[3]}), {rows / city[0] / 1e6:.2f} M relevés/s ; "
          f"mémoire de pointe : plus gros worker {city[2]:.0f} Mo (limite {MEMORY}), pilote {city[1]:.0f} Mo")
    if city[3]:
        print(f"  erreurs : {city[4]!r}")
    else:  # on paper, from this run (start of the cluster included: an upper bound)
        per_worker = rows / city[0] / 2
        print(f"  soit {per_worker / 1e6:.2f} M relevés/s par worker : 87,6 M relevés en {87.6e6 / rows * city[0] / 60:.0f} min "
              f"sur ces 2 workers ; 1 milliard de relevés en une heure demande environ {1e9 / 3600 / per_worker:.0f} workers "
              f"comme ceux-ci (linéaire, démarrage compris)")
    check = min(CHECK_METERS, METERS)
    subset = work / "releves" if check >= METERS else work / "sous_ensemble"
    if check < METERS:  # the files of the first meters (whole files: a multiple of the group)
        subset.mkdir()
        for path in files[: max(1, check // GROUP)]:
            (subset / path.name).symlink_to(path)
        check = min(METERS, max(1, check // GROUP) * GROUP)
        print(f"Comparaison avec la commande sans cluster sur les {check} premiers compteurs "
              f"({check * HOURS / 1e6:.1f} M relevés) :")
        cluster = run(["water", str(subset), "--households", str(homes), "--out", str(work / "c"),
                       "--cluster", "local", "--cluster-memory", MEMORY])
        compared = work / "c"
    else:
        print("Comparaison avec la commande sans cluster sur toute la ville :")
        cluster, compared = city, work / "b"
    local = run(["water", str(subset), "--households", str(homes), "--out", str(work / "a")])
    _report("water", local, cluster, same_files(work / "a", compared),
            f"\n  mémoire de pointe : sans cluster {local[1]:.0f} Mo ; avec cluster, pilote {cluster[1]:.0f} Mo, "
            f"plus gros worker {cluster[2]:.0f} Mo")


def bench_match(work: Path) -> None:
    from sandbox.data.generators.matching import make_dataset

    offers, candidates = make_dataset(n_offers=OFFERS, n_candidates=CANDIDATES, seed=77)
    offers.to_csv(work / "offres.csv", sep=";", index=False)
    candidates.to_csv(work / "candidats.csv", sep=";", index=False)
    print(f"Rapprochement de {CANDIDATES} candidats × {OFFERS} offres (morceaux de 2 000 candidats, offres diffusées) :")
    local = run(["match", str(work / "candidats.csv"), str(work / "offres.csv"), "--out", str(work / "a" / "top.csv")])
    cluster = run(["match", str(work / "candidats.csv"), str(work / "offres.csv"), "--out", str(work / "b" / "top.csv"),
                   "--cluster", "local"])
    _report("match", local, cluster, same_files(work / "a", work / "b"))


def main() -> None:
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    print(f"Charge de la machine au départ : {load} ({os.cpu_count()} cœurs).")
    for name, part in (("ocr", bench_ocr), ("water", bench_water), ("match", bench_match)):
        if name not in PARTS:
            continue
        work = Path(tempfile.mkdtemp(prefix=f"bench_cluster_{name}_"))
        try:
            part(work)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
