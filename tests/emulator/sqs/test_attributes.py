"""SQS attributes in the emulator behave as on AWS: an update changes only what it names."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

pytestmark = pytest.mark.emulator

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": "*",
            }
        ],
    }
)
REDRIVE_ALLOW = json.dumps({"redrivePermission": "allowAll"})


@pytest.fixture
def queue_url(emulator: Any) -> str:
    sqs = boto3.client("sqs", endpoint_url=emulator.url)
    url: str = sqs.create_queue(QueueName="attributes-probe")["QueueUrl"]
    return url


def attributes(url: str, *names: str) -> dict[str, str]:
    result: dict[str, str] = (
        boto3.client("sqs")
        .get_queue_attributes(QueueUrl=url, AttributeNames=list(names))
        .get("Attributes", {})
    )
    return result


def test_setting_redrive_allow_policy_keeps_the_access_policy(emulator: Any, queue_url: str) -> None:
    # Given a queue with an access policy
    sqs = boto3.client("sqs")
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": POLICY})
    # When another call sets only the redrive allow policy
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"RedriveAllowPolicy": REDRIVE_ALLOW})
    # Then both are there, by name and in "All"
    assert json.loads(attributes(queue_url, "Policy")["Policy"]) == json.loads(POLICY)
    assert attributes(queue_url, "RedriveAllowPolicy") == {"RedriveAllowPolicy": REDRIVE_ALLOW}
    assert {"Policy", "RedriveAllowPolicy"} <= attributes(queue_url, "All").keys()


def test_empty_values_remove_the_policies(emulator: Any, queue_url: str) -> None:
    # Given both policies
    sqs = boto3.client("sqs")
    sqs.set_queue_attributes(
        QueueUrl=queue_url, Attributes={"Policy": POLICY, "RedriveAllowPolicy": REDRIVE_ALLOW}
    )
    # When each is set to an empty value
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"RedriveAllowPolicy": ""})
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": ""})
    # Then neither is reported any more
    assert not {"Policy", "RedriveAllowPolicy"} & attributes(queue_url, "All").keys()


def test_creating_an_existing_queue_again_returns_it(emulator: Any, queue_url: str) -> None:
    # Given a queue; when it is created again with the same (default) attributes
    again = boto3.client("sqs").create_queue(QueueName="attributes-probe")["QueueUrl"]
    # Then AWS answers with the same queue
    assert again == queue_url


def test_delay_and_visibility_timeout_still_hold(emulator: Any) -> None:
    # Given a queue with a one-second visibility timeout and one message sent with a one-second delay
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="timing-probe", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=1)
    # When it is received at once, then it is not there yet
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    # When the delay has passed, then it is received, and hidden while its visibility timeout runs
    time.sleep(1.2)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["later"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    # When the visibility timeout has passed, then it is received again
    time.sleep(1.2)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["later"]


def test_a_long_queue_is_received_and_counted(emulator: Any) -> None:
    # Given 3,000 queued messages
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="long-queue")["QueueUrl"]
    for start in range(0, 3000, 10):
        entries = [{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    # When ten are received, then ten come back and the counts add up
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    counts = attributes(url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
    assert len(received) == 10
    assert counts == {"ApproximateNumberOfMessages": "2990", "ApproximateNumberOfMessagesNotVisible": "10"}
