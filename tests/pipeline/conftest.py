"""Fixtures for the pipeline's unit tests: moto for S3, SQS and DynamoDB, and fakes for Ground Truth and the
Feature Store runtime at the client boundary (the harness they build is ``pipeline.harness``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from labeling_pipeline import aws, claim, handlers
from labeling_pipeline.config import TaskType, load_config
from tests.pipeline.fakes import FakeFeatureStore, FakeGroundTruth, FakeStepFunctions
from tests.pipeline.harness import (
    LEDGER_TABLE,
    OUTPUT_BUCKET,
    REGION,
    UPLOAD_BUCKET,
    Pipeline,
    PipelineFactory,
    pipeline_config,
    set_config,
)


@pytest.fixture
def make_pipeline(monkeypatch: pytest.MonkeyPatch) -> Iterator[PipelineFactory]:
    """A factory: ``make_pipeline(task_type, verification=False, **config overrides)`` -> Pipeline."""
    with mock_aws():
        aws.client.cache_clear()
        s3 = boto3.client("s3", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        s3.create_bucket(Bucket=UPLOAD_BUCKET)
        s3.put_bucket_versioning(Bucket=UPLOAD_BUCKET, VersioningConfiguration={"Status": "Enabled"})
        s3.create_bucket(Bucket=OUTPUT_BUCKET)
        dlq_url = sqs.create_queue(QueueName="pipe-upload-dlq")["QueueUrl"]
        queue_url = sqs.create_queue(QueueName="pipe-upload", Attributes={"VisibilityTimeout": "5400"})[
            "QueueUrl"
        ]
        # The contract's ledger schema: hash key item_id (S), on-demand, TTL on expires_at.
        dynamodb.create_table(
            TableName=LEDGER_TABLE,
            AttributeDefinitions=[{"AttributeName": "item_id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "item_id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.update_time_to_live(
            TableName=LEDGER_TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
        )
        ground_truth = FakeGroundTruth(s3)
        feature_store = FakeFeatureStore()
        stepfunctions = FakeStepFunctions()
        real_client = aws.client
        fakes = {
            "sagemaker": ground_truth,
            "sagemaker-featurestore-runtime": feature_store,
            "stepfunctions": stepfunctions,
        }

        def client(service: str) -> Any:
            return fakes[service] if service in fakes else real_client(service)

        monkeypatch.setattr(aws, "client", client)

        def factory(
            task_type: TaskType = TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION, **options: Any
        ) -> Pipeline:
            verification = bool(options.pop("verification", False))
            config = pipeline_config(task_type, verification=verification, **options)
            config["upload_queue_url"], config["dead_letter_queue_url"] = queue_url, dlq_url
            set_config(monkeypatch, config)
            return Pipeline(
                config, s3, sqs, dynamodb, ground_truth, feature_store, stepfunctions, queue_url, dlq_url
            )

        yield factory
        real_client.cache_clear()
    load_config.cache_clear()


@pytest.fixture(autouse=True)
def metrics_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    """In Lambda the namespace variable is set before the handlers module is imported; here it is not."""
    monkeypatch.setattr(handlers.metrics, "namespace", "PrivateLabelingTests")
    monkeypatch.setattr(handlers.metrics, "service", "labeling-pipeline")


@pytest.fixture(autouse=True)
def no_long_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto waits out a long poll on an empty queue; the tests have nothing to wait for."""
    monkeypatch.setattr(claim, "RECEIVE_WAIT_SECONDS", 0)
