"""Fixtures for the workforce bootstrap tests (moto for Cognito, a stub for SageMaker)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tests.workforce.builders import REGION, CallSpy, WorkforcePool, create_workforce_pool
from workforce_bootstrap import handlers

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_sagemaker import SageMakerClient


@pytest.fixture
def cognito() -> Iterator[CognitoIdentityProviderClient]:
    """A Cognito client backed by moto (which lacks SageMaker workforces; see `sagemaker`)."""
    with mock_aws():
        yield boto3.client("cognito-idp", region_name=REGION)


@pytest.fixture
def spy(cognito: CognitoIdentityProviderClient) -> CallSpy:
    return CallSpy().attach(cognito)


@pytest.fixture
def pool(cognito: CognitoIdentityProviderClient) -> WorkforcePool:
    return create_workforce_pool(cognito)


@pytest.fixture
def sagemaker() -> Iterator[tuple[SageMakerClient, Stubber]]:
    """A SageMaker client whose DescribeWorkforce answers are scripted by the test."""
    client = boto3.client("sagemaker", region_name=REGION)
    with Stubber(client) as stubber:
        yield client, stubber


@pytest.fixture
def patched_clients(
    cognito: CognitoIdentityProviderClient,
    sagemaker: tuple[SageMakerClient, Stubber],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[SageMakerClient, Stubber]:
    """Point the handler's lazily created clients at moto and the stub."""
    monkeypatch.setattr(handlers, "cognito_client", lambda: cognito)
    monkeypatch.setattr(handlers, "sagemaker_client", lambda: sagemaker[0])
    return sagemaker
