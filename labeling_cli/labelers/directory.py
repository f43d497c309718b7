"""The workers of one Cognito user pool: look-ups and the few writes the CLI makes.

Every call goes through the throttling retry. Look-ups are per worker by default; `preload()` reads
the whole pool and the team groups once instead, which is far fewer calls for a large CSV or a list.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from labeling_cli.common.retry import Backoff, error_code

log = logging.getLogger(__name__)  # under "labeling_cli", which --verbose shows

STATUS_INVITED = "FORCE_CHANGE_PASSWORD"
STATUS_CONFIRMED = "CONFIRMED"
PAGE_SIZE = 60  # the largest page ListUsers and ListUsersInGroup return


def username_for(email: str) -> str:
    """A stable, opaque user name for an email. Workers sign in with their email (an alias in the pool),
    so nobody types the user name, and it does not repeat the address in CloudTrail and logs."""
    digest = hashlib.sha256(f"private-labeling-worker:{email}".encode()).hexdigest()
    return f"w-{digest[:24]}"


@dataclass(frozen=True)
class Mfa:
    methods: tuple[str, ...]
    preferred: str | None

    @property
    def enabled(self) -> bool:
        return bool(self.methods)


@dataclass(frozen=True)
class Worker:
    username: str
    email: str | None
    name: str | None
    user_status: str
    enabled: bool
    created: datetime | None
    groups: frozenset[str] | None = None  # team groups it belongs to; None until looked up

    @property
    def status(self) -> str:
        """invited / confirmed / disabled, or Cognito's own status in lower case for anything else."""
        if not self.enabled:
            return "disabled"
        if self.user_status == STATUS_INVITED:
            return "invited"
        if self.user_status == STATUS_CONFIRMED:
            return "confirmed"
        return self.user_status.lower()

    @classmethod
    def from_cognito(cls, user: dict[str, Any]) -> Worker:
        # ListUsers names the attributes "Attributes", AdminGetUser "UserAttributes".
        attributes = {
            a["Name"]: a.get("Value") for a in user.get("Attributes", user.get("UserAttributes", []))
        }
        return cls(
            username=user["Username"],
            email=attributes.get("email"),
            name=attributes.get("name"),
            user_status=user.get("UserStatus", "UNKNOWN"),
            enabled=user.get("Enabled", True),
            created=user.get("UserCreateDate"),
        )


class EmailQuotaReachedError(Exception):
    """Cognito refused to email an invitation: the daily email quota of its default sender is used up.

    AWS: "Quotas in Amazon Cognito" (50 email messages a day per account with the default email
    feature, reset daily at 09:00 UTC), https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html;
    Cognito answers LimitExceededException. Every further invitation would be refused too.
    """


class AmbiguousEmailError(Exception):
    def __init__(self, email: str, usernames: list[str]) -> None:
        super().__init__(
            f"{len(usernames)} users have the email {email} ({', '.join(sorted(usernames))}); "
            "resolve it in the Cognito console first"
        )


class Directory:
    def __init__(self, client: Any, user_pool_id: str, team_groups: frozenset[str], backoff: Backoff) -> None:
        self._client = client
        self._pool = user_pool_id
        self._team_groups = team_groups
        self._backoff = backoff
        self._by_username: dict[str, Worker] | None = None

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        log.debug("cognito-idp %s %s", operation, kwargs.get("Username", ""))
        response: dict[str, Any] = self._backoff.call(
            getattr(self._client, operation), UserPoolId=self._pool, **kwargs
        )
        return response

    def _pages(self, operation: str, items: str, token: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        request = dict(kwargs)
        while True:
            page = self._call(operation, **request)
            yield from page.get(items, [])
            if not page.get(token):
                return
            request[token] = page[token]

    # --- the pool and its groups ---------------------------------------------------------------
    def describe_pool(self) -> dict[str, Any]:
        pool: dict[str, Any] = self._call("describe_user_pool")["UserPool"]
        return pool

    def missing_groups(self, groups: frozenset[str]) -> list[str]:
        missing = []
        for group in sorted(groups):
            try:
                self._call("get_group", GroupName=group)
            except ClientError as error:
                if error_code(error) != "ResourceNotFoundException":
                    raise
                missing.append(group)
        return missing

    # --- reading workers ---------------------------------------------------------------------
    def preload(self) -> None:
        """Read every user and the members of every team group (once), so look-ups make no more calls."""
        if self._by_username is not None:
            return
        workers = {
            w.username: w
            for w in map(
                Worker.from_cognito, self._pages("list_users", "Users", "PaginationToken", Limit=PAGE_SIZE)
            )
        }
        memberships: dict[str, set[str]] = {username: set() for username in workers}
        for group in sorted(self._team_groups):
            for user in self._pages(
                "list_users_in_group", "Users", "NextToken", GroupName=group, Limit=PAGE_SIZE
            ):
                memberships.setdefault(user["Username"], set()).add(group)
        self._by_username = {
            username: replace(worker, groups=frozenset(memberships[username]))
            for username, worker in workers.items()
        }

    def workers(self) -> list[Worker]:
        self.preload()
        loaded = self._by_username or {}
        return sorted(loaded.values(), key=lambda w: (w.email or "", w.username))

    def find(self, email: str) -> Worker | None:
        """The worker with this (normalised) email: our user name for it first, then any user with it."""
        if self._by_username is not None:
            own = self._by_username.get(username_for(email))
            if own is not None:
                return own
            return self._single(
                email, [w for w in self._by_username.values() if (w.email or "").lower() == email]
            )
        try:
            return Worker.from_cognito(self._call("admin_get_user", Username=username_for(email)))
        except ClientError as error:
            if error_code(error) != "UserNotFoundException":
                raise
        # Validated addresses hold no quote or backslash, so the filter needs no escaping.
        users = self._call("list_users", Filter=f'email = "{email}"', Limit=2).get("Users", [])
        return self._single(email, [Worker.from_cognito(user) for user in users])

    @staticmethod
    def _single(email: str, workers: list[Worker]) -> Worker | None:
        if len(workers) > 1:
            raise AmbiguousEmailError(email, [w.username for w in workers])
        return workers[0] if workers else None

    def team_groups_of(self, worker: Worker) -> frozenset[str]:
        if worker.groups is not None:
            return worker.groups
        groups = self._pages("admin_list_groups_for_user", "Groups", "NextToken", Username=worker.username)
        return frozenset(g["GroupName"] for g in groups) & self._team_groups

    def mfa(self, worker: Worker) -> Mfa:
        user = self._call("admin_get_user", Username=worker.username)
        preferred = user.get("PreferredMfaSetting") or None
        return Mfa(methods=tuple(user.get("UserMFASettingList") or ()), preferred=preferred)

    # --- writes (each keeps the preloaded view in step) -----------------------------------------
    def _update(self, username: str, change: Callable[[Worker], Worker]) -> None:
        if self._by_username is not None and username in self._by_username:
            self._by_username[username] = change(self._by_username[username])

    def _invite(self, **kwargs: Any) -> dict[str, Any]:
        """AdminCreateUser with the invitation emailed; the quota's refusal becomes EmailQuotaReachedError."""
        try:
            return self._call("admin_create_user", DesiredDeliveryMediums=["EMAIL"], **kwargs)
        except ClientError as error:
            if error_code(error) == "LimitExceededException":
                raise EmailQuotaReachedError(str(error)) from error
            raise

    def create(self, email: str, name: str | None) -> None:
        """Creates the user; Cognito generates the temporary password and emails the invitation."""
        attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        if name:
            attributes.append({"Name": "name", "Value": name})
        user = self._invite(Username=username_for(email), UserAttributes=attributes)["User"]
        if self._by_username is not None:
            self._by_username[user["Username"]] = replace(Worker.from_cognito(user), groups=frozenset())

    def resend_invitation(self, username: str) -> None:
        self._invite(Username=username, MessageAction="RESEND")

    def add_to_group(self, username: str, group: str) -> None:
        self._call("admin_add_user_to_group", Username=username, GroupName=group)
        self._update(username, lambda w: replace(w, groups=(w.groups or frozenset()) | {group}))

    def remove_from_group(self, username: str, group: str) -> None:
        self._call("admin_remove_user_from_group", Username=username, GroupName=group)
        self._update(username, lambda w: replace(w, groups=(w.groups or frozenset()) - {group}))

    def disable(self, username: str) -> None:
        self._call("admin_disable_user", Username=username)
        self._update(username, lambda w: replace(w, enabled=False))

    def delete(self, username: str) -> None:
        self._call("admin_delete_user", Username=username)
        if self._by_username is not None:
            self._by_username.pop(username, None)
