"""Authorization of the requests AWS services make on a customer's behalf, as AWS evaluates it.

What moto lacks: a service that acts with a customer's role or as a service principal is never
authorized. An emulated labeling job reads its manifest and writes its output whatever its role allows,
EventBridge delivers to any queue whatever the queue's policy and key say, and SageMaker uses any role
ARN it is given. On AWS each of these requests is evaluated, and a missing permission fails the job,
drops the event or refuses the request. This module is the one evaluator for them:

* **Which policies.** A request by a role (a labeling job's execution role) is allowed when no
  applicable statement denies it and the role's identity-based policies (inline and attached, within
  its permissions boundary) or the resource-based policy allow it; a request by a service principal
  (EventBridge delivering an event) only through the resource-based policy.
  AWS: IAM User Guide, "Policy evaluation logic",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
  A resource policy that names the account (``arn:aws:iam::<account>:root``) delegates to the
  account's IAM policies rather than allowing by itself. AWS: IAM User Guide, "AWS JSON policy
  elements: Principal", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
* **KMS keys** are stricter: the key policy must allow the request, directly or by naming the account,
  which then lets IAM policies allow it. AWS: AWS KMS Developer Guide, "Key policies in AWS KMS",
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
* **What S3 asks KMS for.** Reading an SSE-KMS object needs ``kms:Decrypt`` and writing one
  ``kms:GenerateDataKey`` on its key, with the object's ARN (the bucket's with an S3 Bucket Key) as
  encryption context. AWS: Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys
  (SSE-KMS)", https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
* **What a service sends.** A condition on a key the request does not carry is false (see
  :mod:`emulator.core.policy_conditions`), so the request context of a service holds exactly the keys its
  documentation says it sends; :data:`SERVICE_CONTEXTS` lists them with their pages.

Conditions are evaluated by :func:`emulator.core.policy_conditions.conditions_match`. Denials carry the
message AWS returns, in the form the IAM User Guide documents ("... is not authorized to perform:
<action> on resource: <arn> because ..."; "Troubleshoot access denied error messages",
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.events.models import Rule
from moto.iam.models import iam_backends
from moto.kms.models import kms_backends
from moto.sqs.models import sqs_backends
from moto.utilities.utils import get_partition

from emulator import patch
from emulator.core.policy_conditions import REQUEST_CONTEXT, conditions_match

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceContext:
    """The condition keys a service principal puts in the request context when it acts, per AWS."""

    principal: str
    acting: str
    keys: tuple[str, ...]
    page: str


# Each service gets only the condition keys its documentation shows it sending in that situation.
SAGEMAKER_ASSUMES_ROLE = ServiceContext(
    principal="sagemaker.amazonaws.com",
    acting="assumes the RoleArn of a labeling job or a feature group",
    # Ground Truth and the Feature Store are not among the SageMaker features that send the
    # confused-deputy keys.
    keys=(),
    page='Amazon SageMaker AI Developer Guide, "Cross-service confused deputy prevention", '
    "https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html",
)
EVENTBRIDGE_SENDS_TO_QUEUE = ServiceContext(
    principal="events.amazonaws.com",
    acting="sends a rule's event to an SQS queue or to the target's dead-letter queue (queue policy)",
    keys=("aws:SourceArn",),
    page='Amazon EventBridge User Guide, "Using resource-based policies for Amazon EventBridge" '
    "(Amazon SQS permissions), https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html",
)
EVENTBRIDGE_USES_QUEUE_KEY = ServiceContext(
    principal="events.amazonaws.com",
    acting="has SQS encrypt the event with the queue's KMS key (key policy)",
    # The statement SQS documents for event sources has no condition; EventBridge notes that the
    # aws:Source* keys are not supported in key policies for its deliveries to encrypted topics.
    keys=(),
    page='Amazon SQS Developer Guide, "Amazon SQS Key management" (Configure KMS permissions for AWS '
    "services), https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html",
)
SERVICE_CONTEXTS: tuple[ServiceContext, ...] = (
    SAGEMAKER_ASSUMES_ROLE,
    EVENTBRIDGE_SENDS_TO_QUEUE,
    EVENTBRIDGE_USES_QUEUE_KEY,
)


def service_request_context(service: ServiceContext, values: Mapping[str, str]) -> dict[str, str]:
    """The request context ``service`` sends: the documented keys, and nothing else it was given."""
    missing = [key for key in service.keys if key not in values]
    if missing:
        raise ValueError(f"{service.principal} {service.acting}: no value for {', '.join(missing)}")
    # AWS: IAM User Guide, "AWS global condition context keys" (aws:PrincipalIsAWSService,
    # aws:PrincipalServiceName are present in every request a service principal makes),
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    return {
        "aws:PrincipalIsAWSService": "true",
        "aws:PrincipalServiceName": service.principal,
        **{key: values[key] for key in service.keys},
    }


@dataclass(frozen=True)
class Principal:
    """Who makes a request: a role (its ARN) or a service principal (its name)."""

    account_id: str
    role_arn: str | None = None
    service: str | None = None

    def describe(self) -> str:
        if self.role_arn is None:
            return f"Service: {self.service}"
        # Assumption: AWS names the session of a service's role by the service; the session name is not
        # documented, the assumed-role ARN form is (IAM User Guide, "IAM identifiers").
        role_name = self.role_arn.rpartition("/")[2]
        partition = self.role_arn.split(":")[1]
        return f"User: arn:{partition}:sts::{self.account_id}:assumed-role/{role_name}/SageMaker"

    def context(self) -> dict[str, str]:
        if self.role_arn is None:
            return {}
        return {"aws:PrincipalArn": self.role_arn, "aws:PrincipalAccount": self.account_id}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    message: str = ""


ALLOWED = Decision(True)


@dataclass
class _Outcome:
    """What one policy document says about a request."""

    deny: bool = False
    allow: bool = False  # allowed for this principal (by name, or "*")
    allow_account: bool = False  # allowed for the account, i.e. left to its IAM policies


@functools.lru_cache(maxsize=4096)
def _wildcard(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    # AWS: IAM User Guide, "IAM JSON policy elements: Action" / "Resource" (``*`` and ``?`` wildcards;
    # action names are not case-sensitive).
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _any_match(patterns: Any, value: str, *, ignore_case: bool = False) -> bool:
    return any(_wildcard(p, ignore_case=ignore_case).match(value) for p in _as_list(patterns))


def _statement_applies(
    statement: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str]
) -> bool:
    if "NotAction" in statement:
        if _any_match(statement["NotAction"], action, ignore_case=True):
            return False
    elif not _any_match(statement.get("Action"), action, ignore_case=True):
        return False
    if "NotResource" in statement:
        if _any_match(statement["NotResource"], resource):
            return False
    # A trust policy's statements name no resource: they apply to the role they belong to.
    elif "Resource" in statement and not _any_match(statement["Resource"], resource):
        return False
    return conditions_match(statement.get("Condition") or {}, {**REQUEST_CONTEXT, **context})


def _principal_match(statement: Mapping[str, Any], principal: Principal) -> str | None:
    """``"direct"`` when the statement names the principal (or everyone), ``"account"`` when it names
    the principal's account, else ``None``."""
    named = statement.get("Principal")
    if named is None:
        return None
    if named == "*" or (isinstance(named, Mapping) and "*" in _as_list(named.get("AWS"))):
        return "direct"
    if not isinstance(named, Mapping):
        return None
    if principal.service is not None:
        return "direct" if principal.service in _as_list(named.get("Service")) else None
    accounts = {
        principal.account_id,
        f"arn:{_partition_of(principal.role_arn or '')}:iam::{principal.account_id}:root",
    }
    values = set(_as_list(named.get("AWS")))
    if principal.role_arn in values:
        return "direct"
    return "account" if values & accounts else None


def _statements(document: Any) -> list[Mapping[str, Any]]:
    if document is None or document == "":
        return []
    parsed = json.loads(document) if isinstance(document, (str, bytes)) else document
    statements = parsed.get("Statement", [])
    return list(statements) if isinstance(statements, list) else [statements]


def _evaluate(
    document: Any,
    action: str,
    resource: str,
    context: Mapping[str, str],
    principal: Principal | None = None,
) -> _Outcome:
    """Evaluate an identity-based policy (``principal`` None) or a resource-based one."""
    outcome = _Outcome()
    for statement in _statements(document):
        match = "direct" if principal is None else _principal_match(statement, principal)
        if match is None or not _statement_applies(statement, action, resource, context):
            continue
        if statement.get("Effect") == "Deny":
            outcome.deny = True
        elif match == "direct":
            outcome.allow = True
        else:
            outcome.allow_account = True
    return outcome


def _combine(outcomes: Sequence[_Outcome]) -> _Outcome:
    return _Outcome(
        deny=any(o.deny for o in outcomes),
        allow=any(o.allow for o in outcomes),
        allow_account=any(o.allow_account for o in outcomes),
    )


def _managed_document(policy: Any) -> str:
    return str(next(v.document for v in policy.versions if v.is_default))


def _role(account_id: str, role_arn: str) -> Any:
    backend = iam_backends[account_id][_partition_of(role_arn)]
    try:
        return backend.get_role_by_arn(role_arn)
    except Exception:  # moto's NotFoundException: the role does not exist
        return None


def _partition_of(arn: str) -> str:
    return arn.split(":")[1] if arn.count(":") >= 2 else "aws"


def _identity(principal: Principal, action: str, resource: str, context: Mapping[str, str]) -> _Outcome:
    """What the role's identity-based policies say; ``allow`` only within its permissions boundary."""
    role = _role(principal.account_id, principal.role_arn) if principal.role_arn else None
    if role is None:
        return _Outcome()
    documents = [*role.policies.values(), *(_managed_document(p) for p in role.managed_policies.values())]
    outcome = _combine([_evaluate(d, action, resource, context) for d in documents])
    if role.permissions_boundary_arn:
        # AWS: IAM User Guide, "Permissions boundaries for IAM entities": the effective permissions are
        # those both the identity-based policies and the boundary allow.
        backend = iam_backends[principal.account_id][_partition_of(role.permissions_boundary_arn)]
        boundary = backend.managed_policies.get(role.permissions_boundary_arn)
        bounded = (
            _evaluate(_managed_document(boundary), action, resource, context) if boundary else _Outcome()
        )
        outcome = _Outcome(deny=outcome.deny or bounded.deny, allow=outcome.allow and bounded.allow)
    return outcome


def _decide(
    principal: Principal, action: str, resource: str, granted: _Outcome, identity: _Outcome, *, key: bool
) -> Decision:
    """Combine what the resource-based policy (``granted``) and the identity-based policies (``identity``,
    its ``allow`` already within the permissions boundary) say. A key policy must allow the request
    itself or leave it to the account's IAM policies; any other resource policy adds to IAM."""
    if granted.allow_account and not key:
        granted = _Outcome(deny=granted.deny, allow=granted.allow)
    if granted.deny:
        reason = "with an explicit deny in a resource-based policy"
    elif identity.deny:
        reason = "with an explicit deny in an identity-based policy"
    elif granted.allow or (identity.allow and (granted.allow_account or not key)):
        return ALLOWED
    elif (key and not granted.allow_account) or principal.role_arn is None:
        reason = f"because no resource-based policy allows the {action} action"
    else:
        reason = f"because no identity-based policy allows the {action} action"
    return Decision(
        False,
        f"{principal.describe()} is not authorized to perform: {action} on resource: {resource} {reason}",
    )


def authorize(
    principal: Principal,
    action: str,
    resource: str,
    *,
    resource_policy: Any = None,
    context: Mapping[str, str] | None = None,
) -> Decision:
    """Authorize a request to a resource whose resource-based policy (if any) is ``resource_policy``."""
    request_context = {**principal.context(), **(context or {})}
    granted = _evaluate(resource_policy, action, resource, request_context, principal)
    identity = _identity(principal, action, resource, request_context)
    return _decide(principal, action, resource, granted, identity, key=False)


def authorize_key(
    principal: Principal, action: str, key_id: str, region: str, context: Mapping[str, str] | None = None
) -> Decision:
    """Authorize a KMS request on ``key_id`` (id, ARN or alias): the key policy must allow it."""
    backend = kms_backends[principal.account_id][region]
    try:
        key = backend.describe_key(key_id)
    except Exception:  # moto raises KeyError or NotFoundException for an unknown key or alias
        # AWS: AWS KMS API Reference, "Common Errors" (NotFoundException).
        return Decision(False, f"KMS.NotFoundException: Key '{key_id}' does not exist")
    request_context = {**principal.context(), **(context or {})}
    granted = _evaluate(key.policy, action, key.arn, request_context, principal)
    identity = _identity(principal, action, key.arn, request_context)
    return _decide(principal, action, key.arn, granted, identity, key=True)


def may_assume(account_id: str, role_arn: str, service: ServiceContext, values: Mapping[str, str]) -> bool:
    """Whether ``service`` may assume ``role_arn`` with the context it documents sending."""
    role = _role(account_id, role_arn)
    if role is None:
        return False
    principal = Principal(account_id, service=service.principal)
    context = service_request_context(service, values)
    outcome = _evaluate(role.assume_role_policy_document, "sts:AssumeRole", role_arn, context, principal)
    return outcome.allow and not outcome.deny


# --- S3 requests of a service acting with a customer's role ----------------------------------------

_acting_as: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("acting_as", default=None)


@contextlib.contextmanager
def acting_as(principal: Principal) -> Iterator[None]:
    """Every S3 request made inside the block (see :func:`s3_access`) is made as ``principal``."""
    token = _acting_as.set(principal)
    try:
        yield
    finally:
        _acting_as.reset(token)


def acting_principal() -> Principal:
    principal = _acting_as.get()
    if principal is None:
        raise RuntimeError("an S3 request of a service made outside acting_as(): whose permissions apply?")
    return principal


def _default_kms_key(bucket: Any) -> str | None:
    rule = (getattr(bucket, "encryption", None) or {}).get("Rule") or {}
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    return default.get("KMSMasterKeyID") if default.get("SSEAlgorithm") == "aws:kms" else None


def _s3_kms_context(principal: Principal, bucket: Any, key_name: str) -> dict[str, str]:
    partition = get_partition(bucket.region_name)
    rule = (getattr(bucket, "encryption", None) or {}).get("Rule") or {}
    bucket_key = str(rule.get("BucketKeyEnabled", "")).lower() == "true"
    # AWS: Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)" (encryption
    # context: the object's ARN, the bucket's with an S3 Bucket Key); AWS KMS Developer Guide, "AWS KMS
    # condition keys" (kms:ViaService, kms:CallerAccount),
    # https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    arn = f"arn:{partition}:s3:::{bucket.name}" + ("" if bucket_key else f"/{key_name}")
    return {
        "kms:EncryptionContext:aws:s3:arn": arn,
        "kms:ViaService": f"s3.{bucket.region_name}.amazonaws.com",
        "kms:CallerAccount": principal.account_id,
    }


def _s3_authorize(bucket: Any, key_name: str, action: str) -> Decision:
    resource = f"arn:{get_partition(bucket.region_name)}:s3:::{bucket.name}/{key_name}"
    return authorize(acting_principal(), action, resource, resource_policy=bucket.policy)


def _s3_key_use(bucket: Any, key_name: str, kms_action: str, kms_key_id: str | None) -> Decision:
    # An object under the AWS managed key (aws/s3, no key id) needs no KMS permission: that key's policy
    # lets every principal of the account use it through S3.
    if not kms_key_id:
        return ALLOWED
    principal = acting_principal()
    context = _s3_kms_context(principal, bucket, key_name)
    return authorize_key(principal, kms_action, kms_key_id, bucket.region_name, context)


def s3_read(bucket: Any, key_name: str) -> Decision:
    """Authorize ``GetObject`` of ``key_name`` in ``bucket`` by the principal of :func:`acting_as` (S3
    authorizes the request before it looks for the object)."""
    return _s3_authorize(bucket, key_name, "s3:GetObject")


def s3_decrypt(bucket: Any, obj: Any) -> Decision:
    """Authorize the decryption of ``obj`` (moto's object, once found) for the principal of
    :func:`acting_as`: ``kms:Decrypt`` on its SSE-KMS key."""
    key_id = obj.kms_key_id if obj.encryption == "aws:kms" else None
    return _s3_key_use(bucket, obj.name, "kms:Decrypt", key_id)


def s3_write(bucket: Any, key_name: str, kms_key_id: str | None) -> Decision:
    """Authorize ``PutObject`` of ``key_name`` (SSE-KMS with ``kms_key_id``, else the bucket's default
    encryption: ``kms:GenerateDataKey``) by the principal of :func:`acting_as`."""
    decision = _s3_authorize(bucket, key_name, "s3:PutObject")
    if not decision.allowed:
        return decision
    return _s3_key_use(bucket, key_name, "kms:GenerateDataKey", kms_key_id or _default_kms_key(bucket))


# --- EventBridge delivering to SQS queues ---------------------------------------------------------


def _queue_delivery(rule: Any, queue_name: str) -> Decision:
    """Whether EventBridge may put ``rule``'s event on the queue: its policy, and its key if it has one."""
    principal = Principal(rule.account_id, service=EVENTBRIDGE_SENDS_TO_QUEUE.principal)
    try:
        queue = sqs_backends[rule.account_id][rule.region_name].get_queue(queue_name)
    except Exception:  # moto's QueueDoesNotExist
        return Decision(False, f"SQS.QueueDoesNotExist: the queue {queue_name} does not exist")
    context = service_request_context(EVENTBRIDGE_SENDS_TO_QUEUE, {"aws:SourceArn": rule.arn})
    decision = authorize(
        principal, "sqs:SendMessage", queue.queue_arn, resource_policy=queue.policy, context=context
    )
    # moto sets the queue's attributes dynamically.
    key_id = getattr(queue, "kms_master_key_id", None)
    if not decision.allowed or not key_id:
        return decision
    key_context = service_request_context(EVENTBRIDGE_USES_QUEUE_KEY, {})
    # AWS: Amazon SQS Developer Guide, "Amazon SQS Key management": a producer of an encrypted queue needs
    # kms:GenerateDataKey and kms:Decrypt (which verifies a new data key).
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        decision = authorize_key(principal, action, key_id, rule.region_name, key_context)
        if not decision.allowed:
            break
    return decision


def _count(rule: Any, metric: str) -> None:
    # AWS: Amazon EventBridge User Guide, "Monitoring Amazon EventBridge" (AWS/Events metrics per
    # RuleName), https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
    cloudwatch_backends[rule.account_id][rule.region_name].put_metric_data(
        namespace="AWS/Events",
        metric_data=[
            {
                "MetricName": metric,
                "Value": 1,
                "Unit": "Count",
                "Dimensions": [{"Name": "RuleName", "Value": rule.name}],
            }
        ],
    )


def _undelivered(rule: Any, target: Mapping[str, Any], event: dict[str, Any], denied: Decision) -> None:
    """A delivery EventBridge may not make: counted, and sent to the target's dead-letter queue.

    AWS: Amazon EventBridge User Guide, "Event retry policy and using dead-letter queues": an event that
    fails for missing permissions is not retried but sent to the DLQ, if there is one, with the error,
    rule and target in its message attributes,
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
    """
    LOGGER.warning(
        "EventBridge rule %s could not deliver to %s: %s", rule.name, target["Arn"], denied.message
    )
    _count(rule, "FailedInvocations")
    dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
    if not dead_letter:
        return
    queue_name = dead_letter.rpartition(":")[2]
    if not _queue_delivery(rule, queue_name).allowed:
        _count(rule, "InvocationsFailedToBeSentToDLQ")
        return
    attributes = {
        "RULE_ARN": rule.arn,
        "TARGET_ARN": target["Arn"],
        # Assumption: the error code EventBridge gives a permission failure; the page names the attribute
        # ("Error Code") but lists no values.
        "ERROR_CODE": "NO_PERMISSIONS",
        "ERROR_MESSAGE": denied.message,
        "RETRY_ATTEMPTS": "0",
    }
    sqs_backends[rule.account_id][rule.region_name].send_message(
        queue_name=queue_name,
        message_body=json.dumps(event),
        message_attributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
    )
    _count(rule, "InvocationsSentToDLQ")


_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603 - install() must be idempotent per process
    if _installed:
        return
    _installed = True
    send_to_queue = Rule._send_to_sqs_queue

    def send_to_sqs_queue(
        self: Rule, resource_id: str, event: dict[str, Any], group_id: str | None = None
    ) -> None:
        decision = _queue_delivery(self, resource_id)
        if decision.allowed:
            send_to_queue(self, resource_id, event, group_id)
            return
        target = next(
            t
            for t in self.targets
            if t["Arn"].startswith("arn:") and t["Arn"].rpartition(":")[2] == resource_id
        )
        _undelivered(self, target, event, decision)

    patch(Rule, "_send_to_sqs_queue", send_to_sqs_queue)
