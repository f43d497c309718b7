"""The invocation input sent by Terraform's `aws_lambda_invocation`, parsed and checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .errors import InvalidRequestError

# aws_lambda_invocation with lifecycle_scope = "CRUD" adds this key (its `terraform_key` default).
LIFECYCLE_KEY = "tf"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True)
class InvitationTemplate:
    """Subject and body of the invitation email; the body may use {portal_url}."""

    subject: str
    body: str


@dataclass(frozen=True)
class BootstrapRequest:
    action: Action
    workforce_name: str
    user_pool_id: str
    client_id: str
    extra_callback_urls: tuple[str, ...]
    extra_logout_urls: tuple[str, ...]
    invitation: InvitationTemplate

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> BootstrapRequest:
        """Parse the event; a direct invocation without the lifecycle key counts as `create`."""
        if not isinstance(event, Mapping):
            raise InvalidRequestError(f"the input must be a JSON object, got {type(event).__name__}")
        invitation = event.get("invitation")
        if not isinstance(invitation, Mapping):
            raise InvalidRequestError("input field 'invitation' must be an object with 'subject' and 'body'")
        return cls(
            action=_action(event.get(LIFECYCLE_KEY)),
            workforce_name=_text(event, "workforce_name"),
            user_pool_id=_text(event, "user_pool_id"),
            client_id=_text(event, "client_id"),
            extra_callback_urls=_urls(event, "extra_callback_urls"),
            extra_logout_urls=_urls(event, "extra_logout_urls"),
            invitation=InvitationTemplate(
                subject=_text(invitation, "subject", where="invitation."),
                body=_text(invitation, "body", where="invitation."),
            ),
        )


def _action(lifecycle: Any) -> Action:
    if lifecycle is None:
        return Action.CREATE
    raw = lifecycle.get("action") if isinstance(lifecycle, Mapping) else None
    allowed = [action.value for action in Action]
    if raw not in allowed:
        raise InvalidRequestError(
            f"input field '{LIFECYCLE_KEY}.action' must be one of {', '.join(allowed)}, got {raw!r}"
        )
    return Action(raw)


def _text(source: Mapping[str, Any], key: str, *, where: str = "") -> str:
    value = source.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"input field '{where}{key}' must be a non-empty string, got {value!r}")
    return value


def _urls(source: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = source.get(key, [])
    if not isinstance(value, list) or not all(isinstance(url, str) and url for url in value):
        raise InvalidRequestError(f"input field '{key}' must be a list of URLs, got {value!r}")
    return tuple(value)
