"""Benchmarks, one module each: `python -m bench.<name>`, or `make bench`."""
