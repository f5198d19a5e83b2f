"""Benchmarks: run as `python -m bench.<name>`; each prints its figures beside the raw layer's."""
