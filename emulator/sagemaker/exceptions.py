"""SageMaker errors moto does not define."""

from __future__ import annotations

from moto.sagemaker.exceptions import SagemakerClientError


class ResourceLimitExceeded(SagemakerClientError):
    # moto looks up an exception's service model from its module name, and only for modules of its own
    # packages: this one presents itself as SageMaker's so that the lookup finds the model.
    __module__ = "moto.sagemaker.exceptions"
    code = "ResourceLimitExceeded"
