"""Wait for the private workforce to be Active and read its portal subdomain."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from .errors import WorkforceNotFoundError, WorkforceNotReadyError

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef

ACTIVE = "Active"
FAILED = "Failed"


@dataclass(frozen=True)
class Backoff:
    """Delays between DescribeWorkforce calls: first, then times factor, never above cap (seconds)."""

    first: float = 2.0
    factor: float = 2.0
    cap: float = 20.0


def wait_for_subdomain(
    sagemaker: SageMakerClient,
    workforce_name: str,
    *,
    budget_seconds: float,
    backoff: Backoff = Backoff(),
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """The subdomain of the workforce once it is Active; a clear error if that takes too long."""
    deadline = clock() + budget_seconds
    delay = backoff.first
    while True:
        workforce = _describe(sagemaker, workforce_name)
        status = workforce.get("Status")
        subdomain = workforce.get("SubDomain")
        if status == FAILED:
            raise WorkforceNotReadyError(
                f"workforce {workforce_name} failed: {workforce.get('FailureReason', 'no reason given')}"
            )
        # Older API answers carry no Status; a subdomain alone then means the workforce is usable.
        if subdomain and status in (ACTIVE, None):
            return str(subdomain)
        remaining = deadline - clock()
        if remaining <= 0:
            raise WorkforceNotReadyError(
                f"workforce {workforce_name} is still {status or 'without a subdomain'} after "
                f"{budget_seconds:.0f} s; wait until it is Active, then run apply again"
            )
        sleep(min(delay, remaining))
        delay = min(delay * backoff.factor, backoff.cap)


def _describe(sagemaker: SageMakerClient, workforce_name: str) -> WorkforceTypeDef:
    try:
        workforce = sagemaker.describe_workforce(WorkforceName=workforce_name)["Workforce"]
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code not in ("ResourceNotFound", "ValidationException"):
            raise
        raise WorkforceNotFoundError(
            f"workforce {workforce_name} was not found in this account and region "
            f"({error.response['Error'].get('Message', code)})"
        ) from error
    return workforce
