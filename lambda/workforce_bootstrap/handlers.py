"""Lambda entry point, invoked by Terraform's `aws_lambda_invocation` (lifecycle scope CRUD)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from .bootstrap import run
from .errors import BootstrapError
from .request import BootstrapRequest

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_sagemaker import SageMakerClient

SERVICE = "workforce-bootstrap"
# Time kept back from the function timeout for the Cognito reads and writes after the wait.
WRITE_MARGIN_SECONDS = 20.0
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 8}, user_agent_extra=SERVICE)

logger = Logger(service=SERVICE)


@functools.cache
def cognito_client() -> CognitoIdentityProviderClient:
    client: CognitoIdentityProviderClient = boto3.client("cognito-idp", config=CLIENT_CONFIG)
    return client


@functools.cache
def sagemaker_client() -> SageMakerClient:
    client: SageMakerClient = boto3.client("sagemaker", config=CLIENT_CONFIG)
    return client


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        request = BootstrapRequest.from_event(event)
        budget = max(context.get_remaining_time_in_millis() / 1000 - WRITE_MARGIN_SECONDS, 0.0)
        outcome = run(
            request, cognito=cognito_client(), sagemaker=sagemaker_client(), wait_budget_seconds=budget
        )
    except BootstrapError as error:
        logger.error(str(error), extra={"error_type": type(error).__name__})
        raise
    logger.info("bootstrap finished", extra=outcome.to_json())
    return outcome.to_json()
