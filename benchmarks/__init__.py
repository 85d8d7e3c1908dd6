"""The clinic-scale benchmark (``make bench``, ``medspa-desktop bench``): see ``run.py``."""
