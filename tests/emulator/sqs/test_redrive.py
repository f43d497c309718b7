"""SQS RedriveAllowPolicy validation, compact redrive policies, KMS encryption flags."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.helpers import unique
from tests.fixtures.emulator import Emulator


@pytest.fixture
def sqs(emulator: Emulator) -> Any:
    return emulator.client("sqs")


@pytest.mark.parametrize(
    "policy",
    [
        "{not json",
        json.dumps({"redrivePermission": "everyone"}),
        json.dumps({"redrivePermission": "byQueue"}),
        json.dumps(
            {
                "redrivePermission": "byQueue",
                "sourceQueueArns": [f"arn:aws:sqs:us-east-1:1:q{i}" for i in range(11)],
            }
        ),
        json.dumps({"redrivePermission": "allowAll", "sourceQueueArns": ["arn:aws:sqs:us-east-1:1:q"]}),
    ],
)
def test_bad_redrive_allow_policy_is_refused(sqs: Any, policy: str) -> None:
    url = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]

    with pytest.raises(ClientError) as raised:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": policy})

    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert (
        "RedriveAllowPolicy"
        not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    )


def test_by_queue_policy_round_trips(sqs: Any) -> None:
    policy = json.dumps(
        {"redrivePermission": "byQueue", "sourceQueueArns": ["arn:aws:sqs:us-east-1:123456789012:up"]}
    )
    url = sqs.create_queue(QueueName=unique("dlq"), Attributes={"RedriveAllowPolicy": policy})["QueueUrl"]

    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])["Attributes"]

    assert json.loads(got["RedriveAllowPolicy"]) == json.loads(policy)


def test_kms_encryption_is_not_sqs_managed(sqs: Any) -> None:
    url = sqs.create_queue(QueueName=unique("kms"), Attributes={"KmsMasterKeyId": "alias/aws/sqs"})[
        "QueueUrl"
    ]

    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]

    assert attributes["KmsMasterKeyId"] == "alias/aws/sqs"
    assert attributes["SqsManagedSseEnabled"] == "false"


def test_redrive_policy_reads_back_compact(sqs: Any) -> None:
    dead = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": 5}, separators=(",", ":"))
    url = sqs.create_queue(QueueName=unique("up"), Attributes={"RedrivePolicy": policy})["QueueUrl"]

    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]

    assert got["RedrivePolicy"] == policy
