"""Writing labels to the Feature Store: N labeled items from a job's output manifest, ours against a
sequential writer.

Both go through the real handlers, called in-process with boto3 pointed at the emulator:
``collect_results`` splits the output manifest into chunk files of ``CHUNK_SIZE`` accepted labels, then
``write_features`` runs once per chunk, as the state machine's Map state does (one invocation per chunk).
*Ours* is configured as the module deploys it (``feature_store_concurrency`` 16: a bounded pool of
PutRecord calls, then the ledger updates of the written records, 100 per DynamoDB transaction); the
*sequential* writer is the same code with a pool of one, i.e. one PutRecord after the other. Requests per
record count every request write_features sends (PutRecord, the ledger's reads and transactions).

Each run gets its own batch of N items claimed in a fresh ledger table (set-up, not measured) and its own
output manifest, so neither run finds the other's records already written.

Records per second count the ``write_features`` invocations only (``collect_results`` is timed apart).
While they run, the CPU time of this process (the writer: botocore, the handler) and of the emulator
process (moto serving every call) is read from the OS, per record. A writer cannot go faster than its
CPU allows: concurrency overlaps waiting (the network round trip), not computing. So the most a pool
can gain over the sequential writer on this machine is bounded by the sequential time per record over
the larger of the emulator's CPU per record (one Python process: it computes on one core at a time)
and the total CPU per record spread over the cores; that bound is reported next to the measured ratio.

The simulated round trip (``--round-trip-ms``) models the network between a Lambda function and the
AWS endpoints, which the emulator on the loopback lacks: every HTTP request of the handlers' clients
sleeps that long before it is sent (a botocore ``before-send`` hook), whichever writer makes it, so
both writers pay exactly the same delay per request and only concurrency can overlap it.
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import time
import uuid
from dataclasses import dataclass
from typing import Any

from bench.common import add_round_trip, execution, lambda_context
from bench.deployment import Deployment, handler_clients, use_config
from labeling_pipeline import handlers
from labeling_pipeline.chunks import CHUNK_SIZE
from labeling_pipeline.config import TaskType
from labeling_pipeline.jsonlines import JsonLinesWriter, S3Location
from labeling_pipeline.ledger import Claim, Claimed, Ledger
from labeling_pipeline.manifests import manifest_line
from labeling_pipeline.model import Candidate, SourceObject
from tests.pipeline.labelers import labeled_fields
from tests.pipeline.stack import MODULE, state_machine_definition

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
    requests: int = 0
    writer_cpu_seconds: float = 0.0
    emulator_cpu_seconds: float | None = None

    @property
    def write_seconds(self) -> float:
        return sum(self.chunk_seconds)

    @property
    def records_per_second(self) -> float:
        return self.written / self.write_seconds if self.write_seconds else 0.0

    def per_record_ms(self, seconds: float | None) -> float | None:
        return None if seconds is None or not self.written else 1000 * seconds / self.written

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
            "requests": self.requests,
            "requests_per_record": round(self.requests / self.written, 4) if self.written else None,
            "records_per_second": round(self.records_per_second, 1),
            "wall_ms_per_record": _rounded(self.per_record_ms(self.write_seconds)),
            "writer_cpu_ms_per_record": _rounded(self.per_record_ms(self.writer_cpu_seconds)),
            "emulator_cpu_ms_per_record": _rounded(self.per_record_ms(self.emulator_cpu_seconds)),
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def emulator_pid(url: str) -> int | None:
    """The process of the emulator serving ``url`` (its command line names ``emulator.server`` and the
    port), or None where /proc cannot tell (not Linux, or not a local emulator)."""
    port = url.rstrip("/").rsplit(":", 1)[-1]
    proc = "/proc"
    try:
        entries = os.listdir(proc)
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(os.path.join(proc, entry, "cmdline"), "rb") as cmdline:
                arguments = cmdline.read().split(b"\0")
        except OSError:
            continue
        if b"emulator.server" in arguments and port.encode() in arguments:
            return int(entry)
    return None


def process_cpu_seconds(pid: int | None) -> float | None:
    """User plus system CPU time of a process so far (from /proc/<pid>/stat), or None."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def speedup_bound(ours: WriteRun, sequential: WriteRun, cores: float) -> float | None:
    """The most a pool could gain over ``sequential`` with ``cores`` cores, from the CPU ``ours`` used.

    A pool overlaps waiting, not computing: its time per record cannot drop below the emulator's CPU per
    record (one process, one core at a time) nor below the total CPU per record spread over the cores.
    """
    if ours.emulator_cpu_seconds is None or not ours.written or not sequential.written:
        return None
    emulator = ours.emulator_cpu_seconds / ours.written
    total = emulator + ours.writer_cpu_seconds / ours.written
    floor = max(emulator, total / max(1.0, cores))
    return (sequential.write_seconds / sequential.written) / floor if floor else None


def cores_used(run: WriteRun) -> float | None:
    """How many cores the writer and the emulator kept busy together while ``run`` wrote."""
    if run.emulator_cpu_seconds is None or not run.write_seconds:
        return None
    return (run.writer_cpu_seconds + run.emulator_cpu_seconds) / run.write_seconds


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
    outcomes = ledger.claim_new_many(candidates, claim)
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
        counter = use_config(
            deployment.variant(ledger_table=ledger_table, feature_store_concurrency=concurrency)
        )
        if round_trip_ms:
            for client in handler_clients():
                add_round_trip(client, round_trip_ms / 1000)
        run = execution(batch_id)
        server = emulator_pid(deployment.stack.url)
        started = time.perf_counter()
        collected = handlers.collect_results(
            {"run": run, "job": {"stage": "labeling", "job_name": job, "output_manifest_uri": output_uri}},
            lambda_context(f"{deployment.stack.name}-collect-results"),
        )
        collect_seconds = time.perf_counter() - started
        chunk_seconds, written = [], 0
        requests_before = sum(counter.requests.values())
        writer_cpu = 0.0
        emulator_cpu: float | None = None if process_cpu_seconds(server) is None else 0.0
        for chunk in collected["chunks"]:
            cpu_before = time.process_time()
            emulator_before = process_cpu_seconds(server)
            started = time.perf_counter()
            summary = handlers.write_features(
                {"run": run, "chunk_uri": chunk},
                lambda_context(f"{deployment.stack.name}-write-features"),
            )
            chunk_seconds.append(time.perf_counter() - started)
            writer_cpu += time.process_time() - cpu_before
            emulator_after = process_cpu_seconds(server)
            if emulator_cpu is not None and emulator_before is not None and emulator_after is not None:
                emulator_cpu += emulator_after - emulator_before
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
            requests=sum(counter.requests.values()) - requests_before,
            writer_cpu_seconds=writer_cpu,
            emulator_cpu_seconds=emulator_cpu,
        )
    finally:
        deployment.drop_ledger(ledger_table)


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def cpu_summary(ours: WriteRun, sequential: WriteRun) -> dict[str, Any]:
    """CPU per record of both writers, and the speed-up that CPU allows: on this machine's cores when
    idle, and on the cores the pool actually got (other processes share them)."""
    cores = usable_cores()
    got = cores_used(ours)
    measured = (
        ours.records_per_second / sequential.records_per_second if sequential.records_per_second else None
    )
    return {
        "cores": cores,
        "cores_used_by_ours": _rounded(got),
        "round_trip_ms": ours.round_trip_ms,
        "writer_cpu_ms_per_record": {
            "ours": _rounded(ours.per_record_ms(ours.writer_cpu_seconds)),
            "sequential": _rounded(sequential.per_record_ms(sequential.writer_cpu_seconds)),
        },
        "emulator_cpu_ms_per_record": {
            "ours": _rounded(ours.per_record_ms(ours.emulator_cpu_seconds)),
            "sequential": _rounded(sequential.per_record_ms(sequential.emulator_cpu_seconds)),
        },
        "sequential_wall_ms_per_record": _rounded(sequential.per_record_ms(sequential.write_seconds)),
        "speedup_measured": _rounded(measured),
        "speedup_bound_idle_cores": _rounded(speedup_bound(ours, sequential, cores)),
        "speedup_bound_cores_used": _rounded(None if got is None else speedup_bound(ours, sequential, got)),
    }


def cpu_note(ours: WriteRun, sequential: WriteRun) -> str:
    """One line for the table: why the ratio is what it is on this machine."""
    summary = cpu_summary(ours, sequential)
    writer, emulator = summary["writer_cpu_ms_per_record"], summary["emulator_cpu_ms_per_record"]
    if summary["speedup_bound_idle_cores"] is None:
        return f"writer CPU {writer['ours']} ms/record; the emulator's CPU is not readable here"
    return (
        f"pool CPU per record: writer {writer['ours']} ms + emulator {emulator['ours']} ms (one process); "
        f"sequential {summary['sequential_wall_ms_per_record']} ms/record: at most "
        f"x{summary['speedup_bound_idle_cores']:.1f} on {summary['cores']} idle cores, "
        f"x{summary['speedup_bound_cores_used']:.1f} on the {summary['cores_used_by_ours']:.2f} cores it got"
    )


def scale_note(plan: dict[str, Any]) -> str:
    """One line for the table: the 100,000-item figures, saying which are extrapolated."""
    return (
        f"{plan['items']:,} items = {plan['write_features_invocations']} invocations of <= "
        f"{plan['chunk_size']} records (computed), Map MaxConcurrency {plan['map_max_concurrency']}; "
        f"extrapolated from the {plan['measured_invocations']} invocation(s) measured at "
        f"{plan['measured_items']:,}: ~{plan['projected_write_seconds']:.0f} s of writing, collect_results "
        f"~{plan['projected_collect_results_seconds']:.0f} s; chunk list "
        f"{plan['chunk_list_bytes_in_state'] / 1024:.0f} KiB of the 256 KiB state limit"
    )


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
    """How ``target_items`` labels are written without any invocation nearing Lambda's 15 minutes.

    Nothing here runs ``target_items``: the chunk size, the number of invocations, the Map state's
    concurrency and the state payload are computed from the code and the module; the times are
    extrapolated from what ``ours`` measured (every chunk holds at most ``CHUNK_SIZE`` records, so the
    longest invocation does not grow with the number of items; the total grows with the rounds of the
    Map state; ``collect_results`` streams the manifest, so it grows linearly). ``basis`` says which is
    which.
    """
    timeouts = _module_timeouts()
    chunks = math.ceil(target_items / CHUNK_SIZE)
    concurrency = _map_max_concurrency()
    chunk_max = max(ours.chunk_seconds)
    chunk_mean = statistics.mean(ours.chunk_seconds)
    collect_projected = ours.collect_seconds * target_items / ours.items
    uri_bytes = max(len(json.dumps(uri)) + 1 for uri in ours.chunk_uris)
    return {
        "items": target_items,
        "measured_items": ours.items,
        "measured_invocations": len(ours.chunk_seconds),
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
        "basis": {
            "measured": (
                f"measured_* and longest_write_features_invocation_seconds: the {len(ours.chunk_seconds)} "
                f"write_features invocations of the {ours.items:,}-label run on the emulator"
            ),
            "computed": (
                "chunk_size, write_features_invocations, map_max_concurrency, *_timeout_seconds, "
                "chunk_list_bytes_in_state: from the handler code, the state machine and the module"
            ),
            "extrapolated": (
                f"projected_write_seconds = ceil({chunks} invocations / MaxConcurrency {concurrency}) x the "
                f"measured mean chunk time; projected_collect_results_seconds = the measured collect_results "
                f"time x {target_items:,} / {ours.items:,}; not run at {target_items:,} items"
            ),
        },
    }
