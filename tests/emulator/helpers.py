"""Helpers for the emulator tests: unique names, zipped Lambda code, IAM and SageMaker building blocks
(the fixtures that deploy functions and start private emulators are in conftest.py).

Every resource is made per test, under a unique name: the emulator is shared by the whole session and
a test using ``emulator_clean`` resets it, so no test may rely on a resource another one made.
"""

from __future__ import annotations

import io
import json
import socket
import textwrap
import uuid
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

from tests.fixtures.emulator import Emulator

Deploy = Callable[..., str]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def zip_files(files: Mapping[str, str]) -> bytes:
    """A zip archive holding ``files`` (path -> source, dedented)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, textwrap.dedent(text))
    return buffer.getvalue()


SAGEMAKER_ASSUMES_ROLE: dict[str, Any] = {
    "Effect": "Allow",
    "Principal": {"Service": "sagemaker.amazonaws.com"},
    "Action": "sts:AssumeRole",
}
SAGEMAKER_TRUST = {"Version": "2012-10-17", "Statement": [SAGEMAKER_ASSUMES_ROLE]}


def labeling_job_statements(bucket: str, key_arn: str = "*") -> list[dict[str, Any]]:
    """What AWS documents for a Ground Truth execution role whose job reads and writes ``bucket`` and
    encrypts its output with ``key_arn`` (SageMaker Developer Guide, "Create a SageMaker AI Execution Role
    for a Ground Truth Labeling Job" and "Encrypt Output Data and Storage Volume with AWS KMS")."""
    return [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": f"arn:aws:s3:::{bucket}/*",
        },
        {
            "Effect": "Allow",
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey",
            ],
            "Resource": key_arn,
        },
    ]


def private_workteam(emulator: Emulator, domain: str) -> str:
    """A Cognito workforce (its pool with a domain, as CreateWorkforce requires) and a work team
    ``labelers`` of the pool's group of that name; returns the team's ARN."""
    cognito, sagemaker = emulator.client("cognito-idp"), emulator.client("sagemaker")
    pool = cognito.create_user_pool(PoolName="workers")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="portal")["UserPoolClient"][
        "ClientId"
    ]
    cognito.create_group(UserPoolId=pool, GroupName="labelers")
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=domain)
    sagemaker.create_workforce(WorkforceName="workers", CognitoConfig={"UserPool": pool, "ClientId": client})
    member = {"CognitoMemberDefinition": {"UserPool": pool, "ClientId": client, "UserGroup": "labelers"}}
    team: str = sagemaker.create_workteam(
        WorkteamName="labelers", Description="Labelers", MemberDefinitions=[member]
    )["WorkteamArn"]
    return team


def execution_role(
    emulator: Emulator,
    name: str,
    statements: list[dict[str, Any]],
    trust: Mapping[str, Any] = SAGEMAKER_TRUST,
) -> str:
    """A role SageMaker may assume (by default) with ``statements`` as its inline policy; returns its ARN."""
    iam = emulator.client("iam")
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if statements:
        document = {"Version": "2012-10-17", "Statement": statements}
        iam.put_role_policy(RoleName=name, PolicyName="job", PolicyDocument=json.dumps(document))
    return arn


def allow_eventbridge(emulator: Emulator, queue_url: str, queue_arn: str, rule_arn: str) -> None:
    """Give the queue the policy EventBridge needs to deliver ``rule_arn``'s events to it (EventBridge User
    Guide, "Using resource-based policies for Amazon EventBridge", Amazon SQS permissions)."""
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    emulator.client("sqs").set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": policy})
