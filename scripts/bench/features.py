"""Writing labels to the Feature Store: N labeled items from a job's output manifest, ours against a
sequential writer.

Both go through the real handlers, called in-process with boto3 pointed at the emulator:
``collect_results`` splits the output manifest into chunk files of ``CHUNK_SIZE`` accepted labels, then
``write_features`` runs once per chunk, as the state machine's Map state does (one invocation per chunk).
*Ours* is configured as the module deploys it (``feature_store_concurrency`` 16: a bounded pool of
PutRecord calls, each followed by its ledger update); the *sequential* writer is the same code with a pool
of one, i.e. one PutRecord (and one ledger update) after the other.

Each run gets its own batch of N items claimed in a fresh ledger table (set-up, not measured) and its own
output manifest, so neither run finds the other's records already written.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from bench.common import FakeLambdaContext, add_round_trip, execution
from bench.deployment import Deployment, handler_clients, use_config
from labeling_pipeline import handlers
from labeling_pipeline.claim import manifest_line
from labeling_pipeline.collect import CHUNK_SIZE
from labeling_pipeline.config import TaskType
from labeling_pipeline.identity import SourceObject
from labeling_pipeline.ledger import Claim, Claimed, Ledger
from labeling_pipeline.manifest import JsonLinesWriter, S3Location
from labeling_pipeline.sources import Candidate
from pipeline.labelers import labeled_fields
from pipeline.stack import MODULE, state_machine_definition

LAMBDA_TIMEOUT_LIMIT_SECONDS = 900
STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024
UPLOADED_AT = "2026-01-01T12:00:00Z"


@dataclass(frozen=True)
class WriteRun:
    variant: str
    items: int
    concurrency: int
    round_trip_ms: float
    collect_seconds: float
    chunk_seconds: list[float]
    written: int
    chunk_uris: list[str]
    puts: int

    @property
    def write_seconds(self) -> float:
        return sum(self.chunk_seconds)

    @property
    def records_per_second(self) -> float:
        return self.written / self.write_seconds if self.write_seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "items": self.items,
            "feature_store_concurrency": self.concurrency,
            "simulated_round_trip_ms": self.round_trip_ms,
            "collect_results_seconds": round(self.collect_seconds, 2),
            "write_features_invocations": len(self.chunk_seconds),
            "write_seconds": round(self.write_seconds, 2),
            "chunk_seconds_mean": round(statistics.mean(self.chunk_seconds), 2)
            if self.chunk_seconds
            else None,
            "chunk_seconds_max": round(max(self.chunk_seconds), 2) if self.chunk_seconds else None,
            "records_written": self.written,
            "feature_store_puts": self.puts,
            "records_per_second": round(self.records_per_second, 1),
        }


def _claimed_batch(
    deployment: Deployment, ledger_table: str, items: int, batch_id: str
) -> list[dict[str, str]]:
    """A committed batch of ``items`` claimed images; returns their input manifest lines."""
    stack = deployment.stack
    ledger = Ledger(stack.client("dynamodb"), ledger_table)
    claim = Claim(batch_id, str(uuid.uuid4()))
    ledger.start_batch(claim, execution(batch_id)["execution_arn"], time.time() + 3600)
    candidates = [
        Candidate(
            SourceObject(stack.upload_bucket, f"bench/{batch_id}/photo {n:06d}.png", f"v{n:06d}", f"etag{n}"),
            None,
            None,
            UPLOADED_AT,
        )
        for n in range(items)
    ]
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(lambda candidate: ledger.claim_new(candidate, claim), candidates))
    lines = [manifest_line(outcome.item) for outcome in outcomes if isinstance(outcome, Claimed)]
    if len(lines) != items:
        raise RuntimeError(f"set-up claimed {len(lines)} of {items} items")
    with JsonLinesWriter() as manifest:
        for line in lines:
            manifest.write(line)
        uri = manifest.upload(
            stack.client("s3"), S3Location(stack.output_bucket, f"batches/{batch_id}/input.manifest"), None
        )
    ledger.commit_batch(claim, uri, items)
    return lines


def _output_manifest(deployment: Deployment, lines: list[dict[str, str]], job: str) -> str:
    """What Ground Truth writes when every item got a label: the input line plus the label fields."""
    stack = deployment.stack
    with JsonLinesWriter() as output:
        for line in lines:
            output.write(
                {**line, **labeled_fields(TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION, "label", job, line)}
            )
        location = S3Location(stack.output_bucket, f"jobs/{job}/manifests/output/output.manifest")
        return output.upload(stack.client("s3"), location, None)


def write_labels(
    deployment: Deployment, variant: str, items: int, concurrency: int, round_trip_ms: float = 0.0
) -> WriteRun:
    ledger_table = deployment.new_ledger(variant)
    try:
        batch_id = f"write-{variant}-{uuid.uuid4().hex[:6]}"
        job = f"{deployment.stack.name}-{batch_id}"
        lines = _claimed_batch(deployment, ledger_table, items, batch_id)
        output_uri = _output_manifest(deployment, lines, job)
        puts_before = len(deployment.stack.puts())
        use_config(deployment.variant(ledger_table=ledger_table, feature_store_concurrency=concurrency))
        if round_trip_ms:
            for client in handler_clients():
                add_round_trip(client, round_trip_ms / 1000)
        run = execution(batch_id)
        started = time.perf_counter()
        collected = handlers.collect_results(
            {"run": run, "job": {"stage": "labeling", "job_name": job, "output_manifest_uri": output_uri}},
            FakeLambdaContext(f"{deployment.stack.name}-collect-results"),
        )
        collect_seconds = time.perf_counter() - started
        chunk_seconds, written = [], 0
        for chunk in collected["chunks"]:
            started = time.perf_counter()
            summary = handlers.write_features(
                {"run": run, "chunk_uri": chunk},
                FakeLambdaContext(f"{deployment.stack.name}-write-features"),
            )
            chunk_seconds.append(time.perf_counter() - started)
            written += int(summary["written"])
        return WriteRun(
            variant=variant,
            items=items,
            concurrency=concurrency,
            round_trip_ms=round_trip_ms,
            collect_seconds=collect_seconds,
            chunk_seconds=chunk_seconds,
            written=written,
            chunk_uris=list(collected["chunks"]),
            puts=len(deployment.stack.puts()) - puts_before,
        )
    finally:
        deployment.drop_ledger(ledger_table)


def _module_timeouts() -> dict[str, int]:
    """Each function's timeout as modules/labeling_pipeline/lambda.tf sets it."""
    text = (MODULE / "lambda.tf").read_text(encoding="utf-8")
    found = re.findall(r'"([a-z-]+)"\s*=\s*\{[^}]*?timeout\s*=\s*(\d+)', text)
    return {name: int(seconds) for name, seconds in found}


def _map_max_concurrency() -> int:
    arns = {name: f"arn:aws:lambda:us-east-1:123456789012:function:{name}" for name in _FUNCTIONS}
    definition = json.loads(state_machine_definition(arns, verification=False, timeout_seconds=1))
    for state in _all_states(definition):
        if state.get("Type") == "Map":
            return int(state.get("MaxConcurrency", 0))
    raise RuntimeError("the state machine has no Map state")


_FUNCTIONS = ("claim_batch", "start_job", "check_job", "collect_results", "write_features", "return_items")


def _all_states(definition: dict[str, Any]) -> list[dict[str, Any]]:
    states: list[dict[str, Any]] = []
    for state in definition.get("States", {}).values():
        states.append(state)
        for nested in (state.get("ItemProcessor"), state.get("Iterator"), *state.get("Branches", [])):
            if isinstance(nested, dict):
                states += _all_states(nested)
    return states


def scale_plan(ours: WriteRun, target_items: int = 100_000) -> dict[str, Any]:
    """How ``target_items`` labels are written without any invocation nearing Lambda's 15 minutes,
    projected from the measured per-chunk and per-item times of ``ours``."""
    timeouts = _module_timeouts()
    chunks = math.ceil(target_items / CHUNK_SIZE)
    concurrency = _map_max_concurrency()
    chunk_max = max(ours.chunk_seconds)
    chunk_mean = statistics.mean(ours.chunk_seconds)
    collect_projected = ours.collect_seconds * target_items / ours.items
    uri_bytes = max(len(json.dumps(uri)) + 1 for uri in ours.chunk_uris)
    return {
        "items": target_items,
        "chunk_size": CHUNK_SIZE,
        "write_features_invocations": chunks,
        "map_max_concurrency": concurrency,
        "measured_chunk_seconds_mean": round(chunk_mean, 2),
        "measured_chunk_seconds_max": round(chunk_max, 2),
        "longest_write_features_invocation_seconds": round(chunk_max, 2),
        "write_features_timeout_seconds": timeouts.get("write-features"),
        "projected_write_seconds": round(math.ceil(chunks / concurrency) * chunk_mean, 1),
        "projected_collect_results_seconds": round(collect_projected, 1),
        "collect_results_timeout_seconds": timeouts.get("collect-results"),
        "chunk_list_bytes_in_state": chunks * uri_bytes,
        "state_payload_limit_bytes": STATE_PAYLOAD_LIMIT_BYTES,
    }
