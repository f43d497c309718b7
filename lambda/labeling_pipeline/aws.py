"""boto3 clients, created on first use and then reused for the life of the execution environment.

Creating them lazily keeps cold starts short for functions that never touch a service, and gives tests
one place to swap a client (``client.cache_clear()`` or patching ``client``) at the AWS boundary.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast, overload

import boto3
from botocore.config import Config

from .facts import MAX_FEATURE_STORE_CONCURRENCY

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker_featurestore_runtime import SageMakerFeatureStoreRuntimeClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_stepfunctions import SFNClient

# Enough connections for the largest thread pool a function runs: the Feature Store writer's.
MAX_POOL_CONNECTIONS = MAX_FEATURE_STORE_CONCURRENCY

# The Feature Store writer retries throttling itself, with jitter and a time budget, so botocore must not
# multiply those attempts: one request per call. Every other client keeps botocore's standard retries, six
# requests in all. ``total_max_attempts`` counts every request including the first; the older key
# ``max_attempts`` counts only the retries after it (Boto3 Developer Guide, "Retries",
# https://docs.aws.amazon.com/boto3/latest/guide/retries.html, and botocore.config.Config).
_OWN_RETRIES = frozenset({"sagemaker-featurestore-runtime"})


class Clients(Protocol):
    """``client(service)``, typed per service by the boto3 stub packages (which exist for the type checker
    only: they are not in the Lambda package)."""

    @overload
    def __call__(self, service: Literal["dynamodb"]) -> DynamoDBClient: ...
    @overload
    def __call__(self, service: Literal["s3"]) -> S3Client: ...
    @overload
    def __call__(self, service: Literal["sagemaker"]) -> SageMakerClient: ...
    @overload
    def __call__(
        self, service: Literal["sagemaker-featurestore-runtime"]
    ) -> SageMakerFeatureStoreRuntimeClient: ...
    @overload
    def __call__(self, service: Literal["sqs"]) -> SQSClient: ...
    @overload
    def __call__(self, service: Literal["stepfunctions"]) -> SFNClient: ...
    @overload
    def __call__(self, service: str) -> Any: ...

    def cache_clear(self) -> None: ...


def _client(service: str) -> Any:
    """The shared client for one AWS service (boto3 clients are thread-safe; sessions are not)."""
    attempts = 1 if service in _OWN_RETRIES else 6
    config = Config(
        retries={"mode": "standard", "total_max_attempts": attempts},
        max_pool_connections=MAX_POOL_CONNECTIONS,
    )
    return boto3.client(service, config=config)


client = cast("Clients", cache(_client))
