"""return_items: what a batch still holds goes back, bounded by max_attempts, in as many calls as it takes."""

from __future__ import annotations

from typing import Any

import pytest

from labeling_pipeline import handlers, settle
from labeling_pipeline.ledger import BatchState, Claim, ItemState
from labeling_pipeline.queues import Queues
from tests.pipeline.harness import Pipeline, PipelineFactory


def claimed(pipeline: Pipeline, context: Any, count: int, execution: str = "exec-1") -> None:
    for n in range(count):
        pipeline.upload(f"img/{n}.png")
    handlers.claim_batch({"run": pipeline.run(execution)}, context)


def finish(pipeline: Pipeline, context: Any, **state: Any) -> Any:
    return handlers.return_items(
        {"mode": "finish", "state": {"run": pipeline.run("exec-1"), **state}}, context
    )


def test_a_failed_step_returns_every_item_with_the_steps_error(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given a claimed batch and a step that failed with a Lambda error
    pipeline = make_pipeline()
    claimed(pipeline, lambda_context, 3)
    failure = {"Error": "ValueError", "Cause": '{"errorType": "ValueError", "errorMessage": "bad manifest"}'}
    # When the batch is finished
    result = finish(pipeline, lambda_context, failure=failure)
    # Then every item is RETURNED with the step's error, and the outcome says a step failed
    assert (result["outcome"], result["returned"], result["complete"]) == ("STEP_FAILED", 3, True)
    assert "a pipeline step failed: ValueError: bad manifest" in result["summary"]
    rows = pipeline.all_items()
    assert {(r.state, r.attempts) for r in rows} == {(ItemState.RETURNED, 1)}
    assert {r.reasons for r in rows} == {("a pipeline step failed: ValueError: bad manifest",)}
    assert len(pipeline.take_queue()) == 3
    assert pipeline.batch("exec-1").state is BatchState.FINISHED
    assert pipeline.ledger.open_batches() == []


def test_the_last_attempt_goes_to_the_dlq_with_every_reason(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline(max_attempts=2)
    claimed(pipeline, lambda_context, 1, "exec-0")
    handlers.return_items(
        {
            "mode": "finish",
            "state": {
                "run": pipeline.run("exec-0"),
                "labeling_job": {
                    "next": "FAILED",
                    "job_name": "j0",
                    "status": "Failed",
                    "failure_reason": "first",
                },
            },
        },
        lambda_context,
    )
    handlers.claim_batch({"run": pipeline.run("exec-1")}, lambda_context)
    job = {"next": "FAILED", "job_name": "j1", "status": "Failed", "failure_reason": "second"}
    result = finish(pipeline, lambda_context, labeling_job=job)
    assert (result["outcome"], result["dead_lettered"], result["returned"]) == ("JOB_FAILED", 1, 0)
    (dead,) = pipeline.take_dlq()
    assert dead["reasons"] == ["labeling job j0 ended Failed: first", "labeling job j1 ended Failed: second"]
    assert dead["attempts"] == 2
    assert pipeline.queue_depth() == 0


def test_a_large_batch_is_returned_over_several_calls(
    make_pipeline: PipelineFactory, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 25 claimed items, pages of 10, and an invocation that is always short of time
    pipeline = make_pipeline()
    claimed(pipeline, lambda_context, 25)
    monkeypatch.setattr(settle, "PAGE_SIZE", 10)
    lambda_context.remaining_time_ms = 1_000
    # When the state machine calls again until complete
    results = [finish(pipeline, lambda_context)]
    while not results[-1]["complete"]:
        results.append(finish(pipeline, lambda_context, returned=results[-1]))
    # Then each call returned one page, and together they returned every item once
    assert [r["next_offset"] for r in results] == [10, 20, 25]
    assert results[-1]["returned"] == 25
    assert len(pipeline.take_queue()) == 25


def test_items_the_queue_did_not_accept_stay_claimed_and_the_step_fails(
    make_pipeline: PipelineFactory, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given SQS refusing every retry message
    pipeline = make_pipeline()
    claimed(pipeline, lambda_context, 2)
    monkeypatch.setattr(Queues, "send", lambda self, url, bodies: set())
    # When the batch is finished
    with pytest.raises(settle.ReturnIncompleteError, match="2 items could not be sent"):
        finish(pipeline, lambda_context)
    # Then nothing was marked returned (no message exists), and the batch stays open for the retry or sweep
    assert {r.state for r in pipeline.all_items()} == {ItemState.CLAIMED}
    assert pipeline.batch("exec-1").state is BatchState.COMMITTED


def test_a_claim_that_never_committed_is_closed_as_abandoned(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline()
    ledger = pipeline.ledger
    ledger.start_batch(Claim("exec-1", "t"), pipeline.run("exec-1")["execution_arn"], 0)
    result = finish(pipeline, lambda_context, failure={"Error": "States.Timeout"})
    assert (result["outcome"], result["items"], result["complete"]) == ("STEP_FAILED", 0, True)
    assert pipeline.batch("exec-1").state is BatchState.ABANDONED


def test_an_unknown_mode_is_refused(make_pipeline: PipelineFactory, lambda_context: Any) -> None:
    make_pipeline()
    with pytest.raises(ValueError, match="unknown mode"):
        handlers.return_items({"mode": "everything"}, lambda_context)
