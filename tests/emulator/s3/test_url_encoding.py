"""Listing object versions with encoding-type=url returns URL-encoded keys, as AWS does."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

pytestmark = pytest.mark.emulator

KEYS = ["images/blue+berry.png", "images/red apple.png", "images/café crème.png", "plain.txt"]


def test_keys_come_back_url_encoded_and_decode_to_the_real_keys(emulator: Any) -> None:
    # Given a versioned bucket holding keys with '+', spaces and unicode
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="encoded-listing")
    s3.put_bucket_versioning(Bucket="encoded-listing", VersioningConfiguration={"Status": "Enabled"})
    for key in KEYS:
        s3.put_object(Bucket="encoded-listing", Key=key, Body=b"x")
    s3.delete_object(Bucket="encoded-listing", Key="plain.txt")

    # When the versions are listed with URL encoding asked for explicitly (botocore leaves the keys alone)
    raw = s3.list_object_versions(Bucket="encoded-listing", EncodingType="url")
    # and as botocore lists by default (it asks for URL encoding itself and decodes the answer)
    decoded = s3.list_object_versions(Bucket="encoded-listing")

    # Then the wire carries encoded keys, and decoding gives back exactly the stored keys
    assert raw["EncodingType"] == "url"
    assert "images/blue%2Bberry.png" in {v["Key"] for v in raw["Versions"]}
    assert "images/red%20apple.png" in {v["Key"] for v in raw["Versions"]}
    assert sorted(v["Key"] for v in decoded["Versions"]) == sorted(KEYS)
    assert [m["Key"] for m in decoded["DeleteMarkers"]] == ["plain.txt"]


def test_the_encoded_keys_delete_the_right_versions(emulator: Any) -> None:
    # Given the same bucket contents
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="encoded-delete")
    s3.put_bucket_versioning(Bucket="encoded-delete", VersioningConfiguration={"Status": "Enabled"})
    for key in KEYS:
        s3.put_object(Bucket="encoded-delete", Key=key, Body=b"x")

    # When every listed version is deleted, as force_destroy does
    listed = s3.list_object_versions(Bucket="encoded-delete")
    objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in listed["Versions"]]
    s3.delete_objects(Bucket="encoded-delete", Delete={"Objects": objects})

    # Then the bucket is empty and can be deleted
    assert "Versions" not in s3.list_object_versions(Bucket="encoded-delete")
    s3.delete_bucket(Bucket="encoded-delete")
