"""A small in-process interpreter for the subset of ASL our state machine uses, for fast unit tests.

It runs the rendered ``state_machine.asl.json`` with the real handlers (called in-process instead of
through Lambda), so the tests check the wiring — paths, selectors, Choice rules, Catch and Retry, the Map
over chunks — in milliseconds. The end-to-end tests run the same definition in the emulator's Step
Functions. Waits do not sleep: they call ``on_wait`` so a test can move its fake labelers along.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from labeling_pipeline.model import ExecutionOutput, StepEvent, StepResult
from tests.pipeline.stack import FUNCTIONS, state_machine_definition


def render(verification_enabled: bool, timeout_seconds: int = 3 * 24 * 3600) -> dict[str, Any]:
    """The definition as the module renders it, with function ARNs ``fn:<handler>`` for the invoker."""
    arns = {name: f"fn:{name}" for name in FUNCTIONS}
    machine: dict[str, Any] = json.loads(
        state_machine_definition(arns, verification_enabled, timeout_seconds)
    )
    return machine


class StateMachineFailedError(Exception):
    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class TaskError(Exception):
    """A task's error as Step Functions sees it: a name and a cause."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(error)
        self.error = error
        self.cause = cause


def _get(data: Any, path: str, context: Mapping[str, Any]) -> Any:
    if path.startswith("$$"):
        data, path = context, path[1:]
    if path == "$":
        return data
    for part in path[2:].split("."):
        if not isinstance(data, Mapping) or part not in data:
            raise TaskError("States.Runtime", f"path {path} not found")
        data = data[part]
    return data


def _put(data: Any, path: str | None, value: Any) -> Any:
    if path is None:
        return data
    if path == "$":
        return value
    result = json.loads(json.dumps(data))
    target = result
    parts = path[2:].split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value
    return result


def _parameters(template: Any, data: Any, context: Mapping[str, Any]) -> Any:
    if isinstance(template, Mapping):
        result = {}
        for key, value in template.items():
            if key.endswith(".$"):
                result[key[:-2]] = _get(data, value, context)
            else:
                result[key] = _parameters(value, data, context)
        return result
    if isinstance(template, list):
        return [_parameters(v, data, context) for v in template]
    return template


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "StringEquals": lambda value, expected: isinstance(value, str) and value == expected,
    "BooleanEquals": lambda value, expected: value is expected,
    "NumericGreaterThan": lambda value, expected: isinstance(value, (int, float)) and value > expected,
}


def _matches(rule: Mapping[str, Any], data: Any) -> bool:
    if "And" in rule:
        return all(_matches(r, data) for r in rule["And"])
    if "Not" in rule:
        return not _matches(rule["Not"], data)
    (operator,) = set(rule) - {"Variable", "Next"}
    try:
        value = _get(data, rule["Variable"], {})
    except TaskError:
        return False
    return _COMPARISONS[operator](value, rule[operator])


@dataclass
class Execution:
    name: str
    arn: str
    history: list[str] = field(default_factory=list)
    output: ExecutionOutput | None = None


Invoke = Callable[[str, str, StepEvent], StepResult]
"""(state name, FunctionName, Payload) -> the function's result, or raises TaskError."""


@dataclass
class Runner:
    definition: dict[str, Any]
    invoke: Invoke
    on_wait: Callable[[str, Any], None] = lambda state, data: None
    max_steps: int = 2_000

    def run(self, name: str, arn: str, payload: Any = None) -> Execution:
        execution = Execution(name, arn)
        context = {"Execution": {"Name": name, "Id": arn}}
        execution.output = self._run_states(self.definition, payload or {}, context, execution)
        return execution

    def _run_states(
        self, machine: Mapping[str, Any], data: Any, context: dict[str, Any], execution: Execution
    ) -> Any:
        states = machine["States"]
        current = machine["StartAt"]
        for _ in range(self.max_steps):
            state = states[current]
            execution.history.append(current)
            kind = state["Type"]
            if kind == "Succeed":
                return data
            if kind == "Fail":
                cause = (
                    _get(data, state["CausePath"], context)
                    if "CausePath" in state
                    else state.get("Cause", "")
                )
                raise StateMachineFailedError(state["Error"], str(cause))
            try:
                if kind == "Pass":
                    result = (
                        _parameters(state["Parameters"], data, context) if "Parameters" in state else data
                    )
                    data = _put(data, state.get("ResultPath", "$"), result)
                elif kind == "Wait":
                    self.on_wait(current, data)
                elif kind == "Choice":
                    current = next(
                        (rule["Next"] for rule in state["Choices"] if _matches(rule, data)),
                        state.get("Default"),
                    )
                    continue
                elif kind == "Task":
                    data = self._task(current, state, data, context)
                elif kind == "Map":
                    data = self._map(state, data, context, execution)
                else:
                    raise ValueError(f"unsupported state type {kind}")
            except TaskError as error:
                handler = next(
                    (
                        c
                        for c in state.get("Catch", [])
                        if {"States.ALL", error.error} & set(c["ErrorEquals"])
                    ),
                    None,
                )
                if handler is None:
                    raise StateMachineFailedError(error.error, error.cause) from error
                data = _put(
                    data, handler.get("ResultPath", "$"), {"Error": error.error, "Cause": error.cause}
                )
                current = handler["Next"]
                continue
            if state.get("End"):
                return data
            current = state["Next"]
        raise RuntimeError("too many steps: a loop that never ends")

    def _task(self, name: str, state: Mapping[str, Any], data: Any, context: Mapping[str, Any]) -> Any:
        parameters = _parameters(state["Parameters"], data, context)
        attempts: dict[int, int] = {}
        while True:
            try:
                payload = self.invoke(name, parameters["FunctionName"], parameters["Payload"])
                break
            except TaskError as error:
                retrier = next(
                    (
                        (i, r)
                        for i, r in enumerate(state.get("Retry", []))
                        if {"States.ALL", error.error} & set(r["ErrorEquals"])
                    ),
                    None,
                )
                if retrier is None or attempts.get(retrier[0], 0) >= retrier[1].get("MaxAttempts", 3):
                    raise
                attempts[retrier[0]] = attempts.get(retrier[0], 0) + 1
        result: Any = {"Payload": payload, "StatusCode": 200}
        if "ResultSelector" in state:
            result = _parameters(state["ResultSelector"], result, context)
        return _put(data, state.get("ResultPath", "$"), result)

    def _map(self, state: Mapping[str, Any], data: Any, context: dict[str, Any], execution: Execution) -> Any:
        items = _get(data, state["ItemsPath"], context)
        outputs = []
        for index, value in enumerate(items):
            item_context = {**context, "Map": {"Item": {"Index": index, "Value": value}}}
            item_input = _parameters(state["ItemSelector"], data, item_context)
            outputs.append(self._run_states(state["ItemProcessor"], item_input, item_context, execution))
        return _put(data, state.get("ResultPath", "$"), outputs)


def handler_invoker(
    handlers: ModuleType, context: Any, faults: dict[str, list[tuple[str, bool]]] | None = None
) -> Invoke:
    """Call ``handlers.<function>`` in-process; ``faults[state]`` pops (error type, after) crashes first.

    ``after`` runs the handler before reporting the crash, like a Lambda that dies after its side effects.
    """
    pending = faults if faults is not None else {}

    def invoke(state: str, function: str, payload: StepEvent) -> StepResult:
        name = function.split(":", 1)[1]
        fault = pending[state].pop(0) if pending.get(state) else None
        if fault is not None and not fault[1]:
            raise TaskError(fault[0], json.dumps({"errorType": fault[0], "errorMessage": "injected crash"}))
        try:
            result = getattr(handlers, name)(json.loads(json.dumps(payload)), context)
        except Exception as error:
            cause = json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)})
            raise TaskError(type(error).__name__, cause) from error
        if fault is not None:
            cause = json.dumps(
                {"errorType": fault[0], "errorMessage": "injected crash after the handler ran"}
            )
            raise TaskError(fault[0], cause)
        # Through JSON both ways, as Lambda passes them: nothing but JSON values crosses a step.
        returned: StepResult = json.loads(json.dumps(result))
        return returned

    return invoke
