"""SageMaker Feature Store in the emulator: feature groups and the runtime API, with AWS's errors."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.emulator.helpers import execution_role, unique
from tests.fixtures.emulator import Emulator

ACCOUNT = "123456789012"
DEFINITIONS = [
    {"FeatureName": "record_id", "FeatureType": "String"},
    {"FeatureName": "event_time", "FeatureType": "String"},
    {"FeatureName": "label", "FeatureType": "String"},
    {"FeatureName": "line_number", "FeatureType": "Integral"},
    {"FeatureName": "confidence", "FeatureType": "Fractional"},
]


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def record(record_id: str, event_time: str = "2026-01-01T00:00:00Z", **features: str) -> list[dict[str, str]]:
    values = {"record_id": record_id, "event_time": event_time, **features}
    return [{"FeatureName": name, "ValueAsString": value} for name, value in values.items()]


@pytest.fixture
def sagemaker(emulator: Emulator) -> Any:
    return emulator.client("sagemaker")


@pytest.fixture
def runtime(emulator: Emulator) -> Any:
    return emulator.client("sagemaker-featurestore-runtime")


def create_group(sagemaker: Any, name: str | None = None, **settings: Any) -> str:
    group = name or unique("labels")
    sagemaker.create_feature_group(
        FeatureGroupName=group,
        RecordIdentifierFeatureName="record_id",
        EventTimeFeatureName="event_time",
        FeatureDefinitions=settings.pop("FeatureDefinitions", DEFINITIONS),
        **({"OnlineStoreConfig": {"EnableOnlineStore": True}} | settings),
    )
    return group


@pytest.fixture
def role(emulator: Emulator) -> str:
    """A role SageMaker may assume (the Feature Store refuses one it cannot)."""
    return execution_role(emulator, unique("feature-store"), [])


@pytest.fixture
def group(sagemaker: Any) -> str:
    return create_group(sagemaker)


# ---------------------------------------------------------------------------------------------
# Feature groups (what the AWS provider's aws_sagemaker_feature_group calls)
# ---------------------------------------------------------------------------------------------


def test_a_feature_group_keeps_and_describes_everything_it_was_created_with(
    sagemaker: Any, role: str
) -> None:
    name = unique("fg")
    offline = {
        "S3StorageConfig": {"S3Uri": "s3://feature-store-bucket/offline", "KmsKeyId": "alias/fs"},
        "DisableGlueTableCreation": True,
        "DataCatalogConfig": {"TableName": "labels", "Catalog": "AwsDataCatalog", "Database": "ml"},
    }

    create_group(
        sagemaker,
        name,
        OfflineStoreConfig=offline,
        OnlineStoreConfig={"EnableOnlineStore": True, "SecurityConfig": {"KmsKeyId": "alias/online"}},
        RoleArn=role,
        Description="Labels from Ground Truth",
        Tags=[{"Key": "team", "Value": "ml"}],
    )
    described = sagemaker.describe_feature_group(FeatureGroupName=name)

    group_arn = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:feature-group/{name.lower()}"
    assert described["FeatureGroupArn"] == group_arn
    assert described["FeatureGroupStatus"] == "Created"
    assert described["OfflineStoreStatus"] == {"Status": "Active"}
    assert described["Description"] == "Labels from Ground Truth"
    assert described["RoleArn"] == role
    assert described["FeatureDefinitions"] == DEFINITIONS
    assert described["OnlineStoreConfig"] == {
        "EnableOnlineStore": True,
        "SecurityConfig": {"KmsKeyId": "alias/online"},
    }
    offline_described = described["OfflineStoreConfig"]
    resolved = offline_described["S3StorageConfig"].pop("ResolvedOutputS3Uri")
    assert re.fullmatch(
        rf"s3://feature-store-bucket/offline/{ACCOUNT}/sagemaker/us-east-1/offline-store/{name}-\d+/data",
        resolved,
    )
    assert offline_described == offline
    assert described["ThroughputConfig"] == {"ThroughputMode": "OnDemand"}
    assert "LastUpdateStatus" not in described
    assert sagemaker.list_tags(ResourceArn=group_arn)["Tags"] == [{"Key": "team", "Value": "ml"}]
    assert sagemaker.describe_feature_group(FeatureGroupName=group_arn)["FeatureGroupName"] == name


def test_an_unknown_feature_group_is_not_found(sagemaker: Any) -> None:
    for call in (sagemaker.describe_feature_group, sagemaker.delete_feature_group):
        with pytest.raises(ClientError) as raised:
            call(FeatureGroupName="missing-group")
        assert error_of(raised) == (
            "ResourceNotFound",
            "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name missing-group",
            400,
        )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"OnlineStoreConfig": {"EnableOnlineStore": False}},
            "Validation Error: OnlineStore and OfflineStore cannot be both disabled. "
            "Please enable at least one of them and retry the request.",
        ),
        (
            {"FeatureDefinitions": DEFINITIONS[1:]},
            "Validation Error: RecordIdentifierFeatureName record_id is not one of the feature definitions.",
        ),
        (
            {
                "FeatureDefinitions": [
                    DEFINITIONS[0],
                    {"FeatureName": "event_time", "FeatureType": "Integral"},
                ]
            },
            "Validation Error: EventTime feature event_time must be of type String or Fractional.",
        ),
        (
            {"FeatureDefinitions": [*DEFINITIONS, {"FeatureName": "is_deleted", "FeatureType": "String"}]},
            "Validation Error: is_deleted cannot be used as a feature name "
            "(reserved: api_invocation_time, is_deleted, write_time).",
        ),
        (
            {"FeatureDefinitions": [*DEFINITIONS, DEFINITIONS[2]]},
            "Validation Error: Feature names must be unique: label.",
        ),
        (
            {"OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": "s3://bucket/prefix"}}},
            "Validation Error: RoleArn is required when OfflineStoreConfig is specified.",
        ),
    ],
)
def test_an_invalid_feature_group_is_refused(sagemaker: Any, settings: dict[str, Any], message: str) -> None:
    name = unique("bad")

    with pytest.raises(ClientError) as raised:
        create_group(sagemaker, name, **settings)

    assert error_of(raised) == ("ValidationException", message, 400)
    names = [
        g["FeatureGroupName"] for g in sagemaker.list_feature_groups(MaxResults=100)["FeatureGroupSummaries"]
    ]
    assert name not in names


def test_a_feature_group_name_is_unique(sagemaker: Any, group: str) -> None:
    with pytest.raises(ClientError) as raised:
        create_group(sagemaker, group)

    assert error_of(raised)[0] == "ResourceInUse"


def test_a_feature_group_update_adds_features_and_reports_success(sagemaker: Any, group: str) -> None:
    sagemaker.update_feature_group(
        FeatureGroupName=group,
        FeatureAdditions=[{"FeatureName": "reviewer", "FeatureType": "String"}],
        OnlineStoreConfig={"TtlDuration": {"Unit": "Days", "Value": 30}},
    )

    described = sagemaker.describe_feature_group(FeatureGroupName=group)
    assert described["FeatureDefinitions"][-1] == {"FeatureName": "reviewer", "FeatureType": "String"}
    assert described["OnlineStoreConfig"]["TtlDuration"] == {"Unit": "Days", "Value": 30}
    assert described["LastUpdateStatus"] == {"Status": "Successful"}


def test_feature_groups_are_listed_and_deleted(sagemaker: Any) -> None:
    prefix = unique("listed")
    for suffix in ("b", "a"):
        create_group(sagemaker, f"{prefix}-{suffix}")

    listed = sagemaker.list_feature_groups(NameContains=prefix, SortBy="Name")["FeatureGroupSummaries"]
    sagemaker.delete_feature_group(FeatureGroupName=f"{prefix}-a")
    after = sagemaker.list_feature_groups(NameContains=prefix)["FeatureGroupSummaries"]

    assert [g["FeatureGroupName"] for g in listed] == [f"{prefix}-a", f"{prefix}-b"]
    assert listed[0]["FeatureGroupStatus"] == "Created"
    assert [g["FeatureGroupName"] for g in after] == [f"{prefix}-b"]


# ---------------------------------------------------------------------------------------------
# Runtime
# ---------------------------------------------------------------------------------------------


def test_a_put_record_is_read_back_whole_or_by_feature(runtime: Any, sagemaker: Any, group: str) -> None:
    runtime.put_record(
        FeatureGroupName=group, Record=record("r1", label="cat", line_number="0", confidence="0.5")
    )

    whole = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="r1")
    some = runtime.get_record(
        FeatureGroupName=group, RecordIdentifierValueAsString="r1", FeatureNames=["label"]
    )
    arn = sagemaker.describe_feature_group(FeatureGroupName=group)["FeatureGroupArn"]
    by_arn = runtime.get_record(FeatureGroupName=arn, RecordIdentifierValueAsString="r1")

    assert whole["Record"] == record("r1", label="cat", line_number="0", confidence="0.5")
    assert some["Record"] == [{"FeatureName": "label", "ValueAsString": "cat"}]
    assert by_arn["Record"] == whole["Record"]


def test_an_unknown_record_reads_as_an_empty_result(runtime: Any, group: str) -> None:
    result = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="nobody")

    assert "Record" not in result


def test_optional_features_may_be_omitted(runtime: Any, group: str) -> None:
    runtime.put_record(FeatureGroupName=group, Record=record("r1"))

    assert runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="r1")["Record"] == record(
        "r1"
    )


@pytest.mark.parametrize(
    ("features", "message"),
    [
        (
            record("r1", species="cat"),
            "Validation Error: Feature species is not defined in FeatureGroup {group}.",
        ),
        (
            record("r1", line_number="1.5"),
            "Validation Error: Feature line_number is Integral, but '1.5' is not a 64-bit integer.",
        ),
        (
            record("r1", line_number="9223372036854775808"),
            "Validation Error: Feature line_number is Integral, but '9223372036854775808' is not a 64-bit "
            "integer.",
        ),
        (
            record("r1", confidence="high"),
            "Validation Error: Feature confidence is Fractional, but 'high' is not a finite number.",
        ),
        (
            record("r1", event_time="2026-01-01T00:00:00.123456Z"),
            "Validation Error: EventTime '2026-01-01T00:00:00.123456Z' is not in one of the formats "
            "yyyy-MM-dd'T'HH:mm:ssZ or yyyy-MM-dd'T'HH:mm:ss.SSSZ.",
        ),
        (
            record("r1", event_time="2026-01-01T00:00:00+00:00"),
            "Validation Error: EventTime '2026-01-01T00:00:00+00:00' is not in one of the formats "
            "yyyy-MM-dd'T'HH:mm:ssZ or yyyy-MM-dd'T'HH:mm:ss.SSSZ.",
        ),
        (
            [{"FeatureName": "event_time", "ValueAsString": "2026-01-01T00:00:00Z"}],
            "Validation Error: The record has no value for record_id, which every record of FeatureGroup "
            "{group} needs.",
        ),
        (
            [*record("r1"), {"FeatureName": "label", "ValueAsStringList": ["a", "b"]}],
            "Validation Error: Feature label is not a collection; use ValueAsString.",
        ),
        (
            [
                *record("r1"),
                {"FeatureName": "label", "ValueAsString": "a"},
                {"FeatureName": "label", "ValueAsString": "b"},
            ],
            "Validation Error: The record repeats feature(s) label.",
        ),
    ],
)
def test_a_record_that_breaks_the_definitions_is_refused(
    runtime: Any, group: str, features: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ClientError) as raised:
        runtime.put_record(FeatureGroupName=group, Record=features)

    assert error_of(raised) == ("ValidationError", message.format(group=group), 400)
    assert "Record" not in runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="r1")


def test_the_documented_event_time_formats_are_accepted(runtime: Any, sagemaker: Any) -> None:
    fractional = create_group(
        sagemaker,
        FeatureDefinitions=[DEFINITIONS[0], {"FeatureName": "event_time", "FeatureType": "Fractional"}],
    )
    string_group = create_group(sagemaker)

    runtime.put_record(FeatureGroupName=string_group, Record=record("a", "2026-01-01T00:00:00.123Z"))
    runtime.put_record(FeatureGroupName=fractional, Record=record("b", "1767225600.25"))
    with pytest.raises(ClientError) as raised:
        runtime.put_record(FeatureGroupName=fractional, Record=record("c", "2026-01-01T00:00:00Z"))

    assert "Record" in runtime.get_record(FeatureGroupName=string_group, RecordIdentifierValueAsString="a")
    assert "Record" in runtime.get_record(FeatureGroupName=fractional, RecordIdentifierValueAsString="b")
    assert error_of(raised)[1] == (
        "Validation Error: Feature event_time is Fractional, but '2026-01-01T00:00:00Z' is not a finite "
        "number."
    )


def test_an_unknown_feature_group_fails_each_runtime_call_as_aws_does(runtime: Any) -> None:
    message = "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name ghost"
    with pytest.raises(ClientError) as put:
        runtime.put_record(FeatureGroupName="ghost", Record=record("r1"))
    with pytest.raises(ClientError) as get:
        runtime.get_record(FeatureGroupName="ghost", RecordIdentifierValueAsString="r1")
    with pytest.raises(ClientError) as delete:
        runtime.delete_record(
            FeatureGroupName="ghost", RecordIdentifierValueAsString="r1", EventTime="2026-01-01T00:00:00Z"
        )

    assert error_of(put) == ("ValidationError", message, 400)
    assert error_of(get) == ("ResourceNotFound", message, 404)
    assert error_of(delete) == ("ValidationError", message, 400)


def test_the_online_store_keeps_the_latest_event_and_the_last_of_a_tie(runtime: Any, group: str) -> None:
    runtime.put_record(FeatureGroupName=group, Record=record("r1", "2026-01-02T00:00:00Z", label="newer"))
    runtime.put_record(FeatureGroupName=group, Record=record("r1", "2026-01-01T00:00:00Z", label="older"))
    after_older = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="r1")["Record"]
    runtime.put_record(FeatureGroupName=group, Record=record("r1", "2026-01-02T00:00:00Z", label="tie"))
    after_tie = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="r1")["Record"]

    assert after_older == record("r1", "2026-01-02T00:00:00Z", label="newer")
    assert after_tie == record("r1", "2026-01-02T00:00:00Z", label="tie")


def test_every_accepted_put_is_listed_by_the_control_endpoint(
    emulator: Emulator, runtime: Any, group: str
) -> None:
    runtime.put_record(FeatureGroupName=group, Record=record("r1", "2026-01-02T00:00:00Z"))
    runtime.put_record(FeatureGroupName=group, Record=record("r1", "2026-01-01T00:00:00Z"))
    with pytest.raises(ClientError):
        runtime.put_record(FeatureGroupName=group, Record=record("r2", label_typo="x"))

    with urllib.request.urlopen(f"{emulator.url}/_emulator/featurestore/{group}/puts") as response:
        puts = json.loads(response.read())["puts"]
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{emulator.url}/_emulator/featurestore/ghost-group/puts")

    assert [put["record"] for put in puts] == [
        record("r1", "2026-01-02T00:00:00Z"),
        record("r1", "2026-01-01T00:00:00Z"),
    ]
    assert all(put["target_stores"] == ["OnlineStore"] for put in puts)
    assert missing.value.code == 404


def test_delete_record_follows_the_event_time_rules(runtime: Any, group: str) -> None:
    runtime.put_record(FeatureGroupName=group, Record=record("r1", "2026-01-02T00:00:00Z"))

    # An older deletion leaves the record (soft delete) or is refused (hard delete).
    runtime.delete_record(
        FeatureGroupName=group, RecordIdentifierValueAsString="r1", EventTime="2026-01-01T00:00:00Z"
    )
    kept = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="r1")
    with pytest.raises(ClientError) as raised:
        runtime.delete_record(
            FeatureGroupName=group,
            RecordIdentifierValueAsString="r1",
            EventTime="2026-01-01T00:00:00Z",
            DeletionMode="HardDelete",
        )
    runtime.delete_record(
        FeatureGroupName=group, RecordIdentifierValueAsString="r1", EventTime="2026-01-03T00:00:00Z"
    )
    gone = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="r1")

    assert "Record" in kept
    assert error_of(raised)[0] == "ValidationError"
    assert "Record" not in gone


def test_records_expire_after_their_ttl(runtime: Any, group: str) -> None:
    recent = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    old = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    runtime.put_record(
        FeatureGroupName=group, Record=record("old", old), TtlDuration={"Unit": "Hours", "Value": 1}
    )
    runtime.put_record(
        FeatureGroupName=group, Record=record("new", recent), TtlDuration={"Unit": "Hours", "Value": 1}
    )

    expired = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="old")
    alive = runtime.get_record(
        FeatureGroupName=group, RecordIdentifierValueAsString="new", ExpirationTimeResponse="Enabled"
    )

    assert "Record" not in expired
    expires_at = datetime.strptime(alive["ExpiresAt"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert expires_at == datetime.strptime(recent, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) + timedelta(
        hours=1
    )


def test_batch_get_record_reports_found_records_and_errors(runtime: Any, group: str) -> None:
    runtime.put_record(FeatureGroupName=group, Record=record("r1", label="cat"))

    result = runtime.batch_get_record(
        Identifiers=[
            {
                "FeatureGroupName": group,
                "RecordIdentifiersValueAsString": ["r1", "absent"],
                "FeatureNames": ["label"],
            },
            {"FeatureGroupName": "ghost", "RecordIdentifiersValueAsString": ["r1"]},
        ]
    )

    assert result["Records"] == [
        {
            "FeatureGroupName": group,
            "RecordIdentifierValueAsString": "r1",
            "Record": [{"FeatureName": "label", "ValueAsString": "cat"}],
        }
    ]
    assert result["Errors"] == [
        {
            "FeatureGroupName": "ghost",
            "RecordIdentifierValueAsString": "r1",
            "ErrorCode": "ResourceNotFound",
            "ErrorMessage": "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name ghost",
        }
    ]
    assert result["UnprocessedIdentifiers"] == []


def test_an_offline_only_group_takes_records_but_has_none_to_read(
    runtime: Any, sagemaker: Any, role: str
) -> None:
    group = create_group(
        sagemaker,
        OnlineStoreConfig={"EnableOnlineStore": False},
        OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://bucket/offline"}},
        RoleArn=role,
    )

    runtime.put_record(FeatureGroupName=group, Record=record("r1"))
    with pytest.raises(ClientError) as read:
        runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="r1")
    with pytest.raises(ClientError) as online_write:
        runtime.put_record(FeatureGroupName=group, Record=record("r2"), TargetStores=["OnlineStore"])

    assert error_of(read)[:2] == (
        "ValidationError",
        f"Validation Error: FeatureGroup {group} has no OnlineStore: records can be read only from a feature "
        "group with the online store enabled.",
    )
    assert error_of(online_write)[1] == f"Validation Error: FeatureGroup {group} has no OnlineStore."


def test_a_throttle_fault_fails_the_next_puts_with_throttling_exception(
    emulator: Emulator, runtime: Any, group: str
) -> None:
    # botocore retries throttling by itself; with one attempt each refusal surfaces.
    once = boto3.client("sagemaker-featurestore-runtime", config=Config(retries={"total_max_attempts": 1}))
    emulator.arm_fault("featurestore_put", match={"feature_group": group}, count=2)

    outcomes = []
    for number in range(3):
        try:
            once.put_record(FeatureGroupName=group, Record=record(f"r{number}"))
            outcomes.append("accepted")
        except ClientError as error:
            outcomes.append(
                f"{error.response['Error']['Code']} {error.response['ResponseMetadata']['HTTPStatusCode']}"
            )

    assert outcomes == ["ThrottlingException 400", "ThrottlingException 400", "accepted"]
    assert "Record" not in runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="r0")
    assert "Record" in runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="r2")


def test_records_live_and_die_with_their_group(runtime: Any, sagemaker: Any) -> None:
    name = create_group(sagemaker)
    runtime.put_record(FeatureGroupName=name, Record=record("r1"))

    sagemaker.delete_feature_group(FeatureGroupName=name)
    create_group(sagemaker, name)

    assert "Record" not in runtime.get_record(FeatureGroupName=name, RecordIdentifierValueAsString="r1")
