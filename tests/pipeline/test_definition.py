"""The state machine template: renders like templatefile(), and is wired so that nothing can escape."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.pipeline.asl_runner import render
from tests.pipeline.stack import FUNCTIONS
from tests.pipeline.stack import STATE_MACHINE_TEMPLATE as TEMPLATE

LAMBDA_SERVICE_ERRORS = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException"}


def all_states(machine: dict[str, Any]) -> dict[str, dict[str, Any]]:
    states = dict(machine["States"])
    for state in machine["States"].values():
        if state["Type"] == "Map":
            states |= all_states(state["ItemProcessor"])
    return states


def test_the_template_uses_exactly_the_variables_the_module_passes() -> None:
    used = set(re.findall(r"\$\{([a-z_]+)\}", TEMPLATE.read_text(encoding="utf-8")))
    assert used == {f"{f}_arn" for f in FUNCTIONS} | {"verification_enabled", "timeout_seconds"}


@pytest.mark.parametrize("verification", [False, True])
def test_it_renders_to_valid_asl_with_the_timeout_and_the_verification_switch(verification: bool) -> None:
    machine = render(verification, timeout_seconds=3_000_000)
    assert machine["TimeoutSeconds"] == 3_000_000
    assert machine["States"]["Initialize"]["Parameters"]["run"]["verification_enabled"] is verification


def test_every_lambda_task_retries_service_errors_and_catches_everything() -> None:
    for name, state in all_states(render(True)).items():
        if state["Type"] != "Task":
            continue
        assert state["Resource"] == "arn:aws:states:::lambda:invoke", name
        retried = {error for retrier in state["Retry"] for error in retrier["ErrorEquals"]}
        assert retried >= LAMBDA_SERVICE_ERRORS, name
        assert any("States.ALL" in c["ErrorEquals"] for c in state["Catch"]), name


def test_every_catch_leads_to_the_return_path_or_keeps_going() -> None:
    machine = render(True)
    targets = {catch["Next"] for state in all_states(machine).values() for catch in state.get("Catch", [])}
    assert targets == {"ReturnItems", "ClaimBatch", "ChunkFailed", "ReturnFailed"}


def test_every_state_is_reachable_and_every_transition_exists() -> None:
    def check(machine: dict[str, Any]) -> None:
        states = machine["States"]
        edges = {machine["StartAt"]}
        for state in states.values():
            edges |= {state[k] for k in ("Next", "Default") if k in state}
            edges |= {c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])}
            if state["Type"] == "Map":
                check(state["ItemProcessor"])
        assert edges <= set(states), edges - set(states)
        assert set(states) <= edges, set(states) - edges

    check(render(True))


def test_the_outcomes_are_the_documented_ones() -> None:
    states = render(False)["States"]
    failures = {state["Error"] for state in states.values() if state["Type"] == "Fail"}
    assert failures == {"NothingLabeled", "LabelingJobFailed", "TaskFailed"}
    assert states["NoItems"]["Parameters"]["outcome"] == "NO_ITEMS"
    assert states["Labeled"]["Parameters"]["outcome"] == "LABELED"


def test_the_template_is_plain_json_apart_from_the_variables() -> None:
    text = re.sub(r"\$\{[a-z_]+\}", "0", TEMPLATE.read_text(encoding="utf-8"))
    assert isinstance(json.loads(text), dict)
    assert "%{" not in text
