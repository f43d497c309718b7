"""State machine executions run: Lambda tasks (in subprocesses), Wait, Choice, Map, Retry/Catch."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.emulator.helpers import unique, zip_files
from tests.fixtures.emulator import Emulator

HANDLERS = """
class LabelingJobFailed(Exception):
    pass


def plan(event, context):
    return {"wait_seconds": 1, "items": [1, 2, 3]}


def double(event, context):
    return {"value": event["value"] * 2}


def fail(event, context):
    raise LabelingJobFailed("the labeling job failed")


def slow(event, context):
    import time
    time.sleep(30)


def big(event, context):
    return {"pad": "x" * event["bytes"]}


def accept(event, context):
    return {}
"""


@pytest.fixture
def functions(emulator: Emulator, lambda_role: str) -> dict[str, str]:
    arns = {}
    for handler in ("plan", "double", "fail", "slow", "big", "accept"):
        created = emulator.client("lambda").create_function(
            FunctionName=unique(handler),
            Runtime="python3.13",
            Role=lambda_role,
            Handler=f"steps.{handler}",
            Code={"ZipFile": zip_files({"steps.py": HANDLERS})},
            Timeout=1 if handler == "slow" else 10,
        )
        arns[handler] = created["FunctionArn"]
    return arns


def lambda_invoke(function_arn: str, **state: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": function_arn, "Payload.$": "$"},
        **state,
    }


def run(emulator: Emulator, definition: dict[str, Any], execution_input: Any, role: str) -> dict[str, Any]:
    sfn = emulator.client("stepfunctions")
    machine = sfn.create_state_machine(name=unique("sm"), definition=json.dumps(definition), roleArn=role)
    execution = sfn.start_execution(
        stateMachineArn=machine["stateMachineArn"], input=json.dumps(execution_input)
    )
    deadline = time.monotonic() + 60
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.2)


def history(emulator: Emulator, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = emulator.client("stepfunctions").get_execution_history(
        executionArn=execution_arn
    )["events"]
    return events


@pytest.fixture
def pipeline_like(functions: dict[str, str]) -> dict[str, Any]:
    """Lambda task with Payload, Wait on SecondsPath, Map over plain-ARN tasks, Choice, Retry/Catch, Fail."""
    return {
        "StartAt": "Plan",
        "States": {
            "Plan": lambda_invoke(
                functions["plan"],
                ResultSelector={"wait.$": "$.Payload.wait_seconds", "items.$": "$.Payload.items"},
                ResultPath="$.plan",
                Next="Wait",
            ),
            "Wait": {"Type": "Wait", "SecondsPath": "$.plan.wait", "Next": "Each"},
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.plan.items",
                "Parameters": {"value.$": "$$.Map.Item.Value"},
                "Iterator": {
                    "StartAt": "Double",
                    "States": {"Double": {"Type": "Task", "Resource": functions["double"], "End": True}},
                },
                "ResultPath": "$.doubled",
                "Next": "Mode",
            },
            "Mode": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.mode", "StringEquals": "fail", "Next": "Label"}],
                "Default": "Summarise",
            },
            "Label": lambda_invoke(
                functions["fail"],
                Retry=[{"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 2}],
                Catch=[
                    {"ErrorEquals": ["LabelingJobFailed"], "ResultPath": "$.error", "Next": "ReturnItems"}
                ],
                Next="Summarise",
            ),
            "ReturnItems": {
                "Type": "Pass",
                "Result": "returned",
                "ResultPath": "$.returned",
                "Next": "Failed",
            },
            "Failed": {"Type": "Fail", "Error": "LabelingJobFailed", "Cause": "items were returned"},
            "Summarise": {
                "Type": "Pass",
                "Parameters": {"outcome": "LABELED", "doubled.$": "$.doubled"},
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }


def test_execution_runs_every_state(
    emulator: Emulator, lambda_role: str, pipeline_like: dict[str, Any]
) -> None:
    started = time.monotonic()
    execution = run(emulator, pipeline_like, {"mode": "ok"}, lambda_role)

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {
        "outcome": "LABELED",
        "doubled": [{"value": 2}, {"value": 4}, {"value": 6}],
    }
    assert time.monotonic() - started >= 1  # the Wait state waited


def test_lambda_exception_is_caught_by_its_type(
    emulator: Emulator, lambda_role: str, pipeline_like: dict[str, Any]
) -> None:
    execution = run(emulator, pipeline_like, {"mode": "fail"}, lambda_role)

    assert execution["status"] == "FAILED"
    assert execution["error"] == "LabelingJobFailed"
    failed = [e for e in history(emulator, execution["executionArn"]) if e["type"] == "TaskFailed"]
    assert [e["taskFailedEventDetails"]["error"] for e in failed] == ["LabelingJobFailed"]
    cause = json.loads(failed[0]["taskFailedEventDetails"]["cause"])
    assert cause["errorMessage"] == "the labeling job failed"


@pytest.mark.parametrize("catch", ["States.TaskFailed", "States.ALL"])
def test_catch_all_errors(
    emulator: Emulator, lambda_role: str, functions: dict[str, str], catch: str
) -> None:
    definition = {
        "StartAt": "Label",
        "States": {
            "Label": {
                "Type": "Task",
                "Resource": functions["fail"],
                "Catch": [{"ErrorEquals": [catch], "ResultPath": "$.error", "Next": "Recovered"}],
                "End": True,
            },
            "Recovered": {"Type": "Pass", "End": True},
        },
    }

    execution = run(emulator, definition, {}, lambda_role)

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"])["error"]["Error"] == "LabelingJobFailed"


def test_timeout_error_name(emulator: Emulator, lambda_role: str, functions: dict[str, str]) -> None:
    definition = {
        "StartAt": "Slow",
        "States": {
            "Slow": lambda_invoke(
                functions["slow"],
                Catch=[{"ErrorEquals": ["Sandbox.Timedout"], "ResultPath": "$.error", "Next": "TimedOut"}],
                End=True,
            ),
            "TimedOut": {"Type": "Pass", "End": True},
        },
    }

    execution = run(emulator, definition, {}, lambda_role)

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"])["error"]["Error"] == "Sandbox.Timedout"


def test_retry_after_a_crash(emulator: Emulator, lambda_role: str, functions: dict[str, str]) -> None:
    # given the next invocation of the function crashes
    name = functions["double"].rsplit(":", 1)[1]
    emulator.arm_fault("lambda_invoke", match={"function_name": name}, count=1)
    definition = {
        "StartAt": "Double",
        "States": {
            "Double": lambda_invoke(
                functions["double"],
                OutputPath="$.Payload",
                Retry=[{"ErrorEquals": ["Runtime.ExitError"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                End=True,
            )
        },
    }

    execution = run(emulator, definition, {"value": 21}, lambda_role)

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"value": 42}
    events = history(emulator, execution["executionArn"])
    assert [e["type"] for e in events].count("TaskFailed") == 1


def test_executions_without_a_name_get_distinct_names(emulator: Emulator, lambda_role: str) -> None:
    sfn = emulator.client("stepfunctions")
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    machine = sfn.create_state_machine(
        name=unique("sm"), definition=json.dumps(definition), roleArn=lambda_role
    )

    first = sfn.start_execution(stateMachineArn=machine["stateMachineArn"])
    second = sfn.start_execution(stateMachineArn=machine["stateMachineArn"])

    assert first["executionArn"] != second["executionArn"]


def test_validate_state_machine_definition(emulator: Emulator) -> None:
    sfn = emulator.client("stepfunctions")
    good = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    bad = {"StartAt": "Missing", "States": {"Done": {"Type": "Nonsense"}}}

    assert sfn.validate_state_machine_definition(definition=json.dumps(good))["result"] == "OK"
    answer = sfn.validate_state_machine_definition(definition=json.dumps(bad))
    assert answer["result"] == "FAIL"
    assert answer["diagnostics"][0]["severity"] == "ERROR"


def test_list_state_machine_versions(emulator: Emulator, lambda_role: str) -> None:
    sfn = emulator.client("stepfunctions")
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    machine = sfn.create_state_machine(
        name=unique("sm"), definition=definition, roleArn=lambda_role, publish=True
    )

    versions = sfn.list_state_machine_versions(stateMachineArn=machine["stateMachineArn"])[
        "stateMachineVersions"
    ]

    assert [v["stateMachineVersionArn"] for v in versions] == [f"{machine['stateMachineArn']}:1"]


# AWS: "Step Functions service quotas" (256 KiB = 262,144 bytes of UTF-8 per task, state or execution
# input or output) and "Handling errors in Step Functions workflows" (States.DataLimitExceeded is terminal
# and States.ALL cannot catch it); see emulator.stepfunctions.payload_quota.
QUOTA = 262_144


def catch_to_recovered(*errors: str) -> list[dict[str, Any]]:
    return [{"ErrorEquals": list(errors), "ResultPath": "$.error", "Next": "Recovered"}]


def test_a_result_over_the_payload_quota_fails_the_execution_through_a_catch_all(
    emulator: Emulator, lambda_role: str, functions: dict[str, str]
) -> None:
    # Given a task whose function returns more than 256 KiB, under a Catch on States.ALL
    definition = {
        "StartAt": "Big",
        "States": {
            "Big": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": functions["big"], "Payload": {"bytes": QUOTA}},
                "Catch": catch_to_recovered("States.ALL"),
                "End": True,
            },
            "Recovered": {"Type": "Pass", "End": True},
        },
    }

    # When it runs
    execution = run(emulator, definition, {}, lambda_role)

    # Then the execution fails with the terminal error: the catcher does not recover from it
    assert execution["status"] == "FAILED"
    assert execution["error"] == "States.DataLimitExceeded"


def test_a_catcher_that_names_the_data_limit_error_catches_it(
    emulator: Emulator, lambda_role: str, functions: dict[str, str]
) -> None:
    # Given the same oversized result under a Catch that names States.DataLimitExceeded itself
    definition = {
        "StartAt": "Big",
        "States": {
            "Big": lambda_invoke(
                functions["big"],
                Parameters={"FunctionName": functions["big"], "Payload": {"bytes": QUOTA}},
                Catch=catch_to_recovered("States.DataLimitExceeded"),
                End=True,
            ),
            "Recovered": {"Type": "Pass", "End": True},
        },
    }

    execution = run(emulator, definition, {}, lambda_role)

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"])["error"]["Error"] == "States.DataLimitExceeded"


def test_a_task_input_over_the_quota_after_parameters_fails_the_execution(
    emulator: Emulator, lambda_role: str, functions: dict[str, str]
) -> None:
    # Given an input of 140,000 bytes that the task's Parameters pass to its function twice
    definition = {
        "StartAt": "Twice",
        "States": {
            "Twice": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName": functions["accept"],
                    "Payload": {"first.$": "$.pad", "second.$": "$.pad"},
                },
                "ResultPath": None,
                "Catch": catch_to_recovered("States.ALL"),
                "End": True,
            },
            "Recovered": {"Type": "Pass", "End": True},
        },
    }

    # When it runs
    execution = run(emulator, definition, {"pad": "x" * 140_000}, lambda_role)

    # Then the task's input breaks the quota: the execution fails, and the function never ran
    assert execution["status"] == "FAILED"
    assert execution["error"] == "States.DataLimitExceeded"
    events = history(emulator, execution["executionArn"])
    assert not [e for e in events if e["type"] == "TaskScheduled"]


@pytest.mark.parametrize(("extra", "status"), [(0, "SUCCEEDED"), (1, "FAILED")])
def test_the_quota_allows_exactly_262144_bytes(
    emulator: Emulator, lambda_role: str, extra: int, status: str
) -> None:
    # Given a state whose output is the quota exactly, or one byte more (compact JSON, bytes of UTF-8)
    envelope = len(json.dumps({"pad": "", "more": ""}, separators=(",", ":")))
    pad = "é" * ((QUOTA - envelope) // 2) + "x" * ((QUOTA - envelope) % 2)
    definition = {
        "StartAt": "Grow",
        "States": {
            "Grow": {
                "Type": "Pass",
                "Parameters": {"pad.$": "$.pad", "more": "y" * extra},
                "End": True,
            }
        },
    }

    # When it runs
    execution = run(emulator, definition, {"pad": pad}, lambda_role)

    # Then exactly 262,144 bytes pass and one more fails the execution
    assert execution["status"] == status
    if status == "FAILED":
        assert execution["error"] == "States.DataLimitExceeded"
