"""Feature Store runtime's own error codes."""

from __future__ import annotations

from moto.core.exceptions import ServiceException

# moto looks up an exception's error shape by the service its module belongs to, and takes every
# module whose name starts with "moto" for one of its own packages: these present themselves as
# SageMaker's so that the lookup finds a service model.
_MOTO_ERRORS_MODULE = "moto.sagemaker.exceptions"


class RuntimeValidationError(ServiceException):
    __module__ = _MOTO_ERRORS_MODULE
    code = "ValidationError"


class RuntimeResourceNotFound(ServiceException):
    __module__ = _MOTO_ERRORS_MODULE
    code = "ResourceNotFound"


class ThrottlingException(ServiceException):
    __module__ = _MOTO_ERRORS_MODULE
    code = "ThrottlingException"
