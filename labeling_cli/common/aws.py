"""AWS access for every operator command: the region, the session and the clients.

Credentials come from the standard chain (AWS_PROFILE or --profile, SSO, instance roles ...), and
botocore itself honours AWS_ENDPOINT_URL, so the same commands work against the local emulator.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config

# The Terraform AWS provider takes the region from "either the AWS_REGION or AWS_DEFAULT_REGION
# environment variables, or via a shared config file parameter region if profile is used" ("Provider:
# AWS", argument `region`, https://registry.terraform.io/providers/hashicorp/aws/latest/docs); the Go
# SDK it is built on reads AWS_REGION first (aws-sdk-go-v2, config/env_config.go, `regionEnvKeys`).
# The boto3 we pin reads only AWS_DEFAULT_REGION, so a user who exported AWS_REGION for Terraform
# would get "no region" here.
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")
REGION_HELP = (
    "AWS region (default: AWS_REGION, else AWS_DEFAULT_REGION, else the profile's, as the Terraform "
    "AWS provider reads them). Example: --region eu-west-1"
)
NO_REGION = "no AWS region: pass --region, or set AWS_REGION (or AWS_DEFAULT_REGION)"


def environment_region(environ: Mapping[str, str] | None = None) -> str | None:
    """The region the environment names, in the Terraform provider's order; None if it names none."""
    variables = os.environ if environ is None else environ
    return next((variables[name] for name in REGION_VARIABLES if variables.get(name)), None)


def session(*, profile: str | None, region: str | None) -> boto3.Session:
    """A session on the standard credential chain, in `region` or the one the environment names."""
    return boto3.Session(profile_name=profile, region_name=region or environment_region())


def client(session: boto3.Session, service: str, *, app_id: str, botocore_retries: bool = True) -> Any:
    """A client whose requests name the command (`app_id`) in their user agent.

    Without `botocore_retries` a request is made once: for callers that retry throttling themselves
    across a whole run, where botocore's own retries on top would multiply the attempts.
    """
    if botocore_retries:
        return session.client(service, config=Config(user_agent_appid=app_id))
    once = Config(user_agent_appid=app_id, retries={"mode": "standard", "total_max_attempts": 1})
    return session.client(service, config=once)
