"""`labeling status` and `labeling redrive` against the local emulator.

Each test builds only what the commands read, named as modules/labeling_pipeline names it and published
under the SSM names it uses: the upload queue with its dead-letter queue (RedrivePolicy), the ledger
table, the state machine, and /private-labeling/<env>/pipeline/<name>/*. Dead letters and ledger rows are
written by the pipeline's own code (lambda/labeling_pipeline), so the commands read what it writes, and
the redriven items are claimed back by its own claim.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from labeling_cli.pipeline import cli as labeling
from labeling_pipeline.ledger import Claim, Claimed, ClaimOutcome, Ledger
from labeling_pipeline.messages import Redrive, dead_body, parse_message
from labeling_pipeline.model import Candidate, SourceObject
from tests.emulator.helpers import execution_role, labeling_job_statements, private_workteam

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


class Crash(RuntimeError):
    """A crash injected into a run (the process dies at that call)."""


@dataclass
class Deployed:
    """One pipeline of an environment, as the module leaves it, and handles to look at it."""

    env: str
    pipeline: str
    name: str  # the module's var.name
    bucket: str
    upload_url: str
    dead_letter_url: str
    state_machine_arn: str
    sqs: Any
    dynamodb: Any
    sfn: Any

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.dynamodb, f"{self.name}-ledger")

    def dead_letter(self, key: str, reasons: list[str]) -> str:
        """An item the pipeline gave up on: its ledger row DEAD, its dead letter on the DLQ, as the
        pipeline's return step leaves them. Returns the item id."""
        source = SourceObject(bucket=self.bucket, key=key, version_id="v1", etag='"e"')
        claim = Claim(batch_id=f"exec-{uuid.uuid4().hex[:6]}", token="t")
        claimed = self.ledger.claim_new(
            Candidate(source=source, line=None, text=None, uploaded_at=None), claim
        )
        assert isinstance(claimed, Claimed)
        assert self.ledger.mark_dead(claimed.item, claim, reasons[-1])
        body = dead_body(reasons, item_id=claimed.item.item_id, source=source, attempts=1)
        self.sqs.send_message(QueueUrl=self.dead_letter_url, MessageBody=body)
        return claimed.item.item_id

    def bodies(self, url: str) -> list[str]:
        """Every message body on a queue, read without consuming (each becomes visible again)."""
        seen: dict[str, str] = {}
        handles = []
        while True:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30)
            messages = got.get("Messages", [])
            if not messages:
                break
            seen.update({m["MessageId"]: m["Body"] for m in messages})
            handles += [m["ReceiptHandle"] for m in messages]
        for handle in handles:
            self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
        return sorted(seen.values())

    def keys(self, url: str) -> list[str]:
        return sorted(json.loads(body)["source"]["key"] for body in self.bodies(url))

    def row(self, item_id: str) -> dict[str, Any]:
        item = self.dynamodb.get_item(TableName=f"{self.name}-ledger", Key={"item_id": {"S": item_id}})[
            "Item"
        ]
        return dict(item)

    def snapshot(self) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        """Everything redrive may change: both queues and the ledger."""
        rows = self.dynamodb.scan(TableName=f"{self.name}-ledger", ConsistentRead=True)["Items"]
        rows = sorted(rows, key=lambda row: str(row["item_id"]["S"]))
        return self.bodies(self.upload_url), self.bodies(self.dead_letter_url), rows


@pytest.fixture
def deployed(emulator: Any) -> Deployed:
    return _deploy(emulator)


def _deploy(emulator: Any) -> Deployed:
    env, pipeline = f"ops-{uuid.uuid4().hex[:8]}", "images"
    name = f"labeling-{env}-{pipeline}"
    sqs, dynamodb, sfn = emulator.client("sqs"), emulator.client("dynamodb"), emulator.client("stepfunctions")
    dlq_url = sqs.create_queue(QueueName=f"{name}-dead-letter")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive_policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
    upload_url = sqs.create_queue(QueueName=f"{name}-uploads", Attributes={"RedrivePolicy": redrive_policy})[
        "QueueUrl"
    ]
    dynamodb.create_table(
        TableName=f"{name}-ledger",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "item_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "item_id", "AttributeType": "S"}],
    )
    role = emulator.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    # A run that waits for its labeling job, as the pipeline's does, in a state named for it.
    definition = {
        "StartAt": "WaitForLabelingJob",
        "States": {"WaitForLabelingJob": {"Type": "Wait", "Seconds": 3600, "End": True}},
    }
    machine = sfn.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=role["Role"]["Arn"]
    )
    bucket = f"{name}-upload-{ACCOUNT}"
    prefix = f"/private-labeling/{env}/pipeline/{pipeline}"
    ssm = emulator.client("ssm")
    for parameter, value in {
        "upload-bucket-name": bucket,
        "output-bucket-name": f"{name}-output-{ACCOUNT}",
        "feature-group-name": f"{name}-labels",
        "state-machine-arn": machine["stateMachineArn"],
        "upload-queue-url": upload_url,
        "dashboard-url": f"https://console.aws.amazon.com/cloudwatch/home#dashboards/dashboard/{name}",
    }.items():
        ssm.put_parameter(Name=f"{prefix}/{parameter}", Value=value, Type="String")
    return Deployed(
        env, pipeline, name, bucket, upload_url, dlq_url, machine["stateMachineArn"], sqs, dynamodb, sfn
    )


@pytest.fixture
def cli(labeling_cli: Any) -> Any:
    return labeling_cli


def crashing(operation: str, after: int, error: type[BaseException] = Crash) -> Callable[[Any, str], Any]:
    """A client factory whose clients die at the `after`+1-th call of `operation` (counted over the run)
    with `error` (KeyboardInterrupt for Ctrl-C)."""
    calls = {"n": 0}

    class Dying:
        def __init__(self, client: Any) -> None:
            self._client = client

        def __getattr__(self, name: str) -> Any:
            real = getattr(self._client, name)
            if name != operation:
                return real

            def call(**kwargs: Any) -> Any:
                calls["n"] += 1
                if calls["n"] > after:
                    raise error(f"injected at {operation} #{calls['n']}")
                return real(**kwargs)

            return call

    return lambda session, service: Dying(labeling.default_client(session, service))


def _claimed_back(deployed: Deployed) -> list[Claimed | ClaimOutcome]:
    """What the pipeline's next claim makes of every message on the upload queue."""
    claim = Claim(batch_id="next-run", token="next")
    outcomes: list[Claimed | ClaimOutcome] = []
    for body in deployed.bodies(deployed.upload_url):
        message = parse_message(body, deployed.bucket)
        assert isinstance(message, Redrive), message
        outcomes.append(deployed.ledger.claim_redrive(message.item_id, claim))
    return outcomes


# --- status --------------------------------------------------------------------------------------
def test_status_reports_queues_dead_letters_with_their_reasons_and_the_running_execution(
    deployed: Deployed, cli: Any
) -> None:
    # Given three dead letters (two for the same reason), one upload waiting and a run in progress
    for key, reason in (("a.jpg", "not an image"), ("b.jpg", "not an image"), ("c.jpg", "rejected 3 times")):
        deployed.dead_letter(key, ["labeling job failed", reason])
    deployed.sqs.send_message(QueueUrl=deployed.upload_url, MessageBody="{}")
    earlier = deployed.sfn.start_execution(stateMachineArn=deployed.state_machine_arn, name="run-0")
    deployed.sfn.stop_execution(executionArn=earlier["executionArn"])
    deployed.sfn.start_execution(stateMachineArn=deployed.state_machine_arn, name="run-1")

    # When status runs (its output is not a terminal: JSON)
    run = cli("status", "--env", deployed.env)

    # Then it reports the counts, the reasons by frequency, the oldest age and the running stage
    assert run.code == 0, run.err
    [status] = run.json()["pipelines"]
    assert status["pipeline"] == "images"
    assert status["dashboard_url"].endswith(f"#dashboards/dashboard/{deployed.name}")
    assert status["queue"] == {"waiting": 1, "in_flight": 0}
    assert status["dead_letters"]["count"] == 3
    assert status["dead_letters"]["top_reasons"][:2] == [
        {"reason": "labeling job failed", "items": 3},
        {"reason": "not an image", "items": 2},
    ]
    assert 0 <= status["dead_letters"]["oldest_age_seconds"] < 120
    assert status["running"][0]["name"] == "run-1"
    assert status["running"][0]["stage"] == "WaitForLabelingJob"
    assert [(r["name"], r["status"]) for r in status["last_runs"]] == [("run-0", "ABORTED")]
    # and reading the dead letters consumed none of them
    assert len(deployed.bodies(deployed.dead_letter_url)) == 3


def test_status_reports_the_labeling_job_in_progress_with_its_counters(emulator_clean: Any, cli: Any) -> None:
    # Given a pipeline whose labeling job of two objects is in progress (its labelers take an hour)
    deployed = _deploy(emulator_clean)
    job = f"{deployed.name}-0123456789ab-lbl"
    emulator_clean.arm_fault("labeling_job", match={"job_name": job}, delay_seconds=3600, count=None)
    team = private_workteam(emulator_clean, f"{deployed.env}-workers")
    s3, bucket = emulator_clean.client("s3"), f"{deployed.name}-output-{ACCOUNT}"
    s3.create_bucket(Bucket=bucket)
    role = execution_role(emulator_clean, f"{deployed.name}-jobs", labeling_job_statements(bucket))
    s3.put_object(Bucket=bucket, Key="in.manifest", Body='{"source": "good"}\n{"source": "bad"}\n')
    labels = {"document-version": "2018-11-28", "labels": [{"label": "positive"}, {"label": "negative"}]}
    s3.put_object(Bucket=bucket, Key="labels.json", Body=json.dumps(labels))
    s3.put_object(Bucket=bucket, Key="ui.html", Body="<crowd-form></crowd-form>")
    functions = "arn:aws:lambda:us-east-1:432418664414:function:"
    emulator_clean.client("sagemaker").create_labeling_job(
        LabelingJobName=job,
        LabelAttributeName="label",
        InputConfig={"DataSource": {"S3DataSource": {"ManifestS3Uri": f"s3://{bucket}/in.manifest"}}},
        OutputConfig={"S3OutputPath": f"s3://{bucket}/out/"},
        RoleArn=role,
        LabelCategoryConfigS3Uri=f"s3://{bucket}/labels.json",
        HumanTaskConfig={
            "WorkteamArn": team,
            "UiConfig": {"UiTemplateS3Uri": f"s3://{bucket}/ui.html"},
            "PreHumanTaskLambdaArn": f"{functions}PRE-TextMultiClass",
            "TaskTitle": "Sentiment",
            "TaskDescription": "Sentiment of a review",
            "NumberOfHumanWorkersPerDataObject": 1,
            "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": f"{functions}ACS-TextMultiClass"
            },
        },
    )

    # When status runs
    run = cli("status", "--env", deployed.env, "--json")

    # Then the job is listed, as the labeling stage, with DescribeLabelingJob's counters
    assert run.code == 0, run.err
    [status] = run.json()["pipelines"]
    counters = emulator_clean.client("sagemaker").describe_labeling_job(LabelingJobName=job)["LabelCounters"]
    assert status["jobs"] == [
        {
            "name": job,
            "stage": "labeling",
            "labeled": counters["TotalLabeled"],
            "failed": counters["FailedNonRetryableError"],
            "remaining": counters["Unlabeled"],
        }
    ]


def test_status_on_a_terminal_is_a_table(deployed: Deployed, cli: Any) -> None:
    deployed.dead_letter("a.jpg", ["not an image"])

    run = cli("status", "--env", deployed.env, "--pipeline", "images", tty=True)

    assert run.code == 0, run.err
    assert "Labeling pipelines of environment" in run.out
    assert "not an image" in run.out
    assert f"#dashboards/dashboard/{deployed.name}" in run.out


# --- redrive -------------------------------------------------------------------------------------
def test_redrive_with_a_filter_sends_back_exactly_the_matching_items_with_a_fresh_budget(
    deployed: Deployed, cli: Any
) -> None:
    # Given two items dead for a timeout and one that is not an image
    timed_out = [deployed.dead_letter(k, ["labeling job timed out"]) for k in ("a.jpg", "b.jpg")]
    deployed.dead_letter("c.jpg", ["not an image"])

    # When the timed-out ones are redriven
    run = cli("redrive", "--env", deployed.env, "--reason-contains", "TIMED OUT", "--json")

    # Then exactly those are on the upload queue, the other stays dead-lettered
    assert run.code == 0, run.err
    assert run.json()["pipelines"][0]["method"] == "send, then delete"
    assert run.json()["summary"]["redriven"] == 2
    assert deployed.keys(deployed.upload_url) == ["a.jpg", "b.jpg"]
    assert deployed.keys(deployed.dead_letter_url) == ["c.jpg"]
    # and the ledger gave each a fresh budget and says when, why and from which dead letter
    for item_id in timed_out:
        row = deployed.row(item_id)
        assert row["attempts"] == {"N": "0"}
        [entry] = row["redrives"]["L"]
        assert "reasons containing 'TIMED OUT'" in entry["M"]["why"]["S"]
        assert entry["M"]["previous_attempts"] == {"N": "1"}
        assert entry["M"]["at"]["S"].endswith("Z")
        assert "redrive_pending" not in row
    # and the pipeline's next claim takes both back, from zero attempts
    outcomes = _claimed_back(deployed)
    assert [o.item.attempts for o in outcomes if isinstance(o, Claimed)] == [0, 0]


def test_redrive_of_named_keys(deployed: Deployed, cli: Any) -> None:
    for key in ("a.jpg", "b.jpg", "c.jpg"):
        deployed.dead_letter(key, ["rejected 3 times"])

    run = cli("redrive", "--env", deployed.env, "--key", "a.jpg", "--key", "c.jpg")

    assert run.code == 0, run.err
    assert deployed.keys(deployed.upload_url) == ["a.jpg", "c.jpg"]
    assert deployed.keys(deployed.dead_letter_url) == ["b.jpg"]


def test_redrive_of_everything_uses_the_sqs_message_move_task(deployed: Deployed, cli: Any) -> None:
    items = [deployed.dead_letter(k, ["rejected 3 times"]) for k in ("a.jpg", "b.jpg")]

    run = cli("redrive", "--env", deployed.env, "--pipeline", "images", "--json")

    assert run.code == 0, run.err
    [result] = run.json()["pipelines"]
    assert result["method"] == "SQS message-move task"
    assert result["task_handle"]
    assert deployed.keys(deployed.upload_url) == ["a.jpg", "b.jpg"]
    assert deployed.bodies(deployed.dead_letter_url) == []
    assert [deployed.row(i)["attempts"] for i in items] == [{"N": "0"}, {"N": "0"}]
    assert all(isinstance(o, Claimed) for o in _claimed_back(deployed))


def test_dry_run_says_what_would_be_redriven_and_changes_nothing(deployed: Deployed, cli: Any) -> None:
    deployed.dead_letter("a.jpg", ["not an image"])
    before = deployed.snapshot()

    run = cli("redrive", "--env", deployed.env, "--dry-run", "--json")

    assert run.code == 0, run.err
    assert run.json()["summary"]["planned"] == 1
    assert run.json()["pipelines"][0]["method"] == "SQS message-move task"
    assert deployed.snapshot() == before


@pytest.mark.parametrize(
    ("operation", "after", "copies"),
    [
        # dies when deleting the dead letters, after their copies are queued and the ledger says so
        ("delete_message_batch", 0, 1),
        # dies in the instant between SQS accepting the copies and the ledger's "sent"
        ("update_item", 2, 2),
    ],
)
def test_an_interrupted_redrive_loses_nothing_and_the_pipeline_takes_each_item_once(
    deployed: Deployed, cli: Any, operation: str, after: int, copies: int
) -> None:
    # Given two dead letters to redrive
    items = sorted(deployed.dead_letter(k, ["labeling job timed out"]) for k in ("a.jpg", "b.jpg"))

    # When a redrive dies after sending, before deleting, and the same command runs again
    cli.make_client = crashing(operation, after)
    with pytest.raises(Crash):
        cli("redrive", "--env", deployed.env, "--reason-contains", "timed out")
    cli.make_client = labeling.default_client
    rerun = cli("redrive", "--env", deployed.env, "--reason-contains", "timed out", "--json")

    # Then the dead-letter queue is empty, each item is queued (twice only in the instant's case)...
    assert rerun.code == 0, rerun.err
    assert deployed.bodies(deployed.dead_letter_url) == []
    assert deployed.keys(deployed.upload_url) == sorted(["a.jpg", "b.jpg"] * copies)
    # ...and the pipeline's claim takes each item exactly once
    outcomes = _claimed_back(deployed)
    assert sorted(o.item.item_id for o in outcomes if isinstance(o, Claimed)) == items
    assert all(row["redrives"]["L"] for row in map(deployed.row, items))


def test_ctrl_c_during_a_redrive_reports_what_is_left_and_the_rerun_finishes(
    deployed: Deployed, cli: Any
) -> None:
    # Given two dead letters, and a redrive that the operator stops while it deletes them
    for key in ("a.jpg", "b.jpg"):
        deployed.dead_letter(key, ["labeling job timed out"])
    cli.make_client = crashing("delete_message_batch", 0, KeyboardInterrupt)

    # When it is stopped, and the same command runs again
    stopped = cli("redrive", "--env", deployed.env, "--reason-contains", "timed out", "--json")
    cli.make_client = labeling.default_client
    rerun = cli("redrive", "--env", deployed.env, "--reason-contains", "timed out", "--json")

    # Then the stop is reported (exit 130, nothing claimed done), and the rerun finishes without a copy more
    assert stopped.code == 130, stopped.err
    assert stopped.json()["completed"] is False
    assert stopped.json()["summary"]["not attempted"] == 2
    assert rerun.code == 0, rerun.err
    assert [r["detail"] for r in rerun.json()["pipelines"][0]["results"]] == [
        "sent by an interrupted run; its dead letter is now deleted"
    ] * 2
    assert deployed.keys(deployed.upload_url) == ["a.jpg", "b.jpg"]
    assert deployed.bodies(deployed.dead_letter_url) == []


# --- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (
            ["redrive", "--env", "{env}", "--reason-contains", "no such reason"],
            4,
            "no dead letter in environment",
        ),
        (["redrive", "--env", "{env}", "--key", "a.jpg", "--key", "zzz.jpg"], 4, "key(s) zzz.jpg"),
        (["redrive", "--env", "{env}", "--pipeline", "videos"], 3, "no pipeline 'videos'"),
        (["redrive", "--env", "nowhere"], 3, "no pipelines under /private-labeling/nowhere/pipeline"),
        (["status", "--env", "nowhere"], 3, "no pipelines under"),
        (["redrive", "--env", "{env}", "--key", "a.jpg", "--reason-contains", "x"], 2, "not allowed with"),
        (["redrive", "--pipeline", "images"], 2, "give the environment"),
        (["status", "--env", "bad/name"], 2, "use letters, digits"),
    ],
)
def test_bad_input_is_one_line_with_a_documented_code_and_changes_nothing(
    deployed: Deployed, cli: Any, argv: list[str], code: int, message: str
) -> None:
    deployed.dead_letter("a.jpg", ["not an image"])
    before = deployed.snapshot()

    run = cli(*(arg.format(env=deployed.env) for arg in argv))

    assert run.code == code, run.out + run.err
    assert run.err.count("\n") == 1, run.err
    assert run.err.startswith("error: ")
    assert message in run.err
    assert f"\n  {code}" in labeling.build_parser().format_help()
    assert deployed.snapshot() == before


# --- the command as users start it ---------------------------------------------------------------
@pytest.mark.parametrize("command", ["status", "redrive"])
def test_the_labeling_console_script_runs_and_explains_every_option_with_an_example(command: str) -> None:
    # Given the console script pyproject.toml declares
    module, _, function = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"][
        "labeling"
    ].partition(":")

    # When it is run as the generated wrapper runs it, from outside the checkout
    wrapper = f"import sys; from {module} import {function}; sys.exit({function}())"
    done = subprocess.run(
        [sys.executable, "-c", wrapper, command, "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd="/",
        timeout=60,
        check=False,
    )

    # Then the help explains every option with an example, and the exit codes
    assert done.returncode == 0, done.stderr
    action = next(a for a in labeling.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for option_action in action.choices[command]._actions:
        for option in option_action.option_strings:
            assert option in done.stdout
            if option not in {"-h", "--help"}:
                assert "Example:" in (option_action.help or ""), option
    assert "Exit codes" in done.stdout
    assert "AWS_ENDPOINT_URL" in done.stdout
