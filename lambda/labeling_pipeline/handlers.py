"""The Lambda entry points; each is a thin shell over the modules it names.

The six functions of the state machine receive ``{"run": {"execution_name", "execution_arn",
"verification_enabled"}, ...}`` (the state machine's ``Initialize`` state builds ``run`` from the execution
context) and return a small JSON object (each payload is a TypedDict in ``model``): item lists never travel
through Step Functions, they live in the ledger and in S3. The two review functions are called by Ground
Truth itself, with its own requests (see ``review``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

from . import aws
from .chunks import read_chunk
from .claim import BatchClaimer
from .collect import collect
from .config import ConfigError, PipelineConfig, load_config
from .features import ChunkIncompleteError, FeatureStoreWriter, write_chunk
from .finish import finish_execution
from .jobs import create_request, interpret, job_name, next_wait_seconds, settings_for
from .jsonlines import read_text
from .layout import BatchLayout
from .ledger import BatchRow, BatchState, Claim, Ledger
from .model import (
    CheckJobEvent,
    CheckJobResult,
    ClaimEvent,
    ClaimResult,
    CollectEvent,
    CollectResult,
    ExecutionState,
    FinishEvent,
    FinishResult,
    ReturnEvent,
    Stage,
    StartJobEvent,
    StartJobResult,
    SweepResult,
    WriteEvent,
    WriteResult,
)
from .queues import Queues
from .review import consolidate, pre_annotation
from .settle import sweep
from .sources import SourceReader

# No Powertools Tracer: the X-Ray SDK behind it is in maintenance mode (end of support February 2027) and
# doubled the import time of this module; the functions' active tracing records every invocation without it.
logger = Logger()
metrics = Metrics()

# Time kept back from the Lambda timeout for the work after the last bounded step.
WRITE_RESERVE_SECONDS = 15.0


@dataclass(frozen=True)
class Run:
    execution_name: str
    execution_arn: str
    verification_enabled: bool | None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Run:
        run = event.get("run")
        if not isinstance(run, Mapping) or not run.get("execution_name") or not run.get("execution_arn"):
            raise ValueError(
                "the event needs run.execution_name and run.execution_arn (set by the state machine)"
            )
        enabled = run.get("verification_enabled")
        return cls(
            str(run["execution_name"]),
            str(run["execution_arn"]),
            enabled if isinstance(enabled, bool) else None,
        )


def _seconds_left(context: LambdaContext) -> Callable[[], float]:
    return lambda: context.get_remaining_time_in_millis() / 1000


def _ledger(config: PipelineConfig) -> Ledger:
    return Ledger(aws.client("dynamodb"), config.ledger_table)


def _queues(config: PipelineConfig) -> Queues:
    return Queues(aws.client("sqs"), config.upload_queue_url, config.dead_letter_queue_url)


def _committed_batch(ledger: Ledger, run: Run) -> BatchRow:
    batch = ledger.get_batch(run.execution_name)
    if batch is None or batch.state is not BatchState.COMMITTED:
        state = batch.state.value if batch else "missing"
        raise RuntimeError(f"batch {run.execution_name} is {state}, not committed")
    return batch


def _config_for(run: Run) -> PipelineConfig:
    config = load_config()
    if run.verification_enabled is not None and run.verification_enabled != (config.verification is not None):
        raise ConfigError(
            "the state machine and PIPELINE_CONFIG disagree about verification; apply the module again"
        )
    return config


@logger.inject_lambda_context
@metrics.log_metrics
def claim_batch(event: ClaimEvent, context: LambdaContext) -> ClaimResult:
    """Move queued uploads into this execution's batch; see ``claim``."""
    run = Run.from_event(event)
    config = _config_for(run)
    claimer = BatchClaimer(
        config=config,
        ledger=_ledger(config),
        queues=_queues(config),
        reader=SourceReader(aws.client("s3"), config.task_type),
        s3=aws.client("s3"),
        claim=Claim(run.execution_name, context.aws_request_id),
        seconds_left=_seconds_left(context),
    )
    summary = claimer.run(run.execution_arn)
    metrics.add_metric(name="ItemsClaimed", unit=MetricUnit.Count, value=claimer.counts.claimed)
    metrics.add_metric(name="ItemsDeadLettered", unit=MetricUnit.Count, value=claimer.counts.dead_lettered)
    logger.info("batch claimed", extra={"summary": summary.to_json(), "counts": vars(claimer.counts)})
    return summary.to_json()


@logger.inject_lambda_context
def start_job(event: StartJobEvent, _context: LambdaContext) -> StartJobResult:
    """Create the labeling (or review) job of this execution's batch; a retry finds the job it created."""
    run = Run.from_event(event)
    config = _config_for(run)
    stage = Stage(event["stage"])
    batch = _committed_batch(_ledger(config), run)
    layout = BatchLayout(config.output_bucket, batch.batch_id)
    name = job_name(config.name, batch.batch_id, stage)
    try:
        aws.client("sagemaker").create_labeling_job(**create_request(config, layout, stage, name))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceInUse":
            raise
        logger.info("job already exists (retried step)", extra={"job": name})
    wait = next_wait_seconds(config, settings_for(config, stage), 0)
    logger.info("job started", extra={"job": name, "stage": stage.value})
    return {"job_name": name, "stage": stage.value, "polls": 0, "wait_seconds": wait}


@logger.inject_lambda_context
def check_job(event: CheckJobEvent, _context: LambdaContext) -> CheckJobResult:
    """Report a job's status, what the state machine does next, and how long to wait before asking again."""
    run = Run.from_event(event)
    config = _config_for(run)
    job = event["job"]
    stage = Stage(job["stage"])
    description = aws.client("sagemaker").describe_labeling_job(LabelingJobName=job["job_name"])
    status = interpret(description, BatchLayout(config.output_bucket, run.execution_name))
    polls = int(job.get("polls", 0)) + 1
    return {
        "job_name": job["job_name"],
        "stage": stage.value,
        "status": status.status,
        "next": status.next.value,
        "polls": polls,
        "wait_seconds": next_wait_seconds(config, settings_for(config, stage), polls),
        "failure_reason": status.failure_reason,
        "output_manifest_uri": status.output_manifest_uri,
        "labeled": status.labeled,
    }


@logger.inject_lambda_context
def collect_results(event: CollectEvent, _context: LambdaContext) -> CollectResult:
    """Split a finished job's output into chunks to write, items to review and items to return."""
    run = Run.from_event(event)
    config = _config_for(run)
    job = event["job"]
    stage = Stage(job["stage"])
    summary = collect(
        config=config,
        s3=aws.client("s3"),
        layout=BatchLayout(config.output_bucket, run.execution_name),
        stage=stage,
        output_manifest_uri=job["output_manifest_uri"],
        labeling_job_name=str(event.get("labeling_job_name") or job["job_name"]),
    )
    logger.info("job output collected", extra={"stage": stage.value, "summary": summary.to_json()})
    return summary.to_json()


@logger.inject_lambda_context
@metrics.log_metrics
def write_features(event: WriteEvent, context: LambdaContext) -> WriteResult:
    """Write one chunk of accepted labels to the Feature Group (one Map iteration)."""
    run = Run.from_event(event)
    config = _config_for(run)
    ledger = _ledger(config)
    batch = _committed_batch(ledger, run)
    labels = read_chunk(aws.client("s3"), event["chunk_uri"])
    writer = FeatureStoreWriter(
        aws.client("sagemaker-featurestore-runtime"),
        config.feature_group_name,
        config.feature_store_concurrency,
    )
    deadline = time.monotonic() + _seconds_left(context)() - WRITE_RESERVE_SECONDS
    try:
        summary = write_chunk(
            ledger=ledger,
            writer=writer,
            task_type=config.task_type,
            labels=labels,
            claim=Claim(batch.batch_id, batch.claim_token),
            deadline=deadline,
        )
    except ChunkIncompleteError as error:
        metrics.add_metric(name="ItemsLabeled", unit=MetricUnit.Count, value=error.written)
        raise
    metrics.add_metric(name="ItemsLabeled", unit=MetricUnit.Count, value=summary.written)
    logger.info("chunk written", extra={"chunk": event["chunk_uri"], "summary": summary.to_json()})
    return summary.to_json()


@logger.inject_lambda_context
@metrics.log_metrics
def return_items(event: ReturnEvent, context: LambdaContext) -> SweepResult | FinishResult:
    """``mode: sweep``: settle abandoned batches. ``mode: finish``: settle this execution's batch."""
    mode = event.get("mode", "finish")
    if mode == "sweep":
        run = Run.from_event(event)
        config = _config_for(run)
        swept = sweep(
            ledger=_ledger(config),
            queues=_queues(config),
            s3=aws.client("s3"),
            stepfunctions=aws.client("stepfunctions"),
            sagemaker=aws.client("sagemaker"),
            pipeline_name=config.name,
            output_bucket=config.output_bucket,
            max_attempts=config.max_attempts,
            own_execution_arn=run.execution_arn,
            seconds_left=_seconds_left(context),
        )
        metrics.add_metric(name="ItemsReturned", unit=MetricUnit.Count, value=swept.counts.returned)
        metrics.add_metric(name="ItemsDeadLettered", unit=MetricUnit.Count, value=swept.counts.dead_lettered)
        logger.info("abandoned batches swept", extra={"summary": swept.to_json()})
        return swept.to_json()
    if mode != "finish":
        raise ValueError(f"unknown mode {mode!r}: expected 'sweep' or 'finish'")
    # The mode is "finish", or absent, which means the same.
    return _finish(cast("FinishEvent", event)["state"], context)


def _finish(state: ExecutionState, context: LambdaContext) -> FinishResult:
    run = Run.from_event(state)
    config = load_config()
    finished = finish_execution(
        state=state,
        execution_name=run.execution_name,
        execution_arn=run.execution_arn,
        ledger=_ledger(config),
        queues=_queues(config),
        s3=aws.client("s3"),
        sagemaker=aws.client("sagemaker"),
        pipeline_name=config.name,
        output_bucket=config.output_bucket,
        max_attempts=config.max_attempts,
        seconds_left=_seconds_left(context),
    )
    metrics.add_metric(name="ItemsReturned", unit=MetricUnit.Count, value=finished.counts.returned)
    metrics.add_metric(name="ItemsDeadLettered", unit=MetricUnit.Count, value=finished.counts.dead_lettered)
    result = finished.to_json()
    logger.info("batch settled" if finished.complete else "batch partly settled", extra=result)
    return result


@logger.inject_lambda_context
def review_pre_annotation(event: dict[str, Any], _context: LambdaContext) -> dict[str, Any]:
    """Ground Truth's pre-annotation call of a review job: what the reviewer's template receives."""
    return pre_annotation(event)


@logger.inject_lambda_context
def review_consolidation(event: dict[str, Any], _context: LambdaContext) -> list[dict[str, Any]]:
    """Ground Truth's consolidation call of a review job: one pass/fail label per reviewed object."""
    s3 = aws.client("s3")
    uri = event["payload"]["s3Uri"]
    objects = json.loads(read_text(s3, uri))
    if not isinstance(objects, list):
        raise ValueError(f"the annotation file {uri} is not a list of data objects")
    consolidated = consolidate(objects, event["labelAttributeName"], lambda other: read_text(s3, other))
    logger.info("review answers consolidated", extra={"objects": len(consolidated)})
    return consolidated
