"""Amazon Cognito user pools as AWS behaves, for the calls the AWS provider and our modules make.

What moto lacks or gets wrong:

* ``UpdateUserPoolClient`` merges the request into the client; AWS sets every field the request
  leaves out to its default (the documented behaviour that breaks careless callers).
  ``UpdateUserPool`` resets omitted fields, but also wipes the settings that can only be chosen at
  creation (``UsernameAttributes``, ``AliasAttributes``, ``UsernameConfiguration``, the schema) and the
  tags, and leaves ``MfaConfiguration`` unchanged. Fields the update API takes are now reset to their
  defaults when omitted, creation-only settings and tags are kept (``PoolName`` and ``UserPoolTier``
  too, when omitted). ``ClientName`` of a client is likewise kept when omitted.
* ``DeleteUserPool`` ignores ``DeletionProtection``.
* ``CreateUserPool`` and ``UpdateUserPool`` accept an invitation message without the ``{username}``
  and ``{####}`` placeholders, and threat protection (``AdvancedSecurityMode``) outside the ``PLUS``
  tier; AWS refuses both.
* ``CreateUserPoolDomain`` silently replaces a domain that belongs to another pool and gives a pool a
  second domain; AWS refuses both.
* ``AdminCreateUser`` with ``MessageAction=RESEND`` replaces the user with a new one, losing its
  attributes and groups; AWS keeps the user, re-sends the invitation (with a new temporary password when
  one is given) and refuses a user who no longer waits for a first sign-in.
* ``TagResource``, ``UntagResource`` and ``ListTagsForResource`` for user pools are missing.
* ``AdminCreateUser`` emails invitations without limit; AWS's default sender (``COGNITO_DEFAULT``)
  sends at most 50 emails a day per account and region and then refuses with
  ``LimitExceededException``. The quota is settable through ``PUT /_emulator/cognito/email-quota``
  (``{"emails_per_day": N}``) so that tests reach it cheaply; a reset restores 50.
* ``SetLogDeliveryConfiguration`` and ``GetLogDeliveryConfiguration`` are missing; AWS refuses a log
  group encrypted with a KMS key and user-activity logs (``userAuthEvents``) outside the ``PLUS`` plan.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import botocore.session
from moto.cognitoidp.exceptions import ResourceNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool, CognitoIdpUserPoolClient
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.logs.models import logs_backends
from werkzeug.wrappers import Request

from emulator import patch
from emulator.core import control

_UPDATE_POOL_KEEPS = frozenset({"UserPoolId", "UserPoolTags", "PoolName", "UserPoolTier"})
_UPDATE_CLIENT_KEEPS = frozenset({"UserPoolId", "ClientId", "ClientName"})
# What DescribeUserPoolClient reports for a setting the client was created or updated without.
CLIENT_DEFAULTS: Mapping[str, Any] = {
    "AllowedOAuthFlowsUserPoolClient": False,
    "AuthSessionValidity": 3,
    "EnablePropagateAdditionalUserContextData": False,
    "EnableTokenRevocation": True,
    "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH"],
    "RefreshTokenValidity": 30,
}
# What DescribeUserPool reports for settings a pool was created or updated without (moto omits them).
POOL_DEFAULTS: Mapping[str, Any] = {"DeletionProtection": "INACTIVE", "UserPoolTier": "ESSENTIALS"}
_EVENT_SOURCE_LEVELS = {"userNotification": "ERROR", "userAuthEvents": "INFO"}
_DESTINATIONS = ("CloudWatchLogsConfiguration", "S3Configuration", "FirehoseConfiguration")


def _members(operation: str) -> frozenset[str]:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    return frozenset(model.operation_model(operation).input_shape.members)


def _invalid(message: str) -> Exception:
    return JsonRESTError("InvalidParameterException", message)


def _not_found(message: str) -> Exception:
    return ResourceNotFoundError(message)


def validate_pool(config: Mapping[str, Any]) -> None:
    """Refuse the settings AWS refuses when a pool is created or updated."""
    invitation = (config.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    for field in ("EmailMessage", "SMSMessage"):
        message = invitation.get(field)
        if message is not None and not ("{username}" in message and "{####}" in message):
            raise _invalid(f"InviteMessageTemplate.{field} must contain {{username}} and {{####}}.")
    security = (config.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode", "OFF")
    tier = config.get("UserPoolTier") or POOL_DEFAULTS["UserPoolTier"]
    if security != "OFF" and tier != "PLUS":
        raise JsonRESTError(
            "FeatureUnavailableInTierException",
            f"Threat protection (AdvancedSecurityMode {security}) needs the PLUS feature plan, not {tier}.",
        )


def update_user_pool(
    backend: Any, user_pool_id: str, request: Mapping[str, Any], resettable: frozenset[str]
) -> None:
    """Apply an UpdateUserPool request with AWS's semantics: omitted updatable fields get defaults."""
    pool = backend.describe_user_pool(user_pool_id)
    validate_pool({"UserPoolTier": pool.extended_config.get("UserPoolTier"), **request})
    config = {key: value for key, value in pool.extended_config.items() if key not in resettable}
    config.update({key: value for key, value in request.items() if key in resettable})
    if "UserPoolTags" in request:
        config["UserPoolTags"] = dict(request["UserPoolTags"])
    if "UserPoolTier" in request:
        config["UserPoolTier"] = request["UserPoolTier"]
    if request.get("PoolName"):
        pool.name = request["PoolName"]
    pool.update_extended_config(config)
    pool.mfa_config = request.get("MfaConfiguration", "OFF")
    pool.extended_config.pop("MfaConfiguration", None)
    pool.last_modified_date = utcnow()


def update_user_pool_client(
    backend: Any, user_pool_id: str, client_id: str, request: Mapping[str, Any], resettable: frozenset[str]
) -> Any:
    """Apply an UpdateUserPoolClient request with AWS's semantics: omitted fields get defaults."""
    pool = backend.describe_user_pool(user_pool_id)
    client = pool.clients.get(client_id)
    if client is None:
        raise _not_found(client_id)
    config = {key: value for key, value in client.extended_config.items() if key not in resettable}
    config.update(copy.deepcopy(dict(CLIENT_DEFAULTS)))
    config.update({key: value for key, value in request.items() if key in resettable or key == "ClientName"})
    client.extended_config = config
    return client


# AWS: Amazon Cognito Developer Guide, "Quotas in Amazon Cognito" (resource quotas: "Email messages
# sent daily per AWS account", 50, not adjustable; it "applies only if you are using the default email
# feature" and "resets daily at 0900 UTC"), https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html,
# and "Email settings for Amazon Cognito user pools" (AdminCreateUser sends the invitation email),
# https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html. Every quota on that
# page is per account and Region.
DEFAULT_EMAILS_PER_DAY = 50
_QUOTA_DAY_STARTS = timedelta(hours=9)
# Assumption: the API reference lists no error for the quota; this code and message are what Cognito
# answers in public reports of the limit.
_EMAIL_LIMIT_MESSAGE = (
    "Exceeded daily email limit for the operation or the account. If a higher limit is required, please "
    "configure your user pool to use your own Amazon SES configuration for sending email."
)


class DefaultSenderQuota:
    """Emails sent today by Cognito's default sender, per account and region."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.emails_per_day = DEFAULT_EMAILS_PER_DAY
        self._sent: dict[tuple[str, str, date], int] = {}

    def reset(self, emails_per_day: int = DEFAULT_EMAILS_PER_DAY) -> None:
        with self._lock:
            self.emails_per_day = emails_per_day
            self._sent.clear()

    def take(self, account_id: str, region: str) -> tuple[str, str, date]:
        """Count one email, or refuse it when today's quota is used up."""
        day = (utcnow() - _QUOTA_DAY_STARTS).date()
        key = (account_id, region, day)
        with self._lock:
            if self._sent.get(key, 0) >= self.emails_per_day:
                raise JsonRESTError("LimitExceededException", _EMAIL_LIMIT_MESSAGE)
            self._sent[key] = self._sent.get(key, 0) + 1
        return key

    def give_back(self, key: tuple[str, str, date]) -> None:
        """The request that took the email failed for another reason: nothing was sent."""
        with self._lock:
            self._sent[key] -= 1


DEFAULT_SENDER_QUOTA = DefaultSenderQuota()


def emails_invitation(pool: Any, message_action: str | None, mediums: list[str] | None) -> bool:
    """Whether AdminCreateUser has Cognito's default sender email an invitation (SMS is the default)."""
    configuration = pool.extended_config.get("EmailConfiguration") or {}
    default_sender = configuration.get("EmailSendingAccount", "COGNITO_DEFAULT") == "COGNITO_DEFAULT"
    return default_sender and message_action != "SUPPRESS" and "EMAIL" in (mediums or [])


def _set_email_quota(request: Request, _groups: dict[str, str]) -> Mapping[str, Any]:
    body = request.get_json(silent=True)
    count = body.get("emails_per_day") if isinstance(body, dict) else None
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError('the body must be {"emails_per_day": <a whole number >= 0>}')
    DEFAULT_SENDER_QUOTA.reset(count)
    return {"emails_per_day": count}


def _pool_by_arn(backend: Any, arn: str) -> Any:
    for pool in backend.user_pools.values():
        if pool.arn == arn:
            return pool
    raise _not_found(f"User pool {arn} does not exist.")


def _validate_log_configurations(
    account_id: str, region: str, pool: Any, configurations: Any
) -> list[dict[str, Any]]:
    if not isinstance(configurations, list):
        raise _invalid("LogConfigurations must be a list.")
    tier = pool.extended_config.get("UserPoolTier") or POOL_DEFAULTS["UserPoolTier"]
    for configuration in configurations:
        source, level = configuration.get("EventSource"), configuration.get("LogLevel")
        if source not in _EVENT_SOURCE_LEVELS:
            raise _invalid(f"EventSource must be one of {', '.join(_EVENT_SOURCE_LEVELS)}.")
        if level != _EVENT_SOURCE_LEVELS[source]:
            raise _invalid(f"LogLevel for EventSource {source} must be {_EVENT_SOURCE_LEVELS[source]}.")
        # AWS: Amazon Cognito API Reference, "LogConfigurationType" (EventSource: userAuthEvents are
        # "threat-protection user activity in user pools with the Plus feature plan"),
        # https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_LogConfigurationType.html;
        # SetLogDeliveryConfiguration lists FeatureUnavailableInTierException for a feature the plan lacks.
        if source == "userAuthEvents" and tier != "PLUS":
            raise JsonRESTError(
                "FeatureUnavailableInTierException",
                f"EventSource userAuthEvents needs the PLUS feature plan, not {tier}.",
            )
        destinations = [name for name in _DESTINATIONS if configuration.get(name)]
        if len(destinations) != 1:
            raise _invalid("Each log configuration needs exactly one destination.")
        group_arn = (configuration.get("CloudWatchLogsConfiguration") or {}).get("LogGroupArn")
        if group_arn:
            _check_log_group(logs_backends[account_id][region], group_arn)
    return [dict(configuration) for configuration in configurations]


def _check_log_group(logs: Any, group_arn: str) -> None:
    group = logs.groups.get(group_arn.split(":log-group:", 1)[-1].removesuffix(":*"))
    if group is None:
        raise _invalid(f"Log group {group_arn} does not exist.")
    # AWS: Amazon Cognito API Reference, "CloudWatchLogsConfigurationType" (LogGroupArn: "The log group
    # must not be encrypted with Key Management Service"),
    # https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CloudWatchLogsConfigurationType.html
    if group.kms_key_id:
        raise _invalid(
            f"Log group {group_arn} is encrypted with a Key Management Service key ({group.kms_key_id}); "
            "the log group must not be encrypted with Key Management Service."
        )


_installed = False


def install() -> None:  # noqa: PLR0915 - one place that wires every patch
    global _installed  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return
    pool_resettable = _members("UpdateUserPool") - _UPDATE_POOL_KEEPS
    client_resettable = _members("UpdateUserPoolClient") - _UPDATE_CLIENT_KEEPS

    def backend_update_user_pool(self: Any, user_pool_id: str, extended_config: dict[str, Any]) -> None:
        update_user_pool(self, user_pool_id, extended_config, pool_resettable)

    def backend_update_user_pool_client(
        self: Any, user_pool_id: str, client_id: str, extended_config: dict[str, Any]
    ) -> Any:
        return update_user_pool_client(self, user_pool_id, client_id, extended_config, client_resettable)

    create_user_pool = CognitoIdpBackend.create_user_pool

    def backend_create_user_pool(self: Any, name: str, extended_config: dict[str, Any]) -> Any:
        validate_pool(extended_config)
        return create_user_pool(self, name, extended_config)

    admin_create_user = CognitoIdpBackend.admin_create_user

    def backend_admin_create_user(
        self: Any, user_pool_id: str, username: str, message_action: str, temporary_password: str, *args: Any
    ) -> Any:
        if message_action != "RESEND":
            return admin_create_user(self, user_pool_id, username, message_action, temporary_password, *args)
        user = self.admin_get_user(user_pool_id, username)
        if user.status != "FORCE_CHANGE_PASSWORD":
            raise JsonRESTError(
                "UnsupportedUserStateException",
                f"Resend not possible. {username} status is not FORCE_CHANGE_PASSWORD.",
            )
        if temporary_password:
            user.password = temporary_password
        user.last_modified_date = utcnow()
        return user

    response_admin_create_user = CognitoIdpResponse.admin_create_user

    def admin_create_user_within_email_quota(self: Any) -> Any:
        pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
        if not emails_invitation(
            pool, self._get_param("MessageAction"), self._get_param("DesiredDeliveryMediums")
        ):
            return response_admin_create_user(self)
        taken = DEFAULT_SENDER_QUOTA.take(self.current_account, self.region)
        try:
            return response_admin_create_user(self)
        except Exception:
            DEFAULT_SENDER_QUOTA.give_back(taken)
            raise

    delete_user_pool = CognitoIdpBackend.delete_user_pool

    def backend_delete_user_pool(self: Any, user_pool_id: str) -> None:
        pool = self.describe_user_pool(user_pool_id)
        if pool.extended_config.get("DeletionProtection") == "ACTIVE":
            raise _invalid(
                "The user pool cannot be deleted because deletion protection is activated. "
                "Deletion protection must be inactivated first."
            )
        delete_user_pool(self, user_pool_id)

    create_domain = CognitoIdpBackend.create_user_pool_domain

    def backend_create_user_pool_domain(
        self: Any, user_pool_id: str, domain: str, *args: Any, **kwargs: Any
    ) -> Any:
        self.describe_user_pool(user_pool_id)
        if domain in self.user_pool_domains:
            raise _invalid("Domain already associated with another user pool.")
        if any(existing.user_pool_id == user_pool_id for existing in self.user_pool_domains.values()):
            raise _invalid("User pool already has a domain configured.")
        return create_domain(self, user_pool_id, domain, *args, **kwargs)

    update_extended_config = CognitoIdpUserPool.update_extended_config

    def pool_update_extended_config(self: Any, extended_config: dict[str, Any]) -> None:
        update_extended_config(self, extended_config)
        for key, value in POOL_DEFAULTS.items():
            self.extended_config.setdefault(key, value)

    pool_to_json = CognitoIdpUserPool.to_json

    def user_pool_to_json(self: Any, extended: bool = False) -> dict[str, Any]:
        document: dict[str, Any] = pool_to_json(self, extended)
        document["MfaConfiguration"] = self.mfa_config
        return document

    client_init = CognitoIdpUserPoolClient.__init__

    def user_pool_client_init(self: Any, *args: Any, **kwargs: Any) -> None:
        client_init(self, *args, **kwargs)
        for key, value in CLIENT_DEFAULTS.items():
            self.extended_config.setdefault(key, copy.deepcopy(value))

    def tag_resource(self: Any) -> Any:
        pool = _pool_by_arn(self.backend, self._get_param("ResourceArn"))
        tags = pool.extended_config.setdefault("UserPoolTags", {})
        tags.update(self._get_param("Tags") or {})
        return EmptyResult()

    def untag_resource(self: Any) -> Any:
        pool = _pool_by_arn(self.backend, self._get_param("ResourceArn"))
        tags = pool.extended_config.setdefault("UserPoolTags", {})
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
        return EmptyResult()

    def list_tags_for_resource(self: Any) -> Any:
        pool = _pool_by_arn(self.backend, self._get_param("ResourceArn"))
        return ActionResult({"Tags": dict(pool.extended_config.get("UserPoolTags") or {})})

    def set_log_delivery_configuration(self: Any) -> Any:
        user_pool_id = self._get_param("UserPoolId")
        pool = self.backend.describe_user_pool(user_pool_id)
        configurations = _validate_log_configurations(
            self.current_account, self.region, pool, self._get_param("LogConfigurations")
        )
        pool.log_configurations = configurations
        return ActionResult(
            {"LogDeliveryConfiguration": {"UserPoolId": user_pool_id, "LogConfigurations": configurations}}
        )

    def get_log_delivery_configuration(self: Any) -> Any:
        user_pool_id = self._get_param("UserPoolId")
        pool = self.backend.describe_user_pool(user_pool_id)
        configurations = getattr(pool, "log_configurations", [])
        return ActionResult(
            {"LogDeliveryConfiguration": {"UserPoolId": user_pool_id, "LogConfigurations": configurations}}
        )

    patch(CognitoIdpBackend, "create_user_pool", backend_create_user_pool)
    patch(CognitoIdpBackend, "admin_create_user", backend_admin_create_user)
    patch(CognitoIdpBackend, "update_user_pool", backend_update_user_pool)
    patch(CognitoIdpBackend, "update_user_pool_client", backend_update_user_pool_client)
    patch(CognitoIdpBackend, "delete_user_pool", backend_delete_user_pool)
    patch(CognitoIdpBackend, "create_user_pool_domain", backend_create_user_pool_domain)
    patch(CognitoIdpUserPool, "update_extended_config", pool_update_extended_config)
    patch(CognitoIdpUserPool, "to_json", user_pool_to_json)
    patch(CognitoIdpUserPoolClient, "__init__", user_pool_client_init)
    patch(CognitoIdpResponse, "admin_create_user", admin_create_user_within_email_quota)
    patch(CognitoIdpResponse, "tag_resource", tag_resource)
    patch(CognitoIdpResponse, "untag_resource", untag_resource)
    patch(CognitoIdpResponse, "list_tags_for_resource", list_tags_for_resource)
    patch(CognitoIdpResponse, "set_log_delivery_configuration", set_log_delivery_configuration)
    patch(CognitoIdpResponse, "get_log_delivery_configuration", get_log_delivery_configuration)
    control.register_route("PUT", "cognito/email-quota", _set_email_quota)
    control.on_reset(DEFAULT_SENDER_QUOTA.reset)
    _installed = True
