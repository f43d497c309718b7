"""The invocation input and the values derived from the portal subdomain (no AWS involved)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.workforce.builders import BODY, SUBDOMAIN, SUBJECT
from workforce_bootstrap.errors import InvalidRequestError
from workforce_bootstrap.portal import portal_urls, render_invitation, with_extras
from workforce_bootstrap.request import Action, BootstrapRequest, InvitationTemplate


def event(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "workforce_name": "labeling-dev",
        "user_pool_id": "us-east-1_abc",
        "client_id": "client123",
        "extra_callback_urls": ["https://a.example.com/cb"],
        "extra_logout_urls": [],
        "invitation": {"subject": SUBJECT, "body": BODY},
        "tf": {"action": "update", "prev_input": None},
    }
    base.update(changes)
    return base


def test_terraform_lifecycle_input_is_parsed() -> None:
    request = BootstrapRequest.from_event(event())

    assert request.action is Action.UPDATE
    assert request.workforce_name == "labeling-dev"
    assert request.extra_callback_urls == ("https://a.example.com/cb",)
    assert request.extra_logout_urls == ()
    assert request.invitation == InvitationTemplate(subject=SUBJECT, body=BODY)


def test_direct_invocation_without_lifecycle_key_applies() -> None:
    raw = event()
    del raw["tf"]

    assert BootstrapRequest.from_event(raw).action is Action.CREATE


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"client_id": ""}, "'client_id' must be a non-empty string"),
        ({"user_pool_id": None}, "'user_pool_id' must be a non-empty string"),
        ({"extra_callback_urls": "https://a.example.com"}, "'extra_callback_urls' must be a list of URLs"),
        ({"invitation": None}, "'invitation' must be an object"),
        ({"invitation": {"subject": "s"}}, "'invitation.body' must be a non-empty string"),
        ({"tf": {"action": "read"}}, "'tf.action' must be one of create, update, delete"),
    ],
)
def test_malformed_input_is_refused_with_the_field_named(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        BootstrapRequest.from_event(event(**changes))


def test_portal_urls_follow_the_workforce_subdomain() -> None:
    urls = portal_urls(SUBDOMAIN)

    assert urls.portal == f"https://{SUBDOMAIN}"
    assert urls.callback == f"https://{SUBDOMAIN}/oauth2/idpresponse"
    assert urls.logout == f"https://{SUBDOMAIN}/logout"


def test_a_subdomain_reported_with_scheme_or_slash_gives_the_same_urls() -> None:
    assert portal_urls(f"https://{SUBDOMAIN}/") == portal_urls(SUBDOMAIN)


def test_empty_subdomain_is_an_error() -> None:
    with pytest.raises(InvalidRequestError, match="empty subdomain"):
        portal_urls("  ")


def test_required_url_comes_first_and_extras_are_kept_once_in_order() -> None:
    merged = with_extras("https://p/cb", ["https://x/1", "https://p/cb", "https://x/2", "https://x/1"])

    assert merged == ["https://p/cb", "https://x/1", "https://x/2"]


def test_invitation_gets_the_portal_url_and_keeps_cognito_placeholders() -> None:
    message = render_invitation(InvitationTemplate(subject="Join {portal_url}", body=BODY), "https://portal")

    assert message.subject == "Join https://portal"
    assert message.body == "Hello {username}, sign in at https://portal with the temporary password {####}."


@pytest.mark.parametrize("missing", ["{username}", "{####}"])
def test_invitation_without_a_cognito_placeholder_is_refused(missing: str) -> None:
    template = InvitationTemplate(subject=SUBJECT, body=BODY.replace(missing, ""))

    with pytest.raises(InvalidRequestError, match=f"must contain {missing}"):
        render_invitation(template, "https://portal")


def test_invitation_longer_than_cognito_allows_is_refused() -> None:
    template = InvitationTemplate(subject="x" * 141, body=BODY)

    with pytest.raises(InvalidRequestError, match="141 characters; Cognito allows 140"):
        render_invitation(template, "https://portal")
