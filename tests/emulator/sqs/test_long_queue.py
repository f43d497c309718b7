"""SQS in the emulator on a queue as long as the pipeline's: deletes and attributes behave as on AWS (the
emulator computes an attribute only when it is read, and deletes without copying every receipt handle)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

pytestmark = pytest.mark.emulator

QUEUED = 2_000


@pytest.fixture
def long_queue(emulator: Any) -> tuple[Any, str]:
    """A fresh queue holding 2,000 messages."""
    sqs = boto3.client("sqs", endpoint_url=emulator.url)
    url: str = sqs.create_queue(QueueName=f"delete-probe-{id(sqs)}")["QueueUrl"]
    for start in range(0, QUEUED, 10):
        entries = [{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    return sqs, url


def counts(sqs: Any, url: str) -> tuple[int, int]:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def entries(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]


def test_received_messages_are_deleted_and_the_rest_stay(long_queue: tuple[Any, str]) -> None:
    # Given a long queue and ten received messages
    sqs, url = long_queue
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    # When they are deleted in one batch
    response = sqs.delete_message_batch(QueueUrl=url, Entries=entries(received))
    # Then all ten are gone, and every other message is still there and visible
    assert len(response["Successful"]) == 10
    assert not response.get("Failed")
    assert counts(sqs, url) == (QUEUED - 10, 0)


def test_deleting_a_deleted_message_again_is_not_an_error(long_queue: tuple[Any, str]) -> None:
    # Given a message that was received and deleted
    sqs, url = long_queue
    (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    # When it is deleted again (a retried delete)
    response = sqs.delete_message_batch(QueueUrl=url, Entries=entries([message]))
    # Then SQS accepts it and nothing else is deleted
    assert [entry["Id"] for entry in response["Successful"]] == ["0"]
    assert counts(sqs, url) == (QUEUED - 1, 0)


def test_an_older_receipt_handle_still_deletes_a_message_received_again(
    long_queue: tuple[Any, str],
) -> None:
    # Given a message received, made visible again, and received by someone else
    sqs, url = long_queue
    (first,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert first["MessageId"] in {m["MessageId"] for m in again}
    # When the first receiver deletes it with its own, older handle
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    # Then it is gone (as moto has always done) and the other nine received are still in flight
    assert counts(sqs, url) == (QUEUED - 10, 9)


def test_a_handle_the_queue_never_gave_out_is_refused(long_queue: tuple[Any, str]) -> None:
    # Given a long queue
    sqs, url = long_queue
    # When a made-up receipt handle is deleted
    response = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "x", "ReceiptHandle": "made-up"}])
    # Then that entry fails as the sender's fault, and no message is deleted
    (failed,) = response["Failed"]
    assert (failed["Id"], failed["Code"], failed["SenderFault"]) == ("x", "ReceiptHandleIsInvalid", True)
    assert counts(sqs, url) == (QUEUED, 0)


def test_content_based_deduplication_still_holds_when_sending(emulator: Any) -> None:
    # Given a FIFO queue with content-based deduplication (the attribute the send path reads)
    sqs = boto3.client("sqs", endpoint_url=emulator.url)
    url = sqs.create_queue(
        QueueName="dedup-probe.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    # When the same body is sent twice
    for _ in range(2):
        sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    # Then the queue holds it once, and reports the attribute as it was set
    assert counts(sqs, url) == (1, 0)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attributes["FifoQueue"], attributes["ContentBasedDeduplication"]) == ("true", "true")
