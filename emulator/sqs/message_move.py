"""SQS message-move tasks (dead-letter queue redrive), which moto does not implement.

``StartMessageMoveTask`` and ``ListMessageMoveTasks`` as documented in the Amazon SQS API Reference
("StartMessageMoveTask", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html;
"ListMessageMoveTasks", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasks.html).

AWS runs a task asynchronously; here it moves every message that is visible when it starts, within the
request, and is then listed as COMPLETED: a state AWS reports for a finished task, reached sooner.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from moto.core.responses import ActionResult
from moto.sqs.exceptions import InvalidParameterValue, SQSException
from moto.sqs.models import Queue, SQSBackend
from moto.sqs.responses import SQSResponse

from emulator import patch

# ListMessageMoveTasks: "MaxResults ... Valid values: 1 to 10. Default: 1" (API reference above).
MAX_LISTED_TASKS = 10


# moto serialises an error by the service its class's module names.
_MOTO_ERRORS_MODULE = "moto.sqs.exceptions"


class ResourceNotFound(SQSException):
    __module__ = _MOTO_ERRORS_MODULE

    # The error both operations list for an ARN that names no queue (API reference above, "Errors").
    def __init__(self, arn: str) -> None:
        super().__init__("ResourceNotFoundException", f"The resource {arn} does not exist.")


class UnsupportedOperation(SQSException):
    __module__ = _MOTO_ERRORS_MODULE

    def __init__(self, message: str) -> None:
        super().__init__("UnsupportedOperation", message)


def _queue_by_arn(backend: SQSBackend, arn: str) -> Queue:
    queue = next((q for q in backend.queues.values() if q.queue_arn == arn), None)
    if queue is None:
        raise ResourceNotFound(arn)
    return queue


def _tasks(backend: SQSBackend) -> list[dict[str, Any]]:
    # Kept on the backend, so resetting the emulator forgets them with the queues.
    tasks: list[dict[str, Any]] | None = getattr(backend, "_emulator_move_tasks", None)
    if tasks is None:
        tasks = []
        backend._emulator_move_tasks = tasks  # type: ignore[attr-defined]
    return tasks


def _move(backend: SQSBackend, source: Queue, destination: Queue) -> int:
    moved = 0
    for message in [m for m in source._messages if m.visible and not m.delayed]:
        backend.send_message(destination.name, message.body, message_attributes=message.message_attributes)
        source._messages = [m for m in source._messages if m is not message]
        moved += 1
    return moved


def start_message_move_task(self: SQSResponse) -> ActionResult:
    backend = self.sqs_backend
    source_arn = str(self._get_param("SourceArn"))
    source = _queue_by_arn(backend, source_arn)
    origins = backend.list_dead_letter_source_queues(source.name)
    # "This action is currently limited to supporting message redrive from queues that are configured as
    # dead-letter queues (DLQs) of other Amazon SQS queues only" (StartMessageMoveTask, above).
    if not origins:
        raise UnsupportedOperation(f"Source queue {source_arn} is not a dead-letter queue of any queue.")
    destination_arn = self._get_param("DestinationArn")
    if destination_arn:
        destination = _queue_by_arn(backend, str(destination_arn))
    elif len(origins) == 1:
        # "If this field is left blank, the messages will be redriven back to their respective original
        # source queues" (above). Assumption: with one source queue that is where every message came from;
        # the emulator does not track the origin of each message, so with several it asks for a destination.
        destination = origins[0]
    else:
        raise UnsupportedOperation("Name a DestinationArn: the source queue is the DLQ of several queues.")
    to_move = sum(1 for m in source._messages if m.visible and not m.delayed)
    handle = f"{uuid.uuid4()}:{source_arn}"
    started = int(time.time() * 1000)
    moved = _move(backend, source, destination)
    task = {
        "TaskHandle": handle,
        "Status": "COMPLETED",
        "SourceArn": source_arn,
        "DestinationArn": destination.queue_arn,
        "ApproximateNumberOfMessagesMoved": moved,
        "ApproximateNumberOfMessagesToMove": to_move,
        "StartedTimestamp": started,
    }
    rate = self._get_param("MaxNumberOfMessagesPerSecond")
    if rate is not None:
        task["MaxNumberOfMessagesPerSecond"] = int(rate)
    _tasks(backend).append(task)
    return ActionResult({"TaskHandle": handle})


def list_message_move_tasks(self: SQSResponse) -> ActionResult:
    backend = self.sqs_backend
    source_arn = str(self._get_param("SourceArn"))
    _queue_by_arn(backend, source_arn)
    limit = int(self._get_param("MaxResults") or 1)
    if not 1 <= limit <= MAX_LISTED_TASKS:
        raise InvalidParameterValue(f"MaxResults must be 1 to {MAX_LISTED_TASKS}.")
    # "Gets the most recent message movement tasks (up to 10) under a specific source queue" (above).
    tasks = [task for task in _tasks(backend) if task["SourceArn"] == source_arn]
    return ActionResult({"Results": [dict(task) for task in reversed(tasks)][:limit]})


_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return
    patch(SQSResponse, "start_message_move_task", start_message_move_task)
    patch(SQSResponse, "list_message_move_tasks", list_message_move_tasks)
    _installed = True
