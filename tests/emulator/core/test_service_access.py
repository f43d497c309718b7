"""Services acting on a customer's behalf are authorized as AWS authorizes them.

A labeling job reads and writes S3 with its execution role (identity policies, bucket policy, key
policy); SageMaker assumes that role with the request context it documents (none of the confused-deputy
keys); EventBridge delivers to a queue only as its policy and its key allow, and sends what it may not
deliver to the target's dead-letter queue.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from emulator.core import service_access
from tests.emulator.helpers import (
    SAGEMAKER_ASSUMES_ROLE,
    SAGEMAKER_TRUST,
    allow_eventbridge,
    execution_role,
    labeling_job_statements,
    private_workteam,
    unique,
)
from tests.fixtures.emulator import Emulator

ACCOUNT = "123456789012"
GT_FUNCTIONS = "arn:aws:lambda:us-east-1:432418664414:function:"
ACCOUNT_ADMINISTERS_KEY = {
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def key_with(emulator: Emulator, *statements: dict[str, Any]) -> str:
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    arn: str = emulator.client("kms").create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]
    return arn


@dataclass
class Labeling:
    """A work team and a bucket encrypted by default with a customer managed key, in a clean emulator."""

    emulator: Emulator
    workteam_arn: str
    bucket: str
    key_arn: str

    def job(self, role_arn: str, name: str = "access-job") -> dict[str, Any]:
        """Create a text classification job with ``role_arn``; its description once the labelers ran."""
        s3, sagemaker = self.emulator.client("s3"), self.emulator.client("sagemaker")
        manifest = json.dumps({"source": "good film #label=positive"}) + "\n"
        categories = {
            "document-version": "2018-11-28",
            "labels": [{"label": "positive"}, {"label": "negative"}],
        }
        for key, body in {
            "in/input.manifest": manifest,
            "in/categories.json": json.dumps(categories),
            "in/template.liquid.html": "<crowd-form></crowd-form>",
        }.items():
            s3.put_object(Bucket=self.bucket, Key=key, Body=body.encode())
        sagemaker.create_labeling_job(
            LabelingJobName=name,
            LabelAttributeName="label",
            InputConfig={
                "DataSource": {"S3DataSource": {"ManifestS3Uri": f"s3://{self.bucket}/in/input.manifest"}}
            },
            OutputConfig={"S3OutputPath": f"s3://{self.bucket}/out/", "KmsKeyId": self.key_arn},
            RoleArn=role_arn,
            LabelCategoryConfigS3Uri=f"s3://{self.bucket}/in/categories.json",
            HumanTaskConfig={
                "WorkteamArn": self.workteam_arn,
                "UiConfig": {"UiTemplateS3Uri": f"s3://{self.bucket}/in/template.liquid.html"},
                "PreHumanTaskLambdaArn": f"{GT_FUNCTIONS}PRE-TextMultiClass",
                "TaskTitle": "Label",
                "TaskDescription": "Label the text",
                "NumberOfHumanWorkersPerDataObject": 1,
                "TaskTimeLimitInSeconds": 300,
                "AnnotationConsolidationConfig": {
                    "AnnotationConsolidationLambdaArn": f"{GT_FUNCTIONS}ACS-TextMultiClass"
                },
            },
        )
        described: dict[str, Any] = sagemaker.describe_labeling_job(LabelingJobName=name)
        return described


@pytest.fixture
def labeling(emulator_clean: Emulator) -> Labeling:
    emulator_clean.arm_fault("labeling_job", delay_seconds=0, count=None)
    s3 = emulator_clean.client("s3")
    team = private_workteam(emulator_clean, "service-access-workers")
    key_arn = key_with(emulator_clean, ACCOUNT_ADMINISTERS_KEY)
    bucket = "labeling-data"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key_arn,
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    return Labeling(emulator_clean, team, bucket, key_arn)


def with_actions(statements: list[dict[str, Any]], index: int, actions: list[str]) -> list[dict[str, Any]]:
    """``statements`` with the ``index``-th statement's actions replaced by ``actions``."""
    return [{**s, "Action": actions} if i == index else s for i, s in enumerate(statements)]


# ---------------------------------------------------------------------------------------------
# Labeling jobs: the execution role, the bucket policy, the key policy
# ---------------------------------------------------------------------------------------------


def test_a_job_whose_role_has_the_documented_permissions_completes(labeling: Labeling) -> None:
    role = execution_role(
        labeling.emulator, "labeling", labeling_job_statements(labeling.bucket, labeling.key_arn)
    )

    described = labeling.job(role)

    assert described["LabelingJobStatus"] == "Completed", described.get("FailureReason")
    output = described["LabelingJobOutput"]["OutputDatasetS3Uri"].removeprefix(f"s3://{labeling.bucket}/")
    head = labeling.emulator.client("s3").head_object(Bucket=labeling.bucket, Key=output)
    assert head["SSEKMSKeyId"] == labeling.key_arn


def test_a_job_whose_role_may_not_put_objects_fails_with_the_access_denied_reason(labeling: Labeling) -> None:
    documented = labeling_job_statements(labeling.bucket, labeling.key_arn)
    statements = with_actions(documented, 0, ["s3:GetObject", "s3:AbortMultipartUpload"])
    role = execution_role(labeling.emulator, "no-put", statements)

    described = labeling.job(role)

    assert described["LabelingJobStatus"] == "Failed"
    assert described["FailureReason"] == (
        f"ClientError: User: arn:aws:sts::{ACCOUNT}:assumed-role/no-put/SageMaker is not authorized to "
        f"perform: s3:PutObject on resource: arn:aws:s3:::{labeling.bucket}/out/access-job/manifests/output/"
        "output.manifest because no identity-based policy allows the s3:PutObject action"
    )


def test_a_job_whose_role_may_not_generate_data_keys_fails_with_the_access_denied_reason(
    labeling: Labeling,
) -> None:
    documented = labeling_job_statements(labeling.bucket, labeling.key_arn)
    statements = with_actions(
        documented, 1, ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:DescribeKey"]
    )
    role = execution_role(labeling.emulator, "no-data-keys", statements)

    described = labeling.job(role)

    assert described["LabelingJobStatus"] == "Failed"
    assert described["FailureReason"] == (
        f"ClientError: User: arn:aws:sts::{ACCOUNT}:assumed-role/no-data-keys/SageMaker is not authorized to "
        f"perform: kms:GenerateDataKey on resource: {labeling.key_arn} because no identity-based policy "
        "allows the kms:GenerateDataKey action"
    )


def test_a_key_policy_that_leaves_nothing_to_iam_fails_the_job_whatever_the_role_allows(
    labeling: Labeling,
) -> None:
    # given a key whose policy lets the account administer it but use it only by name
    key_arn = key_with(
        labeling.emulator,
        {**ACCOUNT_ADMINISTERS_KEY, "Action": ["kms:Describe*", "kms:Put*", "kms:Create*", "kms:Decrypt"]},
    )
    labeling.key_arn = key_arn
    # (the role may use every key: the manifest is under the bucket's default key)
    role = execution_role(labeling.emulator, "key-not-shared", labeling_job_statements(labeling.bucket))

    described = labeling.job(role)

    assert described["LabelingJobStatus"] == "Failed"
    assert described["FailureReason"].endswith(
        f"kms:GenerateDataKey on resource: {key_arn} because no resource-based policy allows the "
        "kms:GenerateDataKey action"
    )


def test_a_bucket_policy_denying_the_role_refuses_the_job_at_its_manifest(labeling: Labeling) -> None:
    role = execution_role(
        labeling.emulator, "denied", labeling_job_statements(labeling.bucket, labeling.key_arn)
    )
    deny = {
        "Effect": "Deny",
        "Principal": {"AWS": role},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{labeling.bucket}/in/*",
    }
    labeling.emulator.client("s3").put_bucket_policy(
        Bucket=labeling.bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]})
    )

    with pytest.raises(ClientError) as refused:
        labeling.job(role)

    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert refused.value.response["Error"]["Message"] == (
        f"Cannot access the input manifest file: User: arn:aws:sts::{ACCOUNT}:assumed-role/denied/SageMaker "
        "is not authorized to perform: s3:GetObject on resource: "
        f"arn:aws:s3:::{labeling.bucket}/in/input.manifest with an explicit deny in a resource-based policy."
    )


def test_a_bucket_policy_naming_the_role_is_enough_without_an_identity_policy(labeling: Labeling) -> None:
    role = execution_role(
        labeling.emulator, "bucket-granted", labeling_job_statements("another-bucket", labeling.key_arn)
    )
    grant = {
        "Effect": "Allow",
        "Principal": {"AWS": role},
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": f"arn:aws:s3:::{labeling.bucket}/*",
    }
    labeling.emulator.client("s3").put_bucket_policy(
        Bucket=labeling.bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [grant]})
    )

    assert labeling.job(role)["LabelingJobStatus"] == "Completed"


# ---------------------------------------------------------------------------------------------
# Trust policies: SageMaker sends none of the confused-deputy keys for Ground Truth and Feature Store
# ---------------------------------------------------------------------------------------------

SOURCE_ACCOUNT_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{**SAGEMAKER_ASSUMES_ROLE, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}],
}
CANNOT_ASSUME = (
    "Could not assume role {}. Please ensure that the role exists and allows principal "
    "'sagemaker.amazonaws.com' to assume the role."
)


def test_a_trust_policy_conditioned_on_the_source_account_refuses_the_labeling_job(
    labeling: Labeling,
) -> None:
    statements = labeling_job_statements(labeling.bucket, labeling.key_arn)
    role = execution_role(labeling.emulator, "source-account", statements, trust=SOURCE_ACCOUNT_TRUST)

    with pytest.raises(ClientError) as refused:
        labeling.job(role)

    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert refused.value.response["Error"]["Message"] == CANNOT_ASSUME.format(role)


@pytest.mark.parametrize(
    ("trust", "accepted"),
    [(SAGEMAKER_TRUST, True), (SOURCE_ACCOUNT_TRUST, False), (None, False)],
    ids=["unconditioned", "aws-source-account", "no-such-role"],
)
def test_a_feature_group_needs_a_role_sagemaker_can_assume(
    emulator: Emulator, trust: dict[str, Any] | None, accepted: bool
) -> None:
    name = unique("fs-role")
    role = f"arn:aws:iam::{ACCOUNT}:role/{name}"
    if trust is not None:
        execution_role(emulator, name, [], trust=trust)
    sagemaker = emulator.client("sagemaker")
    create: Callable[[], Any] = lambda: sagemaker.create_feature_group(  # noqa: E731
        FeatureGroupName=unique("labels"),
        RecordIdentifierFeatureName="record_id",
        EventTimeFeatureName="event_time",
        FeatureDefinitions=[
            {"FeatureName": "record_id", "FeatureType": "String"},
            {"FeatureName": "event_time", "FeatureType": "String"},
        ],
        OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://feature-store/offline"}},
        RoleArn=role,
    )

    if accepted:
        assert create()["FeatureGroupArn"]
    else:
        with pytest.raises(ClientError) as refused:
            create()
        assert refused.value.response["Error"]["Message"] == CANNOT_ASSUME.format(role)


# ---------------------------------------------------------------------------------------------
# EventBridge -> SQS: the queue policy and the queue's key
# ---------------------------------------------------------------------------------------------


@dataclass
class Delivery:
    emulator: Emulator
    rule: str
    queue_url: str
    dlq_url: str

    def send(self) -> None:
        entry = {"Source": "labeling.test", "DetailType": "Upload", "Detail": json.dumps({"key": "a.png"})}
        assert self.emulator.client("events").put_events(Entries=[entry])["FailedEntryCount"] == 0

    def messages(self, url: str) -> list[dict[str, Any]]:
        response = self.emulator.client("sqs").receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )
        return list(response.get("Messages", []))

    def metric(self, name: str) -> float:
        statistics = self.emulator.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/Events",
            MetricName=name,
            Dimensions=[{"Name": "RuleName", "Value": self.rule}],
            StartTime=time.time() - 600,
            EndTime=time.time() + 600,
            Period=60,
            Statistics=["Sum"],
        )
        return float(sum(point["Sum"] for point in statistics["Datapoints"]))


def events_key_statement(**condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": "*",
    }
    return {**statement, "Condition": condition} if condition else statement


def delivery(emulator: Emulator, key_statement: dict[str, Any]) -> Delivery:
    """A rule for test events whose target is a queue encrypted with a key holding ``key_statement``, with
    an unencrypted dead-letter queue; both queues let the rule send to them."""
    sqs, events = emulator.client("sqs"), emulator.client("events")
    key_arn = key_with(emulator, ACCOUNT_ADMINISTERS_KEY, key_statement)
    queue_url = sqs.create_queue(QueueName=unique("uploads"), Attributes={"KmsMasterKeyId": key_arn})[
        "QueueUrl"
    ]
    dlq_url = sqs.create_queue(QueueName=unique("undeliverable"))["QueueUrl"]
    arns = [
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        for url in (queue_url, dlq_url)
    ]
    rule = unique("uploads")
    rule_arn = events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["labeling.test"]}))["RuleArn"]
    for url, arn in zip((queue_url, dlq_url), arns, strict=True):
        allow_eventbridge(emulator, url, arn, rule_arn)
    events.put_targets(
        Rule=rule, Targets=[{"Id": "queue", "Arn": arns[0], "DeadLetterConfig": {"Arn": arns[1]}}]
    )
    return Delivery(emulator, rule, queue_url, dlq_url)


def test_eventbridge_delivers_to_an_encrypted_queue_whose_key_has_the_documented_statement(
    emulator: Emulator,
) -> None:
    wiring = delivery(emulator, events_key_statement())

    wiring.send()

    assert [json.loads(m["Body"])["detail"] for m in wiring.messages(wiring.queue_url)] == [{"key": "a.png"}]
    assert wiring.metric("FailedInvocations") == 0


def test_a_key_statement_conditioned_on_the_source_account_sends_the_event_to_the_dead_letter_queue(
    emulator: Emulator,
) -> None:
    wiring = delivery(emulator, events_key_statement(StringEquals={"aws:SourceAccount": ACCOUNT}))

    wiring.send()

    assert wiring.messages(wiring.queue_url) == []
    [undelivered] = wiring.messages(wiring.dlq_url)
    assert json.loads(undelivered["Body"])["detail"] == {"key": "a.png"}
    attributes = {name: value["StringValue"] for name, value in undelivered["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "NO_PERMISSIONS"
    assert attributes["ERROR_MESSAGE"].startswith(
        "Service: events.amazonaws.com is not authorized to perform: kms:GenerateDataKey"
    )
    assert attributes["RULE_ARN"].endswith(f":rule/{wiring.rule}")
    assert (wiring.metric("FailedInvocations"), wiring.metric("InvocationsSentToDLQ")) == (1, 1)


def test_a_queue_whose_policy_does_not_name_the_rule_gets_nothing(emulator: Emulator) -> None:
    wiring = delivery(emulator, events_key_statement())
    other_rule = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{unique('other')}"
    sqs = emulator.client("sqs")
    arn = sqs.get_queue_attributes(QueueUrl=wiring.queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    allow_eventbridge(emulator, wiring.queue_url, arn, other_rule)

    wiring.send()

    assert wiring.messages(wiring.queue_url) == []
    [undelivered] = wiring.messages(wiring.dlq_url)
    assert undelivered["MessageAttributes"]["ERROR_MESSAGE"]["StringValue"].endswith(
        "because no resource-based policy allows the sqs:SendMessage action"
    )


# ---------------------------------------------------------------------------------------------
# The evaluator in-process: permissions boundaries and explicit denies
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def iam() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def role_with(iam: Any, name: str, statements: list[dict[str, Any]], boundary: str | None = None) -> str:
    extra = {"PermissionsBoundary": boundary} if boundary else {}
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(SAGEMAKER_TRUST), **extra)[
        "Role"
    ]["Arn"]
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=document)
    return arn


def allow(action: str, resource: str = "*", effect: str = "Allow") -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": resource}


def test_a_permissions_boundary_limits_what_the_identity_policy_allows(iam: Any) -> None:
    boundary = iam.create_policy(
        PolicyName="reads-only",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow("s3:Get*")]}),
    )["Policy"]["Arn"]
    role = role_with(iam, "bounded", [allow("s3:*")], boundary)
    principal = service_access.Principal(ACCOUNT, role_arn=role)

    read = service_access.authorize(principal, "s3:GetObject", "arn:aws:s3:::b/k")
    write = service_access.authorize(principal, "s3:PutObject", "arn:aws:s3:::b/k")

    assert (read.allowed, write.allowed) == (True, False)
    assert write.message.endswith("because no identity-based policy allows the s3:PutObject action")


def test_an_explicit_deny_in_the_identity_policy_wins_over_a_bucket_policy_naming_the_role(iam: Any) -> None:
    role = role_with(iam, "denied", [allow("s3:PutObject", effect="Deny")])
    grant = {"Effect": "Allow", "Principal": {"AWS": role}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}
    policy = json.dumps({"Version": "2012-10-17", "Statement": [grant]})
    principal = service_access.Principal(ACCOUNT, role_arn=role)

    decision = service_access.authorize(principal, "s3:PutObject", "arn:aws:s3:::b/k", resource_policy=policy)

    assert not decision.allowed
    assert decision.message.endswith("with an explicit deny in an identity-based policy")
