"""Benchmarks: ``python -m bench [NAME ...]`` (``make bench``). Figures and ratios, never assertions."""
