"""claim_batch: uploads move from the queue into the ledger and the input manifest, exactly once."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from labeling_pipeline import handlers
from labeling_pipeline.config import ConfigError, TaskType
from labeling_pipeline.ledger import BatchState, Claim, ItemState, Ledger
from labeling_pipeline.messages import dead_body, retry_body
from labeling_pipeline.model import Candidate, SourceObject, item_id
from tests.pipeline.harness import (
    JPEG,
    OUTPUT_BUCKET,
    PNG,
    UPLOAD_BUCKET,
    Pipeline,
    PipelineFactory,
    job_settings,
    s3_event,
)

TEXT = TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION


def crash(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("Lambda crashed")


def claim(pipeline: Pipeline, context: Any, execution: str = "exec-1") -> Any:
    return handlers.claim_batch({"run": pipeline.run(execution)}, context)


def manifest_lines(pipeline: Pipeline, execution: str = "exec-1") -> list[dict[str, Any]]:
    body = pipeline.s3.get_object(Bucket=OUTPUT_BUCKET, Key=f"batches/{execution}/input.manifest")[
        "Body"
    ].read()
    return [json.loads(line) for line in body.decode("utf-8").split("\n") if line]


def upload_id(pipeline: Pipeline, index: int = -1, line: int | None = None) -> str:
    upload = pipeline.uploads[index]
    return item_id(SourceObject(UPLOAD_BUCKET, upload.key, upload.version_id, upload.etag), line)


def test_empty_queue_claims_nothing_and_creates_no_manifest(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given an empty upload queue
    pipeline = make_pipeline()
    # When a batch is claimed
    result = claim(pipeline, lambda_context)
    # Then nothing is claimed, no manifest is written, and the batch is closed as empty
    assert result["item_count"] == 0
    assert result["manifest_uri"] is None
    assert pipeline.batch("exec-1").state is BatchState.EMPTY
    assert pipeline.ledger.open_batches() == []


def test_images_are_claimed_into_the_ledger_and_manifest_then_deleted_from_the_queue(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given three image uploads
    pipeline = make_pipeline()
    for name in ("a.png", "b.jpg", "c.png"):
        pipeline.upload(
            f"img/{name}",
            JPEG if name.endswith("jpg") else PNG,
            "image/jpeg" if name.endswith("jpg") else "image/png",
        )
    # When a batch is claimed
    result = claim(pipeline, lambda_context)
    # Then every image is one CLAIMED item of this batch, listed in the manifest by exact source-ref
    assert result["item_count"] == 3
    lines = manifest_lines(pipeline)
    assert sorted(line["source-ref"] for line in lines) == [
        f"s3://{UPLOAD_BUCKET}/img/{n}" for n in ("a.png", "b.jpg", "c.png")
    ]
    rows = pipeline.items([line["item-id"] for line in lines])
    assert {row.state for row in rows.values()} == {ItemState.CLAIMED}
    assert {row.batch_id for row in rows.values()} == {"exec-1"}
    # And the batch is committed and registered, and the queue is empty
    assert pipeline.batch("exec-1").state is BatchState.COMMITTED
    assert pipeline.ledger.open_batches() == [pipeline.run("exec-1")["execution_arn"]]
    assert pipeline.queue_depth() == 0


@pytest.mark.parametrize(
    "key",
    [
        "photos/red flower.png",
        "photos/c++ & more+.png",
        "fotos/über_straße/café ☕.png",
        "odd/100%25 done %41.png",
        'quotes/"quoted" \\back\\slash.png',
        "deep/" + "x" * 900 + ".png",
    ],
)
def test_keys_round_trip_exactly_into_source_ref(
    make_pipeline: PipelineFactory, lambda_context: Any, key: str
) -> None:
    # Given an upload whose key needs URL-encoding in the S3 event
    pipeline = make_pipeline()
    pipeline.upload(key)
    # When a batch is claimed
    claim(pipeline, lambda_context)
    # Then the manifest's source-ref is the key exactly as uploaded, valid JSON whatever the characters
    (line,) = manifest_lines(pipeline)
    assert line["source-ref"] == f"s3://{UPLOAD_BUCKET}/{key}"
    assert line["item-id"] == upload_id(pipeline)


@pytest.mark.parametrize("key", ["plus/a b+c.png", "odd/100% done.png", "fotos/café ☕.png"])
def test_an_event_with_a_url_encoded_key_still_finds_the_object(
    make_pipeline: PipelineFactory, lambda_context: Any, key: str
) -> None:
    # Given an event whose key arrives form-encoded, as classic S3 notification records carry it
    pipeline = make_pipeline()
    upload = pipeline.put(key, PNG)
    pipeline.deliver(
        s3_event(
            UPLOAD_BUCKET,
            key,
            size=len(PNG),
            version_id=upload.version_id,
            etag=upload.etag,
            time="t",
            encoded=True,
        )
    )
    # When a batch is claimed
    claim(pipeline, lambda_context)
    # Then the object is found under its real key
    (line,) = manifest_lines(pipeline)
    assert line["source-ref"] == f"s3://{UPLOAD_BUCKET}/{key}"


def test_duplicate_deliveries_of_one_version_become_one_item(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given the same event delivered three times
    pipeline = make_pipeline()
    upload = pipeline.upload("dup.png")
    pipeline.deliver(upload.event)
    pipeline.deliver(upload.event)
    # When a batch is claimed
    result = claim(pipeline, lambda_context)
    # Then the object is one item, and every copy of the message is gone
    assert result["item_count"] == 1
    assert len(manifest_lines(pipeline)) == 1
    assert pipeline.queue_depth() == 0


def test_a_new_version_of_an_object_is_a_new_item(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given two versions of the same key
    pipeline = make_pipeline()
    pipeline.upload("same.png")
    pipeline.upload("same.png", JPEG, "image/jpeg")
    # When a batch is claimed
    claim(pipeline, lambda_context)
    # Then both versions are items (the Feature Store record is shared, the work is not)
    lines = manifest_lines(pipeline)
    assert {line["item-id"] for line in lines} == {upload_id(pipeline, 0), upload_id(pipeline, 1)}


def test_items_in_a_committed_batch_are_not_claimed_again_by_an_overlapping_execution(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given an item claimed and committed by execution 1, and a late duplicate of its event
    pipeline = make_pipeline()
    upload = pipeline.upload("busy.png")
    claim(pipeline, lambda_context, "exec-1")
    pipeline.deliver(upload.event)
    # When execution 2 claims
    result = claim(pipeline, lambda_context, "exec-2")
    # Then it claims nothing, deletes the duplicate, and the item stays with execution 1
    assert result["item_count"] == 0
    assert pipeline.queue_depth() == 0
    assert pipeline.items([upload_id(pipeline)])[upload_id(pipeline)].batch_id == "exec-1"


def test_a_claim_that_died_before_committing_is_taken_over(
    make_pipeline: PipelineFactory, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an invocation that claimed an item and crashed before its batch was committed
    pipeline = make_pipeline()
    pipeline.upload("orphan.png")
    pipeline.expire_visibility_soon()
    with monkeypatch.context() as patch:
        patch.setattr(Ledger, "commit_batch", crash)
        with pytest.raises(RuntimeError, match="Lambda crashed"):
            claim(pipeline, lambda_context, "exec-1")
    assert pipeline.items([upload_id(pipeline)])[upload_id(pipeline)].batch_id == "exec-1"
    # And its execution ended through the return path (which finds no committed batch)
    failed = {"run": pipeline.run("exec-1"), "failure": {"Error": "Runtime.ExitError"}}
    handlers.return_items({"mode": "finish", "state": failed}, lambda_context)
    # When the message reappears and the next execution claims
    time.sleep(1.1)
    result = claim(pipeline, lambda_context, "exec-2")
    # Then the item is claimed by the new batch: not lost, not doubled
    assert result["item_count"] == 1
    assert pipeline.items([upload_id(pipeline)])[upload_id(pipeline)].batch_id == "exec-2"
    assert pipeline.queue_depth() == 0


def test_a_claim_retried_within_its_execution_takes_over_its_own_orphans(
    make_pipeline: PipelineFactory, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a claim invocation that crashed before committing, in the same execution that retries
    pipeline = make_pipeline()
    pipeline.upload("mine.png")
    pipeline.expire_visibility_soon()
    with monkeypatch.context() as patch:
        patch.setattr(Ledger, "commit_batch", crash)
        with pytest.raises(RuntimeError):
            claim(pipeline, lambda_context, "exec-1")
    # When the retry (a new invocation, new request id) runs after the message reappeared
    time.sleep(1.1)
    lambda_context.aws_request_id = "retry-request"
    result = claim(pipeline, lambda_context, "exec-1")
    # Then the item is in the committed batch under the new token
    assert result["item_count"] == 1
    row = pipeline.items([upload_id(pipeline)])[upload_id(pipeline)]
    assert row.claim_token == "retry-request"
    assert pipeline.batch("exec-1").claim_token == "retry-request"


def test_a_duplicate_of_an_item_being_claimed_right_now_is_dropped(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given execution 1 holds an item under a live lease (its batch is not committed yet)
    pipeline = make_pipeline()
    upload = pipeline.upload("racing.png")
    ledger = pipeline.ledger
    ledger.start_batch(Claim("exec-1", "token-1"), pipeline.run("exec-1")["execution_arn"], time.time() + 600)
    source = SourceObject(UPLOAD_BUCKET, upload.key, upload.version_id, upload.etag)
    ledger.claim_new(Candidate(source, None, None, None), Claim("exec-1", "token-1"))
    # When execution 2 receives a copy of the event
    result = claim(pipeline, lambda_context, "exec-2")
    # Then it claims nothing and drops its copy (execution 1 keeps its own message until it commits)
    assert result["item_count"] == 0
    assert pipeline.queue_depth() == 0
    assert pipeline.items([upload_id(pipeline)])[upload_id(pipeline)].batch_id == "exec-1"


@pytest.mark.parametrize(
    "case",
    [
        ("empty.png", b"", "image/png", "zero-byte object"),
        ("doc.pdf", b"%PDF-1.7", "application/pdf", "unsupported content type 'application/pdf'"),
        ("anim.gif", b"GIF89a", "image/gif", "unsupported content type 'image/gif'"),
        ("fake.png", b"not really a png", "image/png", "content is not a JPEG or PNG image"),
        ("notes.txt", b"hello", "text/plain", "unsupported content type 'text/plain'"),
    ],
)
def test_uploads_that_cannot_be_labeled_go_to_the_dlq_with_the_reason(
    make_pipeline: PipelineFactory, lambda_context: Any, case: tuple[str, bytes, str, str]
) -> None:
    # Given an upload an image task cannot use
    key, body, content_type, reason = case
    pipeline = make_pipeline()
    pipeline.upload(key, body, content_type)
    # When a batch is claimed
    result = claim(pipeline, lambda_context)
    # Then nothing is claimed, the message is gone, and the DLQ explains why
    assert result["item_count"] == 0
    assert pipeline.queue_depth() == 0
    (dead,) = pipeline.take_dlq()
    assert dead["kind"] == "labeling-item-dead"
    assert dead["source"]["key"] == key
    assert any(reason in r for r in dead["reasons"])


def test_a_generic_content_type_is_judged_by_the_extension(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given a PNG uploaded without a content type
    pipeline = make_pipeline()
    pipeline.upload("raw.png", PNG, "binary/octet-stream")
    # When a batch is claimed
    result = claim(pipeline, lambda_context)
    # Then it is an item
    assert result["item_count"] == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json at all", "not JSON"),
        (json.dumps(["a", "list"]), "not a JSON object"),
        (
            json.dumps({"source": "aws.ec2", "detail-type": "EC2 Instance State-change"}),
            "not an S3 Object Created",
        ),
        (json.dumps({"Records": [{"eventSource": "aws:s3"}]}), "not an S3 Object Created"),
        (json.dumps({"kind": "something-else"}), "unknown message kind"),
    ],
)
def test_messages_that_are_not_uploads_go_to_the_dlq_with_the_reason_and_the_body(
    make_pipeline: PipelineFactory, lambda_context: Any, body: str, reason: str
) -> None:
    # Given a message that is not an S3 upload event
    pipeline = make_pipeline()
    pipeline.deliver(body)
    # When a batch is claimed
    claim(pipeline, lambda_context)
    # Then it is dead-lettered once, with the reason and the original body, and not retried
    (dead,) = pipeline.take_dlq()
    assert any(reason in r for r in dead["reasons"])
    assert dead["message"] == body
    assert pipeline.queue_depth() == 0


def test_an_event_from_another_bucket_is_dead_lettered(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline()
    upload = pipeline.put("x.png", PNG)
    upload.event["detail"]["bucket"]["name"] = "someone-elses-bucket"
    pipeline.deliver(upload.event)
    claim(pipeline, lambda_context)
    (dead,) = pipeline.take_dlq()
    assert "someone-elses-bucket" in dead["reasons"][0]


def test_a_folder_marker_is_ignored(make_pipeline: PipelineFactory, lambda_context: Any) -> None:
    # Given the zero-byte "folder" object the S3 console creates
    pipeline = make_pipeline()
    pipeline.upload("folder/", b"", "application/x-directory")
    # When a batch is claimed
    result = claim(pipeline, lambda_context)
    # Then it is neither an item nor an alarm
    assert result["item_count"] == 0
    assert pipeline.take_dlq() == []
    assert pipeline.queue_depth() == 0


def test_each_non_empty_line_of_a_text_file_is_an_item(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given a text file with blank lines, CRLF, a BOM, quotes, backslashes and escaped-looking text
    pipeline = make_pipeline(TEXT)
    text = (
        '\ufeffFirst "quoted" line\r\n\r\n  \n'
        "Second \\ line with \\u00e9 and ünïcödé\nThird\u2028still third\n"
    )
    pipeline.upload("texts/a.txt", text.encode("utf-8"), "text/plain; charset=utf-8")
    # When a batch is claimed
    claim(pipeline, lambda_context)
    # Then each non-empty line is one item whose manifest "source" is exactly that line
    lines = manifest_lines(pipeline)
    assert [line["source"] for line in lines] == [
        'First "quoted" line',
        "Second \\ line with \\u00e9 and ünïcödé",
        "Third\u2028still third",
    ]
    rows = pipeline.items([line["item-id"] for line in lines])
    assert sorted(row.line or 0 for row in rows.values()) == [1, 4, 5]
    assert {line["item-id"] for line in lines} == {upload_id(pipeline, line=n) for n in (1, 4, 5)}


def test_json_lines_records_with_source_are_items_and_bad_records_are_reported(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given a JSON Lines file with good records, a record without "source" and a broken line
    pipeline = make_pipeline(TaskType.NAMED_ENTITY_RECOGNITION)
    records = [
        json.dumps({"source": "Alice went to Paris", "id": 1}),
        json.dumps({"text": "no source field"}),
        "{broken",
        json.dumps({"source": "Bob stayed \u00e0 home"}, ensure_ascii=True),
    ]
    pipeline.upload("texts/r.jsonl", "\n".join(records).encode("utf-8"), "application/octet-stream")
    # When a batch is claimed
    claim(pipeline, lambda_context)
    # Then the good records are items and one DLQ message names the bad lines
    assert [line["source"] for line in manifest_lines(pipeline)] == [
        "Alice went to Paris",
        "Bob stayed à home",
    ]
    (dead,) = pipeline.take_dlq()
    assert dead["reasons"] == [
        "line 2: a JSON Lines record needs a non-empty string field 'source'",
        "line 3: not valid JSON",
    ]


def test_a_text_file_larger_than_the_job_continues_in_the_next_batch(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given a 7-line file and jobs of at most 3 objects
    pipeline = make_pipeline(TEXT, labeling=job_settings(TEXT, max_objects_per_job=3))
    pipeline.upload("texts/big.txt", "\n".join(f"line {n}" for n in range(1, 8)).encode(), "text/plain")
    # When three batches are claimed
    sources = []
    for execution in ("exec-1", "exec-2", "exec-3"):
        claim(pipeline, lambda_context, execution)
        sources += [line["source"] for line in manifest_lines(pipeline, execution)]
    # Then every line was claimed exactly once, in order, and nothing is left on the queue
    assert sources == [f"line {n}" for n in range(1, 8)]
    assert pipeline.queue_depth() == 0


def test_messages_beyond_the_job_size_stay_on_the_queue(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given 5 uploads and jobs of at most 2 objects
    pipeline = make_pipeline(
        labeling=job_settings(TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION, max_objects_per_job=2)
    )
    for n in range(5):
        pipeline.upload(f"many/{n}.png")
    # When a batch is claimed
    result = claim(pipeline, lambda_context)
    # Then it takes 2, and the other 3 remain queued for the next execution
    assert result["item_count"] == 2
    assert len(pipeline.take_queue()) == 3


def test_a_returned_item_is_claimed_again_from_its_retry_message(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given an item that execution 1 returned (attempt 1 failed)
    pipeline = make_pipeline()
    pipeline.upload("retry.png")
    claim(pipeline, lambda_context, "exec-1")
    handlers.return_items({"mode": "finish", "state": {"run": pipeline.run("exec-1")}}, lambda_context)
    # When execution 2 claims
    result = claim(pipeline, lambda_context, "exec-2")
    # Then the item is in execution 2's batch with one attempt recorded and its reason kept
    assert result["item_count"] == 1
    row = pipeline.items([upload_id(pipeline)])[upload_id(pipeline)]
    assert (row.state, row.batch_id, row.attempts) == (ItemState.CLAIMED, "exec-2", 1)
    assert row.reasons == ("missing from the output of the batch's jobs",)


def test_a_stale_copy_of_a_retry_message_is_dropped(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given an item claimed again after a return, and an old duplicate of the retry message
    pipeline = make_pipeline()
    pipeline.upload("retry.png")
    claim(pipeline, lambda_context, "exec-1")
    handlers.return_items({"mode": "finish", "state": {"run": pipeline.run("exec-1")}}, lambda_context)
    claim(pipeline, lambda_context, "exec-2")
    pipeline.deliver(retry_body(upload_id(pipeline), 1, "exec-1"))
    # When execution 3 claims
    result = claim(pipeline, lambda_context, "exec-3")
    # Then the copy is deleted and the item stays with execution 2
    assert result["item_count"] == 0
    assert pipeline.queue_depth() == 0
    assert pipeline.items([upload_id(pipeline)])[upload_id(pipeline)].batch_id == "exec-2"


def test_a_dead_item_moved_back_from_the_dlq_starts_again(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given an item that reached max_attempts and is in the DLQ
    pipeline = make_pipeline(max_attempts=1)
    pipeline.upload("doomed.png")
    claim(pipeline, lambda_context, "exec-1")
    handlers.return_items({"mode": "finish", "state": {"run": pipeline.run("exec-1")}}, lambda_context)
    (dead,) = pipeline.take_dlq()
    assert pipeline.items([upload_id(pipeline)])[upload_id(pipeline)].state is ItemState.DEAD
    # When an operator redrives the DLQ message to the upload queue and a batch is claimed
    pipeline.deliver(dead)
    result = claim(pipeline, lambda_context, "exec-2")
    # Then the item is claimed with its attempts reset and its history kept
    assert result["item_count"] == 1
    row = pipeline.items([upload_id(pipeline)])[upload_id(pipeline)]
    assert (row.state, row.attempts, len(row.reasons)) == (ItemState.CLAIMED, 0, 1)


def test_a_retry_for_an_unknown_item_is_dead_lettered(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline()
    pipeline.deliver(retry_body("f" * 64, 1, "exec-0"))
    claim(pipeline, lambda_context)
    (dead,) = pipeline.take_dlq()
    assert "does not know" in dead["reasons"][0]


def test_a_redriven_rejection_is_checked_again(make_pipeline: PipelineFactory, lambda_context: Any) -> None:
    # Given a DLQ message for an upload rejected as zero bytes, moved back to the queue
    pipeline = make_pipeline()
    upload = pipeline.put("empty.png", b"")
    source = SourceObject(UPLOAD_BUCKET, upload.key, upload.version_id, upload.etag)
    pipeline.deliver(dead_body(["zero-byte object"], source=source))
    # When a batch is claimed
    claim(pipeline, lambda_context)
    # Then it is rejected again, with the same reason
    (dead,) = pipeline.take_dlq()
    assert dead["reasons"] == ["zero-byte object"]


def test_the_state_machine_and_config_must_agree_about_verification(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline(verification=False)
    with pytest.raises(ConfigError, match="disagree about verification"):
        handlers.claim_batch({"run": pipeline.run("exec-1", verification=True)}, lambda_context)


def test_a_retried_claim_of_a_committed_batch_returns_the_same_batch(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given a committed batch
    pipeline = make_pipeline()
    pipeline.upload("once.png")
    first = claim(pipeline, lambda_context)
    pipeline.upload("later.png")
    # When the step runs again in the same execution (a Step Functions retry)
    again = claim(pipeline, lambda_context)
    # Then it reports the committed batch and leaves new uploads for the next execution
    assert (again["item_count"], again["manifest_uri"]) == (first["item_count"], first["manifest_uri"])
    assert pipeline.queue_depth() == 1
