"""The pipeline's configuration: one JSON object in ``PIPELINE_CONFIG``, parsed and checked at cold start.

The Terraform module builds the object with ``jsonencode`` from its typed, validated inputs; parsing it
again here means a hand-edited or drifted environment fails at the first invocation with every problem
listed, instead of half-way through a batch.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from . import facts
from .facts import (
    MAX_AVAILABILITY_SECONDS,
    MAX_CONCURRENT_TASKS,
    MAX_FEATURE_STORE_CONCURRENCY,
    MAX_TASK_TIME_LIMIT_SECONDS,
    MAX_WORKERS_PER_OBJECT,
    MIN_AVAILABILITY_SECONDS,
    MIN_TASK_TIME_LIMIT_SECONDS,
)

CONFIG_VARIABLE = "PIPELINE_CONFIG"


class ConfigError(ValueError):
    """PIPELINE_CONFIG is missing or does not describe a usable pipeline."""


class Media(StrEnum):
    IMAGE = "image"
    TEXT = "text"


class TaskType(StrEnum):
    """The seven built-in Ground Truth task types the module supports."""

    IMAGE_BOUNDING_BOX = "image_bounding_box"
    IMAGE_SEMANTIC_SEGMENTATION = "image_semantic_segmentation"
    IMAGE_SINGLE_LABEL_CLASSIFICATION = "image_single_label_classification"
    IMAGE_MULTI_LABEL_CLASSIFICATION = "image_multi_label_classification"
    TEXT_SINGLE_LABEL_CLASSIFICATION = "text_single_label_classification"
    TEXT_MULTI_LABEL_CLASSIFICATION = "text_multi_label_classification"
    NAMED_ENTITY_RECOGNITION = "named_entity_recognition"

    @property
    def spec(self) -> facts.TaskTypeFacts:
        """What data/task_types.json of the module says about this type (the module reads the same file)."""
        return facts.TASK_TYPES[self.value]

    @property
    def media(self) -> Media:
        return Media(self.spec.media)

    @property
    def builtin_verification(self) -> bool:
        """Whether Ground Truth verifies this type's labels itself; the other types are reviewed by a
        custom task with our own pre-annotation and consolidation functions."""
        return self.spec.builtin_verification

    @property
    def max_objects_per_job(self) -> int:
        return self.spec.max_objects_per_job


@dataclass(frozen=True)
class JobSettings:
    """How one kind of job (labeling, or the verification/review that follows it) is created."""

    workteam_arn: str
    title: str
    description: str
    keywords: tuple[str, ...]
    label_attribute_name: str
    categories_s3_uri: str
    ui_template_s3_uri: str | None
    human_task_ui_arn: str | None
    pre_annotation_lambda_arn: str
    consolidation_lambda_arn: str
    workers_per_object: int
    task_time_limit_seconds: int
    availability_lifetime_seconds: int
    max_concurrent_task_count: int
    max_objects_per_job: int


@dataclass(frozen=True)
class PipelineConfig:
    name: str
    task_type: TaskType
    upload_bucket: str
    upload_queue_url: str
    dead_letter_queue_url: str
    output_bucket: str
    ledger_table: str
    feature_group_name: str
    kms_key_arn: str | None
    sagemaker_role_arn: str
    max_attempts: int
    min_wait_seconds: int
    max_wait_seconds: int
    feature_store_concurrency: int
    labeling: JobSettings
    verification: JobSettings | None


class _Reader:
    """Reads typed fields from a JSON object and collects every problem instead of stopping at the first."""

    def __init__(self, data: Mapping[str, Any], path: str, problems: list[str]) -> None:
        self._data = data
        self._path = path
        self._problems = problems

    def _where(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def text(self, key: str) -> str:
        value = self._data.get(key)
        if not isinstance(value, str) or not value.strip():
            self._problems.append(f"{self._where(key)} must be a non-empty string")
            return ""
        return value

    def optional_text(self, key: str) -> str | None:
        value = self._data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self._problems.append(f"{self._where(key)} must be a non-empty string or null")
            return None
        return value

    def integer(self, key: str, low: int, high: int) -> int:
        value = self._data.get(key)
        # bool is an int subclass; a JSON true must not pass as 1.
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self._problems.append(f"{self._where(key)} must be an integer from {low} to {high}")
            return low
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._data.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            self._problems.append(f"{self._where(key)} must be a non-empty list of non-empty strings")
            return ()
        return tuple(value)

    def mapping(self, key: str, *, optional: bool = False) -> Mapping[str, Any] | None:
        value = self._data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, Mapping):
            self._problems.append(f"{self._where(key)} must be an object")
            return None
        return value


def _job_settings(
    data: Mapping[str, Any],
    path: str,
    task_type: TaskType,
    problems: list[str],
    *,
    verification: bool = False,
) -> JobSettings:
    read = _Reader(data, path, problems)
    settings = JobSettings(
        workteam_arn=read.text("workteam_arn"),
        title=read.text("title"),
        description=read.text("description"),
        keywords=read.texts("keywords"),
        label_attribute_name=read.text("label_attribute_name"),
        categories_s3_uri=read.text("categories_s3_uri"),
        ui_template_s3_uri=read.optional_text("ui_template_s3_uri"),
        human_task_ui_arn=read.optional_text("human_task_ui_arn"),
        pre_annotation_lambda_arn=read.text("pre_annotation_lambda_arn"),
        consolidation_lambda_arn=read.text("consolidation_lambda_arn"),
        workers_per_object=read.integer("workers_per_object", 1, MAX_WORKERS_PER_OBJECT),
        task_time_limit_seconds=read.integer(
            "task_time_limit_seconds", MIN_TASK_TIME_LIMIT_SECONDS, MAX_TASK_TIME_LIMIT_SECONDS
        ),
        availability_lifetime_seconds=read.integer(
            "availability_lifetime_seconds", MIN_AVAILABILITY_SECONDS, MAX_AVAILABILITY_SECONDS
        ),
        max_concurrent_task_count=read.integer("max_concurrent_task_count", 1, MAX_CONCURRENT_TASKS),
        max_objects_per_job=read.integer("max_objects_per_job", 1, task_type.max_objects_per_job),
    )
    if (settings.ui_template_s3_uri is None) == (settings.human_task_ui_arn is None):
        problems.append(f"{path}: exactly one of ui_template_s3_uri and human_task_ui_arn must be set")
    for field in ("categories_s3_uri", "ui_template_s3_uri"):
        value = getattr(settings, field)
        if value and not value.startswith("s3://"):
            problems.append(f"{path}.{field} must be an s3:// URI")
    attribute = settings.label_attribute_name
    if attribute.endswith("-metadata"):
        problems.append(f"{path}.label_attribute_name must not end with '-metadata'")
    # CreateLabelingJob: SemanticSegmentation's attribute must end in -ref, every other type's must not,
    # and so must not VerificationSemanticSegmentation's (the API reference's one exception).
    needs_ref = task_type is TaskType.IMAGE_SEMANTIC_SEGMENTATION and not verification
    if attribute and attribute.endswith("-ref") != needs_ref:
        rule = "must" if needs_ref else "must not"
        problems.append(f"{path}.label_attribute_name {rule} end with '-ref' for {task_type} ({path} job)")
    return settings


def parse_config(raw: str) -> PipelineConfig:
    """Parse and check the PIPELINE_CONFIG document; raise ConfigError listing every problem."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{CONFIG_VARIABLE} is not valid JSON: {error}") from error
    if not isinstance(data, Mapping):
        raise ConfigError(f"{CONFIG_VARIABLE} must be a JSON object")
    problems: list[str] = []
    read = _Reader(data, "", problems)
    task_name = data.get("task_type")
    try:
        task_type = TaskType(str(task_name))
    except ValueError:
        supported = ", ".join(t.value for t in TaskType)
        raise ConfigError(f"task_type {task_name!r} is not one of: {supported}") from None
    labeling_data = read.mapping("labeling")
    verification_data = read.mapping("verification", optional=True)
    labeling = _job_settings(labeling_data or {}, "labeling", task_type, problems)
    verification = (
        _job_settings(verification_data, "verification", task_type, problems, verification=True)
        if verification_data
        else None
    )
    if verification and verification.label_attribute_name == labeling.label_attribute_name:
        problems.append(
            "verification.label_attribute_name must differ from labeling.label_attribute_name "
            "(Ground Truth requires a new attribute for a chained job)"
        )
    config = PipelineConfig(
        name=read.text("name"),
        task_type=task_type,
        upload_bucket=read.text("upload_bucket"),
        upload_queue_url=read.text("upload_queue_url"),
        dead_letter_queue_url=read.text("dead_letter_queue_url"),
        output_bucket=read.text("output_bucket"),
        ledger_table=read.text("ledger_table"),
        feature_group_name=read.text("feature_group_name"),
        kms_key_arn=read.optional_text("kms_key_arn"),
        sagemaker_role_arn=read.text("sagemaker_role_arn"),
        max_attempts=read.integer("max_attempts", 1, 100),
        min_wait_seconds=read.integer("min_wait_seconds", 1, 86_400),
        max_wait_seconds=read.integer("max_wait_seconds", 1, 86_400),
        feature_store_concurrency=read.integer("feature_store_concurrency", 1, MAX_FEATURE_STORE_CONCURRENCY),
        labeling=labeling,
        verification=verification,
    )
    if config.min_wait_seconds > config.max_wait_seconds:
        problems.append("min_wait_seconds must not exceed max_wait_seconds")
    if problems:
        raise ConfigError(f"{CONFIG_VARIABLE} is invalid: " + "; ".join(problems))
    return config


@cache
def load_config() -> PipelineConfig:
    """The configuration of this function, read once per execution environment."""
    raw = os.environ.get(CONFIG_VARIABLE)
    if raw is None:
        raise ConfigError(f"environment variable {CONFIG_VARIABLE} is not set")
    return parse_config(raw)
