"""The pipeline's unit-test harness: its names and settings, the S3 events it receives, and ``Pipeline``,
which speaks in uploads, queue messages, ledger rows and records rather than in API calls. The fixtures that
build it (moto for S3, SQS and DynamoDB, fakes for Ground Truth and the Feature Store runtime at the client
boundary) are in conftest.py."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote_plus

import pytest

from labeling_pipeline.config import TaskType, load_config
from labeling_pipeline.facts import GROUND_TRUTH_FUNCTION_ACCOUNTS, HUMAN_TASK_UI_ACCOUNT
from labeling_pipeline.ledger import BatchRow, Ledger, LedgerItem
from labeling_pipeline.model import RunInfo
from tests.pipeline.fakes import FakeFeatureStore, FakeGroundTruth, FakeStepFunctions

REGION = "us-east-1"
ACCOUNT = "123456789012"
UPLOAD_BUCKET = "pipe-upload"
OUTPUT_BUCKET = "pipe-output"
LEDGER_TABLE = "pipe-ledger"
STATE_MACHINE = "pipe"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32

GROUND_TRUTH_ACCOUNT = GROUND_TRUTH_FUNCTION_ACCOUNTS[REGION]
NER_UI = f"arn:aws:sagemaker:{REGION}:{HUMAN_TASK_UI_ACCOUNT}:human-task-ui/NamedEntityRecognition"
#: Ground Truth's name of each task type (its PRE-/ACS- functions), from the module's data.
PRE_NAMES = {task_type: task_type.spec.ground_truth_name for task_type in TaskType}


def job_settings(task_type: TaskType, *, verification: bool = False, **overrides: Any) -> dict[str, Any]:
    segmentation = task_type is TaskType.IMAGE_SEMANTIC_SEGMENTATION
    name = PRE_NAMES[task_type]
    if verification and task_type.spec.verification_name:
        name = task_type.spec.verification_name
    attribute = "verification" if verification else "label"
    team, categories = ("reviewers", "review") if verification else ("labelers", "labeling")
    builtin_ui = NER_UI if task_type is TaskType.NAMED_ENTITY_RECOGNITION and not verification else None
    settings = {
        "workteam_arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/private-crowd/{team}",
        "title": "Review labels" if verification else "Label the data",
        "description": "Check the proposed label" if verification else "Choose the right label",
        "keywords": ["labeling"],
        # VerificationSemanticSegmentation is the one segmentation job whose attribute must not end in -ref.
        "label_attribute_name": attribute + ("-ref" if segmentation and not verification else ""),
        "categories_s3_uri": f"s3://{OUTPUT_BUCKET}/config/{categories}-categories.json",
        # Named entity recognition labels in AWS's built-in UI, as the module configures it.
        "ui_template_s3_uri": None
        if builtin_ui
        else f"s3://{OUTPUT_BUCKET}/config/{task_type.value}.liquid.html",
        "human_task_ui_arn": builtin_ui,
        "pre_annotation_lambda_arn": f"arn:aws:lambda:{REGION}:{GROUND_TRUTH_ACCOUNT}:function:PRE-{name}",
        "consolidation_lambda_arn": f"arn:aws:lambda:{REGION}:{GROUND_TRUTH_ACCOUNT}:function:ACS-{name}",
        "workers_per_object": 1,
        "task_time_limit_seconds": 300,
        "availability_lifetime_seconds": 864000,
        "max_concurrent_task_count": 1000,
        "max_objects_per_job": 1000,
    }
    settings.update(overrides)
    return settings


def pipeline_config(task_type: TaskType, *, verification: bool = False, **overrides: Any) -> dict[str, Any]:
    config = {
        "name": "pipe",
        "task_type": task_type.value,
        "upload_bucket": UPLOAD_BUCKET,
        "upload_queue_url": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/pipe-upload",
        "dead_letter_queue_url": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/pipe-upload-dlq",
        "output_bucket": OUTPUT_BUCKET,
        "ledger_table": LEDGER_TABLE,
        "feature_group_name": "pipe-labels",
        "kms_key_arn": None,
        "sagemaker_role_arn": f"arn:aws:iam::{ACCOUNT}:role/pipe-sagemaker",
        "max_attempts": 3,
        "min_wait_seconds": 60,
        "max_wait_seconds": 3600,
        "feature_store_concurrency": 8,
        "labeling": job_settings(task_type),
        "verification": job_settings(task_type, verification=True) if verification else None,
    }
    config.update(overrides)
    return config


def s3_event(
    bucket: str, key: str, *, size: int, version_id: str | None, etag: str, time: str, encoded: bool = False
) -> dict[str, Any]:
    """An EventBridge "Object Created" event as S3 sends it: the key as stored (``encoded`` gives it the
    classic notification records' form encoding instead, as a relay might)."""
    obj: dict[str, Any] = {
        "key": quote_plus(key, safe="/") if encoded else key,
        "size": size,
        "etag": etag,
        "sequencer": "0062E99A88DC407460",
    }
    if version_id is not None:
        obj["version-id"] = version_id
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": ACCOUNT,
        "time": time,
        "region": REGION,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": obj,
            "request-id": "N4N7GDK58NMKJ12R",
            "requester": ACCOUNT,
            "source-ip-address": "1.2.3.4",
            "reason": "PutObject",
        },
    }


@dataclass
class Upload:
    key: str
    version_id: str
    etag: str
    event: dict[str, Any]


@dataclass
class Pipeline:
    """The pipeline's AWS side in moto, plus the fakes, seen through what users and operators observe."""

    config: dict[str, Any]
    s3: Any
    sqs: Any
    dynamodb: Any
    ground_truth: FakeGroundTruth
    feature_store: FakeFeatureStore
    stepfunctions: FakeStepFunctions
    queue_url: str
    dlq_url: str
    clock: int = 0
    uploads: list[Upload] = field(default_factory=list)

    # --- uploads and events --------------------------------------------------------------------
    def put(self, key: str, body: bytes, content_type: str = "image/png") -> Upload:
        response = self.s3.put_object(Bucket=UPLOAD_BUCKET, Key=key, Body=body, ContentType=content_type)
        self.clock += 1
        event = s3_event(
            UPLOAD_BUCKET,
            key,
            size=len(body),
            version_id=response["VersionId"],
            etag=response["ETag"].strip('"'),
            time=f"2026-01-01T00:00:{self.clock:02d}Z",
        )
        upload = Upload(key, response["VersionId"], response["ETag"].strip('"'), event)
        self.uploads.append(upload)
        return upload

    def upload(self, key: str, body: bytes = PNG, content_type: str = "image/png") -> Upload:
        """Put an object and deliver its EventBridge event to the upload queue, as the rule does."""
        upload = self.put(key, body, content_type)
        self.deliver(upload.event)
        return upload

    def deliver(self, body: dict[str, Any] | str) -> None:
        text = body if isinstance(body, str) else json.dumps(body)
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=text)

    # --- queues --------------------------------------------------------------------------------
    def _drain(self, url: str) -> list[dict[str, Any]]:
        bodies: list[dict[str, Any]] = []
        while True:
            response = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
            messages = response.get("Messages", [])
            if not messages:
                return bodies
            for message in messages:
                try:
                    bodies.append(json.loads(message["Body"]))
                except json.JSONDecodeError:
                    bodies.append({"raw": message["Body"]})
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def take_queue(self) -> list[dict[str, Any]]:
        """Remove and return every message on the upload queue."""
        return self._drain(self.queue_url)

    def take_dlq(self) -> list[dict[str, Any]]:
        return self._drain(self.dlq_url)

    def invisible(self) -> int:
        """Messages received and neither deleted nor visible again yet (held by a claim or a crash)."""
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def queue_depth(self, url: str | None = None) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url or self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def expire_visibility_soon(self) -> None:
        """Messages received from now on reappear after one second unless deleted (a crash's effect)."""
        self.sqs.set_queue_attributes(QueueUrl=self.queue_url, Attributes={"VisibilityTimeout": "1"})

    # --- ledger --------------------------------------------------------------------------------
    @property
    def ledger(self) -> Ledger:
        return Ledger(self.dynamodb, LEDGER_TABLE)

    def items(self, item_ids: list[str]) -> dict[str, LedgerItem]:
        return self.ledger.get_items(item_ids)

    def all_items(self) -> list[LedgerItem]:
        rows = self.dynamodb.scan(TableName=LEDGER_TABLE, ConsistentRead=True)["Items"]
        ids = [r["item_id"]["S"] for r in rows if r.get("kind", {}).get("S") == "item"]
        return list(self.items(ids).values())

    def batch(self, execution: str) -> BatchRow:
        """The batch row of an execution, which the asking test expects to exist."""
        row = self.ledger.get_batch(execution)
        assert row is not None, f"execution {execution} has no batch row"
        return row

    # --- running steps -------------------------------------------------------------------------
    @staticmethod
    def run(execution: str, verification: bool | None = None) -> RunInfo:
        return {
            "execution_name": execution,
            "execution_arn": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{STATE_MACHINE}:{execution}",
            "verification_enabled": verification,
        }


class PipelineFactory(Protocol):
    """``make_pipeline(task_type, verification=False, **config overrides)``."""

    def __call__(self, task_type: TaskType = ..., **options: Any) -> Pipeline: ...


def set_config(monkeypatch: pytest.MonkeyPatch, config: dict[str, Any]) -> None:
    monkeypatch.setenv("PIPELINE_CONFIG", json.dumps(config))
    load_config.cache_clear()
