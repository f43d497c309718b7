"""Pieces the SageMaker extensions share: ARNs and ids, list paging, model-validated response methods."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import camelcase_to_underscores
from moto.sagemaker.exceptions import ValidationError
from moto.utilities.utils import get_partition

from emulator.core import clock, service_access, validation

# SageMaker's list operations return 10 items unless MaxResults says otherwise.
DEFAULT_PAGE_SIZE = 10
_ALPHANUMERIC = string.ascii_lowercase + string.digits

# A backend operation: (moto SageMaker backend, request parameters) -> response members.
Handler = Callable[[Any, dict[str, Any]], dict[str, Any]]


def check_execution_role(backend: Any, role_arn: str) -> None:
    """Refuse a ``RoleArn`` that SageMaker cannot assume with the request context it sends.

    Assumption: CreateLabelingJob and CreateFeatureGroup answer as SageMaker's other role-taking
    operations (CreateTrainingJob) do; their API references list ValidationException without the text.
    """
    if not service_access.may_assume(backend.account_id, role_arn, service_access.SAGEMAKER_ASSUMES_ROLE, {}):
        raise ValidationError(
            f"Could not assume role {role_arn}. Please ensure that the role exists and allows principal "
            "'sagemaker.amazonaws.com' to assume the role."
        )


def now() -> datetime:
    """The emulator's time (:mod:`emulator.core.clock`), which SageMaker reports as creation and change
    times."""
    return moment(clock.now())


def moment(seconds: float) -> datetime:
    """A time on the emulator's clock (seconds since the epoch) as SageMaker reports it."""
    return datetime.fromtimestamp(seconds, UTC)


def random_id(length: int, alphabet: str = _ALPHANUMERIC) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def sagemaker_arn(backend: Any, resource: str) -> str:
    """``arn:<partition>:sagemaker:<region>:<account>:<resource>`` for ``backend``'s account and region."""
    partition = get_partition(backend.region_name)
    return f"arn:{partition}:sagemaker:{backend.region_name}:{backend.account_id}:{resource}"


def name_contains(name: str, params: Mapping[str, Any]) -> bool:
    """The ``NameContains`` filter of SageMaker list operations (case-insensitive)."""
    fragment = params.get("NameContains")
    return not fragment or fragment.lower() in name.lower()


def sorted_page(
    items: list[Any],
    params: Mapping[str, Any],
    sort_keys: Mapping[str, Callable[[Any], Any]],
    ascending: bool = True,
) -> tuple[list[Any], str | None]:
    """One page of ``items`` sorted by ``SortBy`` (default: the first sort key) and ``SortOrder``.

    ``ascending`` is the order when the request gives none. The token is the next item's offset.
    """
    sort_by = params.get("SortBy") or next(iter(sort_keys))
    order = params.get("SortOrder") or ("Ascending" if ascending else "Descending")
    ordered = sorted(items, key=sort_keys[sort_by], reverse=order == "Descending")
    token = params.get("NextToken")
    if token and not token.isdigit():
        raise ValidationError(f"Invalid pagination token {token!r}.")
    start = int(token or 0)
    end = start + (params.get("MaxResults") or DEFAULT_PAGE_SIZE)
    return ordered[start:end], (str(end) if end < len(ordered) else None)


def with_token(result: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token is not None:
        result["NextToken"] = token
    return result


def response_method(operation: str, handler: Handler) -> Callable[[Any], ActionResult]:
    """A method for moto's SageMaker response class: validate the request, then run ``handler``."""

    def method(self: Any) -> ActionResult:
        params = dict(self.params or {})
        problems = validation.violations("sagemaker", operation, params)
        if problems:
            raise ValidationError(validation.summary(problems))
        result = handler(self.sagemaker_backend, params)
        return ActionResult(result) if result else EmptyResult()

    method.__name__ = camelcase_to_underscores(operation)
    method.__qualname__ = f"SageMakerResponse.{method.__name__}"
    return method
