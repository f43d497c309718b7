"""S3 -> EventBridge -> SQS: one event per request, AWS's event shape, object keys exactly as stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.emulator.helpers import allow_eventbridge, unique
from tests.fixtures.emulator import Emulator

AWKWARD_KEYS = [
    "plain.jpg",
    "folder/with space.jpg",
    "plus+sign.jpg",
    "a b+c.txt",
    "unicodé/ß 猫.png",
    "100%.txt",
    "already%2Bencoded%20.txt",
    "quote'and\"double.txt",
    "angle<id>brackets<time>.txt",
]


@dataclass(frozen=True)
class Wiring:
    bucket: str
    queue_url: str


def queue(emulator: Emulator) -> tuple[str, str]:
    sqs = emulator.client("sqs")
    url: str = sqs.create_queue(QueueName=unique("events"))["QueueUrl"]
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive_all(emulator: Emulator, queue_url: str) -> list[dict[str, Any]]:
    sqs = emulator.client("sqs")
    bodies = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


@pytest.fixture
def wiring(emulator: Emulator) -> Iterator[Wiring]:
    """A bucket with EventBridge notifications and a default-bus rule for its Object Created events -> SQS."""
    bucket = unique("upload")
    s3, events = emulator.client("s3"), emulator.client("events")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    url, arn = queue(emulator)
    rule = unique("created")
    pattern = {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket]}},
    }
    rule_arn = events.put_rule(Name=rule, EventPattern=json.dumps(pattern))["RuleArn"]
    allow_eventbridge(emulator, url, arn, rule_arn)
    events.put_targets(Rule=rule, Targets=[{"Id": "queue", "Arn": arn}])
    yield Wiring(bucket=bucket, queue_url=url)
    events.remove_targets(Rule=rule, Ids=["queue"])
    events.delete_rule(Name=rule)


def test_put_object_event_reaches_sqs_with_the_exact_key(emulator: Emulator, wiring: Wiring) -> None:
    # given objects whose keys need encoding in URLs
    s3 = emulator.client("s3")
    for key in AWKWARD_KEYS:
        s3.put_object(Bucket=wiring.bucket, Key=key, Body=b"data")

    # when the queue is read
    events = receive_all(emulator, wiring.queue_url)

    # then each object produced one Object Created event, its key exactly as S3 lists it
    listed = [obj["Key"] for obj in s3.list_objects_v2(Bucket=wiring.bucket)["Contents"]]
    assert (
        sorted(event["detail"]["object"]["key"] for event in events) == sorted(listed) == sorted(AWKWARD_KEYS)
    )


def test_event_shape_matches_aws(emulator: Emulator, wiring: Wiring) -> None:
    put = emulator.client("s3").put_object(Bucket=wiring.bucket, Key="shape.txt", Body=b"12345")

    [event] = receive_all(emulator, wiring.queue_url)

    assert set(event) == {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    }
    assert event["detail-type"] == "Object Created"
    assert event["source"] == "aws.s3"
    assert event["account"] == "123456789012"
    assert event["region"] == "us-east-1"
    assert event["resources"] == [f"arn:aws:s3:::{wiring.bucket}"]
    assert event["time"].endswith("Z")
    detail = event["detail"]
    assert detail["version"] == "0"
    assert detail["bucket"] == {"name": wiring.bucket}
    assert detail["reason"] == "PutObject"
    assert detail["object"]["size"] == 5
    assert detail["object"]["etag"] == put["ETag"].strip('"')
    assert "version-id" not in detail["object"]  # the bucket is not versioned
    assert {"sequencer", "key"} <= set(detail["object"])
    assert {"request-id", "requester", "source-ip-address"} <= set(detail)


def test_events_have_distinct_ids_and_increasing_sequencers(emulator: Emulator, wiring: Wiring) -> None:
    s3 = emulator.client("s3")
    for body in (b"one", b"two"):
        s3.put_object(Bucket=wiring.bucket, Key="same-key", Body=body)

    first, second = receive_all(emulator, wiring.queue_url)

    assert first["id"] != second["id"]
    assert first["detail"]["object"]["sequencer"] < second["detail"]["object"]["sequencer"]


def test_tagged_put_copy_and_multipart_send_one_event_each(emulator: Emulator, wiring: Wiring) -> None:
    s3 = emulator.client("s3")
    s3.put_object(Bucket=wiring.bucket, Key="tagged.jpg", Body=b"x", Tagging="label=cat")
    s3.copy_object(
        Bucket=wiring.bucket,
        Key="copy of tagged.jpg",
        CopySource={"Bucket": wiring.bucket, "Key": "tagged.jpg"},
    )
    upload = s3.create_multipart_upload(Bucket=wiring.bucket, Key="multi part.bin", Tagging="label=dog")
    part = s3.upload_part(
        Bucket=wiring.bucket, Key="multi part.bin", UploadId=upload["UploadId"], PartNumber=1, Body=b"y"
    )
    s3.complete_multipart_upload(
        Bucket=wiring.bucket,
        Key="multi part.bin",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )

    events = receive_all(emulator, wiring.queue_url)

    reasons = sorted((e["detail"]["object"]["key"], e["detail"]["reason"]) for e in events)
    assert reasons == [
        ("copy of tagged.jpg", "CopyObject"),
        ("multi part.bin", "CompleteMultipartUpload"),
        ("tagged.jpg", "PutObject"),
    ]
    # the event arrives after the request completed: the object's tags are already readable
    assert s3.get_object_tagging(Bucket=wiring.bucket, Key="tagged.jpg")["TagSet"] == [
        {"Key": "label", "Value": "cat"}
    ]


def test_versioned_bucket_reports_the_version(emulator: Emulator, wiring: Wiring) -> None:
    s3 = emulator.client("s3")
    s3.put_bucket_versioning(Bucket=wiring.bucket, VersioningConfiguration={"Status": "Enabled"})

    put = s3.put_object(Bucket=wiring.bucket, Key="v.txt", Body=b"v")

    [event] = receive_all(emulator, wiring.queue_url)
    assert event["detail"]["object"]["version-id"] == put["VersionId"]


def test_only_the_default_bus_and_matching_rules_get_s3_events(emulator: Emulator, wiring: Wiring) -> None:
    # given a rule for S3 events on a custom bus, and a default-bus rule for another bucket
    events = emulator.client("events")
    bus = unique("custom")
    events.create_event_bus(Name=bus)
    custom_url, custom_arn = queue(emulator)
    custom_rule = events.put_rule(
        Name=unique("custom"), EventBusName=bus, EventPattern=json.dumps({"source": ["aws.s3"]})
    )["RuleArn"]
    allow_eventbridge(emulator, custom_url, custom_arn, custom_rule)
    rule = events.list_rules(EventBusName=bus)["Rules"][0]["Name"]
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": custom_arn}])

    emulator.client("s3").put_object(Bucket=wiring.bucket, Key="only-default.txt", Body=b"z")

    assert receive_all(emulator, custom_url) == []
    assert len(receive_all(emulator, wiring.queue_url)) == 1


def test_no_events_without_eventbridge_notifications(emulator: Emulator, wiring: Wiring) -> None:
    s3 = emulator.client("s3")
    s3.put_bucket_notification_configuration(Bucket=wiring.bucket, NotificationConfiguration={})

    s3.put_object(Bucket=wiring.bucket, Key="quiet.txt", Body=b"q")

    assert receive_all(emulator, wiring.queue_url) == []


def test_notification_configuration_reads_back(emulator: Emulator, wiring: Wiring) -> None:
    answer = emulator.client("s3").get_bucket_notification_configuration(Bucket=wiring.bucket)

    assert answer["EventBridgeConfiguration"] == {}


@pytest.mark.parametrize(
    "key_format", [{"PartitionedPrefix": {"PartitionDateSource": "EventTime"}}, {"SimplePrefix": {}}]
)
def test_logging_key_format_reads_back(emulator: Emulator, key_format: dict[str, Any]) -> None:
    s3 = emulator.client("s3")
    source, target = unique("logged"), unique("logs")
    s3.create_bucket(Bucket=source)
    s3.create_bucket(Bucket=target)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{target}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=target, Policy=json.dumps(policy))
    logging = {"TargetBucket": target, "TargetPrefix": "logs/", "TargetObjectKeyFormat": key_format}

    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": logging})

    assert s3.get_bucket_logging(Bucket=source)["LoggingEnabled"] == logging


def test_tags_given_at_creation_are_kept(emulator: Emulator) -> None:
    s3 = emulator.client("s3")
    bucket = unique("tagged")

    s3.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"Tags": [{"Key": "Project", "Value": "private-labeling"}]}
    )

    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "Project", "Value": "private-labeling"}]
