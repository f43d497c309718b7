"""Bucket policies with conditions are enforced as AWS enforces them for a TLS client."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.core.policy_conditions import condition_matches

pytestmark = pytest.mark.emulator


def tls_only_policy(bucket: str) -> str:
    resources = [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": resources,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                {
                    "Sid": "DenyOutdatedTls",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": resources,
                    "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
                },
            ],
        }
    )


def test_a_tls_only_bucket_accepts_writes(emulator: Any) -> None:
    # Given a bucket whose policy denies requests without TLS 1.2+
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="tls-only")
    s3.put_bucket_policy(Bucket="tls-only", Policy=tls_only_policy("tls-only"))
    # When an object is written and read back
    s3.put_object(Bucket="tls-only", Key="a.txt", Body=b"hello")
    # Then it is there
    assert s3.get_object(Bucket="tls-only", Key="a.txt")["Body"].read() == b"hello"


def test_an_unconditional_deny_still_denies(emulator: Any) -> None:
    # Given a bucket whose policy denies every write
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="read-only")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::read-only/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket="read-only", Policy=json.dumps(policy))
    # When an object is written, then S3 refuses it
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket="read-only", Key="a.txt", Body=b"x")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


@pytest.mark.parametrize(
    ("operator", "key", "expected", "matches"),
    [
        ("Bool", "aws:SecureTransport", "false", False),
        ("Bool", "aws:SecureTransport", "true", True),
        ("NumericLessThan", "s3:TlsVersion", "1.2", False),
        ("StringEquals", "aws:SourceArn", "arn:x", False),  # key absent: false
        ("StringNotEquals", "aws:SourceArn", "arn:x", True),  # negated, key absent: true
        ("StringEqualsIfExists", "aws:SourceArn", "arn:x", True),
        ("Null", "aws:SourceArn", "true", True),
        ("ForAnyValue:Unknown", "aws:SecureTransport", "true", False),  # unsupported: never matches
    ],
)
def test_condition_semantics(operator: str, key: str, expected: str, matches: bool) -> None:
    context = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
    assert condition_matches(operator, key, expected, context) is matches
