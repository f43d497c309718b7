"""Sending dead-lettered items back to the upload queue.

Per dead letter, in this order: the ledger notes the redrive (fresh attempt budget, when, why, from
which message) and marks the row pending; the message goes to the upload queue; the ledger replaces
the mark by "sent"; the dead letter is deleted. A run stopped anywhere leaves each dead letter on the
DLQ until its copy is sent, so nothing is lost, and a rerun resumes from the marks:

- "sent" for this dead letter: the copy is queued; only the delete is left;
- pending for this dead letter: the run stopped between the ledger's note and its "sent", and SQS may
  or may not have the copy: it is sent (again). Only a stop in the instant between SQS accepting a
  batch and the ledger's "sent" leaves two copies, and the pipeline claims a redriven item only while
  its row is DEAD, so the second copy is dropped there as a duplicate;
- a row that is no longer DEAD: the item is back in the pipeline already; its dead letter is left.

With no filter the whole queue goes back, and SQS's own message-move task does the moving (server-side,
at SQS's pace): the ledger notes every item first, then the task starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from labeling_cli.pipeline.dead_letters import SQS_BATCH, DeadLetter, release
from labeling_cli.pipeline.ledger import DEAD, RedriveLedger
from labeling_cli.pipeline.pipelines import Queues


class Method(StrEnum):
    MOVE_TASK = "SQS message-move task"
    SEND_AND_DELETE = "send, then delete"


class Outcome(StrEnum):
    REDRIVEN = "redriven"
    PLANNED = "planned"
    SKIPPED = "skipped"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted"


@dataclass(frozen=True)
class Filter:
    reason_contains: str | None = None
    keys: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return self.reason_contains is None and not self.keys

    def describe(self) -> str:
        if self.reason_contains is not None:
            return f"reasons containing {self.reason_contains!r}"
        if self.keys:
            return "keys " + ", ".join(self.keys)
        return "every dead-lettered item"


@dataclass(frozen=True)
class Result:
    letter: DeadLetter
    outcome: Outcome
    detail: str = ""


@dataclass
class PipelineRedrive:
    pipeline: str
    method: Method
    results: list[Result] = field(default_factory=list)
    task_handle: str | None = None


def running_move_task(sqs: Any, queues: Queues) -> str | None:
    """The handle of a message-move task still running on the DLQ (one per queue at a time)."""
    tasks = sqs.list_message_move_tasks(SourceArn=queues.dead_letter_arn, MaxResults=10).get("Results", [])
    return next((t.get("TaskHandle") for t in tasks if t.get("Status") == "RUNNING"), None)


Batch = Sequence["Classified"]


class Step(StrEnum):
    """What a held dead letter still needs, from its ledger row."""

    NOTE_AND_SEND = "note and send"
    SEND = "send"  # an interrupted run noted it, and may or may not have sent it
    DELETE = "delete"  # an interrupted run sent it


@dataclass(frozen=True)
class Classified:
    letter: DeadLetter
    step: Step | None  # None: leave it, `result` says why
    result: Result | None = None
    previous_attempts: int = 0


def classify(ledger: RedriveLedger, letter: DeadLetter) -> Classified:
    """What is left to do for `letter`, read from the ledger (nothing is written)."""
    if letter.item_id is None:
        return Classified(letter, Step.SEND)  # no ledger row: the pipeline reads the upload again
    row = ledger.row(letter.item_id)
    if row is None:
        detail = "the ledger has no row for this item (expired?): upload the object again"
        return Classified(letter, None, Result(letter, Outcome.FAILED, detail))
    if row.redriven_by_message == letter.message_id:
        return Classified(letter, Step.DELETE)
    if row.redrive_pending == letter.message_id:
        return Classified(letter, Step.SEND)
    if row.state != DEAD:
        detail = f"the ledger has it as {row.state}: it is back in the pipeline; its dead letter stays"
        return Classified(letter, None, Result(letter, Outcome.SKIPPED, detail))
    return Classified(letter, Step.NOTE_AND_SEND, previous_attempts=row.attempts)


def choose_method(chosen: Filter, work: Sequence[Classified]) -> Method:
    """The move task fits a request for everything, when every item simply goes back once."""
    if chosen.everything and all(c.step in (Step.NOTE_AND_SEND, Step.SEND) for c in work):
        return Method.MOVE_TASK
    return Method.SEND_AND_DELETE


def plan(pipeline: str, method: Method, work: Sequence[Classified]) -> PipelineRedrive:
    return PipelineRedrive(
        pipeline, method, [c.result or Result(c.letter, Outcome.PLANNED, c.step or "") for c in work]
    )


def _note(ledger: RedriveLedger, work: Classified, why: str, method: Method) -> Result | None:
    """The ledger's note of the redrive; a Result if the row moved on meanwhile."""
    letter = work.letter
    if work.step is not Step.NOTE_AND_SEND or letter.item_id is None:
        return None
    noted = ledger.note_redrive(
        letter.item_id,
        message_id=letter.message_id,
        why=why,
        method=method.value,
        previous=work.previous_attempts,
        pending=method is Method.SEND_AND_DELETE,
    )
    return None if noted else Result(letter, Outcome.SKIPPED, "the item left DEAD while redriving")


@dataclass(frozen=True)
class Target:
    """One pipeline's queues and ledger, and the messages this run holds on its DLQ."""

    sqs: Any
    queues: Queues
    ledger: RedriveLedger
    held: list[DeadLetter]


def by_move_task(target: Target, work: Sequence[Classified], why: str) -> PipelineRedrive:
    """Notes every item in the ledger, lets the messages go, and starts SQS's move task."""
    run = PipelineRedrive("", Method.MOVE_TASK)
    for item in work:
        noted = _note(target.ledger, item, why, Method.MOVE_TASK)
        run.results.append(noted or Result(item.letter, Outcome.REDRIVEN))
    release(target.sqs, target.queues.dead_letter_url, target.held)
    target.held.clear()
    run.task_handle = target.sqs.start_message_move_task(
        SourceArn=target.queues.dead_letter_arn, DestinationArn=target.queues.upload_arn
    )["TaskHandle"]
    return run


class Interrupted(Exception):
    """Ctrl-C during a redrive; carries what was done."""

    def __init__(self, run: PipelineRedrive) -> None:
        super().__init__("interrupted")
        self.run = run


def by_send_and_delete(
    target: Target, work: Sequence[Classified], why: str, track: Callable[[Sequence[Batch]], Iterable[Batch]]
) -> PipelineRedrive:
    """Redrives the dead letters ten at a time (`track` shows the batches' progress); on Ctrl-C the
    batch in progress and the ones after it are reported as not done, for a rerun to finish."""
    run = PipelineRedrive("", Method.SEND_AND_DELETE)
    batches = [work[start : start + SQS_BATCH] for start in range(0, len(work), SQS_BATCH)]
    done = 0
    try:
        for batch in track(batches):
            run.results.extend(_redrive_batch(target, batch, why))
            done += 1
    except KeyboardInterrupt:
        detail = "interrupted: run the same command again to finish"
        run.results.extend(
            Result(item.letter, Outcome.NOT_ATTEMPTED, detail) for batch in batches[done:] for item in batch
        )
        raise Interrupted(run) from None
    return run


def _redrive_batch(target: Target, batch: Sequence[Classified], why: str) -> list[Result]:
    sqs, queues, ledger = target.sqs, target.queues, target.ledger
    results: dict[str, Result] = {}
    to_send: list[DeadLetter] = []
    to_delete: list[DeadLetter] = []
    for item in batch:
        stop = item.result or _note(ledger, item, why, Method.SEND_AND_DELETE)
        if stop is not None:
            results[item.letter.message_id] = stop
        elif item.step is Step.DELETE:
            detail = "sent by an interrupted run; its dead letter is now deleted"
            results[item.letter.message_id] = Result(item.letter, Outcome.REDRIVEN, detail)
            to_delete.append(item.letter)
        else:
            to_send.append(item.letter)
    if to_send:
        response = sqs.send_message_batch(
            QueueUrl=queues.upload_url,
            Entries=[{"Id": str(i), "MessageBody": letter.body} for i, letter in enumerate(to_send)],
        )
        for failure in response.get("Failed", []):
            letter = to_send[int(failure["Id"])]
            detail = f"SQS refused it ({failure.get('Code')}); it stays dead-lettered, run again"
            results[letter.message_id] = Result(letter, Outcome.FAILED, detail)
        for entry in response.get("Successful", []):
            letter = to_send[int(entry["Id"])]
            if letter.item_id is not None:
                ledger.note_sent(letter.item_id, letter.message_id)
            results[letter.message_id] = Result(letter, Outcome.REDRIVEN)
            to_delete.append(letter)
    if to_delete:
        sqs.delete_message_batch(
            QueueUrl=queues.dead_letter_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m.receipt_handle} for i, m in enumerate(to_delete)],
        )
        deleted = {letter.message_id for letter in to_delete}
        target.held[:] = [letter for letter in target.held if letter.message_id not in deleted]
    return [results[item.letter.message_id] for item in batch]
