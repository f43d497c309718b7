"""The Feature Store runtime as a moto service, and the feature group operations moto lacks.

Requests reach the runtime through moto's single endpoint because it signs with the ``sagemaker``
service name: its paths (``/FeatureGroup/...``, ``/BatchGetRecord``) are added to moto's SageMaker URL
map, and its host name to moto's backend index.
"""

from __future__ import annotations

import json
import re
from typing import Any

import moto.backend_index
import moto.core.errors
import moto.sagemaker.urls
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.sagemaker.exceptions import ResourceNotFound
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from werkzeug.wrappers import Request, Response

from emulator.core import control, validation
from emulator.featurestore_runtime.exceptions import RuntimeValidationError, ThrottlingException
from emulator.featurestore_runtime.models import (
    RUNTIME_SERVICE,
    ExtendedFeatureGroup,
    accepted_puts,
    batch_get_record,
    create_feature_group,
    delete_feature_group,
    delete_record,
    describe_feature_group,
    feature_group,
    get_record,
    list_feature_groups,
    put_record,
    update_feature_group,
)
from emulator.sagemaker import tags as sagemaker_tags
from emulator.sagemaker.utils import response_method

RUNTIME_HOST = r"https?://featurestore-runtime\.sagemaker\.(.+)\.amazonaws\.com"


def _puts_route(request: Request, groups: dict[str, str]) -> Response | dict[str, Any]:
    """``GET /_emulator/featurestore/<group>/puts[?account=...&region=...]``: :func:`accepted_puts`."""
    account = request.args.get("account", DEFAULT_ACCOUNT_ID)
    region = request.args.get("region", "us-east-1")
    try:
        return {"puts": accepted_puts(account, region, groups["group"])}
    except ResourceNotFound as error:
        return Response(json.dumps({"error": error.message}), status=404, mimetype="application/json")


# --------------------------------------------------------------------------------------------
# Wiring into moto
# --------------------------------------------------------------------------------------------


class FeatureStoreRuntimeResponse(BaseResponse):
    """moto response class of the ``sagemaker-featurestore-runtime`` service."""

    def __init__(self) -> None:
        super().__init__(service_name=RUNTIME_SERVICE)
        self.automated_parameter_parsing = True

    def _checked_params(self, operation: str) -> dict[str, Any]:
        # The REST parser yields [] for a list absent from the query string; botocore never sends
        # an empty one (its minimum length is 1), so [] means "not given".
        params = {key: value for key, value in (self.params or {}).items() if value != []}
        problems = validation.violations(RUNTIME_SERVICE, operation, params)
        if problems:
            raise RuntimeValidationError(validation.summary(problems))
        return params

    @property
    def backend(self) -> SageMakerModelBackend:
        return sagemaker_backends[self.current_account][self.region]

    def put_record(self) -> ActionResult:
        put_record(self.backend, self._checked_params("PutRecord"))
        return EmptyResult()

    def get_record(self) -> ActionResult:
        return ActionResult(get_record(self.backend, self._checked_params("GetRecord")))

    def delete_record(self) -> ActionResult:
        delete_record(self.backend, self._checked_params("DeleteRecord"))
        return EmptyResult()

    def batch_get_record(self) -> ActionResult:
        return ActionResult(batch_get_record(self.backend, self._checked_params("BatchGetRecord")))


_CONTROL_PLANE = {
    "CreateFeatureGroup": create_feature_group,
    "DescribeFeatureGroup": describe_feature_group,
    "DeleteFeatureGroup": delete_feature_group,
    "UpdateFeatureGroup": update_feature_group,
    "ListFeatureGroups": list_feature_groups,
}


def _tagged_feature_group(backend: Any, resource_id: str) -> ExtendedFeatureGroup:
    return feature_group(backend, resource_id)


def install() -> None:
    """Add the Feature Store runtime and the missing feature group operations to moto (idempotent)."""
    if getattr(SageMakerModelBackend, "_emulator_featurestore", False):
        return
    for operation, handler in _CONTROL_PLANE.items():
        method = response_method(operation, handler)
        setattr(SageMakerResponse, method.__name__, method)
    # The runtime signs as "sagemaker", so in server mode its requests reach moto's SageMaker app:
    # its paths join that app's URL map; in-process (mock_aws) its host name joins the index.
    moto.sagemaker.urls.url_bases.append(RUNTIME_HOST)
    moto.sagemaker.urls.url_paths.update(
        {
            "{0}/FeatureGroup/(?P<FeatureGroupName>.+)$": FeatureStoreRuntimeResponse.dispatch,
            "{0}/BatchGetRecord$": FeatureStoreRuntimeResponse.dispatch,
        }
    )
    moto.backend_index.backend_url_patterns.insert(0, ("sagemaker", re.compile(RUNTIME_HOST)))
    # Every AWS service throttles; no service model lists ThrottlingException, so moto would warn.
    moto.core.errors.COMMON_ERROR_CODES.append(ThrottlingException.code)
    sagemaker_tags.install()
    sagemaker_tags.register("feature-group", _tagged_feature_group)
    control.register_route("GET", r"featurestore/(?P<group>[^/]+)/puts", _puts_route)
    setattr(SageMakerModelBackend, "_emulator_featurestore", True)  # noqa: B010
