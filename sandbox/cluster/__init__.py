"""The one place that talks to Dask: ``--cluster ADDRESS`` for the batch commands.

``python -m sandbox ocr|water|match … --cluster ADDRESS`` runs the same
models on the workers of a Dask cluster (``--cluster local`` starts a
``LocalCluster`` on this machine). Dask is imported only when the option is
given: a run without it never loads ``dask`` nor ``distributed``.

This module holds what the three commands share: the option, the
connection (with a French error when the address cannot be reached), and a
progress line (done, per minute, time left) printed while the tasks run. The
Dask dashboard shows the same tasks when ``bokeh`` is installed on the
scheduler (it is not a requirement of the sandbox).

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_cluster_option(parser)
>>> parser.parse_args(["--cluster", "local"]).cluster
'local'
>>> parser.parse_args([]).cluster is None
True
>>> eta_text(30, 120, 60.0)
'30/120 (25 %), 30 par minute, reste environ 3 min'
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sandbox.data import DataError
from sandbox.text import num, plain

LOCAL = "local"
"""``--cluster local``: a ``LocalCluster`` of worker processes on this machine."""

LOCAL_WORKERS = 2
"""Worker processes of ``--cluster local`` (one per core of the reference machine)."""

CONNECT_TIMEOUT_S = 10.0
"""Seconds to wait for a remote scheduler before giving up."""


def add_cluster_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--cluster ADDRESS`` and ``--cluster-memory`` to a subcommand."""
    group = parser.add_argument_group("calcul réparti (Dask)")
    group.add_argument(
        "--cluster",
        default=None,
        metavar="ADRESSE",
        help=(
            "calculer sur les workers d'un cluster Dask : adresse de l'ordonnanceur "
            "(tcp://machine:8786) ou « local » pour en démarrer un sur ce poste (voir docs/cluster.md)"
        ),
    )
    group.add_argument(
        "--cluster-memory",
        default=os.environ.get("BAC_A_SABLE_WORKER_MEMORY", "2GB"),
        metavar="TAILLE",
        help="avec --cluster local : mémoire maximale de chaque worker (défaut : %(default)s)",
    )


def unreachable(address: str, reason: str = "") -> DataError:
    """The French error for a scheduler that does not answer.

    >>> str(unreachable("tcp://192.0.2.1:8786")).startswith("Impossible de joindre le cluster Dask")
    True
    """
    detail = f" ({reason})" if reason else ""
    return DataError(
        f"impossible de joindre le cluster Dask à l'adresse {address}{detail}",
        hint=(
            "Vérifiez que l'ordonnanceur tourne (dask scheduler), que l'adresse est de la forme "
            "tcp://machine:8786 et que le pare-feu laisse passer ce port ; "
            "ou calculez sur ce poste avec --cluster local."
        ),
    )


@contextlib.contextmanager
def connect(address: str, *, workers: int | None = None, memory_limit: str | None = "2GB") -> Iterator[Any]:
    """A ``distributed.Client`` on *address* (``"local"``: a new ``LocalCluster``), closed on exit.

    Raises
    ------
    DataError
        In French, when the scheduler cannot be reached.
    """
    for name in ("distributed", "distributed.worker", "distributed.scheduler", "distributed.nanny", "bokeh"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from distributed import Client, LocalCluster

    if address == LOCAL:
        dashboard = ":0" if _has_bokeh() else None
        cluster = LocalCluster(
            n_workers=workers or LOCAL_WORKERS,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=dashboard,
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster) as client:
                _announce(client)
                yield client
        finally:
            cluster.close()
        return
    target = address if "://" in address or ":" not in address else f"tcp://{address}"
    try:
        client = Client(target, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise unreachable(address, type(exc).__name__) from None
    try:
        _announce(client)
        yield client
    finally:
        client.close()


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def _announce(client) -> None:
    workers = client.scheduler_info().get("workers", {})
    link = client.dashboard_link if _has_bokeh() else None
    where = f" ; tableau de bord : {link}" if link else ""
    print(f"Cluster Dask : {len(workers)} worker(s){where}.", file=sys.stderr)


def eta_text(done: int, total: int, seconds: float, unit: str = "par minute") -> str:
    """« 30/120 (25 %), 30 par minute, reste environ 3 min »."""
    rate = done / seconds * 60 if seconds > 0 else 0.0
    share = f"{round(100 * done / total)} %" if total else "–"
    text = f"{done}/{total} ({share}), {num(rate, 1 if rate < 10 else 0)} {unit}"
    if done < total and rate > 0:
        left = (total - done) / rate
        text += f", reste environ {_duration(left)}"
    return plain(text)


def _duration(minutes: float) -> str:
    if minutes < 1:
        return "moins d'une minute"
    if minutes < 90:
        return f"{round(minutes)} min"
    return f"{num(minutes / 60, 1)} h"


class Progress:
    """Print « label : done/total, rate, ETA » to standard error, at most every *every* seconds."""

    def __init__(self, label: str, total: int, *, unit: str = "par minute", every: float = 2.0, stream=None):
        self.label, self.total, self.unit, self.every = label, total, unit, every
        self.done = 0
        self.start = time.perf_counter()
        self._shown = 0.0
        self.stream = stream if stream is not None else sys.stderr

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self._shown >= self.every or self.done >= self.total:
            self._shown = now
            print(f"{self.label} : {eta_text(self.done, self.total, now - self.start, self.unit)}", file=self.stream)


def as_completed(futures: Iterable, progress: Progress | None = None) -> Iterator[Any]:
    """Yield finished futures as they complete, advancing *progress*."""
    from distributed import as_completed as dask_as_completed

    for future in dask_as_completed(list(futures)):
        if progress is not None:
            progress.advance()
        yield future


def submit_all(client, fn: Callable, items: Iterable, *, key: str, **kwargs) -> list:
    """``client.submit(fn, item, **kwargs)`` for each item, with readable task names in the dashboard."""
    import uuid

    tag = uuid.uuid4().hex[:8]
    return [client.submit(fn, item, key=f"{key}-{tag}-{i}", pure=False, **kwargs) for i, item in enumerate(items)]
