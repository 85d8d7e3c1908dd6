"""The tests' private PostgreSQL server: the benchmark's (``benchmarks/pgserver.py``), which
``python -m benchmarks --postgres`` starts too without importing the tests."""

from benchmarks.pgserver import PgServer, find_bin

__all__ = ["PgServer", "find_bin"]
