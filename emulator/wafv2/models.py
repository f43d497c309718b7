"""AWS WAF (v2) rules that matter when a web ACL protects a Cognito user pool.

What moto lacks:

* ``AssociateWebACL`` adds the resource to the web ACL without removing it from the one it was
  associated with (a resource has one web ACL; associating another replaces it), accepts a user pool that
  does not exist, and accepts a web ACL with the account takeover prevention managed rule group
  (``AWSManagedRulesATPRuleSet``) for a user pool, which AWS refuses.
* ``PutLoggingConfiguration`` accepts any destination and a web ACL that does not exist; AWS wants the
  web ACL and a destination whose name starts with ``aws-waf-logs-``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from moto.cognitoidp.models import cognitoidp_backends
from moto.core.exceptions import JsonRESTError
from moto.wafv2.exceptions import WAFNonexistentItemException
from moto.wafv2.models import WAFV2Backend

from emulator import patch

ATP_RULE_GROUP = "AWSManagedRulesATPRuleSet"
LOG_PREFIX = "aws-waf-logs-"
_USER_POOL_ARN = re.compile(
    r"arn:[^:]+:cognito-idp:(?P<region>[^:]+):(?P<account>\d{12}):userpool/(?P<id>.+)"
)
# Log groups, Firehose streams and S3 buckets: the name is the last part of the ARN.
_DESTINATION_NAME = re.compile(r"(?:log-group:|deliverystream/|:::)(?P<name>[^:/]+)")


def _invalid(message: str) -> Exception:
    return JsonRESTError("WAFInvalidParameterException", message)


def _managed_rule_groups(node: Any) -> Iterator[str]:
    """Names of the managed rule groups anywhere in a rule (statements nest)."""
    if isinstance(node, dict):
        managed = node.get("ManagedRuleGroupStatement")
        if isinstance(managed, dict) and isinstance(managed.get("Name"), str):
            yield managed["Name"]
        for value in node.values():
            yield from _managed_rule_groups(value)
    elif isinstance(node, list):
        for value in node:
            yield from _managed_rule_groups(value)


def check_association(backend: Any, web_acl_arn: str, resource_arn: str) -> None:
    web_acl = backend.wacls.get(web_acl_arn)
    if web_acl is None:
        raise WAFNonexistentItemException()
    pool = _USER_POOL_ARN.fullmatch(resource_arn)
    if pool is None:
        return
    if pool["id"] not in cognitoidp_backends[pool["account"]][pool["region"]].user_pools:
        raise WAFNonexistentItemException()
    if ATP_RULE_GROUP in set(_managed_rule_groups([rule.statement for rule in web_acl.rules])):
        raise _invalid(
            f"A web ACL with the {ATP_RULE_GROUP} rule group cannot protect an Amazon Cognito user pool."
        )


def check_logging(backend: Any, web_acl_arn: str, destinations: list[str]) -> None:
    if web_acl_arn not in backend.wacls:
        raise WAFNonexistentItemException()
    if len(destinations) != 1:
        raise _invalid("LogDestinationConfigs must hold exactly one destination.")
    found = _DESTINATION_NAME.search(destinations[0])
    if found is None or not found["name"].startswith(LOG_PREFIX):
        raise _invalid(f"The log destination's name must start with {LOG_PREFIX}: {destinations[0]}")


_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return
    associate = WAFV2Backend.associate_web_acl
    put_logging = WAFV2Backend.put_logging_configuration

    def associate_web_acl(self: Any, web_acl_arn: str, resource_arn: str) -> None:
        check_association(self, web_acl_arn, resource_arn)
        self.disassociate_web_acl(resource_arn)
        associate(self, web_acl_arn, resource_arn)

    def put_logging_configuration(self: Any, arn: str, log_destination_configs: list[str], *args: Any) -> Any:
        check_logging(self, arn, log_destination_configs)
        return put_logging(self, arn, log_destination_configs, *args)

    patch(WAFV2Backend, "associate_web_acl", associate_web_acl)
    patch(WAFV2Backend, "put_logging_configuration", put_logging_configuration)
    _installed = True
