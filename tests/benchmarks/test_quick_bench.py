"""``python -m benchmarks --quick``: the benchmark builds its tiny clinic, runs every action
and reports them, so it cannot rot between the runs that matter. Nothing here judges a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks import actions

ROOT = Path(__file__).resolve().parents[2]


def test_the_quick_benchmark_times_every_action_and_writes_the_table_and_json(tmp_path):
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--cache", str(tmp_path / "cache"),
         "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=280,
        env={**{k: v for k, v in os.environ.items() if k != "MEDSPA_LOG_DIR"},
             "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(out.read_text())
    results = {r["action"]: r for r in found["results"]}
    # the scroll two lines, the import three, the export two and its way back two
    assert len(results) == len(actions.ACTIONS) + 1 + 2 + 3
    for name, r in results.items():
        assert r["within"] is not None, name  # every action measured something
        assert name in run.stdout
    chain = results["audit chain verification"]
    assert chain["note"] == "" and chain["details"]["rows"] > 1000  # the chain is unbroken
    assert found["clinic"]["rows"]["appointment"] > 500
    assert found["machine"]["cores"] >= 1
    # its backups anchored the audit chain beside its clinics, not in this account's log
    assert (tmp_path / "cache" / "log" / "audit-anchors.jsonl").is_file()
    # the synthetic clinic passes the program's own check
    cached = next((tmp_path / "cache").glob("clinic-*.db"))
    check = subprocess.run([sys.executable, "main.py", "check", "--db", str(cached)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout[-2000:]
