"""boto3 clients, created on first use and then reused for the life of the execution environment.

Creating them lazily keeps cold starts short for functions that never touch a service, and gives tests
one place to swap a client (``client.cache_clear()`` or patching ``client``) at the AWS boundary.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from .facts import MAX_FEATURE_STORE_CONCURRENCY

# Enough connections for the largest thread pool a function runs: the Feature Store writer's.
MAX_POOL_CONNECTIONS = MAX_FEATURE_STORE_CONCURRENCY

# The Feature Store writer retries throttling itself, with jitter and a time budget, so botocore must not
# multiply those attempts: one request per call. Every other client keeps botocore's standard retries, six
# requests in all. ``total_max_attempts`` counts every request including the first; the older key
# ``max_attempts`` counts only the retries after it (Boto3 Developer Guide, "Retries",
# https://docs.aws.amazon.com/boto3/latest/guide/retries.html, and botocore.config.Config).
_OWN_RETRIES = frozenset({"sagemaker-featurestore-runtime"})


@cache
def client(service: str) -> Any:
    """The shared client for one AWS service (boto3 clients are thread-safe; sessions are not)."""
    attempts = 1 if service in _OWN_RETRIES else 6
    config = Config(
        retries={"mode": "standard", "total_max_attempts": attempts},
        max_pool_connections=MAX_POOL_CONNECTIONS,
    )
    return boto3.client(service, config=config)
