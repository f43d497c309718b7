"""Draining the upload queue: N queued uploads claimed into batches, ours against a naive one-by-one drain.

*Ours* is the ``claim_batch`` Lambda handler itself (``labeling_pipeline.handlers.claim_batch``, with its
Powertools decorators), called in-process once per scheduled execution until it finds the queue empty,
with boto3 pointed at the emulator: ten messages per ReceiveMessage, ten per DeleteMessageBatch, the S3
GETs and ledger claims of each receive on a thread pool, the manifest and the receipt handles to delete
after the commit spooled to temporary files.

*Naive* does the same work per item with the same pipeline functions (parse the event, read the object,
claim the ledger row, add the manifest line) the way a first version would: ReceiveMessage with one
message, DeleteMessage right after the claim, one item at a time, manifest lines collected in a list.

*Receive only* is the floor a claim is measured against: the same queue drained by ReceiveMessage (ten
at a time) and DeleteMessageBatch, nothing read, nothing written; it loses every item.

All runs get the same queued messages: N real EventBridge events, produced once by uploading N images to
the stack's bucket and then re-queued, unchanged, before each run into a fresh ledger table.
"""

from __future__ import annotations

import json
import time
import tracemalloc
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3

from bench.common import CallCounter, FakeLambdaContext, execution
from bench.deployment import Deployment, use_config
from labeling_pipeline import handlers
from labeling_pipeline.config import PipelineConfig, parse_config
from labeling_pipeline.jsonlines import dumps_line
from labeling_pipeline.ledger import Claim, Claimed, Ledger
from labeling_pipeline.manifests import manifest_line
from labeling_pipeline.messages import ObjectCreated, parse_message
from labeling_pipeline.sources import Extracted, SourceReader
from tests.pipeline.stack import png

UPLOAD_STEP = 200
MAX_INVOCATIONS = 1000


@dataclass(frozen=True)
class DrainRun:
    variant: str
    items: int
    capacity: int
    invocations: int
    claimed: int
    seconds: float
    peak_bytes: int | None
    calls: dict[str, dict[str, int]]
    left_on_queue: int
    runs_with_items: int = 0

    @property
    def sqs_calls(self) -> int:
        return sum(self.calls.get("sqs", {}).values())

    def per_item(self, service: str) -> float:
        return sum(self.calls.get(service, {}).values()) / self.items

    def to_json(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "items": self.items,
            "capacity": self.capacity,
            "invocations": self.invocations,
            "claimed": self.claimed,
            "seconds": round(self.seconds, 2),
            "items_per_second": round(self.items / self.seconds, 1) if self.seconds else None,
            "peak_traced_bytes": self.peak_bytes,
            "sqs_calls_per_item": round(self.per_item("sqs"), 4),
            "dynamodb_calls_per_item": round(self.per_item("dynamodb"), 4),
            "s3_calls_per_item": round(self.per_item("s3"), 4),
            "calls": self.calls,
            "left_on_queue": self.left_on_queue,
            "runs_with_items": self.runs_with_items,
        }


def queued_upload_events(deployment: Deployment, count: int, threads: int = 4) -> list[str]:
    """Upload ``count`` images and collect the EventBridge events the upload queue received for them."""
    stack = deployment.stack
    s3, sqs = stack.client("s3"), stack.client("sqs")
    image = png(8, 8)
    events: list[str] = []

    def put(key: str) -> None:
        s3.put_object(Bucket=stack.upload_bucket, Key=key, Body=image, ContentType="image/png")

    for start in range(0, count, UPLOAD_STEP):
        keys = [f"bench/photo {n:06d}.png" for n in range(start, min(count, start + UPLOAD_STEP))]
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(put, keys))
        events += _take(sqs, stack.queue_url, len(keys))
    return events


def _take(sqs: Any, queue_url: str, count: int, timeout: float = 120.0) -> list[str]:
    bodies: list[str] = []
    deadline = time.monotonic() + timeout
    while len(bodies) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(bodies)} of {count} upload events reached the queue")
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        if not messages:
            continue
        bodies += [m["Body"] for m in messages]
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)],
        )
    return bodies


def _queue_depth(deployment: Deployment) -> int:
    visible, in_flight = deployment.stack.queue_counts()
    return int(visible) + int(in_flight)


class _Invocations:
    """Calls one batch claim after another until one finds the queue empty, tracing memory per call."""

    def __init__(self, trace_memory: bool) -> None:
        self.trace_memory = trace_memory
        self.count = 0
        self.claimed = 0
        self.with_items = 0
        self.peak: int | None = None

    def drain(self, claim_one: Callable[[int], int]) -> float:
        if self.trace_memory:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            while self.count < MAX_INVOCATIONS:
                self.count += 1
                if self.trace_memory:
                    tracemalloc.reset_peak()
                    before = tracemalloc.get_traced_memory()[0]
                claimed = claim_one(self.count)
                if self.trace_memory:
                    grown = tracemalloc.get_traced_memory()[1] - before
                    self.peak = max(self.peak or 0, grown)
                self.claimed += claimed
                if claimed == 0:
                    break
                self.with_items += 1
            return time.perf_counter() - started
        finally:
            if self.trace_memory:
                tracemalloc.stop()


def drain_ours(deployment: Deployment, events: list[str], capacity: int, trace_memory: bool) -> DrainRun:
    ledger = deployment.new_ledger("ours")
    try:
        deployment.send(deployment.stack.queue_url, events)
        counter = use_config(deployment.variant(ledger_table=ledger, max_objects_per_job=capacity))
        prefix = f"drain-{uuid.uuid4().hex[:6]}"

        def claim_one(number: int) -> int:
            context = FakeLambdaContext(f"{deployment.stack.name}-claim-batch")
            result = handlers.claim_batch({"run": execution(f"{prefix}-{number}")}, context)
            return int(result["item_count"])

        invocations = _Invocations(trace_memory)
        seconds = invocations.drain(claim_one)
        return _result(
            "ours",
            events=events,
            capacity=capacity,
            invocations=invocations,
            seconds=seconds,
            counter=counter,
            deployment=deployment,
        )
    finally:
        deployment.drop_ledger(ledger)


class NaiveClaimer:
    """One message per ReceiveMessage, DeleteMessage after each claim, nothing concurrent."""

    def __init__(self, config: PipelineConfig, counter: CallCounter) -> None:
        self._config = config
        self._sqs = counter.watch(boto3.client("sqs"))
        self._s3 = counter.watch(boto3.client("s3"))
        self._ledger = Ledger(counter.watch(boto3.client("dynamodb")), config.ledger_table)
        self._reader = SourceReader(self._s3, config.task_type)

    def claim_batch(self, batch_id: str) -> int:
        claim = Claim(batch_id, str(uuid.uuid4()))
        queue = self._config.upload_queue_url
        lines: list[str] = []
        while len(lines) < self._config.labeling.max_objects_per_job:
            messages = self._sqs.receive_message(
                QueueUrl=queue, MaxNumberOfMessages=1, WaitTimeSeconds=1
            ).get("Messages", [])
            if not messages:
                break
            parsed = parse_message(messages[0]["Body"], self._config.upload_bucket)
            if isinstance(parsed, ObjectCreated):
                resolution = self._reader.read(parsed, 1)
                if isinstance(resolution, Extracted):
                    for candidate in resolution.candidates:
                        outcome = self._ledger.claim_new(candidate, claim)
                        if isinstance(outcome, Claimed):
                            lines.append(dumps_line(manifest_line(outcome.item)))
            self._sqs.delete_message(QueueUrl=queue, ReceiptHandle=messages[0]["ReceiptHandle"])
        if lines:
            self._s3.put_object(
                Bucket=self._config.output_bucket,
                Key=f"batches/{batch_id}/input.manifest",
                Body="\n".join(lines).encode("utf-8"),
            )
        return len(lines)


def drain_naive(deployment: Deployment, events: list[str], capacity: int, trace_memory: bool) -> DrainRun:
    ledger = deployment.new_ledger("naive")
    try:
        deployment.send(deployment.stack.queue_url, events)
        config = parse_config_of(deployment.variant(ledger_table=ledger, max_objects_per_job=capacity))
        counter = CallCounter()
        claimer = NaiveClaimer(config, counter)
        prefix = f"naive-{uuid.uuid4().hex[:6]}"
        invocations = _Invocations(trace_memory)
        seconds = invocations.drain(lambda number: claimer.claim_batch(f"{prefix}-{number}"))
        return _result(
            "naive",
            events=events,
            capacity=capacity,
            invocations=invocations,
            seconds=seconds,
            counter=counter,
            deployment=deployment,
        )
    finally:
        deployment.drop_ledger(ledger)


def drain_receive_only(deployment: Deployment, events: list[str]) -> DrainRun:
    """The floor: receive ten, delete ten, until the queue is empty; nothing read, nothing recorded."""
    deployment.send(deployment.stack.queue_url, events)
    counter = CallCounter()
    sqs = counter.watch(boto3.client("sqs"))
    queue = deployment.stack.queue_url

    def drain_once(_number: int) -> int:
        taken = 0
        while True:
            messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            )
            if not messages:
                return taken
            sqs.delete_message_batch(
                QueueUrl=queue,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)],
            )
            taken += len(messages)

    invocations = _Invocations(trace_memory=False)
    seconds = invocations.drain(drain_once)
    return _result(
        "receive_only",
        events=events,
        capacity=len(events),
        invocations=invocations,
        seconds=seconds,
        counter=counter,
        deployment=deployment,
    )


def parse_config_of(config: dict[str, Any]) -> PipelineConfig:
    return parse_config(json.dumps(config))


def _result(
    variant: str,
    *,
    events: list[str],
    capacity: int,
    invocations: _Invocations,
    seconds: float,
    counter: CallCounter,
    deployment: Deployment,
) -> DrainRun:
    calls = {service: counter.by_operation(service) for service in ("sqs", "dynamodb", "s3")}
    return DrainRun(
        variant=variant,
        items=len(events),
        capacity=capacity,
        invocations=invocations.count,
        claimed=invocations.claimed,
        seconds=seconds,
        peak_bytes=invocations.peak,
        calls=calls,
        left_on_queue=_queue_depth(deployment),
        runs_with_items=invocations.with_items,
    )
