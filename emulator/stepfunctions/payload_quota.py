"""Step Functions' payload quota as AWS documents it, on top of moto's ASL interpreter.

AWS: AWS Step Functions Developer Guide, "Step Functions service quotas",
https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (input or output of a task, state
or execution: 256 KiB as a UTF-8 encoded string), and the API reference's history events
(``StateEnteredEventDetails.input``, ``StateExitedEventDetails.output``,
``TaskScheduledEventDetails.parameters``: "Maximum length of 262144", counted as bytes in UTF-8):
https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateEnteredEventDetails.html

AWS: AWS Step Functions Developer Guide, "Handling errors in Step Functions workflows",
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html:
``States.DataLimitExceeded`` is reported when a connector's output, a state's output, or a state's input
after ``Parameters`` processing is larger than the quota, and it is "a terminal error that can't be caught
by the States.ALL error type".

What moto's interpreter lacks (it checks a connector's output and a state's output already):

* its ``States.ALL`` matches ``States.DataLimitExceeded`` too, so a ``Catch`` on ``States.ALL`` recovers
  from an error AWS makes terminal;
* a Task's input after ``Parameters`` is not checked;
* it refuses a payload of exactly 262,144 bytes, which AWS's "maximum length of 262144" allows.

Imported and installed by :func:`emulator.stepfunctions.responses.interpreter` once it has loaded the
interpreter (importing this module imports the interpreter, which takes over a second).
"""

from __future__ import annotations

import json
import sys
from typing import Any, cast

from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

from emulator import patch

#: The payload quota in bytes of UTF-8 (256 KiB).
QUOTA_BYTES = 262_144
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"

_PARSER = "moto.stepfunctions.parser"
_STATE = f"{_PARSER}.asl.component.state"
_TASK = f"{_STATE}.exec.state_task"
# Modules of the interpreter that bound moto's own size check by name when they were imported.
_QUOTA_USERS = (f"{_STATE}.state", f"{_TASK}.state_task_lambda", f"{_TASK}.service.state_task_service")


def payload_bytes(value: Any) -> int:
    """The size AWS counts: the value as compact JSON, in bytes of UTF-8.

    moto counts ``json.dumps`` with its default spaces and ``\\uXXXX`` escapes, which overstates both.
    """
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8"))


def within_quota(value: Any) -> bool:
    return payload_bytes(value) <= QUOTA_BYTES


def _terminal_for_states_all(eval_body: Any) -> Any:
    """``ErrorEquals`` evaluation where ``States.ALL`` does not match ``States.DataLimitExceeded``.

    Assumption: a catcher or retrier that names ``States.DataLimitExceeded`` itself still matches it; the
    page says only that ``States.ALL`` cannot catch it.
    """

    def error_equals(self: Any, env: Any) -> None:
        error = env.stack[-1]
        names = {getattr(name, "error_name", None) for name in self.error_names}
        if getattr(error, "error_name", None) == DATA_LIMIT_EXCEEDED and DATA_LIMIT_EXCEEDED not in names:
            env.stack.pop()
            env.stack.append(False)
            return
        eval_body(self, env)

    return error_equals


def _checked_parameters(eval_parameters: Any) -> Any:
    """A Task's ``Parameters`` evaluation that fails with ``States.DataLimitExceeded`` over the quota."""

    def parameters(self: Any, env: Any) -> Any:
        value = eval_parameters(self, env)
        if within_quota(value):
            return value
        typ = StatesErrorNameType.StatesStatesDataLimitExceeded
        cause = (
            f"The state/task '{self.name}' has an input of {payload_bytes(value)} bytes after Parameters "
            f"processing, more than the maximum number of bytes service limit ({QUOTA_BYTES})."
        )
        raise FailureEventException(
            failure_event=FailureEvent(
                env=env,
                error_name=StatesErrorName(typ=typ),
                event_type=HistoryEventType.TaskFailed,
                # moto declares every kind of event detail required; an event carries one.
                event_details=cast(
                    EventDetails,
                    {"taskFailedEventDetails": TaskFailedEventDetails(error=typ.to_name(), cause=cause)},
                ),
            )
        )

    return parameters


_installed = False


def install() -> None:
    """Patch the interpreter's modules (importing this module has loaded them)."""
    global _installed  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return
    for name in _QUOTA_USERS:
        patch(sys.modules[name], "is_within_size_quota", within_quota)
    decl = sys.modules[f"{_PARSER}.asl.component.common.error_name.error_equals_decl"].ErrorEqualsDecl
    patch(decl, "_eval_body", _terminal_for_states_all(decl._eval_body))
    for module, cls in (
        ("state_task", "StateTask"),
        ("state_task_lambda", "StateTaskLambda"),
        ("state_task_activitiy", "StateTaskActivity"),
    ):
        task = getattr(sys.modules[f"{_TASK}.{module}"], cls)
        patch(task, "_eval_parameters", _checked_parameters(task.__dict__["_eval_parameters"]))
    _installed = True
