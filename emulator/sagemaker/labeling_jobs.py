"""Labeling jobs on moto's SageMaker backend, completed by the simulated labelers.

A job is validated when it is created. Its objects then go to the simulated workers in sets of
``MaxConcurrentTaskCount``, each set with its availability window, on the emulator's clock
(:mod:`emulator.sagemaker.pacing`): the workers need ``EMULATOR_LABELING_DELAY_SECONDS`` per set
(read at creation; default 3, 0 allowed). Each Describe, List or Stop plays the job forward to the
current time: the sets that have ended are labeled and counted in ``LabelCounters``; after the last
one the output manifest (and segmentation masks) is written to S3 and the job completes; a job still
open after 30 days fails. Every later call sees the same result.
"""

from __future__ import annotations

import json
import os
import string
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.utilities.utils import get_partition

from emulator.core import clock, control
from emulator.sagemaker import custom_workflow, labelers, manifest_limits, pacing
from emulator.sagemaker.models import GroundTruthState, LabelingJob, Workteam, state_of
from emulator.sagemaker.s3io import S3AccessError, as_role, read_s3, s3_object, s3_tags, write_s3
from emulator.sagemaker.utils import (
    check_execution_role,
    moment,
    name_contains,
    random_id,
    sagemaker_arn,
    sorted_page,
    with_token,
)
from emulator.sagemaker.workforces import no_workteam

DELAY_VARIABLE = "EMULATOR_LABELING_DELAY_SECONDS"
DEFAULT_DELAY_SECONDS = 3.0
# Ground Truth's limits for image and text task types on a private workforce.
MAX_TASK_TIME_LIMIT_SECONDS = 8 * 3600
MAX_AVAILABILITY_LIFETIME_SECONDS = 30 * 24 * 3600


class ManifestError(Exception):
    """The input manifest cannot be labeled; the message says why (it becomes the FailureReason)."""


def _environment_delay() -> float:
    raw = os.environ.get(DELAY_VARIABLE)
    if raw is None:
        return DEFAULT_DELAY_SECONDS
    try:
        delay = float(raw)
    except ValueError:
        delay = -1.0
    if delay < 0:
        raise ValidationError(
            f"The emulator setting {DELAY_VARIABLE}={raw!r} is not a number of seconds >= 0."
        )
    return delay


def _delay_seconds(fault: Mapping[str, Any] | None, environment_delay: float) -> float:
    """How long the simulated workers take per set: the fault's ``delay_seconds``, else the environment's."""
    if fault is not None and fault.get("delay_seconds") is not None:
        return float(fault["delay_seconds"])
    return environment_delay


def _job_task_type(backend: Any, human: Mapping[str, Any]) -> labelers.TaskType:
    pre_arn = human.get("PreHumanTaskLambdaArn")
    if not pre_arn:
        raise ValidationError("HumanTaskConfig.PreHumanTaskLambdaArn is required for built-in task types.")
    task = labelers.task_type_of(pre_arn)
    if task is None:
        raise ValidationError(
            f"The emulator simulates only built-in task types; {pre_arn} is not one of "
            f"PRE-{', PRE-'.join(labelers.TASK_TYPES)}."
        )
    account = labelers.GROUND_TRUTH_LAMBDA_ACCOUNTS.get(backend.region_name)
    partition = get_partition(backend.region_name)
    if account is not None:
        expected = f"arn:{partition}:lambda:{backend.region_name}:{account}:function:PRE-{task.name}"
        if pre_arn != expected:
            raise ValidationError(
                f"PreHumanTaskLambdaArn {pre_arn} is not valid in this region; use {expected}."
            )
    consolidation = (human.get("AnnotationConsolidationConfig") or {}).get("AnnotationConsolidationLambdaArn")
    if consolidation is None:
        raise ValidationError(
            "HumanTaskConfig.AnnotationConsolidationConfig is required for built-in task types."
        )
    if consolidation.rpartition(":function:")[2] != f"ACS-{task.name}" or (
        account is not None and f":{account}:" not in consolidation
    ):
        raise ValidationError(
            f"AnnotationConsolidationLambdaArn {consolidation} does not match PRE-{task.name}: "
            f"use the ACS-{task.name} function of the same account and region."
        )
    return task


def _check_label_attribute(task: labelers.TaskType, attribute: str) -> None:
    if attribute.endswith("-metadata"):
        raise ValidationError(f"LabelAttributeName {attribute} cannot end with -metadata.")
    if task.kind == "segmentation" and not attribute.endswith("-ref"):
        raise ValidationError(
            f"LabelAttributeName {attribute} must end with -ref for semantic segmentation labeling jobs."
        )
    if task.kind != "segmentation" and attribute.endswith("-ref"):
        raise ValidationError(
            f"LabelAttributeName {attribute} cannot end with -ref for {task.name} labeling jobs."
        )


def _check_human_task_limits(human: Mapping[str, Any]) -> None:
    if human["TaskTimeLimitInSeconds"] > MAX_TASK_TIME_LIMIT_SECONDS:
        raise ValidationError(
            f"TaskTimeLimitInSeconds must be at most {MAX_TASK_TIME_LIMIT_SECONDS} for image and text tasks."
        )
    lifetime = human.get("TaskAvailabilityLifetimeInSeconds")
    if lifetime is not None and lifetime > MAX_AVAILABILITY_LIFETIME_SECONDS:
        raise ValidationError(
            "TaskAvailabilityLifetimeInSeconds must be at most "
            f"{MAX_AVAILABILITY_LIFETIME_SECONDS} (30 days) for a private workforce."
        )
    ui = human["UiConfig"]
    if bool(ui.get("UiTemplateS3Uri")) == bool(ui.get("HumanTaskUiArn")):
        raise ValidationError("UiConfig needs exactly one of UiTemplateS3Uri and HumanTaskUiArn.")


# AWS: Amazon SageMaker API Reference, "UiConfig",
# https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UiConfig.html: named entity recognition jobs
# use HumanTaskUiArn arn:aws:sagemaker:<aws-region>:394669845002:human-task-ui/NamedEntityRecognition (only
# the region changes), every other built-in task type a worker task template (UiTemplateS3Uri).
# AWS: Amazon SageMaker Developer Guide, "Named Entity Recognition",
# https://docs.aws.amazon.com/sagemaker/latest/dg/sms-named-entity-recg.html, and CreateLabelingJob's
# LabelCategoryConfigS3Uri: such a job's worker instructions are the "instructions" ("shortInstruction",
# "fullInstruction") of its label category configuration file.
HUMAN_TASK_UI_ACCOUNT = "394669845002"
BUILTIN_WORKER_UIS = {"NamedEntityRecognition": "NamedEntityRecognition"}


def _check_worker_ui(backend: Any, params: Mapping[str, Any], task: labelers.TaskType) -> None:
    ui = params["HumanTaskConfig"]["UiConfig"]
    builtin = BUILTIN_WORKER_UIS.get(task.name)
    if builtin is None:
        if ui.get("HumanTaskUiArn"):
            raise ValidationError(
                f"PRE-{task.name} jobs take a worker task template (UiConfig.UiTemplateS3Uri), "
                "not HumanTaskUiArn."
            )
        return
    partition = get_partition(backend.region_name)
    expected = (
        f"arn:{partition}:sagemaker:{backend.region_name}:{HUMAN_TASK_UI_ACCOUNT}:human-task-ui/{builtin}"
    )
    if ui.get("UiTemplateS3Uri"):
        raise ValidationError(
            f"PRE-{task.name} jobs use AWS's built-in worker UI: set UiConfig.HumanTaskUiArn to {expected} "
            "instead of UiTemplateS3Uri."
        )
    if ui["HumanTaskUiArn"] != expected:
        raise ValidationError(
            f"HumanTaskUiArn {ui['HumanTaskUiArn']} is not the built-in UI of PRE-{task.name} in this "
            f"region; use {expected}."
        )
    try:
        document = json.loads(read_s3(backend, params["LabelCategoryConfigS3Uri"]))
    except (S3AccessError, KeyError, ValueError):
        return  # _job_categories reports a missing or unreadable file
    instructions = document.get("instructions") if isinstance(document, dict) else None
    if not isinstance(instructions, dict) or not all(
        isinstance(instructions.get(key), str) for key in ("shortInstruction", "fullInstruction")
    ):
        raise ValidationError(
            "A named entity recognition job takes its worker instructions from the label category "
            'configuration file: add "instructions": {"shortInstruction": ..., "fullInstruction": ...}.'
        )


def _job_categories(backend: Any, params: Mapping[str, Any], task: labelers.TaskType) -> labelers.Categories:
    """The categories the simulated workers choose from (a verification job's choices)."""
    uri = params.get("LabelCategoryConfigS3Uri")
    if not uri:
        raise ValidationError("LabelCategoryConfigS3Uri is required for built-in task types.")
    try:
        categories = labelers.parse_categories(read_s3(backend, uri))
    except S3AccessError as error:
        raise ValidationError(f"Cannot read the label category configuration file: {error}.") from error
    except labelers.CategoriesError as error:
        raise ValidationError(f"The label category configuration file {uri} is invalid: {error}.") from error
    if task.kind != "verification":
        return categories
    # A verification job's category file holds the original labels; the answers a worker can
    # give are the choices of the template's image classifier.
    template_uri = params["HumanTaskConfig"]["UiConfig"].get("UiTemplateS3Uri")
    template = read_s3(backend, template_uri).decode("utf-8", errors="replace") if template_uri else ""
    choices = labelers.verification_choices(template) or categories.names
    if len(choices) < 2:
        raise ValidationError(
            f"The emulator cannot simulate {task.name} answers: give the template's crowd-image-classifier a "
            "literal categories list with at least two choices (accept first, reject second)."
        )
    return labelers.Categories(tuple({"label": choice} for choice in choices))


def _job_workteam(state: GroundTruthState, arn: str) -> Workteam:
    for team in state.workteams.values():
        if team.arn == arn:
            return team
    raise no_workteam(arn)


def _check_simulated(params: Mapping[str, Any]) -> None:
    """Refuse what the simulated labelers cannot honour, rather than accept it and ignore it."""
    if params["InputConfig"]["DataSource"].get("S3DataSource") is None:
        raise ValidationError(
            "The emulator runs batch labeling jobs over an input manifest (S3DataSource); "
            "streaming jobs (SnsDataSource) are not simulated."
        )
    if params.get("LabelingJobAlgorithmsConfig"):
        raise ValidationError(
            "The emulator does not simulate automated data labeling (LabelingJobAlgorithmsConfig)."
        )
    if params.get("StoppingConditions"):
        raise ValidationError(
            "The emulator does not simulate StoppingConditions; its jobs label every object."
        )


def create_labeling_job(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    name = params["LabelingJobName"]
    human = params["HumanTaskConfig"]
    source = params["InputConfig"]["DataSource"]
    _check_simulated(params)
    check_execution_role(backend, params["RoleArn"])
    # A custom task's template is read with the job's execution role, as every other input of the job.
    with as_role(backend, params["RoleArn"]):
        task = custom_workflow.task_of(backend, params) or _job_task_type(backend, human)
    _check_label_attribute(task, params["LabelAttributeName"])
    _check_human_task_limits(human)
    environment_delay = _environment_delay()
    state = state_of(backend)
    # The job reads its manifest, template and categories with its execution role.
    with state.lock, as_role(backend, params["RoleArn"]):
        if any(job.name.lower() == name.lower() for job in state.jobs.values()):
            existing = job_named(backend, state, name)
            raise ResourceInUseException(
                "Job name must be unique within an AWS account and region, and a job with this name "
                f"already exists ({existing.arn})"
            )
        team = _job_workteam(state, human["WorkteamArn"])
        manifest = source["S3DataSource"]["ManifestS3Uri"]
        try:
            s3_object(backend, manifest)
        except S3AccessError as error:
            raise ValidationError(f"Cannot access the input manifest file: {error}.") from error
        if human["UiConfig"].get("UiTemplateS3Uri"):
            try:
                s3_object(backend, human["UiConfig"]["UiTemplateS3Uri"])
            except S3AccessError as error:
                raise ValidationError(f"Cannot access the worker task template: {error}.") from error
        categories = _job_categories(backend, params, task)
        _check_worker_ui(backend, params, task)
        fault = control.take("labeling_job", job_name=name)
        started = clock.now()
        job = LabelingJob(
            name=name,
            arn=sagemaker_arn(backend, f"labeling-job/{name.lower()}"),
            request=dict(params),
            task=task,
            categories=categories,
            workteam_arn=team.arn,
            job_reference_code=backend.account_id + random_id(16, string.ascii_letters + string.digits),
            pace=pacing.Pace.of(human, started, _delay_seconds(fault, environment_delay)),
            fault=fault,
            tags=list(params.get("Tags") or []),
            released_at=started,
            created=moment(started),
            last_modified=moment(started),
        )
        state.jobs[name] = job
    return {"LabelingJobArn": job.arn}


def _advance(backend: Any, job: LabelingJob) -> None:
    """Move ``job`` on to the emulator's current time (the caller holds the state lock)."""
    if job.status == "Stopping":
        if job.stopping_reported:
            job.settle("Stopped")
        job.stopping_reported = True
    elif job.status == "InProgress":
        with as_role(backend, job.request["RoleArn"]):
            _play_until(backend, job, clock.now())


def _play_until(backend: Any, job: LabelingJob, until: float) -> None:
    """Label the sets that ended by ``until``; complete the job after its last set, fail it at 30 days."""
    pace, fault = job.pace, job.fault or {}
    if fault.get("mode") == "failed":
        failed_at = pace.created_at + pace.work_seconds
        if until >= failed_at:
            reason = fault.get("failure_reason") or "ClientError: The labeling job failed (emulator fault)."
            job.settle("Failed", reason, moment(failed_at))
        return
    lines = job.lines
    if lines is None:
        try:
            lines = job.lines = _read_manifest(backend, job)
        except (S3AccessError, ManifestError) as error:
            job.settle("Failed", f"ClientError: {error}")
            return
    while job.status == "InProgress":
        end = pace.set_end(job.released_at)
        if end.at > pace.deadline:
            if until >= pace.deadline:
                job.settle("Failed", pacing.JOB_EXPIRED_REASON, moment(pace.deadline))
            return
        if end.at > until:
            return
        job.results += _label_set(backend, job, lines[len(job.results) :][: pace.set_size], end)
        job.counters = _counters(job.results)
        job.released_at = end.at
        job.last_modified = moment(end.at)
        if len(job.results) == len(lines):
            _finish(backend, job, end.at)


def _job_context(job: LabelingJob, at: float) -> labelers.JobContext:
    return labelers.JobContext(
        job_name=job.name,
        label_attribute=job.request["LabelAttributeName"],
        task=job.task,
        categories=job.categories,
        workers_per_object=job.request["HumanTaskConfig"]["NumberOfHumanWorkersPerDataObject"],
        creation_date=moment(at).replace(tzinfo=None).isoformat(timespec="microseconds"),
        output_prefix=_output_prefix(job),
    )


def _output_prefix(job: LabelingJob) -> str:
    return f"{job.request['OutputConfig']['S3OutputPath'].rstrip('/')}/{job.name}"


def _label_set(
    backend: Any, job: LabelingJob, lines: list[dict[str, Any]], end: pacing.SetEnd
) -> list[labelers.ItemResult]:
    """The results of the set of ``lines`` (the next objects after ``job.results``) that ended at ``end``."""
    context = _job_context(job, end.at)
    expired = (job.fault or {}).get("mode") == "zero_labeled"
    results = []
    for index, line in enumerate(lines, start=len(job.results)):
        result = (
            labelers.failed_item(line, context, labelers.EXPIRED_REASON, "unlabeled")
            if expired
            else custom_workflow.label(backend, job, line, index, context)
            if job.task is custom_workflow.CUSTOM_TASK
            else _label_line(backend, line, index, context)
        )
        if end.window_closed and result.outcome == "labeled":
            # The window closed before a worker submitted it: the task expired.
            result = labelers.failed_item(line, context, labelers.EXPIRED_REASON, "unlabeled")
        results.append(result)
    return results


def _counters(results: list[labelers.ItemResult]) -> dict[str, int]:
    labeled = sum(1 for result in results if result.outcome == "labeled")
    return {
        "TotalLabeled": labeled,
        "HumanLabeled": labeled,
        "MachineLabeled": 0,
        "FailedNonRetryableError": sum(1 for result in results if result.outcome == "failed"),
        "Unlabeled": sum(1 for result in results if result.outcome == "unlabeled"),
    }


def _finish(backend: Any, job: LabelingJob, at: float) -> None:
    """Write the output of every set and complete the job ``at`` the end of its last set."""
    output_uri = f"{_output_prefix(job)}/manifests/output/output.manifest"
    kms_key = job.request["OutputConfig"].get("KmsKeyId") or None
    try:
        for uri, body in ((uri, body) for result in job.results for uri, body in result.files.items()):
            write_s3(backend, uri, body, kms_key)
        manifest = "".join(json.dumps(result.line) + "\n" for result in job.results)
        write_s3(backend, output_uri, manifest.encode(), kms_key)
    except S3AccessError as error:
        job.settle("Failed", f"ClientError: {error}", moment(at))
        return
    job.output_uri = output_uri
    job.settle("Completed", at=moment(at))


def _read_manifest(backend: Any, job: LabelingJob) -> list[dict[str, Any]]:
    uri = job.request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"]
    try:
        text = read_s3(backend, uri).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ManifestError(f"the input manifest {uri} is not UTF-8 text") from error
    lines: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ManifestError(f"line {number} of the input manifest {uri} is not JSON: {error}") from error
        if not isinstance(line, dict) or not (
            isinstance(line.get("source-ref"), str) or isinstance(line.get("source"), str)
        ):
            raise ManifestError(f'line {number} of the input manifest {uri} has no "source-ref" or "source"')
        # Assumption: AWS documents the limits (see manifest_limits) but not the failure text; the job
        # fails as for any other unusable manifest, with a ClientError naming the line.
        too_large = manifest_limits.problem(raw, line)
        if too_large:
            raise ManifestError(f"line {number} of the input manifest {uri} {too_large}")
        lines.append(line)
    if not lines:
        raise ManifestError(f"the input manifest {uri} has no data objects")
    if len(lines) > job.task.max_objects:
        raise ManifestError(
            f"the input manifest {uri} has {len(lines)} objects; a {job.task.name} job takes at most "
            f"{job.task.max_objects}"
        )
    return lines


def _label_line(
    backend: Any, line: dict[str, Any], index: int, context: labelers.JobContext
) -> labelers.ItemResult:
    data: bytes | None = None
    if isinstance(line.get("source-ref"), str):
        try:
            obj = s3_object(backend, line["source-ref"])
        except S3AccessError as error:
            return labelers.failed_item(line, context, f"ClientError: The data object {error}.", "failed")
        data, raw_hints = bytes(obj.value), s3_tags(backend, obj)
    else:
        raw_hints = labelers.text_hints(line["source"])
    try:
        hints = labelers.parse_hints(raw_hints)
    except labelers.HintError as error:
        return labelers.failed_item(line, context, f"ClientError: Emulator {error}.", "failed")
    hints = custom_workflow.builtin_worker_hints(backend, context, line, hints)
    return labelers.label_item(line, index, hints, data, context)


def job_named(backend: Any, state: GroundTruthState, name: str) -> LabelingJob:
    # Job names are unique regardless of case, like the ARNs built from them.
    job = next((job for job in state.jobs.values() if job.name.lower() == name.lower()), None)
    if job is None:
        arn = sagemaker_arn(backend, f"labeling-job/{name.lower()}")
        raise ResourceNotFound(f"Could not find labeling job with name {name}: {arn}")
    return job


def describe_labeling_job(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    with state.lock:
        job = job_named(backend, state, params["LabelingJobName"])
        _advance(backend, job)
        return job.view()


def stop_labeling_job(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    with state.lock:
        job = job_named(backend, state, params["LabelingJobName"])
        _advance(backend, job)
        if job.status == "InProgress":
            job.settle("Stopping")
        elif job.status not in ("Stopping", "Stopped"):
            raise ValidationError(f"Labeling job {job.name} cannot be stopped: its status is {job.status}.")
    return {}


def _in_window(moment: datetime, params: Mapping[str, Any], after: str, before: str) -> bool:
    return (params.get(after) is None or moment > params[after]) and (
        params.get(before) is None or moment < params[before]
    )


def list_labeling_jobs(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    with state.lock:
        for job in state.jobs.values():
            _advance(backend, job)
        matching = [
            job
            for job in state.jobs.values()
            if name_contains(job.name, params)
            and (not params.get("StatusEquals") or job.status == params["StatusEquals"])
            and _in_window(job.created, params, "CreationTimeAfter", "CreationTimeBefore")
            and _in_window(job.last_modified, params, "LastModifiedTimeAfter", "LastModifiedTimeBefore")
        ]
        page, token = sorted_page(
            matching,
            params,
            {"CreationTime": lambda j: j.created, "Name": lambda j: j.name, "Status": lambda j: j.status},
        )
        return with_token({"LabelingJobSummaryList": [job.summary() for job in page]}, token)


def list_labeling_jobs_for_workteam(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    with state.lock:
        arn = params["WorkteamArn"]
        if not any(team.arn == arn for team in state.workteams.values()):
            raise ResourceNotFound(f"The work team {arn} does not exist.")
        fragment = params.get("JobReferenceCodeContains") or ""
        matching = []
        for job in state.jobs.values():
            _advance(backend, job)
            if (
                job.workteam_arn == arn
                and fragment in job.job_reference_code
                and _in_window(job.created, params, "CreationTimeAfter", "CreationTimeBefore")
            ):
                matching.append(job)
        page, token = sorted_page(matching, params, {"CreationTime": lambda j: j.created})
        summaries = [
            {
                "LabelingJobName": job.name,
                "JobReferenceCode": job.job_reference_code,
                "WorkRequesterAccountId": backend.account_id,
                "CreationTime": job.created,
                "LabelCounters": {
                    "HumanLabeled": job.counters["HumanLabeled"],
                    "PendingHuman": _object_count(backend, job) if job.status == "InProgress" else 0,
                    "Total": _object_count(backend, job),
                },
                "NumberOfHumanWorkersPerDataObject": job.request["HumanTaskConfig"][
                    "NumberOfHumanWorkersPerDataObject"
                ],
            }
            for job in page
        ]
        return with_token({"LabelingJobSummaryList": summaries}, token)


def _object_count(backend: Any, job: LabelingJob) -> int:
    """The number of data objects of ``job`` (0 when its manifest cannot be read any more)."""
    if job.lines is not None:
        return len(job.lines)
    try:
        with as_role(backend, job.request["RoleArn"]):
            return len(_read_manifest(backend, job))
    except (S3AccessError, ManifestError):
        return 0
