"""EventBridge Scheduler schedules fire: expression arithmetic, the clock, and firing on demand."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from emulator.scheduler.models import Clock, UnsupportedExpression, next_fire
from tests.emulator.helpers import unique
from tests.fixtures.emulator import Emulator

T0 = datetime(2026, 3, 27, 10, 7, 30, tzinfo=UTC)  # a Friday


@pytest.mark.parametrize(
    ("expression", "timezone", "expected"),
    [
        ("rate(5 minutes)", "UTC", datetime(2026, 3, 27, 10, 12, 30, tzinfo=UTC)),
        ("rate(1 hour)", "UTC", datetime(2026, 3, 27, 11, 7, 30, tzinfo=UTC)),
        ("cron(0 12 * * ? *)", "UTC", datetime(2026, 3, 27, 12, 0, tzinfo=UTC)),
        ("cron(0/15 * * * ? *)", "UTC", datetime(2026, 3, 27, 10, 15, tzinfo=UTC)),
        ("cron(0 9 ? * MON-FRI *)", "UTC", datetime(2026, 3, 30, 9, 0, tzinfo=UTC)),
        ("cron(30 8 1 JAN,JUL ? 2027)", "UTC", datetime(2027, 1, 1, 8, 30, tzinfo=UTC)),
        # Berlin switches to summer time on 29 March 2026: 09:00 local is 07:00 UTC from then on
        ("cron(0 9 ? * SUN *)", "Europe/Berlin", datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),
        ("at(2026-03-27T11:00:00)", "UTC", datetime(2026, 3, 27, 11, 0, tzinfo=UTC)),
        ("at(2026-03-27T10:00:00)", "UTC", None),
    ],
)
def test_next_fire(expression: str, timezone: str, expected: datetime | None) -> None:
    assert next_fire(expression, timezone, after=T0, anchor=T0) == expected


def test_rate_counts_from_its_anchor() -> None:
    anchor = T0 - timedelta(minutes=12)

    assert next_fire("rate(5 minutes)", "UTC", after=T0, anchor=anchor) == anchor + timedelta(minutes=15)


@pytest.mark.parametrize("expression", ["cron(0 12 L * ? *)", "cron(0 12 * *)", "every day", "rate(5 weeks)"])
def test_unsupported_expressions(expression: str) -> None:
    with pytest.raises(UnsupportedExpression):
        next_fire(expression, "UTC", after=T0, anchor=T0)


@mock_aws
def test_clock_fires_due_schedules_once() -> None:
    # given a 1-minute schedule whose target is a queue
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue_url = sqs.create_queue(QueueName="fired")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    boto3.client("scheduler", region_name="us-east-1").create_schedule(
        Name="every-minute",
        ScheduleExpression="rate(1 minute)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": queue_arn,
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": '{"tick": 1}',
        },
    )
    clock = Clock()
    now = datetime.now(UTC)

    # when the clock ticks before, at and twice after the first minute
    for offset in (30, 61, 62, 70):
        clock.tick(now + timedelta(seconds=offset))

    # then the target got exactly one message, with the schedule's input
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(message["Body"]) for message in messages] == [{"tick": 1}]


@mock_aws
def test_one_time_schedule_deletes_itself() -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue_url = sqs.create_queue(QueueName="once")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    scheduler = boto3.client("scheduler", region_name="us-east-1")
    soon = datetime.now(UTC) + timedelta(minutes=2)
    scheduler.create_schedule(
        Name="once",
        ScheduleExpression=f"at({soon:%Y-%m-%dT%H:%M:%S})",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={"Arn": queue_arn, "RoleArn": "arn:aws:iam::123456789012:role/scheduler"},
    )

    Clock().tick(soon + timedelta(seconds=1))

    assert len(sqs.receive_message(QueueUrl=queue_url).get("Messages", [])) == 1
    assert scheduler.list_schedules()["Schedules"] == []


def test_fire_starts_the_state_machine(emulator: Emulator) -> None:
    # given a schedule whose target is a state machine
    role = "arn:aws:iam::123456789012:role/scheduler"
    definition = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    machine = emulator.client("stepfunctions").create_state_machine(
        name=unique("sm"), definition=json.dumps(definition), roleArn=role
    )["stateMachineArn"]
    name = unique("nightly")
    emulator.client("scheduler").create_schedule(
        Name=name,
        ScheduleExpression="cron(0 12 * * ? *)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": machine, "RoleArn": role, "Input": '{"source": "schedule"}'},
    )

    # when it is fired
    fired = emulator.fire_schedule(name)

    # then an execution ran with the schedule's input
    sfn = emulator.client("stepfunctions")
    deadline = time.monotonic() + 30
    while (execution := sfn.describe_execution(executionArn=fired["executionArn"]))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"source": "schedule"}


def test_fire_unknown_schedule(emulator: Emulator) -> None:
    with pytest.raises(Exception, match="404"):
        emulator.fire_schedule("does-not-exist")


def test_the_server_clock_fires_schedules(private_emulator: Emulator) -> None:
    sqs = private_emulator.client("sqs")
    queue_url = sqs.create_queue(QueueName="clock")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    soon = datetime.now(UTC) + timedelta(seconds=2)
    private_emulator.client("scheduler").create_schedule(
        Name="soon",
        ScheduleExpression=f"at({soon:%Y-%m-%dT%H:%M:%S})",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": queue_arn, "RoleArn": "arn:aws:iam::123456789012:role/scheduler", "Input": "{}"},
    )

    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=10).get("Messages", [])

    assert len(messages) == 1
