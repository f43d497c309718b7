"""The Feature Store writer: concurrent, bounded, every error surfaced, the ledger updated after the write."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest

from labeling_pipeline import handlers
from labeling_pipeline.config import TaskType
from labeling_pipeline.features import ChunkIncompleteError, FeatureStoreWriter, WriteTask
from labeling_pipeline.ledger import Claim, ItemState, LedgerItem
from labeling_pipeline.model import SourceObject
from tests.pipeline.fakes import FakeFeatureStore, client_error
from tests.pipeline.harness import OUTPUT_BUCKET, Pipeline, PipelineFactory

if TYPE_CHECKING:
    from mypy_boto3_sagemaker_featurestore_runtime.type_defs import FeatureValueTypeDef


def item(n: int) -> LedgerItem:
    source = SourceObject("b", f"k{n}.png", "v1")
    return LedgerItem(f"item-{n}", ItemState.CLAIMED, 0, source, None, None, None, f"record-{n}")


def task(n: int) -> WriteTask:
    return WriteTask(item(n), [{"FeatureName": "record_id", "ValueAsString": f"record-{n}"}])


class Recorder:
    def __init__(self) -> None:
        self.delays: list[float] = []
        self.written: list[str] = []
        self.lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)

    def after(self, written: WriteTask) -> None:
        with self.lock:
            self.written.append(written.item.item_id)


def test_many_more_items_than_threads_all_complete_without_deadlock() -> None:
    # Given 500 records and a pool of 2 threads
    store, recorder = FakeFeatureStore(), Recorder()
    writer = FeatureStoreWriter(store, "fg", concurrency=2, sleep=recorder.sleep)
    # When they are written
    outcomes = writer.write_all([task(n) for n in range(500)], recorder.after, deadline=float("inf"))
    # Then every one is written once and reported
    assert all(o.written for o in outcomes)
    assert len(store.puts) == 500
    assert sorted(recorder.written) == sorted(f"item-{n}" for n in range(500))


def test_throttling_is_retried_with_exponential_backoff_and_full_jitter() -> None:
    # Given a store that throttles the first four calls and a jitter that draws 0.5
    store, recorder = FakeFeatureStore(throttle_next=4), Recorder()
    writer = FeatureStoreWriter(store, "fg", concurrency=1, sleep=recorder.sleep, jitter=lambda: 0.5)
    # When one record is written
    (outcome,) = writer.write_all([task(1)], recorder.after, deadline=float("inf"))
    # Then it is written on the fifth call after waits of half of 0.1, 0.2, 0.4, 0.8 seconds
    assert outcome.written
    assert recorder.delays == [0.05, 0.1, 0.2, 0.4]
    assert store.calls == 5


def test_backoff_is_capped() -> None:
    store, recorder = FakeFeatureStore(throttle_next=7), Recorder()
    writer = FeatureStoreWriter(
        store, "fg", concurrency=1, sleep=recorder.sleep, jitter=lambda: 1.0, max_delay=1.0
    )
    writer.write_all([task(1)], recorder.after, deadline=float("inf"))
    assert max(recorder.delays) == 1.0


def test_persistent_throttling_is_reported_as_throttled_and_nothing_is_marked_written() -> None:
    store, recorder = FakeFeatureStore(throttle_next=100), Recorder()
    writer = FeatureStoreWriter(store, "fg", concurrency=4, sleep=recorder.sleep, max_attempts=3)
    outcomes = writer.write_all([task(n) for n in range(3)], recorder.after, deadline=float("inf"))
    assert [(o.written, o.throttled) for o in outcomes] == [(False, True)] * 3
    assert recorder.written == []


def test_other_errors_are_reported_with_their_code_and_not_retried() -> None:
    store, recorder = FakeFeatureStore(reject={"record-2"}), Recorder()
    writer = FeatureStoreWriter(store, "fg", concurrency=4, sleep=recorder.sleep)
    outcomes = writer.write_all([task(1), task(2)], recorder.after, deadline=float("inf"))
    assert outcomes[0].written
    assert "ValidationError" in str(outcomes[1].error)
    assert recorder.written == ["item-1"]
    assert store.calls == 2


def test_a_failed_ledger_update_after_a_write_is_reported() -> None:
    store = FakeFeatureStore()

    def failing_ledger(_: WriteTask) -> None:
        raise client_error("ProvisionedThroughputExceededException", "slow down", "UpdateItem")

    writer = FeatureStoreWriter(store, "fg", concurrency=1)
    (outcome,) = writer.write_all([task(1)], failing_ledger, deadline=float("inf"))
    assert not outcome.written
    assert "ledger update failed" in (outcome.error or "")


def test_no_attempt_starts_after_the_deadline() -> None:
    store, recorder = FakeFeatureStore(), Recorder()
    writer = FeatureStoreWriter(store, "fg", concurrency=2, clock=lambda: 100.0)
    outcomes = writer.write_all([task(1), task(2)], recorder.after, deadline=50.0)
    assert all(o.out_of_time for o in outcomes)
    assert store.calls == 0


# --- the write_features step --------------------------------------------------------------------


def labeled_batch(pipeline: Pipeline, context: Any, count: int) -> str:
    """Claim ``count`` uploads and write one chunk file of accepted labels for them; returns its URI."""
    for n in range(count):
        pipeline.upload(f"img/{n}.png")
    handlers.claim_batch({"run": pipeline.run("exec-1")}, context)
    manifest = pipeline.s3.get_object(Bucket=OUTPUT_BUCKET, Key="batches/exec-1/input.manifest")[
        "Body"
    ].read()
    lines = [json.loads(line) for line in manifest.decode().splitlines()]
    chunk = "".join(
        json.dumps(
            {
                "item_id": line["item-id"],
                "label": "cat",
                "confidence": 0.9,
                "labeled_at": "2026-02-03T04:05:06Z",
                "labeling_job_name": "labeling-job/pipe-x-lbl",
                "verification_outcome": "not_verified",
            }
        )
        + "\n"
        for line in lines
    )
    pipeline.s3.put_object(
        Bucket=OUTPUT_BUCKET, Key="batches/exec-1/labeled/00000.jsonl", Body=chunk.encode()
    )
    return f"s3://{OUTPUT_BUCKET}/batches/exec-1/labeled/00000.jsonl"


def write(pipeline: Pipeline, context: Any, chunk: str) -> Any:
    return handlers.write_features({"run": pipeline.run("exec-1"), "chunk_uri": chunk}, context)


def test_the_ledger_marks_an_item_labeled_only_after_its_record_is_written(
    make_pipeline: PipelineFactory, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a chunk of three accepted labels, and a store that records the ledger state at each put
    pipeline = make_pipeline(TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION)
    chunk = labeled_batch(pipeline, lambda_context, 3)
    states_at_put: list[ItemState] = []
    store = pipeline.feature_store
    original = store.put_record

    def observing_put(FeatureGroupName: str, Record: Sequence[FeatureValueTypeDef]) -> Any:
        rows = {i.record_id: i for i in pipeline.all_items()}
        states_at_put.append(rows[Record[0]["ValueAsString"]].state)
        return original(FeatureGroupName=FeatureGroupName, Record=Record)

    monkeypatch.setattr(store, "put_record", observing_put)
    # When the chunk is written
    result = write(pipeline, lambda_context, chunk)
    # Then each put happened while the item was still CLAIMED, and afterwards all are LABELED
    assert states_at_put == [ItemState.CLAIMED] * 3
    assert result == {"written": 3, "already_written": 0, "failed": 0, "skipped": 0}
    assert {i.state for i in pipeline.all_items()} == {ItemState.LABELED}


def test_a_retried_chunk_writes_only_what_is_missing(
    make_pipeline: PipelineFactory, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a chunk whose first attempt was throttled on some records
    pipeline = make_pipeline()
    chunk = labeled_batch(pipeline, lambda_context, 4)
    monkeypatch.setattr("labeling_pipeline.features.MAX_PUT_ATTEMPTS", 1)
    pipeline.feature_store.throttle_next = 2
    with pytest.raises(ChunkIncompleteError) as error:
        write(pipeline, lambda_context, chunk)
    assert error.value.written == 2
    # When the state machine retries the chunk
    result = write(pipeline, lambda_context, chunk)
    # Then only the two missing records are written; each record exists once
    assert result == {"written": 2, "already_written": 2, "failed": 0, "skipped": 0}
    assert len(pipeline.feature_store.puts) == 4
    assert len({r["record_id"] for r in pipeline.feature_store.puts}) == 4


def test_a_rejected_record_leaves_its_item_claimed_with_the_error(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline()
    chunk = labeled_batch(pipeline, lambda_context, 2)
    target = pipeline.all_items()[0]
    pipeline.feature_store.reject.add(target.record_id)
    result = write(pipeline, lambda_context, chunk)
    assert (result["written"], result["failed"]) == (1, 1)
    row = pipeline.items([target.item_id])[target.item_id]
    assert row.state is ItemState.CLAIMED
    assert "ValidationError" in str(row.last_error)


def test_items_no_longer_held_by_the_batch_are_not_written(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given a chunk one of whose items the batch no longer holds (it went back to the queue)
    pipeline = make_pipeline()
    chunk = labeled_batch(pipeline, lambda_context, 2)
    batch = pipeline.batch("exec-1")
    gone = pipeline.all_items()[0]
    assert pipeline.ledger.mark_returned(
        gone, Claim(batch.batch_id, batch.claim_token), "returned by an operator"
    )
    # When the chunk is written
    result = write(pipeline, lambda_context, chunk)
    # Then only the item still held is written
    assert result == {"written": 1, "already_written": 0, "failed": 0, "skipped": 1}
    assert [r["record_id"] for r in pipeline.feature_store.puts] != [gone.record_id]
    assert len(pipeline.feature_store.puts) == 1


def test_a_batch_that_is_not_committed_writes_nothing(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline()
    chunk = labeled_batch(pipeline, lambda_context, 1)
    handlers.return_items({"mode": "finish", "state": {"run": pipeline.run("exec-1")}}, lambda_context)
    with pytest.raises(RuntimeError, match="FINISHED, not committed"):
        write(pipeline, lambda_context, chunk)
    assert pipeline.feature_store.puts == []
