"""The state machine's data stays under Step Functions' payload quota whatever fails.

AWS: "Step Functions service quotas" (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html):
a task's, state's or execution's input or output is at most 256 KiB (262,144 bytes of UTF-8); above it the
execution fails with States.DataLimitExceeded, which a Catch on States.ALL does not recover from ("Handling
errors in Step Functions workflows"), so no ReturnItems would run. The emulator enforces both.

The worst case runs the real definition on the emulator's Step Functions with stand-in functions that give
every answer at its largest: the largest batch the module allows, every name and URI at its longest, a
review stage, and every Feature Store chunk failing with the longest error name AWS keeps and a long cause.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from labeling_pipeline.chunks import CHUNK_SIZE
from labeling_pipeline.facts import TASK_TYPES
from tests.emulator.helpers import unique, zip_files
from tests.fixtures.emulator import Emulator
from tests.pipeline.stack import FUNCTIONS, state_machine_definition

QUOTA = 262_144
#: The most objects a labeling job of any task type may take (the module's data/task_types.json).
MAX_OBJECTS_PER_JOB = max(task.max_objects_per_job for task in TASK_TYPES.values())
CHUNKS = -(-MAX_OBJECTS_PER_JOB // CHUNK_SIZE)
#: Step Functions keeps an error name of up to 256 characters and a cause of up to 32,768
#: (TaskFailedEventDetails, https://docs.aws.amazon.com/step-functions/latest/apireference/API_TaskFailedEventDetails.html).
ERROR_NAME_CHARS = 256
CAUSE_CHARS = 20_000

STAND_INS = f"""
BUCKET = "b" * 63                      # the longest S3 bucket name
JOB = "j" * 63                         # the longest labeling job name
URI = f"s3://{{BUCKET}}/batches/{{'e' * 80}}"

WriteFailed = type("W" * {ERROR_NAME_CHARS}, (Exception,), {{}})


def claim_batch(event, context):
    return {{"item_count": {MAX_OBJECTS_PER_JOB}, "manifest_uri": f"{{URI}}/input.manifest",
            "received": {MAX_OBJECTS_PER_JOB}, "duplicates": 0, "dead_lettered": 0}}


def start_job(event, context):
    return {{"job_name": JOB, "stage": event["stage"], "polls": 0, "wait_seconds": 0}}


def check_job(event, context):
    job = event["job"]
    return {{"job_name": job["job_name"], "stage": job["stage"], "status": "Completed", "next": "COLLECT",
            "polls": 1, "wait_seconds": 0, "failure_reason": None, "labeled": {MAX_OBJECTS_PER_JOB},
            "output_manifest_uri": f"{{URI}}/jobs/{{JOB}}/manifests/output/output.manifest"}}


def collect_results(event, context):
    review = event["job"]["stage"] == "labeling"
    chunks = [] if review else [f"{{URI}}/labeled/{{n:05d}}.jsonl" for n in range({CHUNKS})]
    return {{"labeled": {MAX_OBJECTS_PER_JOB}, "not_labeled": 0, "rejected": 0, "unreadable_lines": 0,
            "chunks": chunks, "next": "REVIEW" if review else "WRITE"}}


def write_features(event, context):
    raise WriteFailed("x" * {CAUSE_CHARS})


def return_items(event, context):
    if event["mode"] == "sweep":
        return {{"settled_batches": 0, "unfinished_batches": 0, "returned": 0, "dead_lettered": 0}}
    return {{"complete": True, "next_offset": {MAX_OBJECTS_PER_JOB}, "outcome": "NOTHING_LABELED",
            "summary": "s" * 1100, "items": {MAX_OBJECTS_PER_JOB}, "labeled": 0,
            "returned": {MAX_OBJECTS_PER_JOB}, "dead_lettered": 0, "labeling_job": JOB,
            "verification_job": JOB}}
"""


def payloads(event: dict[str, Any]) -> list[str]:
    """Every input, output and task parameters an event of the execution history carries."""
    found = []
    for key, details in event.items():
        if key.endswith("EventDetails") and isinstance(details, dict):
            found += [str(details[k]) for k in ("input", "output", "parameters") if k in details]
    return found


@pytest.fixture
def stand_ins(emulator: Emulator) -> dict[str, str]:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = emulator.client("iam").create_role(
        RoleName=unique("role"), AssumeRolePolicyDocument=json.dumps(trust)
    )
    code = zip_files({"stand_ins.py": STAND_INS})
    return {
        name: emulator.client("lambda").create_function(
            FunctionName=unique(name.replace("_", "-")),
            Runtime="python3.13",
            Role=role["Role"]["Arn"],
            Handler=f"stand_ins.{name}",
            Code={"ZipFile": code},
        )["FunctionArn"]
        for name in FUNCTIONS
    }


def test_every_chunk_failing_at_the_largest_batch_stays_under_the_payload_quota(
    emulator: Emulator, stand_ins: dict[str, str]
) -> None:
    # Given the real definition, a review stage, and 200 chunks whose writes all fail with long errors
    sfn = emulator.client("stepfunctions")
    definition = state_machine_definition(stand_ins, verification=True, timeout_seconds=3600)
    machine = sfn.create_state_machine(
        name=unique("payload"), definition=definition, roleArn=f"arn:aws:iam::{'1' * 12}:role/sfn"
    )

    # When an execution (with the longest name AWS allows) runs to its end
    started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="e" * 80)
    deadline = time.monotonic() + 600
    while (execution := sfn.describe_execution(executionArn=started["executionArn"]))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not end in 10 minutes"
        time.sleep(0.5)
    events = sfn.get_execution_history(executionArn=started["executionArn"], maxResults=1000)["events"]

    # Then every chunk failed and ReturnItems still ran: the execution ends as the pipeline's own outcome
    failed_writes = [e for e in events if e["type"] == "TaskFailed"]
    assert len(failed_writes) == CHUNKS
    assert (execution["status"], execution.get("error")) == ("FAILED", "NothingLabeled")
    # And no state's input or output, nor any task's parameters, came near the quota
    largest = max(len(p.encode("utf-8")) for e in events for p in payloads(e))
    assert largest <= QUOTA // 2, f"largest payload {largest} bytes"
