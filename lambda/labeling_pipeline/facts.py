"""Facts shared with the Terraform module, read once at import from its data files.

The task-type table, the Feature Group's features and the limits both sides enforce live in
``modules/labeling_pipeline/data/*.json`` (its README names each value's source). The Lambda package
carries them in ``labeling_pipeline/data/`` (``scripts/package_lambda.py`` copies them there); in a
checkout they are read from the module itself, so no second copy exists to drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_PACKAGED = Path(__file__).with_name("data")
_CHECKOUT = Path(__file__).resolve().parents[2] / "modules" / "labeling_pipeline" / "data"
DATA_DIR = _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return document


@dataclass(frozen=True)
class TaskTypeFacts:
    """One task type as Ground Truth knows it (data/task_types.json)."""

    ground_truth_name: str
    verification_name: str | None
    builtin_verification: bool
    builtin_worker_ui: str | None
    media: str
    min_categories: int
    max_categories: int
    max_objects_per_job: int
    label_suffix: str
    default_keywords: tuple[str, ...]
    review_template: str


_TASKS = _load("task_types.json")
TASK_TYPES: dict[str, TaskTypeFacts] = {
    name: TaskTypeFacts(**{**task, "default_keywords": tuple(task["default_keywords"])})
    for name, task in _TASKS["task_types"].items()
}
#: Account that owns Ground Truth's PRE-/ACS- functions, per region.
GROUND_TRUTH_FUNCTION_ACCOUNTS: dict[str, str] = dict(_TASKS["ground_truth_function_accounts"])
#: Account that owns AWS's built-in worker UIs (the same in every region).
HUMAN_TASK_UI_ACCOUNT: str = _TASKS["human_task_ui_account"]

_FEATURES = _load("features.json")
#: The Feature Group's features in order, as (name, Feature Store type).
FEATURES: tuple[tuple[str, str], ...] = tuple((f["name"], f["type"]) for f in _FEATURES["features"])
RECORD_IDENTIFIER_FEATURE: str = _FEATURES["record_identifier_feature_name"]
EVENT_TIME_FEATURE: str = _FEATURES["event_time_feature_name"]

_LIMITS = _load("limits.json")
HISTORY_EVENTS_MAX: int = _LIMITS["step_functions"]["history_events_max"]
HISTORY_EVENTS_PER_POLL: int = _LIMITS["step_functions"]["history_events_per_poll"]
POLLS_PER_JOB: int = _LIMITS["step_functions"]["polls_per_job"]
MAX_FEATURE_STORE_CONCURRENCY: int = _LIMITS["feature_store"]["max_concurrency"]
_GROUND_TRUTH: dict[str, int] = _LIMITS["ground_truth"]
MAX_WORKERS_PER_OBJECT = _GROUND_TRUTH["max_workers_per_object"]
MIN_TASK_TIME_LIMIT_SECONDS = _GROUND_TRUTH["min_task_time_limit_seconds"]
MAX_TASK_TIME_LIMIT_SECONDS = _GROUND_TRUTH["max_task_time_limit_seconds"]
MIN_AVAILABILITY_SECONDS = _GROUND_TRUTH["min_availability_lifetime_seconds"]
MAX_AVAILABILITY_SECONDS = _GROUND_TRUTH["max_availability_lifetime_seconds"]
MAX_CONCURRENT_TASKS = _GROUND_TRUTH["max_concurrent_task_count"]
MAX_JOB_SECONDS = _GROUND_TRUTH["max_job_seconds"]
