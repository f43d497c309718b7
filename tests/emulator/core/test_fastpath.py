"""The emulator's fast paths (``emulator.core.fastpath``) answer exactly what moto answers without them.

Each scenario runs twice in-process under ``mock_aws``, once on moto's own code and once with the fast
paths installed, and the two transcripts (every response without its request id, every error code and
message, the final items) must be equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.dynamodb.parsing import ast_nodes as _ast_nodes
from moto.dynamodb.parsing import expressions as _expressions
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from emulator.core import fastpath

ast_nodes: Any = _ast_nodes  # moto marks its parser modules "type: ignore"
expressions: Any = _expressions

Transcript = list[Any]
Scenario = Callable[[Any], Transcript]

KEY_SCHEMA = [{"AttributeName": "pk", "KeyType": "HASH"}]
LEDGER_UPDATE = (
    "SET #state = :labeled, labeled_by = :batch, labeling_job = :job, updated_at = :now, "
    "expires_at = :expires REMOVE last_error"
)
CLAIMED_BY = "#state = :claimed AND batch_id = :batch AND claim_token = :token"


@pytest.fixture(autouse=True)
def moto_own_code_afterwards() -> Iterator[None]:
    fastpath.uninstall()
    yield
    fastpath.uninstall()


def _call(transcript: Transcript, operation: Callable[..., Any], **kwargs: Any) -> None:
    try:
        response = operation(**kwargs)
    except ClientError as error:
        transcript.append(
            ("error", error.response["Error"].get("Code"), error.response["Error"].get("Message"))
        )
        return
    response.pop("ResponseMetadata", None)
    transcript.append(("ok", response))


def _create_table(client: Any) -> None:
    client.create_table(
        TableName="t",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=KEY_SCHEMA,
        BillingMode="PAY_PER_REQUEST",
    )


def _both_ways(scenario: Scenario) -> tuple[Transcript, Transcript]:
    """The scenario's transcript on moto's code, then with the fast paths installed."""
    transcripts = []
    for fast in (False, True):
        if fast:
            fastpath.install()
        else:
            fastpath.uninstall()
        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            _create_table(client)
            transcripts.append(scenario(client))
    return transcripts[0], transcripts[1]


def _values(**values: Any) -> dict[str, Any]:
    return {f":{name}": value for name, value in values.items()}


def _update_scenarios(client: Any) -> Transcript:
    transcript: Transcript = []
    client.put_item(
        TableName="t",
        Item={
            "pk": {"S": "a"},
            "state": {"S": "CLAIMED"},
            "batch_id": {"S": "b1"},
            "claim_token": {"S": "tok"},
            "last_error": {"S": "boom"},
            "count": {"N": "1"},
            "tags": {"SS": ["x", "y"]},
            "history": {"L": [{"S": "one"}]},
            "nested": {"M": {"inner": {"M": {"deep": {"N": "3"}}}, "list": {"L": [{"N": "1"}, {"N": "2"}]}}},
        },
    )
    ledger_values = _values(
        claimed={"S": "CLAIMED"},
        batch={"S": "b1"},
        token={"S": "tok"},
        now={"S": "2026-01-01T00:00:00Z"},
        labeled={"S": "LABELED"},
        job={"S": "job"},
        expires={"N": "123"},
    )
    updates: list[dict[str, Any]] = [
        # The ledger's own update: condition holds, then fails on the second try.
        {
            "UpdateExpression": LEDGER_UPDATE,
            "ConditionExpression": CLAIMED_BY,
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": ledger_values,
            "ReturnValues": "ALL_NEW",
        },
        {
            "UpdateExpression": LEDGER_UPDATE,
            "ConditionExpression": CLAIMED_BY,
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": ledger_values,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
        {
            "UpdateExpression": "SET #c = #c + :one, history = list_append(history, :more) ADD tags :t",
            "ExpressionAttributeNames": {"#c": "count"},
            "ExpressionAttributeValues": _values(one={"N": "1"}, more={"L": [{"S": "two"}]}, t={"SS": ["z"]}),
            "ReturnValues": "UPDATED_NEW",
        },
        {
            "UpdateExpression": (
                "SET reasons = list_append(if_not_exists(reasons, :none), :r), nested.inner.deep = :d"
            ),
            "ExpressionAttributeValues": _values(none={"L": []}, r={"L": [{"S": "why"}]}, d={"N": "4"}),
            "ReturnValues": "UPDATED_OLD",
        },
        {
            "UpdateExpression": "REMOVE nested.#l[0], tags DELETE nothing :s",
            "ExpressionAttributeNames": {"#l": "list"},
            "ExpressionAttributeValues": _values(s={"SS": ["q"]}),
            "ReturnValues": "ALL_OLD",
        },
        # Errors: a key attribute, an unused value, a missing value, a bad expression, an empty key value.
        {"UpdateExpression": "SET pk = :v", "ExpressionAttributeValues": _values(v={"S": "b"})},
        {"UpdateExpression": "SET a = :v", "ExpressionAttributeValues": _values(v={"S": "1"}, w={"S": "2"})},
        {"UpdateExpression": "SET a = :missing", "ExpressionAttributeValues": _values(v={"S": "1"})},
        {"UpdateExpression": "SET a = = :v", "ExpressionAttributeValues": _values(v={"S": "1"})},
        {"UpdateExpression": "SET a = :v SET b = :v", "ExpressionAttributeValues": _values(v={"S": "1"})},
        {"UpdateExpression": "SET a = :v, a = :v", "ExpressionAttributeValues": _values(v={"S": "1"})},
        {
            "UpdateExpression": "SET #s = :v REMOVE missing.path[3]",
            "ExpressionAttributeNames": {"#s": "s"},
            "ExpressionAttributeValues": _values(v={"NULL": True}),
        },
    ]
    for key in ("a", "a", "new-item"):
        for update in updates:
            _call(transcript, client.update_item, TableName="t", Key={"pk": {"S": key}}, **update)
    _call(transcript, client.scan, TableName="t")
    return transcript


def test_update_items_answer_as_moto_does_with_and_without_the_fast_paths() -> None:
    moto, fast = _both_ways(_update_scenarios)
    assert fast == moto
    # The scenarios do reach both outcomes, so the comparison covers updates and errors.
    assert {entry[0] for entry in moto} == {"ok", "error"}


def _tree(node: Any) -> Any:
    """A comparable picture of a parsed expression: node types, their values and their children."""
    if isinstance(node, ast_nodes.Node):
        return (type(node).__name__, [_tree(child) for child in node.children or []])
    return repr(node)


def test_a_cached_update_expression_is_the_tree_moto_parses_and_no_update_changes_it() -> None:
    expression = "SET a = :v, b = list_append(if_not_exists(b, :none), :l) REMOVE c[1], d.e ADD f :n"
    parsed_by_moto = _tree(expressions.UpdateExpressionParser.make(expression))
    fastpath.install()
    cached = expressions.UpdateExpressionParser.make(expression)
    assert _tree(cached) == parsed_by_moto
    assert expressions.UpdateExpressionParser.make(expression) is cached

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _create_table(client)
        client.put_item(
            TableName="t",
            Item={
                "pk": {"S": "k"},
                "c": {"L": [{"N": "1"}, {"N": "2"}]},
                "d": {"M": {"e": {"S": "x"}}},
                "f": {"N": "1"},
            },
        )
        client.update_item(
            TableName="t",
            Key={"pk": {"S": "k"}},
            UpdateExpression=expression,
            ExpressionAttributeValues=_values(
                v={"S": "1"}, none={"L": []}, l={"L": [{"S": "x"}]}, n={"N": "2"}
            ),
        )
        item = client.get_item(TableName="t", Key={"pk": {"S": "k"}})["Item"]
    assert item["b"] == {"L": [{"S": "x"}]}
    assert item["f"] == {"N": "3"}
    assert item["c"] == {"L": [{"N": "1"}]}
    assert _tree(cached) == parsed_by_moto


def test_an_expression_moto_refuses_is_refused_every_time_and_not_cached() -> None:
    fastpath.install()
    for _ in range(2):
        with pytest.raises(Exception, match="Invalid UpdateExpression"):
            expressions.UpdateExpressionParser.make("SET a = = :v")


# --- DynamoDB responses ----------------------------------------------------------------------------

_scalar_values = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(min_size=1, max_size=8)),
    st.builds(lambda n: {"N": str(n)}, st.integers(-(10**6), 10**6)),
    st.builds(lambda d: {"N": str(d)}, st.decimals(-1000, 1000, places=3, allow_nan=False)),
    st.builds(lambda b: {"B": b}, st.binary(min_size=1, max_size=8)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda s: {"SS": sorted(s)}, st.sets(st.text(min_size=1, max_size=4), min_size=1, max_size=3)),
    st.builds(
        lambda s: {"NS": sorted(str(n) for n in s)}, st.sets(st.integers(0, 99), min_size=1, max_size=3)
    ),
    st.builds(
        lambda s: {"BS": sorted(s)}, st.sets(st.binary(min_size=1, max_size=4), min_size=1, max_size=3)
    ),
)
_attribute_values = st.recursive(
    _scalar_values,
    lambda inner: st.one_of(
        st.builds(lambda items: {"L": items}, st.lists(inner, max_size=3)),
        st.builds(
            lambda members: {"M": members},
            st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=3),
        ),
    ),
    max_leaves=8,
)
_items = st.lists(
    st.dictionaries(
        st.from_regex(re.compile(r"[a-z]{1,6}"), fullmatch=True).filter(lambda k: k != "pk"),
        _attribute_values,
        max_size=4,
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=_items)
def test_items_of_any_attribute_types_come_back_as_moto_serializes_them(items: list[dict[str, Any]]) -> None:
    def scenario(client: Any) -> Transcript:
        transcript: Transcript = []
        keys = [{"pk": {"S": f"k{n}"}} for n in range(len(items))]
        for key, attributes in zip(keys, items, strict=True):
            _call(
                transcript, client.put_item, TableName="t", Item={**key, **attributes}, ReturnValues="ALL_OLD"
            )
            _call(
                transcript, client.put_item, TableName="t", Item={**key, **attributes}, ReturnValues="ALL_OLD"
            )
            _call(transcript, client.get_item, TableName="t", Key=key)
        _call(transcript, client.batch_get_item, RequestItems={"t": {"Keys": keys, "ConsistentRead": True}})
        _call(transcript, client.scan, TableName="t")
        _call(
            transcript,
            client.query,
            TableName="t",
            KeyConditionExpression="pk = :k",
            ExpressionAttributeValues={":k": {"S": "k0"}},
        )
        return transcript

    moto, fast = _both_ways(scenario)
    assert fast == moto
    assert all(entry[0] == "ok" for entry in fast)


def test_binary_values_are_returned_as_bytes_as_before() -> None:
    def scenario(client: Any) -> Transcript:
        transcript: Transcript = []
        client.put_item(
            TableName="t", Item={"pk": {"S": "k"}, "blob": {"B": b"\x00\xff"}, "n": {"N": "1.50"}}
        )
        _call(transcript, client.get_item, TableName="t", Key={"pk": {"S": "k"}})
        return transcript

    moto, fast = _both_ways(scenario)
    assert fast == moto
    item = fast[0][1]["Item"]
    assert item["blob"] == {"B": b"\x00\xff"}
    assert Decimal(item["n"]["N"]) == Decimal("1.5")


# --- Routing ----------------------------------------------------------------------------------------

HOSTS = [
    None,
    "dynamodb",
    "moto_api",
    "s3",
    "dynamodb.us-east-1.amazonaws.com",
    "sqs.eu-west-1.amazonaws.com",
    "api.sagemaker.us-east-1.amazonaws.com",
    "bucket.s3.amazonaws.com",
    "states.us-east-1.amazonaws.com",
    "nothing.example.com",
]


def test_each_host_reaches_the_backend_moto_would_pick_and_unknown_hosts_stay_unknown() -> None:
    moto = DomainDispatcherApplication(create_backend_app)
    fast = fastpath.FastDispatcherApplication(create_backend_app)
    for _ in range(2):
        assert [fast.get_backend_for_host(host) for host in HOSTS] == [
            moto.get_backend_for_host(host) for host in HOSTS
        ]
    assert fast.get_backend_for_host("nothing.example.com") is None


def test_a_host_pattern_added_later_is_honoured_like_moto_does(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = fastpath.FastDispatcherApplication(create_backend_app)
    assert fast.get_backend_for_host("sqs.eu-west-1.amazonaws.com") == "sqs"
    patterns = list(fast.backend_url_patterns)
    monkeypatch.setattr(fast, "backend_url_patterns", patterns)
    patterns.insert(0, ("sns", re.compile(r"https?://sqs\.eu-west-1\.amazonaws\.com")))
    assert fast.get_backend_for_host("sqs.eu-west-1.amazonaws.com") == "sns"
