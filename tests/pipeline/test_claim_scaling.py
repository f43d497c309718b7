"""claim_batch at scale: the uploads of one receive are read at the same time, what is kept until the commit
does not grow with the batch, and the manifest goes up without being held in memory."""

from __future__ import annotations

import gc
import json
import threading
import tracemalloc
from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from labeling_pipeline import aws, handlers, jsonlines
from labeling_pipeline.claim import RECEIVES_PER_ROUND
from labeling_pipeline.config import TaskType
from labeling_pipeline.jsonlines import JsonLinesWriter, S3Location
from labeling_pipeline.ledger import Ledger
from labeling_pipeline.queues import SQS_BATCH, QueueMessage
from tests.pipeline.harness import OUTPUT_BUCKET, UPLOAD_BUCKET, Pipeline, PipelineFactory, job_settings

LEDGER_OPERATIONS = frozenset({"GetItem", "PutItem", "UpdateItem", "BatchGetItem", "TransactWriteItems"})
IMAGES = TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION
TEXT = TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION


def claim(pipeline: Pipeline, context: Any, execution: str = "exec-1") -> Any:
    return handlers.claim_batch({"run": pipeline.run(execution)}, context)


def manifest_lines(pipeline: Pipeline, execution: str = "exec-1") -> list[dict[str, Any]]:
    body = pipeline.s3.get_object(Bucket=OUTPUT_BUCKET, Key=f"batches/{execution}/input.manifest")["Body"]
    return [json.loads(line) for line in body.read().decode("utf-8").splitlines() if line]


class _TrackedBody:
    """An object body that remembers whether it was closed."""

    def __init__(self, body: Any) -> None:
        self._body = body
        self.closed = False

    def close(self) -> None:
        self.closed = True
        self._body.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._body, name)


class _S3Watch:
    """The handlers' S3 client, with a hook around each GetObject and a record of the bodies it returned."""

    def __init__(self, client: Any, before_get: Callable[[dict[str, Any]], object] = lambda _request: None):
        self._client = client
        self._before_get = before_get
        self.bodies: list[_TrackedBody] = []

    def get_object(self, **request: Any) -> Any:
        self._before_get(request)
        response = self._client.get_object(**request)
        response["Body"] = _TrackedBody(response["Body"])
        self.bodies.append(response["Body"])
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def watch_s3(monkeypatch: pytest.MonkeyPatch, watch: Callable[[Any], _S3Watch]) -> _S3Watch:
    """Give the handlers a watched S3 client (the pipeline fixture's other clients stay as they are)."""
    inner = aws.client
    watched = watch(inner("s3"))
    monkeypatch.setattr(aws, "client", lambda service: watched if service == "s3" else inner(service))
    return watched


def test_the_uploads_of_one_receive_are_read_at_the_same_time(
    make_pipeline: PipelineFactory, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given ten uploads (one receive), and S3 GETs that each wait until all ten are in flight
    pipeline = make_pipeline()
    for n in range(SQS_BATCH):
        pipeline.upload(f"together/{n}.png")
    all_in_flight = threading.Barrier(SQS_BATCH, timeout=10)
    watch_s3(monkeypatch, lambda client: _S3Watch(client, lambda _request: all_in_flight.wait()))
    # When a batch is claimed
    result = claim(pipeline, lambda_context)
    # Then the GETs overlapped (one after another, the first would have waited in vain) and every upload
    # is an item
    assert result["item_count"] == SQS_BATCH
    assert not all_in_flight.broken
    assert pipeline.queue_depth() == 0


def test_an_upload_s3_cannot_read_stays_queued_while_the_rest_of_its_receive_is_claimed(
    make_pipeline: PipelineFactory, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given three uploads, one of which S3 refuses to read (a permissions or throttling error)
    pipeline = make_pipeline()
    for key in ("ok/1.png", "locked.png", "ok/2.png"):
        pipeline.upload(key)

    def refuse_locked(request: dict[str, Any]) -> None:
        if request["Key"] == "locked.png":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetObject")

    watch_s3(monkeypatch, lambda client: _S3Watch(client, refuse_locked))
    # When a batch is claimed
    result = claim(pipeline, lambda_context)
    # Then the two readable uploads are claimed, and the locked one is neither claimed, nor dead-lettered,
    # nor deleted: its message reappears after the visibility timeout
    assert sorted(line["source-ref"] for line in manifest_lines(pipeline)) == [
        f"s3://{UPLOAD_BUCKET}/ok/1.png",
        f"s3://{UPLOAD_BUCKET}/ok/2.png",
    ]
    assert result["item_count"] == 2
    assert pipeline.take_dlq() == []
    assert pipeline.invisible() == 1


def test_bad_uploads_read_together_with_good_ones_are_each_dead_lettered_with_their_own_reason(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given one receive mixing good images, uploads an image task cannot use, one deleted before it
    # was read, and a message that is not an upload at all
    pipeline = make_pipeline()
    pipeline.upload("good/a.png")
    pipeline.upload("bad/fake.png", b"not really a png", "image/png")
    pipeline.upload("bad/doc.pdf", b"%PDF-1.7", "application/pdf")
    pipeline.upload("good/b.png")
    pipeline.upload("bad/empty.png", b"", "image/png")
    gone = pipeline.upload("bad/gone.png")
    pipeline.s3.delete_object(Bucket=UPLOAD_BUCKET, Key=gone.key, VersionId=gone.version_id)
    pipeline.deliver("not json at all")
    # When a batch is claimed
    result = claim(pipeline, lambda_context)
    # Then only the good images are items, every message is gone from the queue, and each bad one is in
    # the DLQ once, with the reason that belongs to it
    assert result["item_count"] == 2
    assert sorted(line["source-ref"] for line in manifest_lines(pipeline)) == [
        f"s3://{UPLOAD_BUCKET}/good/a.png",
        f"s3://{UPLOAD_BUCKET}/good/b.png",
    ]
    assert pipeline.queue_depth() == 0
    reasons = {
        dead.get("source", {}).get("key", dead.get("message")): " ".join(dead["reasons"])
        for dead in pipeline.take_dlq()
    }
    assert reasons.keys() == {
        "bad/fake.png",
        "bad/doc.pdf",
        "bad/empty.png",
        "bad/gone.png",
        "not json at all",
    }
    assert "not a JPEG or PNG" in reasons["bad/fake.png"]
    assert "unsupported content type 'application/pdf'" in reasons["bad/doc.pdf"]
    assert "zero-byte object" in reasons["bad/empty.png"]
    assert "no longer exists" in reasons["bad/gone.png"]
    assert "not JSON" in reasons["not json at all"]


def test_text_files_read_together_share_the_room_of_the_job_and_the_rest_continues(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given two text files of 3 and 4 lines in one receive, and jobs of at most 5 objects
    pipeline = make_pipeline(TEXT, labeling=job_settings(TEXT, max_objects_per_job=5))
    pipeline.upload("texts/a.txt", b"a1\na2\na3\n", "text/plain")
    pipeline.upload("texts/b.txt", b"b1\nb2\nb3\nb4\n", "text/plain")
    # When two batches are claimed
    first = claim(pipeline, lambda_context, "exec-1")
    second = claim(pipeline, lambda_context, "exec-2")
    # Then the first job is full, the second holds the rest, and every line is in exactly one of them
    assert (first["item_count"], second["item_count"]) == (5, 2)
    sources = [line["source"] for run in ("exec-1", "exec-2") for line in manifest_lines(pipeline, run)]
    assert sorted(sources) == ["a1", "a2", "a3", "b1", "b2", "b3", "b4"]
    assert pipeline.queue_depth() == 0


def test_every_object_read_is_closed_even_if_its_message_did_not_fit_into_the_job(
    make_pipeline: PipelineFactory, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given five uploads in one receive and jobs of at most two objects
    pipeline = make_pipeline(labeling=job_settings(IMAGES, max_objects_per_job=2))
    for n in range(5):
        pipeline.upload(f"many/{n}.png")
    s3 = watch_s3(monkeypatch, _S3Watch)
    # When a batch is claimed
    result = claim(pipeline, lambda_context)
    # Then two are claimed, the other three are back on the queue, and no GET response was left open
    assert result["item_count"] == 2
    assert len(pipeline.take_queue()) == 3
    assert s3.bodies
    assert all(body.closed for body in s3.bodies)


def test_until_the_commit_the_claim_keeps_only_deletion_handles_and_not_the_messages(
    make_pipeline: PipelineFactory, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two and a half rounds of receives' worth of uploads
    uploads = 5 * RECEIVES_PER_ROUND * SQS_BATCH // 2
    pipeline = make_pipeline()
    for n in range(uploads):
        pipeline.upload(f"spool/{n:03d}.png")
    at_commit: dict[str, int] = {}
    commit = Ledger.commit_batch

    def observe_commit(self: Ledger, *args: Any, **kwargs: Any) -> Any:
        gc.collect()
        at_commit["messages_in_memory"] = sum(isinstance(o, QueueMessage) for o in gc.get_objects())
        at_commit["messages_on_queue"] = pipeline.queue_depth()
        return commit(self, *args, **kwargs)

    monkeypatch.setattr(Ledger, "commit_batch", observe_commit)
    # When one batch claims them all
    result = claim(pipeline, lambda_context)
    # Then at the commit every message was still on the queue (deleted only once the batch is safe), while
    # memory held at most one round's messages, not the batch's
    assert result["item_count"] == uploads
    assert at_commit["messages_on_queue"] == uploads
    assert at_commit["messages_in_memory"] <= RECEIVES_PER_ROUND * SQS_BATCH
    # And after the commit every message is deleted
    assert pipeline.queue_depth() == 0


def test_a_manifest_too_large_for_one_put_goes_up_in_parts(
    make_pipeline: PipelineFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a manifest larger than the single-PUT limit (lowered here, so the test stays small)
    pipeline = make_pipeline()
    monkeypatch.setattr(jsonlines, "MAX_SINGLE_PUT_BYTES", 100)
    records = [{"source-ref": f"s3://{UPLOAD_BUCKET}/p/{n}.png", "item-id": str(n)} for n in range(50)]
    # When it is uploaded
    with JsonLinesWriter() as writer:
        for record in records:
            writer.write(record)
        uri = writer.upload(pipeline.s3, S3Location(OUTPUT_BUCKET, "big/input.manifest"), None)
    # Then every line arrived, in order
    assert uri == f"s3://{OUTPUT_BUCKET}/big/input.manifest"
    assert [record for _, record in jsonlines.read_json_lines(pipeline.s3, uri)] == records


@pytest.mark.emulator
def test_uploading_a_manifest_holds_a_small_part_of_it_in_memory(emulator: Any) -> None:
    # Given a manifest of about 3 MiB (a batch of 24,000 images) and S3 over HTTP, as in a real function
    s3 = boto3.client("s3")
    bucket = "claim-scaling-manifests"
    s3.create_bucket(Bucket=bucket)
    records = 24_000
    with JsonLinesWriter() as writer:
        for n in range(records):
            writer.write({"source-ref": f"s3://{bucket}/photos/{n:08d}.png", "item-id": f"{n:064x}"})
        # When it is uploaded
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            writer.upload(s3, S3Location(bucket, "input.manifest"), None)
            peak = tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()
    # Then the object is the whole manifest
    stored = s3.get_object(Bucket=bucket, Key="input.manifest")["Body"].read()
    assert stored.count(b"\n") == records
    assert len(stored) > 3_000_000
    # And the upload held a small part of it at a time (the SDK alone reads a body 1 MiB at a time)
    assert peak < len(stored) / 8


def test_a_claim_costs_a_hundredth_of_a_ledger_write_per_item_and_a_fifth_of_an_sqs_call(
    make_pipeline: Any, lambda_context: Any
) -> None:
    # Given 300 queued uploads, and the calls the handlers' DynamoDB and SQS clients make counted
    pipeline = make_pipeline()
    for n in range(300):
        pipeline.upload(f"many/{n:03d}.png")
    calls: Counter[str] = Counter()
    for service in ("dynamodb", "sqs"):
        aws.client(service).meta.events.register(
            "before-call.*.*", lambda model, **_: calls.update([model.name]), unique_id=f"count-{service}"
        )
    # When one batch is claimed
    result = claim(pipeline, lambda_context)
    # Then every upload is in it; the ledger rows went in transactions of up to 100 (three, or four when
    # SQS delivers a message twice, as a standard queue may), the rest of the ledger's requests are the
    # batch's own (opened, committed, registered): 0.1 requests per item at most; SQS took ten messages
    # per receive and per delete, plus the receives that found the queue empty
    assert result["item_count"] == 300
    assert pipeline.queue_depth() == 0
    assert 3 <= calls["TransactWriteItems"] <= 4
    assert calls["PutItem"] + calls["UpdateItem"] == 3
    ledger_requests = sum(n for name, n in calls.items() if name in LEDGER_OPERATIONS)
    assert ledger_requests / 300 <= 0.1
    assert calls["DeleteMessageBatch"] == 30
    assert calls["ReceiveMessage"] <= 30 + RECEIVES_PER_ROUND
