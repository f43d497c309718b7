"""DynamoDB transactions in the emulator: AWS's limits, all-or-nothing writes, reasons per action."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.emulator.helpers import unique

pytestmark = pytest.mark.emulator


@pytest.fixture
def table(emulator: Any) -> str:
    name = unique("transactions")
    client = boto3.client("dynamodb")
    client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def put(table: str, item_id: str, payload: str = "x") -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table,
            "Item": {"id": {"S": item_id}, "payload": {"S": payload}},
            "ConditionExpression": "attribute_not_exists(id)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }


def ids(table: str) -> set[str]:
    pages = boto3.client("dynamodb").get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    return {row["id"]["S"] for page in pages for row in page["Items"]}


def test_a_hundred_actions_are_written_together(table: str) -> None:
    # Given 100 conditional puts, the most one transaction takes
    # When they are sent as one transaction
    boto3.client("dynamodb").transact_write_items(TransactItems=[put(table, f"i{n}") for n in range(100)])
    # Then all 100 items exist
    assert len(ids(table)) == 100


def test_more_than_a_hundred_actions_are_refused(table: str) -> None:
    # Given 101 actions
    # When they are sent as one transaction
    with pytest.raises(ClientError) as refused:
        boto3.client("dynamodb").transact_write_items(TransactItems=[put(table, f"i{n}") for n in range(101)])
    # Then DynamoDB refuses the request and writes nothing
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert ids(table) == set()


def test_a_transaction_over_four_megabytes_is_refused_and_one_under_is_written(table: str) -> None:
    client = boto3.client("dynamodb")
    # Given eleven items of 390,000 bytes (4.29 MB in all) and ten of them (3.9 MB)
    big = "y" * 390_000
    # When each is sent as one transaction
    with pytest.raises(ClientError) as refused:
        client.transact_write_items(TransactItems=[put(table, f"big{n}", big) for n in range(11)])
    client.transact_write_items(TransactItems=[put(table, f"ok{n}", big) for n in range(10)])
    # Then the first is refused as too large, with nothing written, and the second is written
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "4 MB" in refused.value.response["Error"]["Message"]
    assert ids(table) == {f"ok{n}" for n in range(10)}


def test_a_failed_condition_cancels_everything_and_names_its_action(table: str) -> None:
    client = boto3.client("dynamodb")
    # Given item i2 already exists
    client.put_item(TableName=table, Item={"id": {"S": "i2"}, "payload": {"S": "first"}})
    # When a transaction puts i0..i4, each only if new
    with pytest.raises(ClientError) as cancelled:
        client.transact_write_items(TransactItems=[put(table, f"i{n}") for n in range(5)])
    # Then nothing is written, and the reasons say which action failed, with the item it found
    error = cancelled.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    codes = [reason["Code"] for reason in error["CancellationReasons"]]
    assert codes == ["None", "None", "ConditionalCheckFailed", "None", "None"]
    assert error["CancellationReasons"][2]["Item"] == {"id": {"S": "i2"}, "payload": {"S": "first"}}
    assert ids(table) == {"i2"}


def test_two_actions_on_one_item_are_refused(table: str) -> None:
    # Given two puts of the same item
    # When they are sent as one transaction
    with pytest.raises(ClientError) as refused:
        boto3.client("dynamodb").transact_write_items(TransactItems=[put(table, "same"), put(table, "same")])
    # Then DynamoDB refuses the request and writes nothing
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert ids(table) == set()


def test_updates_in_a_transaction_apply_their_expressions(table: str) -> None:
    client = boto3.client("dynamodb")
    # Given two items in state A
    for item_id in ("u1", "u2"):
        client.put_item(TableName=table, Item={"id": {"S": item_id}, "state": {"S": "A"}})
    # When one transaction moves both from A to B
    client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": {"id": {"S": item_id}},
                    "UpdateExpression": "SET #s = :b",
                    "ConditionExpression": "#s = :a",
                    "ExpressionAttributeNames": {"#s": "state"},
                    "ExpressionAttributeValues": {":a": {"S": "A"}, ":b": {"S": "B"}},
                }
            }
            for item_id in ("u1", "u2")
        ]
    )
    # Then both are in state B
    rows = client.scan(TableName=table, ConsistentRead=True)["Items"]
    assert {row["state"]["S"] for row in rows} == {"B"}
