"""An environment's labeling pipelines, found through the SSM parameters each one publishes.

`modules/labeling_pipeline` (ssm.tf) publishes under `/private-labeling/<env>/pipeline/<name>`:
upload-bucket-name, output-bucket-name, feature-group-name, state-machine-arn and upload-queue-url, and
dashboard-url while its dashboard is on (dashboard.tf).
What it does not publish is derived the way the module names it: the dead-letter queue is the upload
queue's RedrivePolicy target, and the ledger table is "<state machine name>-ledger" (main.tf:
`state_machine_name = var.name`, `ledger_table_name = "${var.name}-ledger"`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from labeling_cli.common.errors import ConfigError
from labeling_cli.common.ssm import env_prefix

COMPONENT = "pipeline"  # the SSM path component: /private-labeling/<env>/pipeline/<name>
PARAM_UPLOAD_QUEUE_URL = "upload-queue-url"
PARAM_STATE_MACHINE_ARN = "state-machine-arn"
PARAM_DASHBOARD_URL = "dashboard-url"
REQUIRED = (PARAM_UPLOAD_QUEUE_URL, PARAM_STATE_MACHINE_ARN)


@dataclass(frozen=True)
class Pipeline:
    name: str
    upload_queue_url: str
    state_machine_arn: str
    dashboard_url: str | None = None

    @property
    def state_machine_name(self) -> str:
        return self.state_machine_arn.rsplit(":", 1)[-1]

    @property
    def ledger_table(self) -> str:
        return f"{self.state_machine_name}-ledger"


@dataclass(frozen=True)
class Queues:
    """The pipeline's two queues, as URLs and ARNs (a message-move task names queues by ARN)."""

    upload_url: str
    upload_arn: str
    dead_letter_url: str
    dead_letter_arn: str


def _parameters_by_path(ssm: Any, path: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=path, Recursive=True):
        found.update({p["Name"]: p["Value"] for p in page.get("Parameters", [])})
    return found


def discover(ssm: Any, env: str, only: str | None) -> list[Pipeline]:
    """The environment's pipelines by name (or the one named `only`); ConfigError if there are none."""
    root = env_prefix(env, COMPONENT)
    by_name: dict[str, dict[str, str]] = {}
    for name, value in _parameters_by_path(ssm, root).items():
        pipeline, _, parameter = name.removeprefix(root + "/").partition("/")
        if parameter:
            by_name.setdefault(pipeline, {})[parameter] = value
    if not by_name:
        raise ConfigError(
            f"no pipelines under {root}: is modules/labeling_pipeline applied for environment '{env}' "
            "in this account and region?"
        )
    if only is not None and only not in by_name:
        raise ConfigError(
            f"no pipeline '{only}' in environment '{env}' (its pipelines: {', '.join(sorted(by_name))})"
        )
    pipelines = []
    for name in sorted(by_name) if only is None else [only]:
        parameters = by_name[name]
        missing = [p for p in REQUIRED if p not in parameters]
        if missing:
            raise ConfigError(f"SSM parameters missing under {root}/{name}: {', '.join(missing)}")
        pipelines.append(
            Pipeline(
                name=name,
                upload_queue_url=parameters[PARAM_UPLOAD_QUEUE_URL],
                state_machine_arn=parameters[PARAM_STATE_MACHINE_ARN],
                dashboard_url=parameters.get(PARAM_DASHBOARD_URL),
            )
        )
    return pipelines


def queues_of(pipeline: Pipeline, sqs: Any) -> Queues:
    """The upload queue and its dead-letter queue (the RedrivePolicy target)."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=pipeline.upload_queue_url, AttributeNames=["QueueArn", "RedrivePolicy"]
    )["Attributes"]
    policy = json.loads(attributes.get("RedrivePolicy") or "{}")
    dead_letter_arn = policy.get("deadLetterTargetArn")
    if not dead_letter_arn:
        raise ConfigError(f"pipeline '{pipeline.name}': the upload queue has no dead-letter queue")
    name, account = dead_letter_arn.rsplit(":", 1)[-1], dead_letter_arn.split(":")[4]
    dead_letter_url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    return Queues(pipeline.upload_queue_url, attributes["QueueArn"], dead_letter_url, dead_letter_arn)
