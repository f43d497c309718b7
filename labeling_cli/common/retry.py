"""Retry AWS calls that were throttled, with capped exponential backoff and full jitter."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore.exceptions import ClientError

T = TypeVar("T")

# Cognito answers TooManyRequestsException when a request-rate quota is exceeded; some AWS
# front ends use ThrottlingException for the same thing.
THROTTLING_CODES = frozenset({"TooManyRequestsException", "ThrottlingException"})


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@dataclass(frozen=True)
class Backoff:
    """Calls an operation until it is not throttled, at most `max_attempts` times.

    The n-th retry waits a random time in [0, min(cap, base * 2**n)) ("full jitter"), so many
    clients throttled together do not come back together.
    """

    max_attempts: int = 8
    base_seconds: float = 0.25
    cap_seconds: float = 20.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def delay(self, retry_number: int) -> float:
        return self.jitter() * min(self.cap_seconds, self.base_seconds * 2.0**retry_number)

    def call(self, operation: Callable[..., T], /, **kwargs: Any) -> T:
        attempt = 1
        while True:
            try:
                return operation(**kwargs)
            except ClientError as error:
                if error_code(error) not in THROTTLING_CODES or attempt >= self.max_attempts:
                    raise
            self.sleep(self.delay(attempt - 1))
            attempt += 1
