"""CloudWatch over the Smithy RPC v2 CBOR protocol, the one current AWS SDKs speak to it.

What moto lacks: CloudWatch's service model lists ``smithy-rpc-v2-cbor`` first, so the AWS provider
(aws-sdk-go-v2) and boto3 send ``POST /service/GraniteServiceVersion20100801/operation/<Operation>``
with a CBOR body and the header ``smithy-protocol: rpc-v2-cbor``. moto (5.2.5) has no route for that
path (404) and no CBOR parser or serializer, so every CloudWatch call fails, e.g. the provider's
``aws_cloudwatch_metric_alarm``: "unexpected smithy-protocol response header ''".

This extension routes that path and translates, operation by operation, to the awsJson 1.0 protocol
that moto's CloudWatch already serves (CloudWatch lists ``json`` too): the CBOR request is decoded
(botocore's CBOR reader), checked against the operation's input shape (unknown members are ignored,
as Smithy asks; a value of the wrong type is a ``SerializationException``), and passed to moto as
JSON; moto's JSON answer is read back with the output shape and encoded as CBOR (botocore's CBOR
writer; timestamps as tag 1, epoch seconds). Errors keep moto's ``__type``, ``message``, HTTP status
and ``x-amzn-query-error`` header (CloudWatch is awsQueryCompatible), so SDKs raise the modeled
exception with the query error code. Every response carries ``smithy-protocol: rpc-v2-cbor``.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

import moto.cloudwatch.urls
from botocore import parsers, serialize
from botocore.model import OperationModel, OperationNotFoundError, ServiceModel, Shape
from botocore.session import get_session
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.request import Request

SERVICE = "cloudwatch"
TARGET_PREFIX = "GraniteServiceVersion20100801"
PATH = "{0}/service/" + TARGET_PREFIX + "/operation/(?P<operation>[^/]+)$"
CBOR = "application/cbor"
PROTOCOL_HEADER = "smithy-protocol"
PROTOCOL = "rpc-v2-cbor"
# Request headers that describe the CBOR body; the JSON request moto gets has its own.
_BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding", PROTOCOL_HEADER, "accept"})
# moto's JSON answers also carry their status as a header, which no AWS answer has.
_DROPPED_ANSWER_HEADERS = _BODY_HEADERS | {"status"}

Response = tuple[int, dict[str, str], bytes]


class ProtocolError(Exception):
    """A request this protocol layer refuses before moto sees it (an RPC v2 error of its own)."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


@functools.cache
def service_model() -> ServiceModel:
    return get_session().get_service_model(SERVICE)


# --------------------------------------------------------------------------------------------
# CBOR reading and writing (botocore's codec)
# --------------------------------------------------------------------------------------------


class _CborReader(parsers.BaseCBORParser):  # type: ignore[misc]  # botocore is untyped
    """botocore's CBOR data item reader, used on requests instead of responses."""

    def read(self, data: bytes) -> Any:
        stream = self.get_peekable_stream_from_bytes(data)
        value = self.parse_data_item(stream)
        if stream.peek(1):
            raise parsers.ResponseParserError("bytes left after the first CBOR data item")
        return value


def decode(data: bytes) -> Any:
    """The value a CBOR document holds (tag 1 becomes an aware ``datetime``)."""
    return _CborReader().read(data)


def encode(value: Any, shape: Shape) -> bytes:
    """``value`` as CBOR, written as ``shape`` says (timestamps as tag 1, epoch seconds)."""
    body = bytearray()
    serialize.RpcV2CBORSerializer()._serialize_data_item(body, value, shape)
    return bytes(body)


def encode_text_map(values: Mapping[str, str]) -> bytes:
    """A CBOR map of text to text (an error body, which has no shape of its own to go by)."""
    writer = serialize.RpcV2CBORSerializer()
    additional_info, size = writer._get_additional_info_and_num_bytes(len(values))
    body = bytearray(writer._get_initial_byte(writer.MAP_MAJOR_TYPE, additional_info))
    body.extend(len(values).to_bytes(size, "big") if size else b"")
    for key, text in values.items():
        writer._serialize_type_string(body, key, None, None)
        writer._serialize_type_string(body, text, None, None)
    return bytes(body)


# --------------------------------------------------------------------------------------------
# Requests: CBOR value -> input shape
# --------------------------------------------------------------------------------------------


def conform(value: Any, shape: Shape, where: str) -> Any:
    """``value`` checked against ``shape``, with unknown structure members dropped.

    Raises :class:`ProtocolError` (``SerializationException``) for a value of the wrong type.
    """
    simple_type = _SIMPLE_TYPES.get(shape.type_name)
    if simple_type is not None:
        return _expect(value, simple_type, shape, where)
    return _CONFORMERS[shape.type_name](value, shape, where)


def _structure(value: Any, shape: Shape, where: str) -> dict[str, Any]:
    members = _expect(value, dict, shape, where)
    return {
        name: conform(item, shape.members[name], f"{where}.{name}")
        for name, item in members.items()
        if name in shape.members and item is not None
    }


def _list(value: Any, shape: Shape, where: str) -> list[Any]:
    items = _expect(value, list, shape, where)
    return [conform(item, shape.member, f"{where}[{index}]") for index, item in enumerate(items)]


def _map(value: Any, shape: Shape, where: str) -> dict[Any, Any]:
    entries = _expect(value, dict, shape, where)
    return {
        conform(key, shape.key, f"{where} key"): conform(item, shape.value, f"{where}.{key}")
        for key, item in entries.items()
    }


def _integer(value: Any, shape: Shape, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong_type(value, shape, where)
    return value


def _number(value: Any, shape: Shape, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong_type(value, shape, where)
    return float(value)


def _timestamp(value: Any, shape: Shape, where: str) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    # Tag 1 is the protocol's form; a bare epoch number is accepted as the same instant.
    return datetime.datetime.fromtimestamp(_number(value, shape, where), datetime.UTC)


_SIMPLE_TYPES: dict[str, type] = {"string": str, "boolean": bool, "blob": bytes}
_CONFORMERS: dict[str, Callable[[Any, Shape, str], Any]] = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "integer": _integer,
    "long": _integer,
    "double": _number,
    "float": _number,
    "timestamp": _timestamp,
}


def _expect(value: Any, kind: type, shape: Shape, where: str) -> Any:
    if not isinstance(value, kind):
        raise _wrong_type(value, shape, where)
    return value


def _wrong_type(value: Any, shape: Shape, where: str) -> ProtocolError:
    return ProtocolError(
        400,
        "SerializationException",
        f"{where}: expected a {shape.type_name} ({shape.name}), got {type(value).__name__}",
    )


def request_parameters(operation: OperationModel, body: bytes) -> dict[str, Any]:
    """The operation's parameters from a CBOR request body (empty body: no parameters)."""
    if not body:
        return {}
    try:
        value = decode(body)
    except (parsers.ResponseParserError, ValueError, TypeError) as error:  # a list as a map key: TypeError
        raise ProtocolError(400, "SerializationException", f"the body is not valid CBOR: {error}") from error
    if operation.input_shape is None:
        return {}
    parameters: dict[str, Any] = conform(value, operation.input_shape, operation.name)
    return parameters


# --------------------------------------------------------------------------------------------
# The translation to moto's awsJson 1.0 CloudWatch and back
# --------------------------------------------------------------------------------------------


def operation_model(name: str) -> OperationModel:
    try:
        return service_model().operation_model(name)
    except OperationNotFoundError as error:
        raise ProtocolError(
            404, "UnknownOperationException", f"CloudWatch has no operation {name!r}"
        ) from error


def json_request(request: Request, operation: OperationModel, parameters: Mapping[str, Any]) -> Request:
    """The same call as an awsJson 1.0 request (``X-Amz-Target``), which moto's CloudWatch serves."""
    serialized = serialize.create_serializer("json", include_validation=False).serialize_to_request(
        dict(parameters), operation
    )
    headers = {key: value for key, value in request.headers.items() if key.lower() not in _BODY_HEADERS}
    headers.update(serialized["headers"])
    root = request.raw_url.split("/service/", 1)[0]
    return Request.from_primitives("POST", f"{root}/", headers, serialized["body"])


def cbor_response(operation: OperationModel, moto_answer: tuple[int, Mapping[str, str], Any]) -> Response:
    status, moto_headers, body = moto_answer
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")
    headers = {
        key: value for key, value in moto_headers.items() if key.lower() not in _DROPPED_ANSWER_HEADERS
    }
    if status >= 300:
        return _error_response(status, headers, raw)
    headers[PROTOCOL_HEADER] = PROTOCOL
    if operation.output_shape is None:
        return status, headers, b""
    parsed = parsers.create_parser("json").parse(
        {"status_code": status, "headers": dict(moto_headers), "body": raw or b"{}"}, operation.output_shape
    )
    parsed.pop("ResponseMetadata", None)
    headers["Content-Type"] = CBOR
    return status, headers, encode(parsed, operation.output_shape)


def _error_response(status: int, headers: dict[str, str], raw: bytes) -> Response:
    try:
        error = json.loads(raw or b"{}")
    except ValueError:
        error = {"message": raw.decode("utf-8", "replace")}
    if not isinstance(error, dict):
        error = {"message": str(error)}
    fields = {key: value for key, value in error.items() if isinstance(value, str)}
    fields.setdefault("__type", headers.get("X-Amzn-Errortype") or "InternalFailure")
    if "message" not in fields and "Message" in fields:
        fields["message"] = fields.pop("Message")
    headers.update({PROTOCOL_HEADER: PROTOCOL, "Content-Type": CBOR})
    return status, headers, encode_text_map(fields)


def protocol_error(error: ProtocolError) -> Response:
    body = encode_text_map({"__type": error.error_type, "message": error.message})
    return error.status, {PROTOCOL_HEADER: PROTOCOL, "Content-Type": CBOR}, body


def serve(request: Request, full_url: str, headers: Any) -> Response:
    """Serve one RPC v2 CBOR CloudWatch call through moto's awsJson 1.0 CloudWatch."""
    del full_url, headers  # the request carries both
    try:
        operation = operation_model(request.path.rstrip("/").rsplit("/", 1)[-1])
        if request.method != "POST":
            raise ProtocolError(405, "SerializationException", "RPC v2 CBOR requests must be POST")
        parameters = request_parameters(operation, request.get_data())
    except ProtocolError as error:
        return protocol_error(error)
    forwarded = json_request(request, operation, parameters)
    return cbor_response(
        operation, CloudWatchResponse.dispatch(forwarded, forwarded.raw_url, dict(forwarded.headers))
    )


_installed = False


def install() -> None:
    """Route CloudWatch's RPC v2 CBOR path in moto (server and in-process); idempotent."""
    global _installed  # noqa: PLW0603 - install() must be idempotent per process
    if _installed:
        return
    _installed = True
    moto.cloudwatch.urls.url_paths[PATH] = serve
