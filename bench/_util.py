"""Measuring helpers shared by the benchmarks."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    best: float
    median: float
    runs: int

    def __str__(self) -> str:
        return f"{self.median:.3f} s (médiane de {self.runs}, meilleur {self.best:.3f} s)"


def timed(fn: Callable[[], object], repeat: int = 3) -> Timing:
    """Wall time of ``fn()`` over *repeat* runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Timing(min(times), statistics.median(times), repeat)


@dataclass(frozen=True)
class CommandRun:
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_command(args: list[str], **kwargs) -> CommandRun:
    """Run a command (``python -m sandbox …`` by default) and measure wall time and peak memory.

    The peak is the largest resident set of any child process so far
    (``ru_maxrss`` of RUSAGE_CHILDREN), so measure the big command first.
    """
    if args and args[0] == "sandbox":
        args = [sys.executable, "-m", *args]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return CommandRun(seconds, peak_kb / 1024, done.returncode, done.stdout, done.stderr)


def verdict(ok: bool) -> str:
    return "OK" if ok else "NON ATTEINT"
