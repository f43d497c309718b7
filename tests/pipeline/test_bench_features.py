"""The Feature Store benchmark's arithmetic: the CPU bound on the speed-up and the 100,000-item plan.

The bench itself runs in ``tests/soak/test_bench_quick.py``; these check the figures it derives.
"""

from __future__ import annotations

import os
import pathlib
import time

import pytest

from bench import features
from labeling_pipeline.chunks import CHUNK_SIZE


def _run(
    *,
    items: int = 1000,
    chunk_seconds: list[float] | None = None,
    writer_cpu: float = 3.0,
    emulator_cpu: float | None = 6.0,
) -> features.WriteRun:
    chunks = chunk_seconds if chunk_seconds is not None else [5.0, 5.0]
    return features.WriteRun(
        variant="sequential",
        items=items,
        concurrency=1,
        round_trip_ms=0.0,
        collect_seconds=0.5,
        chunk_seconds=chunks,
        written=items,
        chunk_uris=[f"s3://bucket/batches/run/chunks/{n:05d}.jsonl" for n in range(len(chunks))],
        puts=items,
        writer_cpu_seconds=writer_cpu,
        emulator_cpu_seconds=emulator_cpu,
    )


def test_the_bound_is_the_sequential_time_over_the_emulator_cpu_when_the_emulator_is_busiest() -> None:
    # Given a sequential writer at 10 ms per record, and a pool using 3 ms writer + 6 ms emulator CPU
    sequential = _run(writer_cpu=4.0, emulator_cpu=7.0)
    pool = _run(chunk_seconds=[2.5, 2.5], writer_cpu=3.0, emulator_cpu=6.0)
    # Then on 2 cores the pool cannot go below the emulator's 6 ms: at most x1.67; more cores do not help
    assert features.speedup_bound(pool, sequential, cores=2) == pytest.approx(10 / 6)
    assert features.speedup_bound(pool, sequential, cores=8) == pytest.approx(10 / 6)


def test_the_bound_is_the_total_cpu_spread_over_the_cores_when_that_is_larger() -> None:
    # Given a pool needing 9 ms writer + 1 ms emulator CPU per record
    sequential = _run(chunk_seconds=[12.0])
    pool = _run(chunk_seconds=[6.0], writer_cpu=9.0, emulator_cpu=1.0)
    # Then on 2 cores the floor is 10 ms / 2 = 5 ms per record, and on the 1.25 cores it got, 8 ms
    assert features.speedup_bound(pool, sequential, cores=2) == pytest.approx(12 / 5)
    assert features.cores_used(pool) == pytest.approx(10 / 6)
    assert features.speedup_bound(pool, sequential, cores=1.25) == pytest.approx(12 / 8)


def test_without_the_emulators_cpu_there_is_no_bound_and_the_note_says_why() -> None:
    pool = _run(emulator_cpu=None)
    assert features.speedup_bound(pool, _run(), cores=2) is None
    assert features.cores_used(pool) is None
    assert "not readable" in features.cpu_note(pool, _run())


def test_the_cpu_summary_reports_both_writers_per_record_and_the_cores_the_pool_got() -> None:
    summary = features.cpu_summary(_run(chunk_seconds=[3.0, 2.0], writer_cpu=4.0, emulator_cpu=6.0), _run())
    assert summary["writer_cpu_ms_per_record"] == {"ours": 4.0, "sequential": 3.0}
    assert summary["emulator_cpu_ms_per_record"] == {"ours": 6.0, "sequential": 6.0}
    assert summary["sequential_wall_ms_per_record"] == 10.0
    assert summary["cores_used_by_ours"] == 2.0
    assert summary["speedup_measured"] == 2.0
    assert summary["speedup_bound_cores_used"] == pytest.approx(10 / 6, abs=0.01)


def test_process_cpu_time_is_read_from_the_os_and_unknown_processes_give_none() -> None:
    before = features.process_cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    after = features.process_cpu_seconds(os.getpid())
    if pathlib.Path("/proc/self/stat").exists():
        assert before is not None
        assert after is not None
        assert after > before
    else:  # without /proc the bench reports CPU time as unknown
        assert before is None
        assert after is None
    assert features.process_cpu_seconds(None) is None
    assert features.process_cpu_seconds(2**22 + 12345) is None


def test_no_emulator_is_found_on_a_port_where_none_listens() -> None:
    assert features.emulator_pid("http://127.0.0.1:1") is None


def test_the_100000_item_plan_says_what_was_measured_and_what_is_extrapolated() -> None:
    # Given a measured run of 1,000 labels in two chunks, the longer one 6 s
    ours = _run(chunk_seconds=[4.0, 6.0])
    # When it is scaled to 100,000 items
    plan = features.scale_plan(ours, 100_000)
    # Then the invocation count follows the chunk size, the longest invocation is the measured one,
    # and every time at 100,000 items is labelled as extrapolated from the measured run
    assert plan["write_features_invocations"] == -(-100_000 // CHUNK_SIZE)
    assert plan["longest_write_features_invocation_seconds"] == 6.0
    assert plan["measured_invocations"] == 2
    assert plan["measured_items"] == 1000
    rounds = -(-plan["write_features_invocations"] // plan["map_max_concurrency"])
    assert plan["projected_write_seconds"] == pytest.approx(rounds * 5.0)
    assert plan["projected_collect_results_seconds"] == pytest.approx(50.0)
    assert "extrapolated" in plan["basis"]
    assert "not run at 100,000 items" in plan["basis"]["extrapolated"]
    assert plan["write_features_timeout_seconds"] is not None
    note = features.scale_note(plan)
    assert "extrapolated from the 2 invocation(s) measured at 1,000" in note
