"""Run Step Functions executions for real.

What moto lacks:

* moto ships an ASL interpreter but, by default, an execution only records its start; the interpreter
  runs when the ``stepfunctions.execute_state_machine`` configuration is on (in server mode:
  ``POST /moto-api/config`` with ``{"stepfunctions": {"execute_state_machine": true}}``). This extension
  switches it on in the server process before any state machine exists, so every execution runs its
  states: Task (Lambda tasks go through :mod:`emulator.awslambda.runtime` over HTTP), Wait, Choice, Map,
  Parallel, Pass, Retry/Catch, Fail and Succeed.
* with the interpreter on, ``StartExecution`` without a ``name`` gives every execution the name
  ``None`` (so the second one fails with ``ExecutionAlreadyExists``); AWS generates a UUID.
* ``ValidateStateMachineDefinition`` (the AWS provider calls it when it plans a state machine) and
  ``ListStateMachineVersions`` (called whenever it reads one) are missing.
* the payload quota is not enforced as AWS documents it (see :mod:`emulator.stepfunctions.payload_quota`).

The interpreter takes over a second to import, so it is loaded in the background after start-up (or by
the first Step Functions request, whichever comes first).
"""

from __future__ import annotations

import threading
import uuid
from types import ModuleType
from typing import Any

from moto.core.config import default_user_config
from moto.core.responses import ActionResult
from moto.stepfunctions import responses

from emulator import patch

_lock = threading.Lock()
_interpreter: ModuleType | None = None


def _named(start_execution: Any) -> Any:
    def start_named_execution(
        self: Any, state_machine_arn: str, name: str | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        if name:
            self._validate_name(name)
        return start_execution(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)

    return start_named_execution


def interpreter() -> ModuleType:
    """moto's interpreter (``moto.stepfunctions.parser.models``), imported and patched once."""
    global _interpreter  # noqa: PLW0603 - loaded once per process
    with _lock:
        if _interpreter is None:
            # Imported here, not at the top: it takes over a second (see the module's docstring).
            from moto.stepfunctions.parser import models  # noqa: PLC0415

            from emulator.stepfunctions import payload_quota as stepfunctions_payload  # noqa: PLC0415 - imports the interpreter too

            backend = models.StepFunctionsParserBackend
            patch(backend, "start_execution", _named(backend.start_execution))
            stepfunctions_payload.install()
            _interpreter = models
        return _interpreter


def parser_backends() -> Any:
    """The interpreter's backends (a moto BackendDict: account -> region -> backend)."""
    return interpreter().stepfunctions_parser_backends


def validate_definition(definition: str) -> dict[str, Any]:
    """The ValidateStateMachineDefinition answer for ``definition``, from moto's ASL parser."""
    try:
        interpreter().StepFunctionsParserBackend._validate_definition(definition)
    except Exception as error:  # moto raises InvalidDefinition, a ServiceException with a message
        message = str(getattr(error, "message", error))
        return {
            "result": "FAIL",
            "diagnostics": [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": message}],
            "truncated": False,
        }
    return {"result": "OK", "diagnostics": [], "truncated": False}


def _validate_state_machine_definition(self: Any) -> ActionResult:
    return ActionResult(validate_definition(self._get_param("definition") or ""))


def _list_state_machine_versions(self: Any) -> ActionResult:
    machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
    versions = sorted(machine.versions.values(), key=lambda version: version.version, reverse=True)
    listed = [{"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in versions]
    return ActionResult({"stateMachineVersions": listed})


def _backend(account: str, region: str) -> Any:
    return parser_backends()[account][region]


_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    patch(responses, "get_backend", _backend)
    patch(
        responses.StepFunctionResponse,
        "validate_state_machine_definition",
        _validate_state_machine_definition,
    )
    patch(responses.StepFunctionResponse, "list_state_machine_versions", _list_state_machine_versions)
    threading.Thread(target=interpreter, name="load-sfn-interpreter", daemon=True).start()
    _installed = True
