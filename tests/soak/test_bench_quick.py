"""``make bench`` must not rot: the benchmark runs end to end at tiny sizes and writes a complete report.

No timing is asserted (the bench reports speed; tests check correctness): only that every section ran,
that the figures are there with their units, and the API call counts that do not depend on the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.emulator  # run.py starts an emulator of its own


def test_the_quick_bench_runs_and_writes_every_figure_as_json(tmp_path: Path) -> None:
    # Given the bench at tiny sizes (its own emulator; no OpenTofu)
    out = tmp_path / "bench.json"
    # When it runs
    completed = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--out", str(out)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "lambda"), str(REPO)])},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # Then it succeeds, prints the table and writes the same figures as JSON
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "Labeling pipeline benchmarks" in completed.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["quick"] is True
    assert report["hardware"]["cpu_cores"] >= 1
    assert report["hardware"]["memory_gib"] > 0
    sections = report["sections"]
    assert {name: sections[name]["error"] for name in ("drain", "features", "coldstart")} == {
        "drain": None,
        "features": None,
        "coldstart": None,
    }
    assert sections["infra"]["error"] == "skipped with --quick"
    figures = report["figures"]
    assert len(figures) == sum(len(s["figures"]) for s in sections.values()) >= 10
    assert all(f["unit"] and f["name"] and f["ours"] is not None for f in figures)
    # And the machine-independent figures are right: ten messages per SQS call against one (at 40 items,
    # the two receives that find the queue empty weigh 0.05 per item)
    (calls,) = [f for f in figures if f["name"].startswith("SQS API calls per item")]
    assert calls["ours"] <= 0.25
    assert calls["naive"] >= 2
    # And the backlog goes out in one run, where the earlier default of one small job per run took two
    (runs,) = [f for f in figures if f["name"].startswith("Scheduled runs until a backlog")]
    assert (runs["ours"], runs["naive"]) == (1, 2)
    (requests,) = [f for f in figures if f["name"].startswith("Requests per record written")]
    assert requests["ours"] < 1.5
    drain_runs = sections["drain"]["details"]["runs"]
    assert all(run["claimed"] == run["items"] and run["left_on_queue"] == 0 for run in drain_runs.values())
    write_runs = sections["features"]["details"]["runs"]
    assert all(
        run["records_written"] == run["feature_store_puts"] == run["items"] for run in write_runs.values()
    )
    # And the writers' CPU per record is measured, and the 100,000-item plan says what it extrapolates
    assert all(run["writer_cpu_ms_per_record"] > 0 for run in write_runs.values())
    plan = sections["features"]["details"]["scale_to_100000"]
    assert plan["items"] == 100_000
    assert set(plan["basis"]) == {"measured", "computed", "extrapolated"}
