"""SQS message-move tasks: a dead-letter queue's messages go back to a queue of the caller's choice."""

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


def _queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _bodies(sqs: Any, url: str) -> list[str]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return sorted(m["Body"] for m in messages.get("Messages", []))


def test_a_move_task_moves_every_dead_letter_to_the_destination_and_is_listed(sqs: Any) -> None:
    # Given a dead-letter queue of a source queue, holding three messages
    dlq_url, dlq_arn = _queue(sqs, unique("dlq"))
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
    source_url, source_arn = _queue(sqs, unique("src"), RedrivePolicy=policy)
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=dlq_url, MessageBody=body)

    # When a move task starts from the DLQ to the source queue
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=source_arn)["TaskHandle"]

    # Then the messages are on the source queue, none left behind, and the task says so
    assert _bodies(sqs, source_url) == ["a", "b", "c"]
    assert _bodies(sqs, dlq_url) == []
    [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
    assert (task["TaskHandle"], task["Status"], task["DestinationArn"]) == (handle, "COMPLETED", source_arn)
    assert (task["ApproximateNumberOfMessagesMoved"], task["ApproximateNumberOfMessagesToMove"]) == (3, 3)


def test_without_a_destination_the_messages_go_back_to_the_one_source_queue(sqs: Any) -> None:
    dlq_url, dlq_arn = _queue(sqs, unique("dlq"))
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
    source_url, _ = _queue(sqs, unique("src"), RedrivePolicy=policy)
    sqs.send_message(QueueUrl=dlq_url, MessageBody="back")

    sqs.start_message_move_task(SourceArn=dlq_arn)

    assert _bodies(sqs, source_url) == ["back"]


def test_a_queue_that_is_no_dead_letter_queue_or_no_queue_is_refused(sqs: Any) -> None:
    plain_url, plain_arn = _queue(sqs, unique("plain"))
    sqs.send_message(QueueUrl=plain_url, MessageBody="stays")

    with pytest.raises(ClientError) as not_a_dlq:
        sqs.start_message_move_task(SourceArn=plain_arn)
    with pytest.raises(ClientError) as missing:
        sqs.start_message_move_task(SourceArn=plain_arn + "-gone")

    # The code botocore reports is the service model's query-compatible one for UnsupportedOperation.
    assert not_a_dlq.value.response["Error"]["Code"].endswith("UnsupportedOperation")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert _bodies(sqs, plain_url) == ["stays"]
