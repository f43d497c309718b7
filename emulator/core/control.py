"""Fault registry and control endpoint of the emulator.

Tests switch failures on for the next N operations of a kind (a labeling job that fails, a Feature
Store put that is throttled, a Lambda function that crashes) by arming a *fault*; the extension that
implements the operation consumes it with :func:`take`. Faults are armed in-process through
:func:`arm` or over HTTP through ``{endpoint}/_emulator/faults`` (see the README).
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moto.moto_api._internal.models import moto_api_backend
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

PREFIX = "/_emulator/"

Validator = Callable[[Mapping[str, Any]], None]


class FaultSpecError(ValueError):
    """A fault specification that cannot be armed; the message says why."""


@dataclass(frozen=True)
class FaultKind:
    """A kind of fault: the match keys its consumer passes to :func:`take` and its own fields."""

    name: str
    match_keys: frozenset[str]
    fields: Mapping[str, type | tuple[type, ...]]
    required: frozenset[str] = frozenset()
    validators: tuple[Validator, ...] = ()


def _one_of(kind: str, name: str, allowed: tuple[str, ...]) -> Validator:
    def validate(spec: Mapping[str, Any]) -> None:
        if name in spec and spec[name] not in allowed:
            choices = " or ".join(repr(value) for value in allowed)
            raise FaultSpecError(f"{kind} {name} must be {choices}, not {spec[name]!r}")

    return validate


def _at_least(kind: str, name: str, minimum: float) -> Validator:
    def validate(spec: Mapping[str, Any]) -> None:
        if name in spec and spec[name] < minimum:
            raise FaultSpecError(f"{kind} {name} must be at least {minimum}, not {spec[name]!r}")

    return validate


_KINDS: dict[str, FaultKind] = {}


def register_kind(kind: FaultKind) -> None:
    """Make a fault kind known (extensions may add their own)."""
    _KINDS[kind.name] = kind


for _kind in (
    FaultKind(
        "labeling_job",
        frozenset({"job_name"}),
        {"mode": str, "failure_reason": str, "delay_seconds": (int, float)},
        validators=(
            _one_of("labeling_job", "mode", ("failed", "zero_labeled")),
            _at_least("labeling_job", "delay_seconds", 0),
        ),
    ),
    FaultKind(
        "featurestore_put",
        frozenset({"feature_group"}),
        {"mode": str},
        validators=(_one_of("featurestore_put", "mode", ("throttle",)),),
    ),
    FaultKind(
        "workforce",
        frozenset({"workforce_name"}),
        {"mode": str, "describes": int},
        required=frozenset({"mode"}),
        validators=(_one_of("workforce", "mode", ("initializing",)), _at_least("workforce", "describes", 1)),
    ),
    FaultKind(
        "lambda_invoke",
        frozenset({"function_name"}),
        {"error_type": str, "error_message": str, "after": bool},
    ),
):
    register_kind(_kind)


@dataclass
class _Fault:
    id: str
    kind: str
    match: dict[str, str]
    remaining: int | None
    fields: dict[str, Any] = field(default_factory=dict)

    def matches(self, values: Mapping[str, str]) -> bool:
        return all(
            key in values and fnmatch.fnmatchcase(values[key], pattern) for key, pattern in self.match.items()
        )

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "match": dict(self.match),
            "remaining": self.remaining,
            **self.fields,
        }


class FaultRegistry:
    """Thread-safe store of armed faults, consumed in the order they were armed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._ids = itertools.count(1)

    def arm(self, kind: str, spec: Mapping[str, Any]) -> dict[str, Any]:
        fault_kind = _KINDS.get(kind)
        if fault_kind is None:
            raise FaultSpecError(f"unknown fault kind {kind!r}; known kinds: {', '.join(sorted(_KINDS))}")
        count = _parse_count(spec.get("count", 1))
        match = _parse_match(fault_kind, spec.get("match", {}))
        fields = {key: value for key, value in spec.items() if key not in ("count", "match", "kind")}
        _check_fields(fault_kind, fields)
        with self._lock:
            fault = _Fault(f"fault-{next(self._ids)}", kind, match, count, fields)
            self._faults.append(fault)
            return fault.view()

    def take(self, kind: str, **match: str) -> dict[str, Any] | None:
        with self._lock:
            for fault in self._faults:
                if fault.kind == kind and fault.matches(match):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._faults.remove(fault)
                    return fault.view()
        return None

    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.view() for fault in self._faults]

    def clear(self, kind: str | None = None) -> int:
        with self._lock:
            kept = [fault for fault in self._faults if kind is not None and fault.kind != kind]
            cleared = len(self._faults) - len(kept)
            self._faults = kept
            return cleared


def _parse_count(count: Any) -> int | None:
    if count is None:
        return None
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise FaultSpecError(f"count must be a positive integer or null (until cleared), not {count!r}")
    return count


def _parse_match(kind: FaultKind, match: Any) -> dict[str, str]:
    if not isinstance(match, dict) or not all(isinstance(v, str) for v in match.values()):
        raise FaultSpecError("match must be an object of string patterns")
    unknown = ", ".join(sorted(set(match) - kind.match_keys))
    if unknown:
        raise FaultSpecError(
            f"{kind.name} faults match on {', '.join(sorted(kind.match_keys))}, not {unknown}"
        )
    return dict(match)


def _check_fields(kind: FaultKind, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        expected = kind.fields.get(name)
        if expected is None:
            allowed = ", ".join(sorted(kind.fields)) or "none"
            raise FaultSpecError(f"{kind.name} faults have no field {name!r} (fields: {allowed})")
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            raise FaultSpecError(f"{kind.name} field {name!r} has the wrong type: {value!r}")
    missing = kind.required - set(fields)
    if missing:
        raise FaultSpecError(f"{kind.name} faults need {', '.join(sorted(missing))}")
    for validate in kind.validators:
        validate(fields)


REGISTRY = FaultRegistry()
_reset_callbacks: list[Callable[[], None]] = []


def arm(kind: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """Arm a fault of ``kind``; raises :class:`FaultSpecError` for a bad specification."""
    return REGISTRY.arm(kind, spec)


def take(kind: str, **match: str) -> dict[str, Any] | None:
    """Consume one firing of the first armed fault of ``kind`` that matches, or return None."""
    return REGISTRY.take(kind, **match)


def faults() -> list[dict[str, Any]]:
    return REGISTRY.faults()


def clear(kind: str | None = None) -> int:
    return REGISTRY.clear(kind)


def on_reset(callback: Callable[[], None]) -> None:
    """Run ``callback`` whenever the emulator state is reset (e.g. to cancel timers)."""
    if callback not in _reset_callbacks:
        _reset_callbacks.append(callback)


def reset() -> None:
    """Reset every moto backend, clear the faults and run the extensions' reset callbacks."""
    moto_api_backend.reset()
    clear()
    for callback in _reset_callbacks:
        callback()


def _json(status: int, body: Mapping[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _arm_from_request(request: Request) -> Response:
    try:
        spec = json.loads(request.get_data(as_text=True) or "null")
    except json.JSONDecodeError as error:
        return _json(400, {"error": f"the body is not JSON: {error}"})
    if not isinstance(spec, dict) or not isinstance(spec.get("kind"), str):
        return _json(400, {"error": 'the body must be a JSON object with a "kind"'})
    try:
        return _json(201, arm(spec["kind"], spec))
    except FaultSpecError as error:
        return _json(400, {"error": str(error)})


RouteHandler = Callable[[Request, dict[str, str]], "Response | Mapping[str, Any]"]
_routes: dict[tuple[str, str], tuple[re.Pattern[str], RouteHandler]] = {}


def register_route(method: str, pattern: str, handler: RouteHandler) -> None:
    """Serve ``method {endpoint}/_emulator/<path>`` for paths that fully match the regex ``pattern``.

    The handler gets the request and the pattern's named groups; a mapping it returns is sent as JSON
    with status 200, a moto error as moto sends it, a ``ValueError`` as a 400 with its message.
    Registering the same method and pattern again replaces the handler.
    """
    _routes[(method.upper(), pattern)] = (re.compile(pattern), handler)


def _registered(request: Request, path: str) -> Response | None:
    for (method, _), (pattern, handler) in _routes.items():
        found = pattern.fullmatch(path)
        if method == request.method and found:
            try:
                answer = handler(request, found.groupdict())
            except HTTPException as error:  # moto's errors: answered as the AWS API would
                return error.get_response()
            except ValueError as error:
                return _json(400, {"error": str(error)})
            return answer if isinstance(answer, Response) else _json(200, answer)
    return None


def handle(request: Request, extensions: Iterable[str]) -> Response:
    """Answer a request under ``/_emulator/``."""
    path = request.path[len(PREFIX) :].rstrip("/")
    if (request.method, path) == ("GET", "health"):
        return _json(200, {"status": "ok", "extensions": list(extensions)})
    answer = _registered(request, path)
    if answer is None:
        return _json(404, {"error": f"no control route {request.method} {request.path}"})
    return answer


def _reset_route(_request: Request, _groups: dict[str, str]) -> Mapping[str, Any]:
    reset()
    return {"reset": True}


register_route("POST", "faults", lambda request, _: _arm_from_request(request))
register_route("GET", "faults", lambda _request, _: {"faults": faults()})
register_route("DELETE", "faults", lambda request, _: {"cleared": clear(request.args.get("kind"))})
register_route("POST", "reset", _reset_route)
