"""``python -m benchmarks --postgres --quick``: the PostgreSQL benchmark starts its server, moves
the tiny clinic onto it, times every interactive action directly and through the delaying
proxy, counts what each sends, and times another process's commit to this one's schedule — so
it cannot rot between the runs that matter. It judges no action's time, only that the proxy
really delays and that another PC's commit shows within the design's two seconds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import postgres
from benchmarks.pgserver import find_bin

ROOT = Path(__file__).resolve().parents[2]


def test_the_postgresql_benchmark_counts_round_trips_and_times_them_with_real_latency(
        tmp_path):
    if not (find_bin("initdb") and find_bin("pg_ctl")) and not os.environ.get("CI"):
        pytest.skip("PostgreSQL server programs not found; install PostgreSQL to run it")
    out = tmp_path / "pg.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--postgres", "--quick", "--cache",
         str(tmp_path / "cache"), "--out", str(out)], cwd=ROOT, capture_output=True,
        text=True, timeout=600,
        env={**{k: v for k, v in os.environ.items() if k != "MEDSPA_LOG_DIR"},
             "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(out.read_text())
    rows = {r["action"]: r for r in found["results"]}
    assert len(rows) == len(postgres.ACTIONS)
    for name, r in rows.items():
        assert name in run.stdout
        assert r["p95_direct"] > 0 and r["p95_latency"] > 0, name
        if name.startswith("cold start"):  # a process of its own, on the server
            assert r["statements"] is None and "(own process)" in run.stdout, name
            continue
        # every action reads the clinic; BEGIN and COMMIT are round trips, not statements
        assert 0 < r["statements"] <= r["round_trips"], name
        assert r["above_round_trip_limit"] == (r["round_trips_max"] > 10), name
        if r["above_round_trip_limit"]:
            # which statements: one call's, reported
            assert 0 < len(r["sent"]) <= r["statements_max"], name
    # a day's schedule is fetched in a couple of round trips, whatever the latency
    assert rows["schedule day view, all providers: fetch"]["round_trips_max"] <= 10
    # the proxy adds about the millisecond asked for, and the chatty actions pay it on every
    # trip (the proxy holds each one at least that long, however busy the machine is)
    assert found["latency_ms"] == 1
    assert 0.9 <= found["added_round_trip_ms"] <= 5
    for r in rows.values():
        if (r["round_trips"] or 0) >= 20:
            assert r["median_latency"] >= 0.8 * r["round_trips"], r["action"]
    # another process's commit is on this one's schedule within the design's two seconds
    for name in ("direct", "latency"):
        bus = found["change_bus"][name]
        assert len(bus["samples_ms"]) == 5
        assert 0 < bus["p95_ms"] < 2000, name
    # the server and its photos stayed in the benchmark's folders
    assert not list((tmp_path / "cache").glob("**/postmaster.pid"))
