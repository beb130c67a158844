"""Run the benchmarks: every ``bench/bench_*.py`` module's ``main()``, or those named.

Each benchmark prints its figures and, where there is one, the ratio to a
baseline measured in the same run, against the target its issue sets.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

import bench


def main(argv: list[str]) -> int:
    names = sorted(i.name for i in pkgutil.iter_modules(bench.__path__) if i.name.startswith("bench_"))
    wanted = [f"bench_{a.removeprefix('bench_')}" for a in argv] or names
    unknown = set(wanted) - set(names)
    if unknown:
        print(f"Benchmarks inconnus : {', '.join(sorted(unknown))} (disponibles : {', '.join(names)})")
        return 2
    for name in wanted:
        module = importlib.import_module(f"bench.{name}")
        title = (module.__doc__ or name).strip().splitlines()[0]
        print(f"\n=== {name} — {title}", flush=True)
        start = time.perf_counter()
        module.main()
        print(f"--- {name} : {time.perf_counter() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main(sys.argv[1:]))
