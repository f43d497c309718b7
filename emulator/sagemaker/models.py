"""What Ground Truth holds per account and region: workforces, work teams, labeling jobs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator.sagemaker import labelers
from emulator.sagemaker.pacing import Pace
from emulator.sagemaker.utils import now


@dataclass
class Workforce:
    name: str
    arn: str
    subdomain: str
    cognito_config: dict[str, Any] | None
    oidc_config: dict[str, Any] | None
    source_ip_config: dict[str, Any]
    vpc_config: dict[str, Any] | None
    ip_address_type: str
    tags: list[dict[str, str]]
    initializing_describes: int = 0
    created: datetime = field(default_factory=now)
    last_updated: datetime = field(default_factory=now)

    def view(self) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "WorkforceName": self.name,
            "WorkforceArn": self.arn,
            "LastUpdatedDate": self.last_updated,
            "SourceIpConfig": self.source_ip_config,
            "SubDomain": self.subdomain,
            "CreateDate": self.created,
            "Status": "Initializing" if self.initializing_describes > 0 else "Active",
            "IpAddressType": self.ip_address_type,
        }
        if self.cognito_config is not None:
            shape["CognitoConfig"] = self.cognito_config
        if self.oidc_config is not None:
            # The client secret is write-only: AWS never returns it.
            shape["OidcConfig"] = {k: v for k, v in self.oidc_config.items() if k != "ClientSecret"}
        if self.vpc_config is not None:
            shape["WorkforceVpcConfig"] = self.vpc_config
        return shape


@dataclass
class Workteam:
    name: str
    arn: str
    workforce_arn: str
    subdomain: str
    member_definitions: list[dict[str, Any]]
    description: str
    notification_configuration: dict[str, Any] | None
    worker_access_configuration: dict[str, Any] | None
    tags: list[dict[str, str]]
    created: datetime = field(default_factory=now)
    last_updated: datetime = field(default_factory=now)

    def view(self) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "WorkteamName": self.name,
            "MemberDefinitions": self.member_definitions,
            "WorkteamArn": self.arn,
            "WorkforceArn": self.workforce_arn,
            "ProductListingIds": [],
            "Description": self.description,
            "SubDomain": self.subdomain,
            "CreateDate": self.created,
            "LastUpdatedDate": self.last_updated,
        }
        if self.notification_configuration:
            shape["NotificationConfiguration"] = self.notification_configuration
        if self.worker_access_configuration:
            shape["WorkerAccessConfiguration"] = self.worker_access_configuration
        return shape


COUNTER_NAMES = ("TotalLabeled", "HumanLabeled", "MachineLabeled", "FailedNonRetryableError", "Unlabeled")


@dataclass
class LabelingJob:
    name: str
    arn: str
    request: dict[str, Any]
    task: labelers.TaskType
    categories: labelers.Categories
    workteam_arn: str
    job_reference_code: str
    pace: Pace
    fault: dict[str, Any] | None
    tags: list[dict[str, str]]
    status: str = "InProgress"
    # The manifest's objects (read when the job starts), the results of every set that has ended, and when
    # the set the workers have now was sent to them.
    lines: list[dict[str, Any]] | None = None
    results: list[labelers.ItemResult] = field(default_factory=list)
    released_at: float = 0.0
    # A stopped job reports "Stopping" once before "Stopped", as AWS's asynchronous stop does.
    stopping_reported: bool = False
    failure_reason: str | None = None
    output_uri: str | None = None
    counters: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTER_NAMES, 0))
    created: datetime = field(default_factory=now)
    last_modified: datetime = field(default_factory=now)

    def settle(self, status: str, failure_reason: str | None = None, at: datetime | None = None) -> None:
        """End in (or move to) ``status``, ``at`` the moment it happened (default: now)."""
        self.status = status
        self.failure_reason = failure_reason
        self.last_modified = at or now()

    def view(self) -> dict[str, Any]:
        shape: dict[str, Any] = {
            **{key: value for key, value in self.request.items() if key != "Tags"},
            "LabelingJobStatus": self.status,
            "LabelCounters": dict(self.counters),
            "CreationTime": self.created,
            "LastModifiedTime": self.last_modified,
            "JobReferenceCode": self.job_reference_code,
            "LabelingJobArn": self.arn,
            "Tags": self.tags,
        }
        if self.failure_reason is not None:
            shape["FailureReason"] = self.failure_reason
        if self.output_uri is not None:
            shape["LabelingJobOutput"] = {"OutputDatasetS3Uri": self.output_uri}
        return shape

    def summary(self) -> dict[str, Any]:
        view = self.view()
        human = self.request["HumanTaskConfig"]
        shape: dict[str, Any] = {
            key: view[key]
            for key in (
                "LabelingJobName",
                "LabelingJobArn",
                "CreationTime",
                "LastModifiedTime",
                "LabelingJobStatus",
                "LabelCounters",
                "FailureReason",
                "LabelingJobOutput",
                "InputConfig",
            )
            if key in view
        }
        shape["WorkteamArn"] = self.workteam_arn
        shape["PreHumanTaskLambdaArn"] = human.get("PreHumanTaskLambdaArn")
        consolidation = human.get("AnnotationConsolidationConfig") or {}
        shape["AnnotationConsolidationLambdaArn"] = consolidation.get("AnnotationConsolidationLambdaArn")
        return {key: value for key, value in shape.items() if value is not None}


@dataclass
class GroundTruthState:
    """Everything Ground Truth holds for one account and region."""

    workforces: dict[str, Workforce] = field(default_factory=dict)
    workteams: dict[str, Workteam] = field(default_factory=dict)
    jobs: dict[str, LabelingJob] = field(default_factory=dict)
    # Server mode serves requests on threads; a job must be finished exactly once.
    lock: threading.RLock = field(default_factory=threading.RLock)


def state_of(backend: Any) -> GroundTruthState:
    """The Ground Truth state kept on one moto SageMaker backend (reset with it)."""
    state = backend.__dict__.get("_emulator_groundtruth")
    if state is None:
        state = backend.__dict__.setdefault("_emulator_groundtruth", GroundTruthState())
    return state  # type: ignore[no-any-return]
