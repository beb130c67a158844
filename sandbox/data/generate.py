"""Regenerate the sample data: ``python -m sandbox.data.generate [--only NAME] [--seed N]``.

Deterministic: the same seed gives the same files, byte for byte, so the
committed ``sample_data/`` can be checked against a fresh run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sandbox.data.generators import all_generators
from sandbox.data.samples import sample_dir

DEFAULT_SEED = 2026


def main(argv: list[str] | None = None) -> int:
    generators = all_generators()
    parser = argparse.ArgumentParser(prog="python -m sandbox.data.generate", description=__doc__)
    parser.add_argument("--out", type=Path, default=sample_dir(), help="dossier de sortie (sample_data/)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="graine aléatoire (défaut : %(default)s)")
    parser.add_argument("--only", choices=sorted(generators), action="append", help="un seul générateur")
    args = parser.parse_args(argv)
    for name in args.only or sorted(generators):
        start = time.perf_counter()
        paths = generators[name](args.out, args.seed)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"{name}: {len(paths)} fichier(s), {size:.1f} Mo, {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
