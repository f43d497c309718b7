"""Errors the bootstrap reports to Terraform; each message says what to do next."""

from __future__ import annotations


class BootstrapError(Exception):
    """A failure the operator must act on; the message is shown by `terraform apply`."""


class InvalidRequestError(BootstrapError):
    """The invocation input is missing a field or carries a value Cognito would refuse."""


class WorkforceNotFoundError(BootstrapError):
    """The named workforce does not exist in this account and region."""


class WorkforceNotReadyError(BootstrapError):
    """The workforce did not become Active in time, or failed."""


class ClientNotFoundError(BootstrapError):
    """The app client (or its user pool) does not exist."""


class UnsendableSettingsError(BootstrapError):
    """AWS reports settings the function's botocore cannot send back; an update would reset them."""
