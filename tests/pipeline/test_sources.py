"""Identity and source reading details: ids, content types, text decoding, unversioned buckets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from labeling_pipeline import handlers
from labeling_pipeline.config import TaskType
from labeling_pipeline.messages import ObjectCreated, Poison, parse_message
from labeling_pipeline.model import SourceObject, item_id, record_id
from labeling_pipeline.sources import JSON_LINES, media_type
from tests.pipeline.harness import OUTPUT_BUCKET, UPLOAD_BUCKET, PipelineFactory, s3_event

TEXT = TaskType.TEXT_MULTI_LABEL_CLASSIFICATION


def test_an_item_is_a_version_and_a_record_is_a_location() -> None:
    v1, v2 = SourceObject("b", "a b+c.txt", "v1"), SourceObject("b", "a b+c.txt", "v2")
    assert item_id(v1, 3) != item_id(v2, 3)
    assert item_id(v1, 3) != item_id(v1, 4)
    assert record_id(v1, 3) == record_id(v2, 3)
    assert record_id(v1) != record_id(SourceObject("b", "a%20b+c.txt", "v1"))
    assert len(item_id(SourceObject("b", "k" * 1024, "v"))) == 64


def test_without_versions_changed_content_is_a_new_item() -> None:
    first, second = SourceObject("b", "k", None, "etag-1"), SourceObject("b", "k", None, "etag-2")
    assert item_id(first) != item_id(second)
    assert record_id(first) == record_id(second)


@pytest.mark.parametrize(
    ("declared", "key", "expected"),
    [
        ("image/JPEG", "x", "image/jpeg"),
        ("image/jpg", "x", "image/jpeg"),
        ("binary/octet-stream", "a/b.JPG", "image/jpeg"),
        ("", "a/b.png", "image/png"),
        ("text/plain; charset=utf-8", "a.txt", "text/plain"),
        ("text/plain", "data.jsonl", JSON_LINES),
        ("application/x-ndjson", "data", JSON_LINES),
        ("application/octet-stream", "data.bin", "application/octet-stream"),
    ],
)
def test_the_media_type_comes_from_the_declaration_or_the_extension(
    declared: str, key: str, expected: str
) -> None:
    assert media_type(declared, key) == expected


def test_an_event_key_is_used_as_it_arrives_with_the_decoded_form_as_a_fallback() -> None:
    event = s3_event(
        UPLOAD_BUCKET, "a b/c+d/é%.png", size=3, version_id="v", etag="e", time="t", encoded=True
    )
    parsed = parse_message(json.dumps(event), UPLOAD_BUCKET)
    assert isinstance(parsed, ObjectCreated)
    assert parsed.source.key == "a+b/c%2Bd/%C3%A9%25.png"
    assert parsed.decoded_key == "a b/c+d/é%.png"
    plain = parse_message(
        json.dumps(s3_event(UPLOAD_BUCKET, "plain.png", size=3, version_id="v", etag="e", time="t")),
        UPLOAD_BUCKET,
    )
    assert isinstance(plain, ObjectCreated)
    assert plain.decoded_key is None


@pytest.mark.parametrize("size", [-1, "12", True])
def test_an_event_with_a_broken_size_is_poison(size: Any) -> None:
    event = s3_event(UPLOAD_BUCKET, "k.png", size=0, version_id="v", etag="e", time="t")
    event["detail"]["object"]["size"] = size
    assert isinstance(parse_message(json.dumps(event), UPLOAD_BUCKET), Poison)


def manifest_sources(pipeline: Any) -> list[str]:
    body = pipeline.s3.get_object(Bucket=OUTPUT_BUCKET, Key="batches/exec-1/input.manifest")["Body"].read()
    return [json.loads(line)["source"] for line in body.decode().split("\n") if line]


def test_json_lines_uploaded_as_text_plain_are_read_as_records(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline(TEXT)
    pipeline.upload("r.jsonl", b'{"source": "one"}\n{"source": "two"}\n', "text/plain")
    handlers.claim_batch({"run": pipeline.run("exec-1")}, lambda_context)
    assert manifest_sources(pipeline) == ["one", "two"]


def test_lines_too_long_or_not_utf8_are_reported_and_the_rest_labeled(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline(TEXT)
    body = b"good line\n" + b"x" * 100_001 + b"\n\xff\xfe broken\nlast line"
    pipeline.upload("mixed.txt", body, "text/plain")
    handlers.claim_batch({"run": pipeline.run("exec-1")}, lambda_context)
    assert manifest_sources(pipeline) == ["good line", "last line"]
    (dead,) = pipeline.take_dlq()
    assert dead["reasons"] == [
        "line 2: cannot be labeled: its manifest line would be 100,091 characters; "
        "Ground Truth takes at most 100,000 per line",
        "line 3: not valid UTF-8",
    ]


def test_a_line_is_claimed_only_if_its_manifest_attribute_fits_ground_truths_limit(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given text lines whose manifest attribute '"source":"<text>"' (11 characters more than the text) is
    # exactly 20,000 characters, then one more; in characters, not bytes ("é" is two bytes of UTF-8)
    pipeline = make_pipeline(TEXT)
    fits, too_long = "é" * 19_989, "é" * 19_990
    pipeline.upload("long.txt", f"{fits}\n{too_long}\n".encode(), "text/plain")
    # When the batch is claimed
    handlers.claim_batch({"run": pipeline.run("exec-1")}, lambda_context)
    # Then the first line is in the manifest and the second is dead-lettered at once with the reason
    assert manifest_sources(pipeline) == [fits]
    (dead,) = pipeline.take_dlq()
    assert dead["reasons"] == [
        "line 2: cannot be labeled: its manifest attribute 'source' would be 20,001 characters; "
        "Ground Truth takes at most 20,000 per attribute"
    ]


def test_a_text_file_of_blank_lines_is_rejected(make_pipeline: PipelineFactory, lambda_context: Any) -> None:
    pipeline = make_pipeline(TEXT)
    pipeline.upload("blank.txt", b"\n  \n\r\n", "text/plain")
    handlers.claim_batch({"run": pipeline.run("exec-1")}, lambda_context)
    (dead,) = pipeline.take_dlq()
    assert dead["reasons"] == ["no non-empty lines: nothing to label"]


def test_an_overwritten_object_in_an_unversioned_bucket_is_skipped(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given an event without a version id whose object has since been overwritten
    pipeline = make_pipeline()
    first = pipeline.put("img/plain.png", b"\x89PNG\r\n\x1a\nfirst")
    del first.event["detail"]["object"]["version-id"]
    pipeline.put("img/plain.png", b"\x89PNG\r\n\x1a\nsecond")
    pipeline.deliver(first.event)
    # When a batch is claimed
    result = handlers.claim_batch({"run": pipeline.run("exec-1")}, lambda_context)
    # Then the stale event is dropped quietly (the newer upload has its own event)
    assert result["item_count"] == 0
    assert pipeline.take_dlq() == []
    assert pipeline.queue_depth() == 0
