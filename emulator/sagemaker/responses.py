"""SageMaker Ground Truth for moto: private workforces, work teams and labeling jobs.

moto (5.2.5) implements none of these APIs. This extension adds them to moto's SageMaker backend
with botocore's request/response shapes, AWS's validation messages and the rules that matter to
an infrastructure-as-code user:

* Workforces: Create/Describe/Update/Delete/List; one per account and region; deletion refused
  (``ResourceInUse``) while work teams exist; a ``SubDomain`` of the real form
  ``<id>.labeling.<region>.sagemaker.aws``; Cognito (pool and app client must exist), OIDC, source IP
  (at most 10 CIDRs) and VPC configurations; ``ListTags`` refused for workforces, as AWS does.
* Work teams: Create/Describe/Update/Delete/List; members are groups of the workforce's own Cognito
  pool and client (the group must exist) or OIDC groups; notification topic; tags.
* Labeling jobs: Create (validated: name, role ARN form, work team, input manifest and categories
  in S3, built-in task type, label attribute rules, AWS limits), Describe, List,
  ListLabelingJobsForWorkteam, Stop, tags. *Simulated labelers* label a job's objects in sets of
  ``MaxConcurrentTaskCount``, ``EMULATOR_LABELING_DELAY_SECONDS`` per set (read at creation, default 3),
  each set within its availability window, on the emulator's clock (:mod:`emulator.core.clock`), and write a
  real Ground Truth output manifest (see :mod:`emulator.sagemaker.labelers`,
  :mod:`emulator.sagemaker.pacing` and :mod:`emulator.sagemaker.labeling_jobs`).

Faults (``emulator.core.control``): ``workforce`` (mode ``initializing``: the new workforce reports
``Initializing`` for its first ``describes`` DescribeWorkforce calls) and ``labeling_job`` (mode
``failed`` or ``zero_labeled``) are taken when the resource is created.
"""

from __future__ import annotations

from typing import Any

from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse

from emulator.core import clock
from emulator.sagemaker import labeling_jobs, workforces
from emulator.sagemaker import tags as sagemaker_tags
from emulator.sagemaker.models import LabelingJob, Workteam, state_of
from emulator.sagemaker.utils import Handler, response_method

OPERATIONS: dict[str, Handler] = {
    "CreateWorkforce": workforces.create_workforce,
    "DescribeWorkforce": workforces.describe_workforce,
    "UpdateWorkforce": workforces.update_workforce,
    "DeleteWorkforce": workforces.delete_workforce,
    "ListWorkforces": workforces.list_workforces,
    "CreateWorkteam": workforces.create_workteam,
    "DescribeWorkteam": workforces.describe_workteam,
    "UpdateWorkteam": workforces.update_workteam,
    "DeleteWorkteam": workforces.delete_workteam,
    "ListWorkteams": workforces.list_workteams,
    "CreateLabelingJob": labeling_jobs.create_labeling_job,
    "DescribeLabelingJob": labeling_jobs.describe_labeling_job,
    "ListLabelingJobs": labeling_jobs.list_labeling_jobs,
    "ListLabelingJobsForWorkteam": labeling_jobs.list_labeling_jobs_for_workteam,
    "StopLabelingJob": labeling_jobs.stop_labeling_job,
}


def _tagged_workteam(backend: Any, resource_id: str) -> Workteam:
    # Work team ARNs are "workteam/private-crowd/<name>".
    return workforces.workteam(backend, state_of(backend), resource_id.rpartition("/")[2])


def _tagged_job(backend: Any, resource_id: str) -> LabelingJob:
    for job in state_of(backend).jobs.values():
        if job.name.lower() == resource_id.lower():
            return job
    raise ValidationError(f"Could not find labeling-job with name {resource_id}")


def _untaggable_workforce(_backend: Any, _resource_id: str) -> Any:
    # What AWS answers to ListTags on a workforce ARN.
    raise ValidationError("Invalid resource type: workforce")


def install() -> None:
    """Add the Ground Truth operations to moto's SageMaker service (idempotent)."""
    if getattr(SageMakerModelBackend, "_emulator_groundtruth", False):
        return
    for operation, handler in OPERATIONS.items():
        method = response_method(operation, handler)
        setattr(SageMakerResponse, method.__name__, method)
    sagemaker_tags.install()
    clock.install()
    sagemaker_tags.register("workteam", _tagged_workteam)
    sagemaker_tags.register("labeling-job", _tagged_job)
    sagemaker_tags.register("workforce", _untaggable_workforce)
    setattr(SageMakerModelBackend, "_emulator_groundtruth", True)  # noqa: B010
