"""PIPELINE_CONFIG: a usable configuration parses; a broken one fails at cold start with every problem."""

from __future__ import annotations

import json
from typing import Any

import pytest

from labeling_pipeline.config import ConfigError, TaskType, load_config, parse_config
from tests.pipeline.harness import job_settings, pipeline_config


@pytest.mark.parametrize("task_type", list(TaskType))
@pytest.mark.parametrize("verification", [False, True])
def test_the_module_shaped_config_parses_for_every_task_type(task_type: TaskType, verification: bool) -> None:
    config = parse_config(json.dumps(pipeline_config(task_type, verification=verification)))
    assert config.task_type is task_type
    assert (config.verification is not None) is verification
    assert config.labeling.keywords == ("labeling",)


def broken(**changes: Any) -> str:
    config = pipeline_config(TaskType.IMAGE_BOUNDING_BOX, verification=True)
    for path, value in changes.items():
        target = config
        *parents, leaf = path.split("__")
        for parent in parents:
            target = target[parent]
        target[leaf] = value
    return json.dumps(config)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (broken(task_type="image_boxes"), "task_type 'image_boxes' is not one of"),
        (broken(upload_bucket=""), "upload_bucket must be a non-empty string"),
        (broken(max_attempts=0), "max_attempts must be an integer from 1 to 100"),
        (broken(max_attempts=True), "max_attempts must be an integer"),
        (
            broken(min_wait_seconds=600, max_wait_seconds=60),
            "min_wait_seconds must not exceed max_wait_seconds",
        ),
        (
            broken(labeling__workers_per_object=10),
            "labeling.workers_per_object must be an integer from 1 to 9",
        ),
        (broken(labeling__task_time_limit_seconds=10), "labeling.task_time_limit_seconds"),
        (
            broken(labeling__availability_lifetime_seconds=31 * 86400),
            "labeling.availability_lifetime_seconds",
        ),
        (broken(labeling__max_objects_per_job=100_001), "labeling.max_objects_per_job"),
        (broken(labeling__keywords=[]), "labeling.keywords must be a non-empty list"),
        (
            broken(labeling__human_task_ui_arn="arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/X"),
            "exactly one of",
        ),
        (broken(labeling__ui_template_s3_uri=None), "exactly one of"),
        (
            broken(labeling__categories_s3_uri="https://example.com/c.json"),
            "categories_s3_uri must be an s3:// URI",
        ),
        (broken(labeling__label_attribute_name="label-metadata"), "must not end with '-metadata'"),
        (broken(labeling__label_attribute_name="label-ref"), "must not end with '-ref'"),
        (
            broken(verification__label_attribute_name="label"),
            "must differ from labeling.label_attribute_name",
        ),
        (broken(labeling=None), "labeling must be an object"),
    ],
)
def test_an_invalid_config_names_the_problem(raw: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert message in str(error.value)


def test_semantic_segmentation_needs_a_ref_attribute_and_a_smaller_job() -> None:
    task = TaskType.IMAGE_SEMANTIC_SEGMENTATION
    config = pipeline_config(
        task, labeling=job_settings(task, label_attribute_name="mask", max_objects_per_job=50_000)
    )
    with pytest.raises(ConfigError) as error:
        parse_config(json.dumps(config))
    assert "must end with '-ref'" in str(error.value)
    assert "max_objects_per_job must be an integer from 1 to 20000" in str(error.value)


def test_segmentation_review_must_not_use_a_ref_attribute() -> None:
    task = TaskType.IMAGE_SEMANTIC_SEGMENTATION
    config = pipeline_config(task, verification=True)
    config["verification"]["label_attribute_name"] = "verification-ref"
    with pytest.raises(ConfigError) as error:
        parse_config(json.dumps(config))
    assert "verification.label_attribute_name must not end with '-ref'" in str(error.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(broken(upload_bucket="", max_attempts=0, labeling__workers_per_object=0))
    assert str(error.value).count(";") >= 2


def test_a_missing_variable_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIPELINE_CONFIG", raising=False)
    load_config.cache_clear()
    with pytest.raises(ConfigError, match="PIPELINE_CONFIG is not set"):
        load_config()
    load_config.cache_clear()
