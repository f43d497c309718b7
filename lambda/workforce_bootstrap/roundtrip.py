"""Turn a Cognito `Describe*` answer into the complete `Update*` request that keeps it as it is.

`UpdateUserPool` and `UpdateUserPoolClient` reset every field the request leaves out, so a change to
one field must send all the others back. Which fields an update accepts is read from botocore's
service model (the operation's input shape), so a field AWS adds later is carried over as soon as
the runtime's botocore knows it, with no change here. Only the exceptions the model cannot express
are listed below, each with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Describe names that the update calls spell differently.
POOL_RENAMED = {"Id": "UserPoolId", "Name": "PoolName"}
# Tags belong to Terraform, which manages them through TagResource/UntagResource; UpdateUserPool
# leaves tags alone when they are omitted (the AWS provider never sends them on update either), and
# sending them would need tagging permissions this function has no reason to hold.
POOL_NOT_SENT = frozenset({"UserPoolTags"})


def writable(value: Any, shape: Any) -> Any:
    """Keep, recursively, only what the botocore input shape accepts (drops read-only fields)."""
    if shape.type_name == "structure" and isinstance(value, Mapping):
        return {
            name: writable(member, shape.members[name])
            for name, member in value.items()
            if name in shape.members
        }
    if shape.type_name == "list" and isinstance(value, list):
        return [writable(item, shape.member) for item in value]
    if shape.type_name == "map" and isinstance(value, Mapping):
        return {key: writable(item, shape.value) for key, item in value.items()}
    return value


def pool_update_request(pool: Mapping[str, Any], input_shape: Any) -> dict[str, Any]:
    """The UpdateUserPool request that rewrites the pool exactly as DescribeUserPool shows it."""
    renamed = {POOL_RENAMED.get(key, key): value for key, value in pool.items() if key not in POOL_NOT_SENT}
    request: dict[str, Any] = writable(renamed, input_shape)
    password_policy = request.get("Policies", {}).get("PasswordPolicy", {})
    if "TemporaryPasswordValidityDays" in password_policy:
        # Describe may still report the deprecated twin of this setting; AWS refuses a request that
        # carries both ("Please use TemporaryPasswordValidityDays in PasswordPolicy instead").
        request.get("AdminCreateUserConfig", {}).pop("UnusedAccountValidityDays", None)
    return request


def client_update_request(client: Mapping[str, Any], input_shape: Any) -> dict[str, Any]:
    """The UpdateUserPoolClient request that rewrites the client exactly as described."""
    request: dict[str, Any] = writable(client, input_shape)
    return request
