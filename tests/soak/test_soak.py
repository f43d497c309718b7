"""Soak test: many scheduled executions in a row against the emulator while uploads keep arriving, with
faults injected at random, reproducibly from a seed; the pipeline's invariants are checked after every
execution.

Per execution a seeded ``random.Random`` draws: new uploads (some during the execution), with labeler hints
that make some items unlabeled or rejected in review, new versions of earlier keys and zero-byte uploads;
duplicate deliveries of queued messages; a Lambda function crashing before or after its work (1-3 times in
a row, so sometimes beyond the state machine's retries); a labeling or review job that fails or labels
nothing; Feature Store throttling; and two executions overlapping. Timing (when an upload lands relative to
a claim) is not reproducible; what is drawn is.

Invariants, after every execution (nothing running):

* every upload is in exactly one place: still queued (no ledger row yet, or RETURNED with its retry message
  queued), in a job (CLAIMED — after an execution ended only by a committed batch registered for the next
  execution's sweep), in the Feature Store (LABELED), or in the DLQ with its reasons (DEAD, or never an
  item: a zero-byte upload);
* no Feature Store record is written twice for the same object version, and a put exists exactly for the
  LABELED items;
* an item reaches the DLQ only after ``max_attempts`` attempts, with one reason per attempt.

Then, with faults off and no more uploads, executions run until nothing is left to do, and every upload
must be labeled once or dead-lettered, with empty queues.

Size: ``SOAK_EXECUTIONS`` (default 4) executions, seed ``SOAK_SEED``; the summary is printed (``-s``).
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from labeling_pipeline.config import TaskType
from labeling_pipeline.ledger import BatchState, ItemState, Ledger, LedgerItem
from labeling_pipeline.model import SourceObject, item_id
from tests.pipeline.stack import FUNCTIONS, ExecutionResult, PipelineStack, StackSettings, Upload, png

SEED = int(os.environ.get("SOAK_SEED", "20260805"))
EXECUTIONS = int(os.environ.get("SOAK_EXECUTIONS", "4"))
MAX_ATTEMPTS = 3
SETTLE_EXECUTIONS = MAX_ATTEMPTS + 3
QUEUE_WAIT_SECONDS = 20.0


@dataclass(frozen=True)
class Tracked:
    """An upload and what the simulated labelers will do with it."""

    upload: Upload
    hint: str  # "label", "reject" (fails review), "unlabeled" (no label), "zero-byte" (never an item)
    item_id: str | None  # None for uploads that can never become an item


@dataclass
class FaultPlan:
    crash: tuple[str, bool, int] | None = None  # function, after its work, times in a row
    job: str | None = None  # "failed" | "zero_labeled"
    throttles: int = 0
    duplicates: int = 0
    overlap: bool = False
    uploads_before: list[str] = field(default_factory=list)
    uploads_during: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = []
        if self.crash:
            function, after, count = self.crash
            parts.append(f"{function} crashes {'after' if after else 'before'} its work x{count}")
        if self.job:
            parts.append(f"a job ends {self.job}")
        if self.throttles:
            parts.append(f"{self.throttles} throttled puts")
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicate deliveries")
        if self.overlap:
            parts.append("two executions overlap")
        return ", ".join(parts) or "no faults"


@dataclass
class Observed:
    """Everything the invariants look at, read when no execution runs."""

    items: dict[str, LedgerItem]
    puts: list[dict[str, str]]
    dead_letters: list[dict[str, Any]]
    open_batches: list[str]
    queued: int


class Soak:
    def __init__(self, emulator: Any, stack: PipelineStack, rng: random.Random) -> None:
        self.emulator = emulator
        self.stack = stack
        self.rng = rng
        self.tracked: list[Tracked] = []
        self.dead_letters: list[dict[str, Any]] = []
        self.faults_fired: Counter[str] = Counter()
        self.executions: list[ExecutionResult] = []
        self.duplicates = 0
        self.overlaps = 0
        self._keys = 0
        self._armed: dict[str, tuple[str, int]] = {}

    # --- what happens ---------------------------------------------------------------------------

    def draw(self) -> FaultPlan:
        rng = self.rng
        plan = FaultPlan()
        if rng.random() < 0.4:
            plan.crash = (rng.choice(FUNCTIONS), rng.random() < 0.5, rng.choice((1, 2, 3)))
        if rng.random() < 0.3:
            plan.job = rng.choice(("failed", "zero_labeled"))
        if rng.random() < 0.3:
            plan.throttles = rng.randint(1, 6)
        if rng.random() < 0.4:
            plan.duplicates = rng.randint(1, 3)
        plan.overlap = rng.random() < 0.25
        plan.uploads_before = [self._draw_upload() for _ in range(rng.randint(1, 5))]
        plan.uploads_during = [self._draw_upload() for _ in range(rng.randint(0, 3))]
        return plan

    def _draw_upload(self) -> str:
        roll = self.rng.random()
        if roll < 0.12:
            return "reject"
        if roll < 0.22:
            return "unlabeled"
        if roll < 0.26:
            return "zero-byte"
        if roll < 0.36 and self._keys:
            return "new-version"
        return "label"

    def upload(self, kind: str) -> None:
        hint = kind
        if kind == "new-version":
            key = f"soak/img {self.rng.randrange(self._keys):04d}+v.png"
            hint = "label"
        else:
            key = f"soak/img {self._keys:04d}+v.png"
            self._keys += 1
        if kind == "zero-byte":
            upload = self.stack.upload(key.replace(".png", " empty.png"), b"")
            self.tracked.append(Tracked(upload, hint, None))
            return
        tags = {"label": self.rng.choice(("cat", "dog"))}
        if hint in ("reject", "unlabeled"):
            tags["outcome"] = hint
        upload = self.stack.upload(key, png(8, 8), tags=tags)
        self.tracked.append(Tracked(upload, hint, self.stack.item_id(upload)))

    def duplicate_deliveries(self, count: int) -> None:
        """Deliver queued messages a second time (SQS and EventBridge deliver at least once)."""
        sqs = self.stack.client("sqs")
        for _ in range(count):
            received = sqs.receive_message(
                QueueUrl=self.stack.queue_url, MaxNumberOfMessages=1, VisibilityTimeout=0
            )
            for message in received.get("Messages", []):
                sqs.send_message(QueueUrl=self.stack.queue_url, MessageBody=message["Body"])
                self.duplicates += 1

    def arm(self, plan: FaultPlan) -> None:
        stack = self.stack
        self.emulator.clear_faults()
        self._armed = {}
        if plan.crash:
            function, after, count = plan.crash
            armed = stack.function_fault(function, count=count, after=after)
            self._armed[armed["id"]] = (f"{function} crash {'after' if after else 'before'} its work", count)
        if plan.job:
            armed = stack.job_fault(count=1, mode=plan.job, delay_seconds=0, failure_reason="soak: injected")
            self._armed[armed["id"]] = (f"job {plan.job}", 1)
        # Every other job of this stack completes at once (count null: until cleared).
        stack.arm_fault("labeling_job", match={"job_name": f"{stack.name}-*"}, count=None, delay_seconds=0)
        if plan.throttles:
            armed = stack.arm_fault(
                "featurestore_put", match={"feature_group": stack.feature_group}, count=plan.throttles
            )
            self._armed[armed["id"]] = ("Feature Store throttled put", plan.throttles)

    def disarm(self) -> None:
        """Count the armed faults that fired (a spent fault leaves the list), then clear every fault."""
        remaining = {fault["id"]: int(fault["remaining"] or 0) for fault in self.emulator.faults()}
        for fault_id, (label, count) in self._armed.items():
            self.faults_fired[label] += count - remaining.get(fault_id, 0)
        self.emulator.clear_faults()

    def execute(self, plan: FaultPlan) -> list[ExecutionResult]:
        for kind in plan.uploads_before:
            self.upload(kind)
        self.wait_for_events()
        self.duplicate_deliveries(plan.duplicates)
        self.arm(plan)
        starts = [self.stack.start() for _ in range(2 if plan.overlap else 1)]
        self.overlaps += plan.overlap
        uploader = threading.Thread(target=self._upload_during, args=(plan.uploads_during,))
        uploader.start()
        results = [self.stack.wait(arn, timeout=900) for arn in starts]
        uploader.join()
        self.disarm()
        self.executions += results
        return results

    def _upload_during(self, kinds: list[str]) -> None:
        for kind in kinds:
            time.sleep(0.5)
            self.upload(kind)

    # --- what is observed -----------------------------------------------------------------------

    def pending_minimum(self, items: dict[str, LedgerItem]) -> int:
        """Messages that must be on the upload queue: one per upload not yet claimed or dead-lettered, and
        one per RETURNED item (duplicates may add more)."""
        dead_sources = {self._source_key(m) for m in self.dead_letters if "item_id" not in m}
        count = 0
        for tracked in self.tracked:
            if tracked.item_id is None:
                count += (tracked.upload.key, tracked.upload.version_id) not in dead_sources
            elif tracked.item_id not in items or items[tracked.item_id].state is ItemState.RETURNED:
                count += 1
        return count

    @staticmethod
    def _source_key(message: dict[str, Any]) -> tuple[str, str]:
        source = message.get("source") or {}
        return str(source.get("key")), str(source.get("version_id"))

    def wait_for_events(self) -> None:
        """EventBridge delivers after each upload completes: wait until the queue has caught up."""
        items = {i.item_id: i for i in self.stack.ledger_items()}
        needed = self.pending_minimum(items)
        deadline = time.monotonic() + QUEUE_WAIT_SECONDS
        while sum(self.stack.queue_counts()) < needed and time.monotonic() < deadline:
            time.sleep(0.2)

    def observe(self) -> Observed:
        self.wait_for_events()
        self.dead_letters += self.stack.drain_dlq()
        ledger = Ledger(self.stack.client("dynamodb"), self.stack.ledger_table)
        return Observed(
            items={i.item_id: i for i in self.stack.ledger_items()},
            puts=self.stack.puts(),
            dead_letters=list(self.dead_letters),
            open_batches=ledger.open_batches(),
            queued=sum(self.stack.queue_counts()),
        )

    # --- invariants -----------------------------------------------------------------------------

    def check(self, when: str, *, settled: bool = False) -> Observed:
        seen = self.observe()
        ledger = Ledger(self.stack.client("dynamodb"), self.stack.ledger_table)
        problems: list[str] = []
        put_versions = Counter(_put_item(put) for put in seen.puts)
        twice = {item: n for item, n in put_versions.items() if n > 1}
        if twice:
            problems.append(f"Feature Store records written more than once for one object version: {twice}")
        dead = Counter(str(m["item_id"]) for m in seen.dead_letters if m.get("item_id"))
        for message in seen.dead_letters:
            reasons = message.get("reasons")
            if not reasons or not all(isinstance(r, str) and r.strip() for r in reasons):
                problems.append(f"dead letter without reasons: {message}")
        tracked_items = {t.item_id for t in self.tracked if t.item_id}
        strangers = set(seen.items) - tracked_items
        if strangers:
            problems.append(f"ledger items for no upload: {sorted(strangers)[:5]}")
        for tracked in self.tracked:
            problems += self._check_upload(
                tracked, seen=seen, puts=put_versions, dead=dead, ledger=ledger, settled=settled
            )
        minimum = self.pending_minimum(seen.items)
        if seen.queued < minimum:
            problems.append(
                f"the upload queue holds {seen.queued} messages, fewer than the {minimum} still queued"
            )
        if settled and seen.queued:
            problems.append(f"{seen.queued} messages left on the upload queue after settling")
        assert not problems, f"after {when}:\n" + "\n".join(problems)
        return seen

    def _check_upload(
        self,
        tracked: Tracked,
        *,
        seen: Observed,
        puts: Counter[str],
        dead: Counter[str],
        ledger: Ledger,
        settled: bool,
    ) -> list[str]:
        upload = tracked.upload
        name = f"{upload.key!r} ({upload.version_id}, {tracked.hint})"
        if tracked.item_id is None:
            letters = [m for m in seen.dead_letters if self._source_key(m) == (upload.key, upload.version_id)]
            if len(letters) > 1 or (settled and not letters):
                return [f"{name}: {len(letters)} dead letters for a zero-byte upload"]
            if letters and "zero-byte object" not in letters[0]["reasons"]:
                return [f"{name}: dead-lettered for {letters[0]['reasons']}"]
            return []
        item = seen.items.get(tracked.item_id)
        written, lettered = puts[tracked.item_id], dead[tracked.item_id]
        state = item.state if item else None
        places = {
            ItemState.LABELED: written == 1 and lettered == 0,
            ItemState.DEAD: written == 0 and lettered == 1,
            ItemState.RETURNED: written == 0 and lettered == 0,
            ItemState.CLAIMED: written == 0 and lettered == 0,
            None: written == 0 and lettered == 0,
        }
        problems = []
        if not places[state]:
            problems.append(f"{name}: ledger {state}, {written} Feature Store puts, {lettered} dead letters")
        if item is not None and item.state is ItemState.DEAD:
            letter = next(m for m in seen.dead_letters if m.get("item_id") == tracked.item_id)
            if item.attempts != MAX_ATTEMPTS or letter.get("attempts") != MAX_ATTEMPTS:
                problems.append(f"{name}: dead after {item.attempts} attempts (max_attempts {MAX_ATTEMPTS})")
            if len(letter["reasons"]) != MAX_ATTEMPTS:
                problems.append(f"{name}: {len(letter['reasons'])} reasons for {MAX_ATTEMPTS} attempts")
        if item is not None and item.state is ItemState.RETURNED and not 0 < item.attempts < MAX_ATTEMPTS:
            problems.append(f"{name}: returned with {item.attempts} attempts")
        if item is not None and item.state is ItemState.CLAIMED:
            batch = ledger.get_batch(item.batch_id or "")
            registered = batch is not None and batch.execution_arn in seen.open_batches
            if settled or batch is None or batch.state is not BatchState.COMMITTED or not registered:
                state_text = batch.state.value if batch else "missing"
                problems.append(
                    f"{name}: still claimed by batch {item.batch_id} ({state_text}, registered for the "
                    f"sweep: {registered}) although no execution runs"
                )
        if settled and (item is None or item.state not in (ItemState.LABELED, ItemState.DEAD)):
            problems.append(f"{name}: {state} after settling, neither labeled nor dead-lettered")
        return problems

    def summary(self, seconds: float) -> dict[str, Any]:
        states = Counter(
            i.state.value
            for i in Ledger(self.stack.client("dynamodb"), self.stack.ledger_table)
            .get_items(t.item_id for t in self.tracked if t.item_id)
            .values()
        )
        return {
            "seed": SEED,
            "executions": len(self.executions),
            "outcomes": dict(
                Counter(r.status if r.status != "FAILED" else f"FAILED:{r.error}" for r in self.executions)
            ),
            "uploads": len(self.tracked),
            "zero_byte_uploads": sum(t.item_id is None for t in self.tracked),
            "items": dict(states),
            "faults_fired": dict(self.faults_fired),
            "duplicate_deliveries": self.duplicates,
            "overlapping_pairs": self.overlaps,
            "seconds": round(seconds, 1),
        }


def _put_item(put: dict[str, str]) -> str:
    bucket, key = put["source_ref"][len("s3://") :].split("/", 1)
    return item_id(SourceObject(bucket, key, put["source_version"]))


@pytest.fixture
def soak(emulator: Any) -> Iterator[Soak]:
    settings = StackSettings(
        TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION,
        verification=True,
        max_attempts=MAX_ATTEMPTS,
        min_wait_seconds=1,
        max_wait_seconds=2,
    )
    stack = PipelineStack.deploy(emulator.url, settings)
    runner = Soak(emulator, stack, random.Random(SEED))
    try:
        yield runner
    finally:
        emulator.clear_faults()


def test_nothing_is_lost_or_written_twice_across_many_faulty_executions(soak: Soak) -> None:
    started = time.monotonic()
    # Given a pipeline with review, and uploads arriving before and during every execution
    for number in range(1, EXECUTIONS + 1):
        plan = soak.draw()
        # When an execution runs with the faults drawn for it
        results = soak.execute(plan)
        # Then every invariant holds once it (and any overlapping one) has ended
        assert all(r.status in ("SUCCEEDED", "FAILED") for r in results), [
            (r.status, r.cause) for r in results
        ]
        soak.check(f"execution {number} ({plan.describe()}): {[r.status for r in results]}")
    # And once faults stop and nothing more is uploaded, executions settle every upload
    for _ in range(SETTLE_EXECUTIONS):
        seen = soak.observe()
        if seen.queued == 0 and not seen.open_batches:
            break
        soak.executions.append(soak.stack.run(timeout=900))
    soak.check("settling", settled=True)
    summary = soak.summary(time.monotonic() - started)
    print("soak summary:", json.dumps(summary, sort_keys=True))
    assert summary["items"].get(ItemState.LABELED.value, 0) > 0
