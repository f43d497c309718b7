"""The pipeline under test: deployed into the emulator by the end-to-end tests' ``PipelineStack``, and its
Lambda handlers called in-process (the same code as the deployed package) so that a benchmark can count
their API calls and trace their memory.

Imports the Lambda package from lambda/ (on PYTHONPATH, as `make bench` sets it).
"""

from __future__ import annotations

import copy
import json
import os
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from bench.common import CallCounter
from labeling_pipeline import aws
from labeling_pipeline.config import TaskType, load_config
from tests.pipeline.stack import PipelineStack, StackSettings

HANDLER_SERVICES = ("sqs", "dynamodb", "s3", "sagemaker-featurestore-runtime")


@dataclass
class Deployment:
    """A deployed pipeline stack and the PIPELINE_CONFIG its functions were given."""

    stack: PipelineStack
    config: dict[str, Any]

    @classmethod
    def create(cls, url: str, *, feature_store_concurrency: int = 16) -> Deployment:
        settings = StackSettings(
            TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION, feature_store_concurrency=feature_store_concurrency
        )
        stack = PipelineStack.deploy(url, settings, name=f"bench{uuid.uuid4().hex[:8]}")
        function = stack.client("lambda").get_function_configuration(
            FunctionName=stack.function_names["claim_batch"]
        )
        config = json.loads(function["Environment"]["Variables"]["PIPELINE_CONFIG"])
        return cls(stack, config)

    def variant(self, **changes: Any) -> dict[str, Any]:
        """A copy of the configuration; ``max_objects_per_job`` goes into the labeling settings."""
        config = copy.deepcopy(self.config)
        if "max_objects_per_job" in changes:
            config["labeling"]["max_objects_per_job"] = changes.pop("max_objects_per_job")
        config.update(changes)
        return config

    def new_ledger(self, label: str) -> str:
        """A fresh, empty ledger table (one per measured run, so runs cannot see each other's items)."""
        name = f"{self.stack.name}-ledger-{label}-{uuid.uuid4().hex[:6]}"
        dynamodb = self.stack.client("dynamodb")
        dynamodb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "item_id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "item_id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        return name

    def drop_ledger(self, name: str) -> None:
        self.stack.client("dynamodb").delete_table(TableName=name)

    def send(self, queue_url: str, bodies: list[str], threads: int = 4) -> None:
        """Put message bodies on a queue (set-up, not measured)."""
        sqs = self.stack.client("sqs")
        batches = [bodies[i : i + 10] for i in range(0, len(bodies), 10)]

        def send(batch: list[str]) -> None:
            entries = [{"Id": str(n), "MessageBody": body} for n, body in enumerate(batch)]
            response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
            if response.get("Failed"):
                raise RuntimeError(f"SQS refused set-up messages: {response['Failed']}")

        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(send, batches))


def use_config(config: Mapping[str, Any]) -> CallCounter:
    """Configure the in-process handlers like a deployed function and count their API calls from now on.

    Clears the handlers' cached configuration and clients, as a new execution environment would start.
    """
    os.environ["PIPELINE_CONFIG"] = json.dumps(config)
    load_config.cache_clear()
    aws.client.cache_clear()
    counter = CallCounter()
    for service in HANDLER_SERVICES:
        counter.watch(aws.client(service))
    return counter


def handler_clients() -> Iterator[Any]:
    for service in HANDLER_SERVICES:
        yield aws.client(service)
