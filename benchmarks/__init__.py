"""The clinic-scale benchmark, a tool beside the program (not installed with it):
``python -m benchmarks`` from a source checkout, or ``make bench``; see ``run.py``."""
