"""The state machine definition run in-process with the real handlers: outcomes and guarantees.

Each test drives whole executions (claim, jobs, review, Feature Store, returns) through the rendered ASL
with simulated workers, and then checks what an operator can see: the execution's outcome, the Feature
Store records, the queues and the ledger.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from labeling_pipeline import features, handlers
from labeling_pipeline.config import Media, TaskType
from labeling_pipeline.ledger import BatchState, ItemState
from labeling_pipeline.model import SourceObject, item_id, record_id
from tests.pipeline.asl_runner import Runner, StateMachineFailedError, handler_invoker, render
from tests.pipeline.harness import UPLOAD_BUCKET, Pipeline, PipelineFactory
from tests.pipeline.labelers import LABELED_AT, Decide, annotate, expected_label, review

TEXT = TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION


def labeled(line: Any) -> str:
    return "label"


@dataclass
class World:
    """A pipeline plus its simulated workers, running executions of the real definition."""

    pipeline: Pipeline
    context: Any
    decide_label: Decide = labeled
    decide_review: Decide = labeled
    job_outcome: str = "complete"  # or "fail", or "running" (the workers are still at it)
    faults: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    executions: int = 0

    @property
    def task_type(self) -> TaskType:
        return TaskType(self.pipeline.config["task_type"])

    def _on_wait(self, state: str, data: Any) -> None:
        ground_truth = self.pipeline.ground_truth
        key = "labeling_job" if state == "WaitForLabelingJob" else "verification_job"
        name = data[key]["job_name"]
        if ground_truth.jobs[name].status != "InProgress" or self.job_outcome == "running":
            return
        if self.job_outcome == "fail":
            ground_truth.fail(name, "ClientError: the workteam was deleted")
            return
        attribute = ground_truth.jobs[name].request["LabelAttributeName"]
        if key == "labeling_job":
            ground_truth.finish(name, annotate(self.task_type, attribute, name, self.decide_label))
        else:
            ground_truth.finish(name, review(self.task_type, attribute, name, self.decide_review))

    def execute(self, name: str | None = None) -> tuple[str, Any]:
        """Run one execution; returns ("SUCCEEDED", output) or (error name, cause)."""
        self.executions += 1
        name = name or f"exec-{self.executions}"
        verification = self.pipeline.config["verification"] is not None
        runner = Runner(
            render(verification), handler_invoker(handlers, self.context, self.faults), self._on_wait
        )
        arn = self.pipeline.run(name)["execution_arn"]
        statuses = self.pipeline.stepfunctions.statuses
        statuses[arn] = "RUNNING"
        try:
            output = runner.run(name, arn).output
        except StateMachineFailedError as failure:
            statuses[arn] = "FAILED"
            return failure.error, failure.cause
        statuses[arn] = "SUCCEEDED"
        return "SUCCEEDED", output

    def item(self, key: str, line: int | None = None, index: int = -1) -> str:
        uploads = [u for u in self.pipeline.uploads if u.key == key]
        upload = uploads[index]
        return item_id(SourceObject(UPLOAD_BUCKET, key, upload.version_id, upload.etag), line)


WorldFactory = Callable[..., World]
"""``world(task_type, verification=False, **config overrides)`` -> World."""


@pytest.fixture
def world(make_pipeline: PipelineFactory, lambda_context: Any) -> WorldFactory:
    def build(task_type: TaskType = TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION, **options: Any) -> World:
        return World(make_pipeline(task_type, **options), lambda_context)

    return build


def upload_items(world: World, count: int) -> list[str]:
    keys = []
    for n in range(count):
        if world.task_type.media is Media.TEXT:
            key = f"texts/{n}.txt"
            world.pipeline.upload(key, f"Alice number {n} writes".encode(), "text/plain")
        else:
            key = f"images/{n} photo+{n}.png"
            world.pipeline.upload(key)
        keys.append(key)
    return keys


def item_line(world: World) -> int | None:
    return 1 if world.task_type.media is Media.TEXT else None


def test_an_empty_queue_succeeds_without_a_job(world: WorldFactory) -> None:
    w = world()
    status, output = w.execute()
    assert status == "SUCCEEDED"
    assert output == {"outcome": "NO_ITEMS", "received": 0, "dead_lettered": 0}
    assert w.pipeline.ground_truth.jobs == {}


@pytest.mark.parametrize("verification", [False, True], ids=["labeling", "labeling+review"])
@pytest.mark.parametrize("task_type", list(TaskType))
def test_every_task_type_writes_exactly_the_expected_records(
    world: WorldFactory, task_type: TaskType, verification: bool
) -> None:
    # Given three uploads
    w = world(task_type, verification=verification)
    keys = upload_items(w, 3)
    # When one execution runs
    status, output = w.execute()
    # Then it succeeds with a job and every item has exactly one record with every feature
    assert status == "SUCCEEDED", output
    assert output["outcome"] == "LABELED"
    assert (output["items"], output["labeled"], output["returned"], output["dead_lettered"]) == (3, 3, 0, 0)
    store = w.pipeline.feature_store
    assert len(store.puts) == 3
    records = store.latest()
    line = item_line(w)
    for n, key in enumerate(keys):
        upload = next(u for u in w.pipeline.uploads if u.key == key)
        source = SourceObject(UPLOAD_BUCKET, key, upload.version_id, upload.etag)
        record = records[record_id(source, line)]
        text = f"Alice number {n} writes" if task_type.media is Media.TEXT else ""
        label, confidence = expected_label(task_type, text)
        if task_type is TaskType.IMAGE_SEMANTIC_SEGMENTATION:
            assert json.loads(record["label"])["mask"].endswith("/consolidated-annotation/output/0.png")
            label = record["label"]
        assert record == {
            "record_id": record_id(source, line),
            "event_time": upload.event["time"].replace("Z", ".000Z"),
            "source_ref": f"s3://{UPLOAD_BUCKET}/{key}",
            "source_version": upload.version_id,
            "line_number": str(line or 0),
            "source_text": text,
            "task_type": task_type.value,
            "label": label,
            "confidence": repr(confidence),
            "labeling_job_name": f"labeling-job/{output['labeling_job']}",
            "verification_outcome": "accepted" if verification else "not_verified",
            "labeled_at": LABELED_AT,
        }
    # And the ledger, queues and batch are settled
    assert {i.state for i in w.pipeline.all_items()} == {ItemState.LABELED}
    assert w.pipeline.queue_depth() == 0
    assert w.pipeline.take_dlq() == []
    assert w.pipeline.batch("exec-1").state is BatchState.FINISHED
    assert w.pipeline.ledger.open_batches() == []


def test_a_failed_job_fails_the_execution_and_returns_every_item(world: WorldFactory) -> None:
    # Given two uploads and a labeling job that fails
    w = world()
    upload_items(w, 2)
    w.job_outcome = "fail"
    # When an execution runs
    status, cause = w.execute()
    # Then it fails as LabelingJobFailed, and both items are back on the queue for a second attempt
    assert status == "LabelingJobFailed"
    assert "2 returned to the queue" in cause
    assert "the workteam was deleted" in cause
    retries = w.pipeline.take_queue()
    assert sorted(m["kind"] for m in retries) == ["labeling-item-retry"] * 2
    assert {m["attempts"] for m in retries} == {1}
    rows = w.pipeline.all_items()
    assert {(r.state, r.attempts) for r in rows} == {(ItemState.RETURNED, 1)}
    assert all("the workteam was deleted" in r.reasons[0] for r in rows)
    assert w.pipeline.feature_store.puts == []


def test_returned_items_are_labeled_by_the_next_execution(world: WorldFactory) -> None:
    w = world()
    upload_items(w, 2)
    w.job_outcome = "fail"
    w.execute()
    w.job_outcome = "complete"
    status, output = w.execute()
    assert (status, output["labeled"]) == ("SUCCEEDED", 2)
    assert len(w.pipeline.feature_store.puts) == 2
    assert w.pipeline.queue_depth() == 0


def test_zero_labeled_fails_the_execution_and_returns_the_items_with_the_workers_reason(
    world: WorldFactory,
) -> None:
    w = world()
    upload_items(w, 3)
    w.decide_label = lambda line: "unlabeled"
    status, cause = w.execute()
    assert status == "NothingLabeled"
    assert "3 returned" in cause
    assert len(w.pipeline.take_queue()) == 3
    assert all(r.reasons == ("not labeled: ClientError: the task expired",) for r in w.pipeline.all_items())


def test_partly_labeled_succeeds_and_returns_the_rest(world: WorldFactory) -> None:
    w = world()
    keys = upload_items(w, 3)
    w.decide_label = lambda line: "unlabeled" if line["source-ref"].endswith(keys[1]) else "label"
    status, output = w.execute()
    assert status == "SUCCEEDED"
    assert (output["labeled"], output["returned"]) == (2, 1)
    (retry,) = w.pipeline.take_queue()
    assert retry["item_id"] == w.item(keys[1])


def test_reviewers_rejecting_some_labels_sends_only_those_back(world: WorldFactory) -> None:
    # Given three uploads, review on, and reviewers who fail the label of the second
    w = world(TaskType.IMAGE_BOUNDING_BOX, verification=True)
    keys = upload_items(w, 3)
    w.decide_review = lambda line: "reject" if line["source-ref"].endswith(keys[1]) else "pass"
    # When an execution runs
    status, output = w.execute()
    # Then two records are written, and the rejected item goes back with the reviewer's verdict
    assert status == "SUCCEEDED"
    assert (output["labeled"], output["returned"]) == (2, 1)
    assert len(w.pipeline.feature_store.puts) == 2
    assert {r["verification_outcome"] for r in w.pipeline.feature_store.puts} == {"accepted"}
    (retry,) = w.pipeline.take_queue()
    row = w.pipeline.items([retry["item_id"]])[retry["item_id"]]
    assert row.reasons[0].startswith("rejected in review job")


def test_the_review_manifest_carries_the_proposed_label(world: WorldFactory) -> None:
    w = world(TaskType.TEXT_MULTI_LABEL_CLASSIFICATION, verification=True)
    upload_items(w, 1)
    w.execute()
    review_job = next(name for name, job in w.pipeline.ground_truth.jobs.items() if name.endswith("-rev"))
    (line,) = w.pipeline.ground_truth.input_lines(review_job)
    # Only what the review needs: the data object, our item id and the proposed label (the label itself
    # stays in the labeling job's output, where the review's collect step reads it)
    assert set(line) == {"source", "item-id", "proposed_label"}
    assert line["proposed_label"] == "dog, cat"


def test_a_built_in_verification_job_gets_the_label_and_its_metadata(world: WorldFactory) -> None:
    w = world(TaskType.IMAGE_BOUNDING_BOX, verification=True)
    upload_items(w, 1)
    w.execute()
    review_job = next(name for name, job in w.pipeline.ground_truth.jobs.items() if name.endswith("-rev"))
    (line,) = w.pipeline.ground_truth.input_lines(review_job)
    assert set(line) == {"source-ref", "item-id", "label", "label-metadata"}


def test_all_rejected_in_review_fails_as_nothing_labeled(world: WorldFactory) -> None:
    w = world(TaskType.NAMED_ENTITY_RECOGNITION, verification=True)
    upload_items(w, 2)
    w.decide_review = lambda line: "reject"
    status, _ = w.execute()
    assert status == "NothingLabeled"
    assert len(w.pipeline.take_queue()) == 2


def test_an_item_that_keeps_failing_goes_to_the_dlq_with_every_reason(world: WorldFactory) -> None:
    # Given max_attempts 3 and workers who never label one of two items
    w = world(max_attempts=3)
    keys = upload_items(w, 2)
    w.decide_label = lambda line: "unlabeled" if line["source-ref"].endswith(keys[0]) else "label"
    # When executions run until the queue is empty
    statuses = [w.execute()[0] for _ in range(4)]
    # Then the item failed three times and is dead-lettered with three reasons; the other is labeled
    assert statuses[:3] == ["SUCCEEDED", "NothingLabeled", "NothingLabeled"]
    (dead,) = w.pipeline.take_dlq()
    assert dead["item_id"] == w.item(keys[0])
    assert dead["attempts"] == 3
    assert dead["reasons"] == ["not labeled: ClientError: the task expired"] * 3
    assert dead["source"]["key"] == keys[0]
    row = w.pipeline.items([w.item(keys[0])])[w.item(keys[0])]
    assert (row.state, row.attempts) == (ItemState.DEAD, 3)
    assert w.pipeline.queue_depth() == 0
    assert len(w.pipeline.feature_store.puts) == 1


def test_feature_store_throttling_is_absorbed(world: WorldFactory) -> None:
    w = world()
    upload_items(w, 5)
    w.pipeline.feature_store.throttle_next = 6
    status, output = w.execute()
    assert (status, output["labeled"]) == ("SUCCEEDED", 5)
    assert len(w.pipeline.feature_store.puts) == 5


def test_persistent_throttling_returns_the_unwritten_items(
    world: WorldFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a Feature Store that throttles every call (and no real sleeping between attempts)
    w = world()
    upload_items(w, 2)
    monkeypatch.setattr(features, "RETRY_BASE_DELAY_SECONDS", 0.0)
    w.pipeline.feature_store.throttle_next = 10**6
    # When an execution runs (the chunk is retried by the state machine, then given up)
    status, _ = w.execute()
    # Then nothing is lost: both items are back on the queue with the write error as the reason
    assert status == "NothingLabeled"
    assert len(w.pipeline.take_queue()) == 2
    assert all("Feature Store write failed" in r.reasons[0] for r in w.pipeline.all_items())


def test_a_chunk_whose_write_keeps_failing_returns_its_items_with_the_chunks_error(
    world: WorldFactory,
) -> None:
    # Given two uploads and a write_features function that crashes beyond the state machine's retries
    w = world()
    upload_items(w, 2)
    w.faults["WriteChunk"] = [("Runtime.ExitError", False)] * 3
    # When an execution runs
    status, _ = w.execute()
    # Then nothing is lost: both items are back on the queue, each naming its chunk and the error
    assert status == "NothingLabeled"
    assert len(w.pipeline.take_queue()) == 2
    assert [r.reasons for r in w.pipeline.all_items()] == [
        ("the Feature Store write of its chunk (0) failed: Runtime.ExitError",)
    ] * 2


def test_a_rejected_record_is_returned_with_the_error(world: WorldFactory) -> None:
    w = world()
    keys = upload_items(w, 2)
    upload = next(u for u in w.pipeline.uploads if u.key == keys[0])
    w.pipeline.feature_store.reject.add(
        record_id(SourceObject(UPLOAD_BUCKET, keys[0], upload.version_id, upload.etag))
    )
    status, output = w.execute()
    assert (status, output["labeled"], output["returned"]) == ("SUCCEEDED", 1, 1)
    (retry,) = w.pipeline.take_queue()
    row = w.pipeline.items([retry["item_id"]])[retry["item_id"]]
    assert "ValidationError" in row.reasons[0]


CRASHABLE_STEPS = [
    "ReclaimAbandonedBatches",
    "ClaimBatch",
    "StartLabelingJob",
    "CheckLabelingJob",
    "CollectLabels",
    "StartVerificationJob",
    "CheckVerificationJob",
    "CollectReviews",
    "WriteChunk",
    "ReturnItems",
]


@pytest.mark.parametrize("step", CRASHABLE_STEPS)
@pytest.mark.parametrize("after", [False, True], ids=["before-work", "after-work"])
@pytest.mark.parametrize("crashes", [1, 3], ids=["retried", "beyond-retries"])
def test_a_crash_in_any_step_loses_nothing_and_doubles_nothing(
    world: WorldFactory, step: str, after: bool, crashes: int
) -> None:
    # Given four uploads and a step whose Lambda crashes (before or after doing its work), once (the
    # state machine's retry absorbs it) or three times in a row (beyond the retries: the Catch path)
    w = world(TaskType.IMAGE_MULTI_LABEL_CLASSIFICATION, verification=True)
    keys = upload_items(w, 4)
    w.pipeline.expire_visibility_soon()
    w.faults[step] = [("Runtime.ExitError", after)] * crashes
    # When executions run until everything is settled
    outcomes = []
    for _ in range(4):
        if w.pipeline.queue_depth() == 0 and all(
            i.state is ItemState.LABELED for i in w.pipeline.all_items()
        ):
            break
        if w.pipeline.invisible():
            time.sleep(1.1)  # messages a crashed claim left invisible reappear
        outcomes.append(w.execute()[0])
    # Then every upload has exactly one record, written once, and no queue holds anything
    store = w.pipeline.feature_store
    labeled_items = {i.item_id for i in w.pipeline.all_items() if i.state is ItemState.LABELED}
    assert labeled_items == {w.item(key) for key in keys}, outcomes
    assert len(store.latest()) == 4
    assert max(Counter(r["record_id"] for r in store.puts).values()) == 1
    assert w.pipeline.queue_depth() == 0
    assert w.pipeline.take_dlq() == []


def test_overlapping_executions_never_share_an_item(
    world: WorldFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given execution 1 waiting on its job, and more uploads plus duplicates of execution 1's events
    w = world()
    first = upload_items(w, 2)
    inner = World(w.pipeline, w.context)
    states: list[str] = []

    def during_wait(state: str, data: Any) -> None:
        if not states:
            states.append("ran")
            w.pipeline.upload("images/late.png")
            for upload in list(w.pipeline.uploads[:2]):
                w.pipeline.deliver(upload.event)
            states.append(inner.execute("exec-2")[0])
        World._on_wait(w, state, data)

    monkeypatch.setattr(w, "_on_wait", during_wait)
    # When execution 2 runs to completion in the middle of execution 1
    status, output = w.execute("exec-1")
    # Then execution 2 labeled only the new upload, execution 1 its own two, each once
    assert states == ["ran", "SUCCEEDED"]
    assert (status, output["labeled"]) == ("SUCCEEDED", 2)
    assert len(w.pipeline.feature_store.puts) == 3
    owners = {i.item_id: i for i in w.pipeline.all_items()}
    assert {owners[w.item(k)].labeled_by for k in first} == {"exec-1"}
    assert owners[w.item("images/late.png")].labeled_by == "exec-2"
    assert w.pipeline.queue_depth() == 0


def test_duplicate_deliveries_are_labeled_once(world: WorldFactory) -> None:
    w = world()
    upload = w.pipeline.upload("images/one.png")
    for _ in range(3):
        w.pipeline.deliver(upload.event)
    status, output = w.execute()
    assert (status, output["items"]) == ("SUCCEEDED", 1)
    assert len(w.pipeline.feature_store.puts) == 1


def test_a_relabeled_object_updates_its_record(world: WorldFactory) -> None:
    # Given an object labeled once
    w = world(TEXT)
    w.pipeline.upload("texts/doc.txt", b"first version", "text/plain")
    w.execute()
    # When a new version is uploaded and labeled
    w.pipeline.upload("texts/doc.txt", b"second version", "text/plain")
    status, _ = w.execute()
    # Then the Feature Store holds one record for it, now with the new version's text
    assert status == "SUCCEEDED"
    (record,) = w.pipeline.feature_store.latest().values()
    assert record["source_text"] == "second version"
    assert record["source_version"] == w.pipeline.uploads[-1].version_id
    assert len(w.pipeline.feature_store.puts) == 2


@pytest.mark.parametrize(
    "status", ["TIMED_OUT", "ABORTED", None], ids=["timed-out", "aborted", "history-gone"]
)
def test_an_abandoned_execution_is_settled_by_the_next_one(world: WorldFactory, status: str | None) -> None:
    # Given an execution that ended after claiming, without running its return path
    w = world()
    upload_items(w, 2)
    gone = w.pipeline.run("exec-gone")
    handlers.claim_batch({"run": gone}, w.context)
    if status:
        w.pipeline.stepfunctions.statuses[gone["execution_arn"]] = status
    # When the next execution runs
    outcome, output = w.execute("exec-next")
    # Then its first step returned the abandoned items, and its claim labeled them
    assert (outcome, output["labeled"]) == ("SUCCEEDED", 2)
    assert w.pipeline.batch("exec-gone").state is BatchState.FINISHED
    assert w.pipeline.ledger.open_batches() == []
    reasons = {r.reasons for r in w.pipeline.all_items()}
    assert reasons == {(f"execution exec-gone ended ({status or 'GONE'}) before its items were labeled",)}


def test_a_running_execution_is_not_swept(world: WorldFactory) -> None:
    w = world()
    upload_items(w, 1)
    busy = w.pipeline.run("exec-busy")
    handlers.claim_batch({"run": busy}, w.context)
    w.pipeline.stepfunctions.statuses[busy["execution_arn"]] = "RUNNING"
    outcome, output = w.execute("exec-next")
    assert (outcome, output["outcome"]) == ("SUCCEEDED", "NO_ITEMS")
    assert w.pipeline.batch("exec-busy").state is BatchState.COMMITTED
    assert {i.batch_id for i in w.pipeline.all_items()} == {"exec-busy"}


def start_abandoned_job(w: World, execution: str, status: str) -> str:
    """An execution that claimed a batch, started its labeling job and ended (``status``) while it runs."""
    run = w.pipeline.run(execution)
    handlers.claim_batch({"run": run}, w.context)
    job = handlers.start_job({"run": run, "stage": "labeling"}, w.context)
    w.pipeline.stepfunctions.statuses[run["execution_arn"]] = status
    return str(job["job_name"])


@pytest.mark.parametrize("status", ["TIMED_OUT", "ABORTED"])
def test_the_items_of_a_job_that_outlived_its_execution_stay_in_it_until_it_has_stopped(
    world: WorldFactory, status: str
) -> None:
    # Given an execution that ended while its labeling job still runs
    w = world()
    upload_items(w, 2)
    job = start_abandoned_job(w, "exec-gone", status)
    # When the next execution runs
    outcome, output = w.execute("exec-next")
    # Then it stopped that job and left the items in it: no second job labels them meanwhile
    assert (outcome, output["outcome"]) == ("SUCCEEDED", "NO_ITEMS")
    assert w.pipeline.ground_truth.jobs[job].status == "Stopping"
    assert {(i.state, i.batch_id) for i in w.pipeline.all_items()} == {(ItemState.CLAIMED, "exec-gone")}
    assert w.pipeline.batch("exec-gone").state is BatchState.COMMITTED
    # And once the job has stopped, the execution after that returns the items and labels them once
    w.pipeline.ground_truth.jobs[job].status = "Stopped"
    outcome, output = w.execute("exec-last")
    assert (outcome, output["labeled"]) == ("SUCCEEDED", 2)
    assert len(w.pipeline.feature_store.puts) == 2
    assert {i.reasons for i in w.pipeline.all_items()} == {
        (f"execution exec-gone ended ({status}) before its items were labeled",)
    }


def test_a_step_that_fails_while_its_job_runs_stops_the_job_before_returning_the_items(
    world: WorldFactory,
) -> None:
    # Given a labeling job whose workers are still at it, and a check step that crashes beyond its retries
    w = world()
    upload_items(w, 2)
    w.job_outcome = "running"
    w.faults["CheckLabelingJob"] = [("Runtime.ExitError", False)] * 3
    # When the execution runs
    outcome, _ = w.execute("exec-1")
    # Then the job was stopped before its items went back to the queue
    (job,) = w.pipeline.ground_truth.jobs.values()
    assert (outcome, job.status) == ("TaskFailed", "Stopped")
    assert {(i.state, i.attempts) for i in w.pipeline.all_items()} == {(ItemState.RETURNED, 1)}
    assert w.pipeline.batch("exec-1").state is BatchState.FINISHED


def test_items_held_by_a_failed_return_step_are_returned_by_the_next_execution(world: WorldFactory) -> None:
    # Given a failed job whose ReturnItems step then crashes beyond its retries
    w = world()
    upload_items(w, 2)
    w.job_outcome = "fail"
    w.faults["ReturnItems"] = [("Runtime.ExitError", False)] * 3
    outcome, _ = w.execute("exec-1")
    assert outcome == "TaskFailed"
    assert {i.state for i in w.pipeline.all_items()} == {ItemState.CLAIMED}
    # When the next execution runs (the job works again)
    w.job_outcome = "complete"
    outcome, output = w.execute("exec-2")
    # Then its sweep returned the items with the reason, and it labeled them
    assert (outcome, output["labeled"]) == ("SUCCEEDED", 2)
    assert {i.reasons for i in w.pipeline.all_items()} == {
        ("execution exec-1 ended (FAILED) before its items were labeled",)
    }
    assert w.pipeline.batch("exec-1").state is BatchState.FINISHED


def test_a_retried_final_step_reports_the_same_outcome(world: WorldFactory) -> None:
    w = world()
    upload_items(w, 2)
    w.faults["ReturnItems"] = [("Runtime.ExitError", True)]
    outcome, output = w.execute()
    assert (outcome, output["labeled"], output["items"]) == ("SUCCEEDED", 2, 2)
