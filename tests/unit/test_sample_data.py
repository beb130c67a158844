"""The committed sample data is exactly what the committed generators make (fixed seed)."""

from __future__ import annotations

import hashlib

import pytest

from sandbox.data.generate import DEFAULT_SEED
from sandbox.data.generators import all_generators
from sandbox.data.samples import sample_dir

GENERATORS = all_generators()


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_reproduces_the_committed_files(name, tmp_path):
    made = GENERATORS[name](tmp_path, DEFAULT_SEED)
    assert made, f"the {name} generator wrote no file"
    for path in made:
        committed = sample_dir() / path.relative_to(tmp_path)
        assert committed.is_file(), f"{committed} is not committed: run make sample-data"
        assert digest(path) == digest(committed), f"{committed} differs from its generator's output"


def test_sample_data_stays_small():
    total = sum(p.stat().st_size for p in sample_dir().rglob("*") if p.is_file())
    assert total < 20e6, f"sample_data/ weighs {total / 1e6:.1f} MB (limit 20 MB)"
