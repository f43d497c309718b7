"""CloudWatch PutDashboard: a documented dashboard is stored; a bad name or body is refused, storing none."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.helpers import unique
from tests.fixtures.emulator import Emulator

TEXT = {"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": {"markdown": "hello"}}
GRAPH = {
    "type": "metric",
    "x": 0,
    "y": 2,
    "width": 12,
    "height": 6,
    "properties": {
        "region": "us-east-1",
        "metrics": [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "uploads"]],
    },
}


@pytest.fixture
def cloudwatch(emulator: Emulator) -> Any:
    return emulator.client("cloudwatch")


def names(cloudwatch: Any, prefix: str) -> list[str]:
    entries = cloudwatch.list_dashboards(DashboardNamePrefix=prefix)["DashboardEntries"]
    return [entry["DashboardName"] for entry in entries]


def refused(cloudwatch: Any, name: str, body: str) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        cloudwatch.put_dashboard(DashboardName=name, DashboardBody=body)
    response: dict[str, Any] = raised.value.response
    return response


@pytest.mark.parametrize("widgets", [[TEXT, GRAPH], []], ids=["two-widgets", "empty-widgets"])
def test_a_documented_dashboard_is_stored_as_sent(cloudwatch: Any, widgets: list[dict[str, Any]]) -> None:
    # Given a name of letters, digits, - and _ and a body with a widgets array (which may be empty)
    name = unique("Pipeline_dash")
    body = json.dumps({"widgets": widgets})

    # When it is put
    answer = cloudwatch.put_dashboard(DashboardName=name, DashboardBody=body)

    # Then it is stored without validation messages, and read back unchanged
    assert answer.get("DashboardValidationMessages", []) == []
    assert cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"] == body
    assert names(cloudwatch, name) == [name]


def test_a_name_of_255_characters_is_accepted(cloudwatch: Any) -> None:
    name = unique("n").ljust(255, "x")

    cloudwatch.put_dashboard(DashboardName=name, DashboardBody='{"widgets": []}')

    assert names(cloudwatch, name) == [name]


@pytest.mark.parametrize(
    "name",
    ["with space", "with/slash", "with.dot", "accentué", "x" * 256],
    ids=["space", "slash", "dot", "non-ascii", "256-characters"],
)
def test_a_name_aws_does_not_allow_is_refused(cloudwatch: Any, name: str) -> None:
    # Given a valid body under a name outside A-Z, a-z, 0-9, - and _ (or longer than 255)
    before = names(cloudwatch, "")

    # When it is put
    response = refused(cloudwatch, name, '{"widgets": []}')

    # Then AWS's error names the field, and nothing is stored
    assert response["Error"]["Code"] == "InvalidParameterInput"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "DashboardName" in response["Error"]["Message"]
    assert names(cloudwatch, "") == before


@pytest.mark.parametrize(
    ("body", "data_path"),
    [
        ('{"start": "-PT6H"}', "/widgets"),
        ('{"widgets": {"type": "text"}}', "/widgets"),
        ('{"widgets": "none"}', "/widgets"),
        ("[]", "DashboardBody"),
        ('"widgets"', "DashboardBody"),
        (json.dumps({"widgets": [TEXT] * 501}), "/widgets"),
    ],
    ids=["no-widgets", "widgets-object", "widgets-string", "array-body", "string-body", "501-widgets"],
)
def test_a_body_without_a_widgets_array_of_at_most_500_is_refused(
    cloudwatch: Any, body: str, data_path: str
) -> None:
    # Given a body that is JSON but not a dashboard AWS accepts
    name = unique("bad-body")

    # When it is put
    response = refused(cloudwatch, name, body)

    # Then the error names the part at fault, and no dashboard exists under that name
    assert response["Error"]["Code"] == "InvalidParameterInput"
    assert data_path in response["Error"]["Message"]
    assert names(cloudwatch, name) == []


def test_500_widgets_are_accepted(cloudwatch: Any) -> None:
    name = unique("full")

    cloudwatch.put_dashboard(DashboardName=name, DashboardBody=json.dumps({"widgets": [TEXT] * 500}))

    assert len(json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])["widgets"]) == 500


def test_a_refused_update_keeps_the_dashboard_as_it_was(cloudwatch: Any) -> None:
    # Given a stored dashboard
    name = unique("kept")
    body = json.dumps({"widgets": [TEXT]})
    cloudwatch.put_dashboard(DashboardName=name, DashboardBody=body)

    # When an update without widgets is refused
    refused(cloudwatch, name, '{"periodOverride": "auto"}')

    # Then the stored dashboard is unchanged
    assert cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"] == body
