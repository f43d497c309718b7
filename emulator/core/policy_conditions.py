"""IAM policy conditions evaluated as AWS does, for the bucket policies moto enforces.

What moto lacks or gets wrong: a policy statement's ``Condition`` is checked only for
``StringEquals``; any other operator (``Bool``, ``ArnEquals``, ``NumericLessThan``...) counts as
matching, a key the request does not carry is skipped, and a statement whose conditions fail
counts as an explicit deny whatever its ``Effect``. So the standard "deny requests without
TLS" bucket policy (``Deny`` + ``Bool aws:SecureTransport false``) denies every request, and S3 refuses
all object writes into such a bucket.

Here conditions follow the IAM reference: every operator of a statement must match; a key missing
from the request context makes a condition false, except for the negated operators (``StringNot*``,
``ArnNot*``, ``NumericNotEquals``), ``...IfExists`` and ``Null``, which are true. Unsupported operators
do not match, so an unknown condition never denies. The request context is that of a client of the
real, TLS-only AWS endpoints this emulator stands in for: ``aws:SecureTransport`` is true and
``s3:TlsVersion`` is 1.3.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from typing import Any

from moto.iam.access_control import IAMPolicyStatement, PermissionResult

from emulator import patch

REQUEST_CONTEXT = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
_installed = False


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def check(actual: str, expected: str) -> bool:
        a, e = _number(actual), _number(expected)
        return a is not None and e is not None and compare(a, e)

    return check


_MATCHERS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda a, e: a == e,
    "StringEqualsIgnoreCase": lambda a, e: a.lower() == e.lower(),
    "StringLike": fnmatch.fnmatchcase,
    "ArnEquals": lambda a, e: a == e,
    "ArnLike": fnmatch.fnmatchcase,
    "Bool": lambda a, e: a.lower() == e.lower(),
    "NumericEquals": _numeric(lambda a, e: a == e),
    "NumericLessThan": _numeric(lambda a, e: a < e),
    "NumericLessThanEquals": _numeric(lambda a, e: a <= e),
    "NumericGreaterThan": _numeric(lambda a, e: a > e),
    "NumericGreaterThanEquals": _numeric(lambda a, e: a >= e),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def condition_matches(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    """One ``operator: {key: expected}`` entry against the request context."""
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    actual = context.get(key)
    if base == "Null":
        return (actual is None) == (_as_list(expected)[0].lower() == "true")
    if base in _NEGATED:
        if actual is None:
            return True
        return not any(_MATCHERS[_NEGATED[base]](actual, e) for e in _as_list(expected))
    matcher = _MATCHERS.get(base)
    if matcher is None:
        return False
    if actual is None:
        return if_exists
    return any(matcher(actual, e) for e in _as_list(expected))


def conditions_match(conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, str]) -> bool:
    return all(
        condition_matches(operator, key, expected, context)
        for operator, entries in conditions.items()
        for key, expected in entries.items()
    )


def install() -> None:
    global _installed  # noqa: PLW0603 - install() must be idempotent per process
    if _installed:
        return
    _installed = True

    original = IAMPolicyStatement.is_action_permitted

    def is_action_permitted(
        self: IAMPolicyStatement,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> PermissionResult:
        conditions = self._statement.get("Condition")
        if not conditions:
            return original(self, action, resource, principal, incoming_condition_values)
        if not conditions_match(conditions, {**REQUEST_CONTEXT, **(incoming_condition_values or {})}):
            return PermissionResult.NEUTRAL  # a statement whose conditions fail does not apply
        unconditional = IAMPolicyStatement({k: v for k, v in self._statement.items() if k != "Condition"})
        return original(unconditional, action, resource, principal, incoming_condition_values)

    patch(IAMPolicyStatement, "is_action_permitted", is_action_permitted)
