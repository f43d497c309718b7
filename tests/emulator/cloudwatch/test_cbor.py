"""CloudWatch answers the Smithy RPC v2 CBOR protocol, as the AWS provider (aws-sdk-go-v2) speaks it.

boto3 1.44 still prefers awsJson 1.0 for CloudWatch, so these tests build a botocore client whose
copy of the CloudWatch model lists only ``smithy-rpc-v2-cbor``: botocore's own CBOR serializer and
parser then talk to the emulator, and a hook checks every request went over the CBOR path.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto import mock_aws

from emulator.cloudwatch import responses as cloudwatch_cbor
from emulator.cloudwatch.responses import decode, encode_text_map
from tests.emulator.helpers import unique
from tests.fixtures.emulator import Emulator

CBOR_PATH = "/service/GraniteServiceVersion20100801/operation/"
TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"


@pytest.fixture(scope="module")
def cbor_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding CloudWatch's model with RPC v2 CBOR as its only protocol."""
    loader = botocore.session.get_session().get_component("data_loader")
    model = loader.load_service_model("cloudwatch", "service-2")
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    root = tmp_path_factory.mktemp("cbor-model")
    version_dir = root / "cloudwatch" / model["metadata"]["apiVersion"]
    version_dir.mkdir(parents=True)
    (version_dir / "service-2.json").write_text(json.dumps(model))
    return root


@pytest.fixture
def paths() -> list[str]:
    return []


def cbor_client(model_dir: Path, paths: list[str], endpoint_url: str | None) -> Any:
    """A CloudWatch client that speaks RPC v2 CBOR; ``paths`` collects the request paths it sends."""
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, str(model_dir))
    client = boto3.Session(botocore_session=session).client(
        "cloudwatch", endpoint_url=endpoint_url, region_name="us-east-1"
    )
    assert client.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"

    def record(request: AWSRequest, **_: Any) -> None:
        assert request.headers["smithy-protocol"] == b"rpc-v2-cbor"
        paths.append(urlsplit(request.url).path)

    client.meta.events.register("before-send.cloudwatch", record)
    return client


@pytest.fixture
def cloudwatch(emulator: Emulator, cbor_model_dir: Path, paths: list[str]) -> Iterator[Any]:
    yield cbor_client(cbor_model_dir, paths, emulator.url)
    assert paths, "no request was sent"
    assert all(path.startswith(CBOR_PATH) for path in paths), paths


def put_alarm(cloudwatch: Any, name: str, **overrides: Any) -> None:
    settings: dict[str, Any] = {
        "AlarmName": name,
        "AlarmDescription": "errors of the pipeline",
        "Namespace": "AWS/Lambda",
        "MetricName": "Errors",
        "Dimensions": [{"Name": "FunctionName", "Value": "ingest"}],
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": 2,
        "DatapointsToAlarm": 1,
        "Threshold": 0.5,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [TOPIC],
        "OKActions": [TOPIC],
        "Tags": [{"Key": "team", "Value": "labeling"}],
    }
    cloudwatch.put_metric_alarm(
        **{key: value for key, value in (settings | overrides).items() if value is not None}
    )


def test_an_alarm_is_created_described_and_deleted(cloudwatch: Any, paths: list[str]) -> None:
    # Given a metric alarm put over CBOR
    name = unique("alarm")
    put_alarm(cloudwatch, name)
    # When it is described by name
    alarms = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    # Then everything put comes back, timestamps included
    assert len(alarms) == 1
    alarm = alarms[0]
    assert alarm["AlarmArn"] == f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": "ingest"}]
    assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (300, 2, 1)
    assert alarm["Threshold"] == 0.5
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmActions"] == [TOPIC]
    assert alarm["OKActions"] == [TOPIC]
    assert alarm["ActionsEnabled"] is True
    assert abs(alarm["AlarmConfigurationUpdatedTimestamp"] - datetime.now(UTC)) < timedelta(minutes=1)
    # When it is deleted, then it is gone
    cloudwatch.delete_alarms(AlarmNames=[name])
    assert cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"] == []
    assert paths[0] == f"{CBOR_PATH}PutMetricAlarm"


def test_an_alarm_on_a_metric_query_keeps_it(cloudwatch: Any) -> None:
    # Given an alarm on a metric math expression
    name = unique("alarm")
    stat = {
        "Metric": {"Namespace": "AWS/SQS", "MetricName": "NumberOfMessagesSent"},
        "Period": 60,
        "Stat": "Sum",
    }
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        EvaluationPeriods=1,
        Threshold=10.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        Metrics=[
            {"Id": "sent", "MetricStat": stat, "ReturnData": False},
            {"Id": "rate", "Expression": "sent / 60", "Label": "per second", "ReturnData": True},
        ],
    )
    # Then the queries are described as given
    metrics = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["Metrics"]
    assert [(m["Id"], m.get("Expression"), m["ReturnData"]) for m in metrics] == [
        ("sent", None, False),
        ("rate", "sent / 60", True),
    ]
    assert metrics[0]["MetricStat"]["Metric"]["MetricName"] == "NumberOfMessagesSent"


def test_alarm_tags_are_listed_added_and_removed(cloudwatch: Any) -> None:
    # Given an alarm created with one tag
    name = unique("alarm")
    put_alarm(cloudwatch, name)
    arn = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]
    assert cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "team", "Value": "labeling"}
    ]
    # When a tag is added and the first removed
    cloudwatch.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "dev"}])
    cloudwatch.untag_resource(ResourceARN=arn, TagKeys=["team"])
    # Then only the new one is left
    assert cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]


def test_metric_data_is_put_listed_and_read_back(cloudwatch: Any) -> None:
    # Given two data points of a metric in a namespace of this test
    namespace = unique("Labeling")
    now = datetime.now(UTC).replace(microsecond=0)
    dimensions = [{"Name": "Queue", "Value": "upload"}]
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": "Items",
                "Dimensions": dimensions,
                "Value": value,
                "Timestamp": now,
                "Unit": "Count",
            }
            for value in (2.0, 3.0)
        ],
    )
    # Then the metric is listed
    metrics = cloudwatch.list_metrics(Namespace=namespace)["Metrics"]
    assert metrics == [{"Namespace": namespace, "MetricName": "Items", "Dimensions": dimensions}]
    # And statistics and metric data add them up
    window = {"StartTime": now - timedelta(minutes=5), "EndTime": now + timedelta(minutes=5)}
    statistics = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName="Items",
        Dimensions=dimensions,
        Period=600,
        Statistics=["Sum"],
        **window,
    )
    assert [point["Sum"] for point in statistics["Datapoints"]] == [5.0]
    data = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "items",
                "MetricStat": {
                    "Metric": {"Namespace": namespace, "MetricName": "Items", "Dimensions": dimensions},
                    "Period": 600,
                    "Stat": "Sum",
                },
            }
        ],
        **window,
    )
    result = data["MetricDataResults"][0]
    assert result["Values"] == [5.0]
    assert all(isinstance(stamp, datetime) for stamp in result["Timestamps"])


def test_an_unknown_resource_is_a_modeled_error(cloudwatch: Any) -> None:
    # When a dashboard that does not exist is read
    with pytest.raises(cloudwatch.exceptions.ResourceNotFound) as raised:
        cloudwatch.get_dashboard(DashboardName=unique("missing"))
    # Then the SDK gets CloudWatch's error code, message and status over CBOR
    error = raised.value.response
    assert error["Error"]["Code"] == "ResourceNotFound"
    assert error["Error"]["Message"] == "Dashboard does not exist"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["ResponseMetadata"]["HTTPHeaders"]["x-amzn-query-error"] == "ResourceNotFound;Sender"


def test_invalid_input_is_refused_with_the_query_error_code(cloudwatch: Any) -> None:
    # When an alarm is put with an extended statistic that is not a percentile
    with pytest.raises(cloudwatch.exceptions.InvalidParameterValueException) as raised:
        put_alarm(cloudwatch, unique("alarm"), Statistic=None, ExtendedStatistic="median")
    # Then the SDK raises the modeled exception, with the code CloudWatch's query API has for it
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "InvalidParameterValue"
    assert "median" in error["Error"]["Message"]


def test_the_json_protocol_still_works(emulator: Emulator) -> None:
    # Given an alarm put over CBOR's sibling protocol, awsJson 1.0 (boto3's default for CloudWatch)
    client = emulator.client("cloudwatch")
    name = unique("alarm")
    put_alarm(client, name)
    # Then it is described the same way
    assert client.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmName"] == name


def test_in_process_mock_aws_serves_cbor_too(cbor_model_dir: Path, paths: list[str]) -> None:
    # Given the extension installed in this process, under moto's mock_aws (no server)
    cloudwatch_cbor.install()
    with mock_aws():
        cloudwatch = cbor_client(cbor_model_dir, paths, endpoint_url=None)
        put_alarm(cloudwatch, "in-process")
        # Then the alarm round-trips over the CBOR path
        assert cloudwatch.describe_alarms(AlarmNames=["in-process"])["MetricAlarms"][0]["Threshold"] == 0.5
    assert paths == [f"{CBOR_PATH}PutMetricAlarm", f"{CBOR_PATH}DescribeAlarms"]


# Raw requests: what a client that gets the protocol wrong is told.


def raw_call(emulator: Emulator, operation: str, body: bytes) -> tuple[int, dict[str, str], Any]:
    request = AWSRequest(
        method="POST",
        url=f"{emulator.url}{CBOR_PATH}{operation}",
        data=body,
        headers={
            "smithy-protocol": "rpc-v2-cbor",
            "Content-Type": "application/cbor",
            "Accept": "application/cbor",
        },
    )
    SigV4Auth(Credentials("test", "test"), "monitoring", "us-east-1").add_auth(request)
    prepared = urllib.request.Request(
        request.url, data=body, headers=dict(request.headers.items()), method="POST"
    )
    try:
        with urllib.request.urlopen(prepared, timeout=30) as response:
            return response.status, dict(response.headers), decode(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), decode(error.read())


def test_a_body_that_is_not_cbor_is_a_serialization_error(emulator: Emulator) -> None:
    status, headers, body = raw_call(emulator, "DescribeAlarms", b"\xff\x00")
    assert status == 400
    assert headers["smithy-protocol"] == "rpc-v2-cbor"
    assert body["__type"] == "SerializationException"


def test_a_member_of_the_wrong_type_is_a_serialization_error(emulator: Emulator) -> None:
    # AlarmNames is a list; a text string is refused, naming the member
    status, _, body = raw_call(emulator, "DescribeAlarms", encode_text_map({"AlarmNames": "x"}))
    assert status == 400
    assert body["__type"] == "SerializationException"
    assert "DescribeAlarms.AlarmNames" in body["message"]


def test_an_unknown_operation_is_refused(emulator: Emulator) -> None:
    status, headers, body = raw_call(emulator, "DescribeEverything", encode_text_map({}))
    assert status == 404
    assert headers["Content-Type"] == "application/cbor"
    assert body["__type"] == "UnknownOperationException"


def test_unknown_members_are_ignored_and_timestamps_are_tagged(emulator: Emulator) -> None:
    # Given an alarm, described with a request that carries a member CloudWatch does not know
    name = unique("alarm")
    put_alarm(emulator.client("cloudwatch"), name)
    body = encode_text_map({"AlarmNamePrefix": name, "FutureMember": "ignored"})
    status, headers, answer = raw_call(emulator, "DescribeAlarms", body)
    # Then the answer is CBOR, with timestamps as tag 1 (decoded to datetimes)
    assert status == 200
    assert headers["smithy-protocol"] == "rpc-v2-cbor"
    alarm = answer["MetricAlarms"][0]
    assert alarm["AlarmName"] == name
    assert isinstance(alarm["StateUpdatedTimestamp"], datetime)
