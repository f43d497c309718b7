"""End to end in the emulator, when things go wrong: every item ends up labeled once, queued, or dead-lettered
with its reasons; no Feature Store record is written twice."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from labeling_pipeline.config import TaskType
from labeling_pipeline.ledger import ItemState
from tests.pipeline.stack import PipelineStack, StackSettings, Upload, png

pytestmark = pytest.mark.emulator

IMAGES = TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION


def deployed(emulator: Any, task_type: TaskType = IMAGES, **settings: Any) -> PipelineStack:
    return PipelineStack.deploy(emulator.url, StackSettings(task_type, **settings))


def upload_images(stack: PipelineStack, count: int, **tags: str) -> list[Upload]:
    uploads = [
        stack.upload(f"img/{n} shot+{n}.png", png(8, 8), tags={"label": "dog", **tags}) for n in range(count)
    ]
    stack.wait_for_queue(len(stack.uploads))
    return uploads


def assert_settled(stack: PipelineStack, labeled: Sequence[Upload], dead: Sequence[Upload] = ()) -> None:
    """Every upload is labeled exactly once (one put per record) or dead; no queue holds anything."""
    records = stack.records([stack.record_id(u) for u in labeled])
    assert set(records) == {stack.record_id(u) for u in labeled}
    counts = Counter(put["record_id"] for put in stack.puts())
    assert set(counts) == set(records)
    assert max(counts.values(), default=1) == 1
    states = {i.item_id: i.state for i in stack.ledger_items()}
    assert {states[stack.item_id(u)] for u in labeled} <= {ItemState.LABELED}
    assert {states[stack.item_id(u)] for u in dead} <= {ItemState.DEAD}
    assert stack.queue_counts() == (0, 0)


def test_a_failed_job_returns_the_items_and_the_next_run_labels_them(emulator: Any) -> None:
    # Given two uploads and a labeling job that fails
    stack = deployed(emulator)
    uploads = upload_images(stack, 2)
    stack.job_fault(mode="failed", failure_reason="ClientError: workteam gone", delay_seconds=0)
    # When the state machine runs
    first = stack.run()
    # Then the execution FAILED with LabelingJobFailed, and both items were returned for a second attempt
    assert (first.status, first.error) == ("FAILED", "LabelingJobFailed")
    assert "2 returned to the queue" in (first.cause or "")
    rows = stack.ledger_items()
    assert {(r.state, r.attempts) for r in rows} == {(ItemState.RETURNED, 1)}
    assert all("ClientError: workteam gone" in r.reasons[0] for r in rows)
    assert stack.puts() == []
    # And the next run labels them
    stack.job_fault(delay_seconds=0)
    second = stack.run()
    assert (second.status, second.output and second.output["labeled"]) == ("SUCCEEDED", 2)
    assert_settled(stack, uploads)


def test_zero_labeled_fails_the_run_and_returns_every_item(emulator: Any) -> None:
    stack = deployed(emulator)
    upload_images(stack, 3)
    stack.job_fault(mode="zero_labeled", delay_seconds=0)
    result = stack.run()
    assert (result.status, result.error) == ("FAILED", "NothingLabeled")
    rows = stack.ledger_items()
    assert {(r.state, r.attempts) for r in rows} == {(ItemState.RETURNED, 1)}
    assert all(r.reasons[0].startswith("not labeled: ClientError: Annotation tasks expired") for r in rows)
    assert [m["kind"] for m in stack.drain_queue()] == ["labeling-item-retry"] * 3


def test_reviewers_rejecting_an_item_send_it_back_until_it_is_dead_lettered(emulator: Any) -> None:
    # Given three images, review on, at most two attempts, and reviewers who always reject the first
    stack = deployed(emulator, TaskType.IMAGE_BOUNDING_BOX, verification=True, max_attempts=2)
    rejected = stack.upload("img/rejected.png", png(16, 16), tags={"label": "cat", "outcome": "reject"})
    accepted = [stack.upload(f"img/ok {n}.png", png(16, 16), tags={"label": "dog"}) for n in range(2)]
    stack.wait_for_queue(3)
    stack.job_fault(count=4, delay_seconds=0)
    # When the state machine runs twice
    first = stack.run()
    second = stack.run()
    # Then the accepted labels are written once; the rejected item went back, then to the DLQ with 2 reasons
    assert first.status == "SUCCEEDED"
    assert first.output is not None
    assert (first.output["labeled"], first.output["returned"]) == (2, 1)
    assert (second.status, second.error) == ("FAILED", "NothingLabeled")
    (dead,) = stack.drain_dlq()
    assert dead["item_id"] == stack.item_id(rejected)
    assert dead["attempts"] == 2
    assert len(dead["reasons"]) == 2
    assert all(reason.startswith("rejected in review job") for reason in dead["reasons"])
    assert {r["verification_outcome"] for r in stack.puts()} == {"accepted"}
    assert_settled(stack, accepted, dead=[rejected])


def test_a_custom_review_passes_what_its_reviewers_see_and_returns_what_they_reject(emulator: Any) -> None:
    # Given two texts for classification with review, the reviewers rejecting the second
    stack = deployed(emulator, TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION, verification=True)
    upload = stack.upload("texts/two.txt", b"Great #label=positive\nAwful #label=negative #outcome=reject\n")
    stack.wait_for_queue(1)
    stack.job_fault(count=2, delay_seconds=0)
    # When the state machine runs
    result = stack.run()
    # Then the review job is a custom task with the pipeline's own functions: the first label is written,
    # the second goes back with the reviewers' answer
    assert result.status == "SUCCEEDED", result.cause
    assert result.output is not None
    assert (result.output["labeled"], result.output["returned"]) == (1, 1)
    review = stack.client("sagemaker").describe_labeling_job(
        LabelingJobName=result.output["verification_job"]
    )
    assert review["HumanTaskConfig"]["PreHumanTaskLambdaArn"].endswith(f"{stack.name}-review-pre-annotation")
    assert [put["record_id"] for put in stack.puts()] == [stack.record_id(upload, 1)]
    (retry,) = stack.drain_queue()
    row = stack.ledger_items()
    returned = next(item for item in row if item.item_id == retry["item_id"])
    assert returned.reasons == (
        f"rejected in review job {result.output['verification_job']} (answer 'fail')",
    )


def test_messages_and_uploads_that_cannot_be_labeled_go_to_the_dlq_with_reasons(emulator: Any) -> None:
    # Given a poison message, a zero-byte upload, a PDF and a text file in an image pipeline
    stack = deployed(emulator)
    stack.client("sqs").send_message(QueueUrl=stack.queue_url, MessageBody='{"hello": "not an S3 event"}')
    stack.upload("empty.png", b"")
    stack.upload("doc.pdf", b"%PDF-1.7", "application/pdf")
    stack.upload("notes.txt", b"hello", "text/plain")
    stack.wait_for_queue(4)
    # When the state machine runs
    result = stack.run()
    # Then it succeeds without a job, and each one is in the DLQ with its reason
    assert result.status == "SUCCEEDED"
    assert result.output == {"outcome": "NO_ITEMS", "received": 4, "dead_lettered": 4}
    reasons = sorted(reason for body in stack.drain_dlq() for reason in body["reasons"])
    assert reasons[0].startswith("not an S3 Object Created event")
    assert reasons[1:] == [
        "unsupported content type 'application/pdf' for task type image_single_label_classification "
        "(accepted: image/jpeg, image/png)",
        "unsupported content type 'text/plain' for task type image_single_label_classification "
        "(accepted: image/jpeg, image/png)",
        "zero-byte object",
    ]
    assert stack.queue_counts() == (0, 0)


@pytest.mark.parametrize(
    ("function", "after", "count"),
    [
        ("claim_batch", True, 1),
        ("claim_batch", True, 3),
        ("start_job", True, 3),
        ("check_job", False, 3),
        ("collect_results", True, 3),
        ("write_features", True, 1),
        ("write_features", False, 3),
        ("return_items", True, 6),
    ],
    ids=str,
)
def test_a_lambda_crash_between_steps_loses_nothing_and_writes_nothing_twice(
    emulator: Any, function: str, after: bool, count: int
) -> None:
    # Given three uploads and a function that crashes (after or before its work) `count` times in a row
    stack = deployed(emulator)
    uploads = upload_images(stack, 3)
    stack.job_fault(count=3, delay_seconds=0)
    stack.function_fault(function, count=count, after=after)
    # When the state machine runs until nothing is left
    outcomes = []
    for _ in range(3):
        outcomes.append(stack.run())
        if all(i.state is ItemState.LABELED for i in stack.ledger_items()) and len(stack.ledger_items()) == 3:
            break
    # Then every upload has exactly one record written once, and no queue holds anything
    assert_settled(stack, uploads)
    assert outcomes[-1].status in ("SUCCEEDED", "FAILED"), [o.status for o in outcomes]


def test_feature_store_throttling_is_retried_until_every_record_is_written(emulator: Any) -> None:
    stack = deployed(emulator)
    uploads = upload_images(stack, 4)
    stack.job_fault(delay_seconds=0)
    stack.arm_fault("featurestore_put", match={"feature_group": stack.feature_group}, count=6)
    result = stack.run()
    assert (result.status, result.output and result.output["labeled"]) == ("SUCCEEDED", 4)
    assert_settled(stack, uploads)


def test_duplicate_deliveries_are_labeled_once_and_a_new_version_updates_the_record(emulator: Any) -> None:
    # Given a text file whose event is delivered twice
    stack = deployed(emulator, TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION)
    first = stack.upload("notes/a b+c.txt", b"great product #label=positive\n")
    stack.wait_for_queue(1)
    sqs = stack.client("sqs")
    (message,) = sqs.receive_message(QueueUrl=stack.queue_url, VisibilityTimeout=0)["Messages"]
    sqs.send_message(QueueUrl=stack.queue_url, MessageBody=message["Body"])
    stack.job_fault(count=2, delay_seconds=0)
    # When the state machine runs
    result = stack.run()
    # Then the line was labeled once
    assert result.output is not None
    assert (result.status, result.output["items"], len(stack.puts())) == ("SUCCEEDED", 1, 1)
    # And when a new version of the file is uploaded and labeled, the same record now holds it
    second = stack.upload("notes/a b+c.txt", b"awful product #label=negative\n")
    stack.wait_for_queue(1)
    assert stack.run().status == "SUCCEEDED"
    assert stack.record_id(first, 1) == stack.record_id(second, 1)
    (record,) = stack.records([stack.record_id(second, 1)]).values()
    assert (record["label"], record["source_version"]) == ("negative", second.version_id)
    assert len(stack.puts()) == 2


def test_overlapping_executions_never_label_an_item_twice(emulator: Any) -> None:
    # Given six uploads, each delivered twice
    stack = deployed(emulator)
    uploads = upload_images(stack, 6)
    sqs = stack.client("sqs")
    bodies: list[str] = []
    while len(bodies) < 6:
        received = sqs.receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        bodies += [m["Body"] for m in received.get("Messages", []) if m["Body"] not in bodies]
    for body in bodies:
        sqs.send_message(QueueUrl=stack.queue_url, MessageBody=body)
    stack.job_fault(count=4, delay_seconds=1)
    # When two executions start at the same moment, and then one more
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: stack.wait(stack.start()), range(2)))
    time.sleep(1)
    results.append(stack.run())
    # Then together they labeled each upload exactly once
    assert all(r.status in ("SUCCEEDED", "FAILED") for r in results)
    labeled = sum((r.output or {}).get("labeled", 0) for r in results)
    assert labeled == 6, [(r.status, r.output) for r in results]
    assert_settled(stack, uploads)


def wait_for_job(stack: PipelineStack, timeout: float = 60.0) -> str:
    """The name of the stack's (first) labeling job, once its execution has created it."""
    deadline = time.monotonic() + timeout
    while not stack.job_names():
        assert time.monotonic() < deadline, "no labeling job was created"
        time.sleep(0.5)
    return stack.job_names()[0]


def test_an_execution_stopped_mid_job_is_cleaned_up_once_its_job_has_stopped(emulator: Any) -> None:
    # Given an execution stopped by an operator while its job was running
    stack = deployed(emulator)
    uploads = upload_images(stack, 2)
    stack.job_fault(delay_seconds=600)
    execution = stack.start()
    job = wait_for_job(stack)
    stack.client("stepfunctions").stop_execution(executionArn=execution)
    assert stack.wait(execution).status == "ABORTED"
    # When the next execution runs
    stack.job_fault(delay_seconds=0)
    second = stack.run()
    # Then it stopped the job, left its items in it, and started no other job
    assert (second.status, second.output and second.output["outcome"]) == ("SUCCEEDED", "NO_ITEMS")
    assert stack.job(job)["LabelingJobStatus"] == "Stopping"
    assert stack.job_names() == [job]
    # And once the job has stopped, the next execution returns its items first and labels them
    third = stack.run()
    assert (third.status, third.output and third.output["labeled"]) == ("SUCCEEDED", 2)
    assert_settled(stack, uploads)
    reasons = {r.reasons for r in stack.ledger_items()}
    assert all("ended (ABORTED)" in rs[0] for rs in reasons)


def test_a_job_that_outlives_its_execution_is_stopped_before_its_items_are_labeled_again(
    emulator: Any,
) -> None:
    # Given three uploads and a job that Ground Truth sends one object at a time: 3 sets of a 1-day window,
    # workers who need 12 hours per set, so 36 hours in all; and an execution whose timeout is shorter
    stack = deployed(emulator, max_concurrent_task_count=1)
    uploads = upload_images(stack, 3)
    stack.job_fault(delay_seconds=12 * 3600)
    short = stack.add_state_machine(f"{stack.name}-short", timeout_seconds=40)
    first = stack.wait(stack.start(short))
    (job,) = stack.job_names()
    emulator.advance_clock(12 * 3600)
    # (the job outlived its execution, and its workers go on: half a day later one set is labeled)
    assert first.status == "TIMED_OUT"
    progress = stack.job(job)
    assert (progress["LabelingJobStatus"], progress["LabelCounters"]["TotalLabeled"]) == ("InProgress", 1)
    # When the next execution runs
    stack.job_fault(delay_seconds=0)
    second = stack.run()
    # Then it stopped that job instead of returning its items: no second job labels them meanwhile
    assert (second.status, second.output) == (
        "SUCCEEDED",
        {"outcome": "NO_ITEMS", "received": 0, "dead_lettered": 0},
    )
    assert stack.job(job)["LabelingJobStatus"] == "Stopping"
    assert stack.job_names() == [job]
    assert {(i.state, i.attempts) for i in stack.ledger_items()} == {(ItemState.CLAIMED, 0)}
    # And once it has stopped, the execution after that returns the items and labels each of them once
    third = stack.run()
    assert (third.status, third.output and third.output["labeled"]) == ("SUCCEEDED", 3)
    assert_settled(stack, uploads)
    assert {r.reasons for r in stack.ledger_items()} == {
        (f"execution {first.arn.rsplit(':', 1)[-1]} ended (TIMED_OUT) before its items were labeled",)
    }
