"""Lambda functions run from their deployment packages in subprocesses, with Lambda's error contract."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.emulator.helpers import Deploy, unique, zip_files
from tests.fixtures.emulator import Emulator

HANDLERS = """
import json
import os
import sys
import time

import boto3


def describe(event, context):
    return {
        "event": event,
        "function_name": context.function_name,
        "request_id": context.aws_request_id,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "memory": context.memory_limit_in_mb,
        "arn": context.invoked_function_arn,
        "env": {key: os.environ.get(key) for key in (
            "STAGE", "AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "LAMBDA_TASK_ROOT", "AWS_ENDPOINT_URL",
            "_HANDLER",
        )},
    }


def write_object(event, context):
    boto3.client("s3").put_object(Bucket=event["bucket"], Key=event["key"], Body=b"written by a function")
    return {"ok": True}


class LabelingJobFailed(Exception):
    pass


def fail(event, context):
    print("failing now")
    raise LabelingJobFailed(f"job {event.get('job')} failed")


def sleep(event, context):
    time.sleep(30)


def exit_process(event, context):
    sys.exit(3)


def not_serializable(event, context):
    return {"when": object()}


def import_host_package(event, context):
    import moto  # noqa: F401 - must not be importable: the Lambda runtime does not ship it
"""


@pytest.fixture(scope="module")
def code() -> dict[str, str]:
    return {"app/__init__.py": "", "app/handlers.py": HANDLERS}


def invoke(emulator: Emulator, name: str, event: Any = None, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    response = emulator.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event or {}), **kwargs)
    payload = response["Payload"].read()
    return response, json.loads(payload) if payload else None


def test_handler_gets_event_context_and_environment(
    emulator: Emulator, deploy: Deploy, code: dict[str, str]
) -> None:
    # given a function with an environment variable and a 7 s timeout
    name = deploy(
        code, "app.handlers.describe", Timeout=7, MemorySize=256, Environment={"Variables": {"STAGE": "test"}}
    )

    # when it is invoked
    response, result = invoke(emulator, name, {"hello": "world"})

    # then the handler saw the event, a Lambda context and the Lambda environment
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert result["event"] == {"hello": "world"}
    assert result["function_name"] == name
    assert 0 < result["remaining_ms"] <= 7000
    assert result["memory"] == "256"
    assert result["arn"].endswith(f":function:{name}")
    assert result["env"]["STAGE"] == "test"
    assert result["env"]["AWS_REGION"] == "us-east-1"
    assert result["env"]["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert result["env"]["AWS_ENDPOINT_URL"] == emulator.url
    assert result["env"]["_HANDLER"] == "app.handlers.describe"


def test_function_calls_other_services_through_the_emulator(
    emulator: Emulator, deploy: Deploy, code: dict[str, str]
) -> None:
    bucket = unique("written")
    emulator.client("s3").create_bucket(Bucket=bucket)
    name = deploy(code, "app.handlers.write_object")

    _, result = invoke(emulator, name, {"bucket": bucket, "key": "out/a b.txt"})

    assert result == {"ok": True}
    body = emulator.client("s3").get_object(Bucket=bucket, Key="out/a b.txt")["Body"].read()
    assert body == b"written by a function"


def test_exception_is_an_unhandled_function_error(
    emulator: Emulator, deploy: Deploy, code: dict[str, str]
) -> None:
    name = deploy(code, "app.handlers.fail")

    response, error = invoke(emulator, name, {"job": "j-1"}, LogType="Tail")

    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "LabelingJobFailed"
    assert error["errorMessage"] == "job j-1 failed"
    assert error["stackTrace"][0].startswith('  File "/var/task/app/handlers.py"')
    assert "raise LabelingJobFailed" in error["stackTrace"][-1]
    log = base64.b64decode(response["LogResult"]).decode()
    assert "failing now" in log
    assert log.startswith("START RequestId:")


def test_timeout_is_reported_like_lambda(emulator: Emulator, deploy: Deploy, code: dict[str, str]) -> None:
    name = deploy(code, "app.handlers.sleep", Timeout=1)

    started = time.monotonic()
    response, error = invoke(emulator, name)

    assert time.monotonic() - started < 10
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Sandbox.Timedout"
    assert error["errorMessage"].endswith("Task timed out after 1.00 seconds")


RUNTIME_ERRORS = {
    "app.handlers.exit_process": ("Runtime.ExitError", "Runtime exited with error: exit status 3"),
    "app.handlers.not_serializable": ("Runtime.MarshalError", "Unable to marshal response"),
    "app.handlers.import_host_package": ("ModuleNotFoundError", "No module named 'moto'"),
    "app.missing.handler": ("Runtime.ImportModuleError", "Unable to import module 'app.missing'"),
    "app.handlers.absent": ("Runtime.HandlerNotFound", "Handler 'absent' missing on module 'app.handlers'"),
    "nodots": ("Runtime.MalformedHandlerName", "Bad handler 'nodots'"),
}


@pytest.mark.parametrize("handler", RUNTIME_ERRORS)
def test_runtime_errors(emulator: Emulator, deploy: Deploy, code: dict[str, str], handler: str) -> None:
    error_type, message = RUNTIME_ERRORS[handler]
    name = deploy(code, handler)

    response, error = invoke(emulator, name)

    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == error_type
    assert message in error["errorMessage"]


def test_layers_are_on_the_path(emulator: Emulator, deploy: Deploy) -> None:
    # given a layer with a python/ package and a function that imports it
    layer = emulator.client("lambda").publish_layer_version(
        LayerName=unique("layer"),
        Content={"ZipFile": zip_files({"python/shared_lib.py": "GREETING = 'from the layer'\n"})},
        CompatibleRuntimes=["python3.13"],
    )
    files = {"fn.py": "import shared_lib\n\ndef handler(event, context):\n    return shared_lib.GREETING\n"}
    name = deploy(files, "fn.handler", Layers=[layer["LayerVersionArn"]])

    _, result = invoke(emulator, name)

    assert result == "from the layer"


def test_updated_code_runs(emulator: Emulator, deploy: Deploy) -> None:
    name = deploy({"fn.py": "def handler(event, context):\n    return 1\n"}, "fn.handler")
    emulator.client("lambda").update_function_code(
        FunctionName=name, ZipFile=zip_files({"fn.py": "def handler(event, context):\n    return 2\n"})
    )

    _, result = invoke(emulator, name)

    assert result == 2


def test_event_invocation_runs_in_the_background(
    emulator: Emulator, deploy: Deploy, code: dict[str, str]
) -> None:
    bucket = unique("async")
    emulator.client("s3").create_bucket(Bucket=bucket)
    name = deploy(code, "app.handlers.write_object")

    response = emulator.client("lambda").invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"bucket": bucket, "key": "k"})
    )

    assert response["StatusCode"] == 202
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if emulator.client("s3").list_objects_v2(Bucket=bucket).get("KeyCount"):
            break
        time.sleep(0.1)
    assert emulator.client("s3").list_objects_v2(Bucket=bucket)["KeyCount"] == 1


def test_dry_run_does_not_run_the_function(emulator: Emulator, deploy: Deploy, code: dict[str, str]) -> None:
    bucket = unique("dry")
    emulator.client("s3").create_bucket(Bucket=bucket)
    name = deploy(code, "app.handlers.write_object")

    response = emulator.client("lambda").invoke(
        FunctionName=name, InvocationType="DryRun", Payload=json.dumps({"bucket": bucket, "key": "k"})
    )

    assert response["StatusCode"] == 204
    assert emulator.client("s3").list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_payload_that_is_not_json_is_rejected(
    emulator: Emulator, deploy: Deploy, code: dict[str, str]
) -> None:
    name = deploy(code, "app.handlers.describe")

    with pytest.raises(ClientError) as raised:
        emulator.client("lambda").invoke(FunctionName=name, Payload=b"{not json")

    assert raised.value.response["Error"]["Code"] == "InvalidRequestContentException"


def test_output_goes_to_cloudwatch_logs(emulator: Emulator, deploy: Deploy, code: dict[str, str]) -> None:
    name = deploy(code, "app.handlers.fail")

    invoke(emulator, name)

    logs = emulator.client("logs")
    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert len(streams) == 1
    events = logs.get_log_events(
        logGroupName=f"/aws/lambda/{name}", logStreamName=streams[0]["logStreamName"]
    )
    messages = [event["message"] for event in events["events"]]
    assert "failing now" in messages
    assert messages[-1].startswith("REPORT RequestId:")


def test_environment_variable_points_boto3_at_the_emulator(emulator: Emulator) -> None:
    # the emulator fixture sets AWS_ENDPOINT_URL for this test, so a default client reaches it
    bucket = unique("env")
    boto3.client("s3").create_bucket(Bucket=bucket)

    assert bucket in [b["Name"] for b in emulator.client("s3").list_buckets()["Buckets"]]


class TestCrashFaults:
    def test_next_invocations_crash_then_recover(
        self, emulator: Emulator, deploy: Deploy, code: dict[str, str]
    ) -> None:
        name = deploy(code, "app.handlers.describe")
        emulator.arm_fault("lambda_invoke", match={"function_name": name}, count=2)

        outcomes = [invoke(emulator, name)[0].get("FunctionError") for _ in range(3)]

        assert outcomes == ["Unhandled", "Unhandled", None]

    def test_crash_after_the_handler_ran(
        self, emulator: Emulator, deploy: Deploy, code: dict[str, str]
    ) -> None:
        bucket = unique("after")
        emulator.client("s3").create_bucket(Bucket=bucket)
        name = deploy(code, "app.handlers.write_object")
        emulator.arm_fault(
            "lambda_invoke", match={"function_name": name}, after=True, error_type="Runtime.OutOfMemory"
        )

        response, error = invoke(emulator, name, {"bucket": bucket, "key": "k"})

        assert response["FunctionError"] == "Unhandled"
        assert error["errorType"] == "Runtime.OutOfMemory"
        assert emulator.client("s3").list_objects_v2(Bucket=bucket)["KeyCount"] == 1

    def test_fault_for_another_function_does_not_fire(
        self, emulator: Emulator, deploy: Deploy, code: dict[str, str]
    ) -> None:
        name = deploy(code, "app.handlers.describe")
        armed = emulator.arm_fault("lambda_invoke", match={"function_name": "someone-else-*"})

        response, _ = invoke(emulator, name)

        assert "FunctionError" not in response
        assert armed["id"] in [fault["id"] for fault in emulator.faults()]
        emulator.clear_faults("lambda_invoke")


def test_logging_config_is_described_and_used(
    emulator: Emulator, deploy: Deploy, code: dict[str, str]
) -> None:
    # given one function with the default logging and one logging to its own group
    lam, logs = emulator.client("lambda"), emulator.client("logs")
    default = deploy(code, "app.handlers.fail")
    group = f"/custom/{unique('logs')}"
    logs.create_log_group(logGroupName=group)
    custom = deploy(code, "app.handlers.fail", LoggingConfig={"LogFormat": "JSON", "LogGroup": group})

    # then both are described as Lambda describes them
    assert lam.get_function_configuration(FunctionName=default)["LoggingConfig"] == {
        "LogFormat": "Text",
        "LogGroup": f"/aws/lambda/{default}",
    }
    assert lam.get_function(FunctionName=custom)["Configuration"]["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": group,
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
    }
    # and the custom function's output goes to its group
    invoke(emulator, custom)
    assert logs.describe_log_streams(logGroupName=group)["logStreams"]

    # when the logging is updated, the update is described
    lam.update_function_configuration(
        FunctionName=custom, LoggingConfig={"LogFormat": "Text", "LogGroup": group}
    )
    assert lam.get_function_configuration(FunctionName=custom)["LoggingConfig"] == {
        "LogFormat": "Text",
        "LogGroup": group,
    }
