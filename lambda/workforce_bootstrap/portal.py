"""What the app client and the invitation email must say, derived from the portal's subdomain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InvalidRequestError
from .request import InvitationTemplate

PORTAL_URL_FIELD = "{portal_url}"
# Cognito replaces these two in the invitation; without them the worker cannot sign in.
COGNITO_INVITE_FIELDS = ("{username}", "{####}")
MAX_EMAIL_SUBJECT = 140
MAX_EMAIL_MESSAGE = 20_000


@dataclass(frozen=True)
class PortalUrls:
    portal: str
    callback: str
    logout: str


@dataclass(frozen=True)
class InviteMessage:
    subject: str
    body: str


def portal_urls(subdomain: str) -> PortalUrls:
    """The labeling portal and the two addresses its sign-in flow returns to."""
    host = subdomain.strip().removeprefix("https://").rstrip("/")
    if not host:
        raise InvalidRequestError("the workforce reports an empty subdomain")
    portal = f"https://{host}"
    return PortalUrls(portal=portal, callback=f"{portal}/oauth2/idpresponse", logout=f"{portal}/logout")


def with_extras(required: str, extras: Iterable[str]) -> list[str]:
    """The required URL first, then the user's extra URLs, each once, in the order given."""
    return list(dict.fromkeys([required, *extras]))


def render_invitation(template: InvitationTemplate, portal_url: str) -> InviteMessage:
    """Fill in the portal URL; Cognito fills {username} and {####} when it sends the email."""
    missing = [field for field in COGNITO_INVITE_FIELDS if field not in template.body]
    if missing:
        raise InvalidRequestError(
            f"the invitation body must contain {' and '.join(missing)}: Cognito puts the user name and "
            "the temporary password there, and refuses a template without them"
        )
    message = InviteMessage(
        subject=template.subject.replace(PORTAL_URL_FIELD, portal_url),
        body=template.body.replace(PORTAL_URL_FIELD, portal_url),
    )
    if len(message.subject) > MAX_EMAIL_SUBJECT:
        raise InvalidRequestError(
            f"the invitation subject is {len(message.subject)} characters; Cognito allows {MAX_EMAIL_SUBJECT}"
        )
    if len(message.body) > MAX_EMAIL_MESSAGE:
        raise InvalidRequestError(
            f"the invitation body is {len(message.body)} characters; Cognito allows {MAX_EMAIL_MESSAGE}"
        )
    return message
