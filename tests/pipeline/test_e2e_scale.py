"""End to end in the emulator, one run over a large batch: many items, several Feature Store chunks.

The default size keeps ``make test`` quick; ``PIPELINE_E2E_ITEMS=10000`` runs a bigger batch.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest

from labeling_pipeline.chunks import CHUNK_SIZE
from labeling_pipeline.config import TaskType
from labeling_pipeline.facts import HISTORY_EVENTS_MAX
from labeling_pipeline.ledger import ItemState
from tests.pipeline.stack import PipelineStack, StackSettings

pytestmark = pytest.mark.emulator

ITEMS = int(os.environ.get("PIPELINE_E2E_ITEMS", "1200"))


def test_one_run_labels_a_large_batch_exactly_once(emulator: Any, record_property: Any) -> None:
    # Given one JSON Lines upload of ITEMS records and a second text upload of 3 lines
    stack = PipelineStack.deploy(
        emulator.url,
        StackSettings(
            TaskType.TEXT_MULTI_LABEL_CLASSIFICATION,
            feature_store_concurrency=16,
            max_objects_per_job=100_000,
        ),
    )
    records = "".join(
        f'{{"source": "item {n} about sports and tech #label=sports+tech", "n": {n}}}\n' for n in range(ITEMS)
    )
    big = stack.upload("bulk/records.jsonl", records.encode(), "application/jsonl")
    small = stack.upload("bulk/few.txt", b"one #label=politics\ntwo #label=tech\nthree #label=sports\n")
    stack.wait_for_queue(2)
    stack.job_fault(delay_seconds=0)
    # When the state machine runs once
    result = stack.run(timeout=1800)
    record_property("items", ITEMS + 3)
    record_property("seconds", round(result.seconds, 1))
    steps = ", ".join(
        f"{name} {seconds:.1f}s" for name, seconds in stack.step_seconds(result.arn) if seconds >= 0.5
    )
    print(f"\n{ITEMS + 3} items labeled in one execution in {result.seconds:.1f} s ({steps})")
    # Then every item is labeled once, in several chunks, and nothing is left
    assert result.status == "SUCCEEDED", result.cause
    assert result.output is not None
    assert (result.output["items"], result.output["labeled"]) == (ITEMS + 3, ITEMS + 3)
    puts = stack.puts()
    counts = Counter(put["record_id"] for put in puts)
    assert len(counts) == ITEMS + 3
    assert max(counts.values()) == 1
    assert {put["label"] for put in puts if put["source_ref"].endswith("records.jsonl")} == {
        '["sports","tech"]'
    }
    spot = [stack.record_id(big, 1), stack.record_id(big, ITEMS), stack.record_id(small, 3)]
    assert [r["line_number"] for r in stack.records(spot).values()] == ["1", str(ITEMS), "3"]
    history = stack.history(result.arn)
    chunks = sum(1 for event in history if event["type"] == "MapIterationStarted")
    assert chunks == -(-(ITEMS + 3) // CHUNK_SIZE)
    assert len(history) < HISTORY_EVENTS_MAX
    assert {i.state for i in stack.ledger_items()} == {ItemState.LABELED}
    assert stack.queue_counts() == (0, 0)
