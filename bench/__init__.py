"""Benchmarks run by hand or by ``make bench`` (not by CI): ``python -m bench.catalog_bench``."""
