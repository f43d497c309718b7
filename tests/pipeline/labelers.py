"""Simulated workers for the unit tests: the output-manifest fields Ground Truth writes per task type."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from labeling_pipeline.config import TaskType

CREATED = "2026-02-03T04:05:06.789000"
LABELED_AT = "2026-02-03T04:05:06.789Z"

Decide = Callable[[Mapping[str, Any]], str]
"""Given an input manifest line: "label", "unlabeled" or (review jobs only) "reject"."""


def _metadata(job: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "job-name": f"labeling-job/{job}",
        "human-annotated": "yes",
        "creation-date": CREATED,
        **extra,
    }


def labeled_fields(task_type: TaskType, attribute: str, job: str, line: Mapping[str, Any]) -> dict[str, Any]:
    """What a worker's consolidated answer looks like for one object."""
    if task_type is TaskType.IMAGE_BOUNDING_BOX:
        return {
            attribute: {
                "image_size": [{"width": 640, "height": 480, "depth": 3}],
                "annotations": [{"class_id": 0, "left": 10, "top": 20, "width": 30, "height": 40}],
            },
            f"{attribute}-metadata": _metadata(
                job,
                "groundtruth/object-detection",
                objects=[{"confidence": 0.93}],
                **{"class-map": {"0": "cat"}},
            ),
        }
    if task_type is TaskType.IMAGE_SEMANTIC_SEGMENTATION:
        return {
            attribute: f"s3://pipe-output/jobs/{job}/annotations/consolidated-annotation/output/0.png",
            f"{attribute}-metadata": _metadata(
                job,
                "groundtruth/semantic-segmentation",
                confidence=0.81,
                **{
                    "internal-color-map": {
                        "0": {"class-name": "BACKGROUND", "hex-color": "#ffffff", "confidence": 0.9},
                        "1": {"class-name": "cat", "hex-color": "#2ca02c", "confidence": 0.81},
                    }
                },
            ),
        }
    if task_type in (TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION, TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION):
        kind = "image" if task_type.media.value == "image" else "text"
        return {
            attribute: 0,
            f"{attribute}-metadata": _metadata(
                job, f"groundtruth/{kind}-classification", confidence=0.88, **{"class-name": "cat"}
            ),
        }
    if task_type in (TaskType.IMAGE_MULTI_LABEL_CLASSIFICATION, TaskType.TEXT_MULTI_LABEL_CLASSIFICATION):
        kind = "image" if task_type.media.value == "image" else "text"
        return {
            attribute: [1, 0],
            f"{attribute}-metadata": _metadata(
                job,
                f"groundtruth/{kind}-classification-multilabel",
                **{"class-map": {"0": "cat", "1": "dog"}, "confidence-map": {"0": 0.9, "1": 0.75, "2": 0.1}},
            ),
        }
    text = str(line.get("source", ""))
    return {
        attribute: {
            "annotations": {
                "labels": [{"label": "PERSON"}],
                "entities": [
                    {"label": "PERSON", "startOffset": 0, "endOffset": len(text.split(" ", maxsplit=1)[0])}
                ],
            }
        },
        f"{attribute}-metadata": _metadata(job, "groundtruth/text-span", entities=[{"confidence": 0.66}]),
    }


def expected_label(task_type: TaskType, line_text: str = "") -> tuple[str, float]:
    """The Feature Store ``label`` and ``confidence`` the pipeline must write for ``labeled_fields``."""
    if task_type is TaskType.IMAGE_BOUNDING_BOX:
        box = {
            "class_id": 0,
            "class_name": "cat",
            "left": 10,
            "top": 20,
            "width": 30,
            "height": 40,
            "confidence": 0.93,
        }
        value: Any = {"image_size": {"width": 640, "height": 480, "depth": 3}, "annotations": [box]}
        confidence = 0.93
    elif task_type is TaskType.IMAGE_SEMANTIC_SEGMENTATION:
        return "", 0.81  # the mask URI contains the job name; tests compare the parsed JSON themselves
    elif task_type in (TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION, TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION):
        return "cat", 0.88
    elif task_type in (TaskType.IMAGE_MULTI_LABEL_CLASSIFICATION, TaskType.TEXT_MULTI_LABEL_CLASSIFICATION):
        value, confidence = ["dog", "cat"], 0.75
    else:
        first = line_text.split(" ", maxsplit=1)[0]
        value = {"entities": [{"label": "PERSON", "start_offset": 0, "end_offset": len(first)}]}
        confidence = 0.66
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False), confidence


def annotate(
    task_type: TaskType, attribute: str, job: str, decide: Decide
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The ``FakeGroundTruth.finish`` callback of a labeling job."""

    def answer(line: dict[str, Any]) -> dict[str, Any]:
        if decide(line) == "unlabeled":
            return {
                f"{attribute}-metadata": {"failure-reason": "ClientError: the task expired", "retry-count": 1}
            }
        return labeled_fields(task_type, attribute, job, line)

    return answer


def review(
    task_type: TaskType, attribute: str, job: str, decide: Decide
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The ``FakeGroundTruth.finish`` callback of a review job: pass, fail, or no answer.

    Built-in verification (bounding boxes, segmentation) answers in its metadata; the custom review of the
    other types answers with what our consolidation function returns, under metadata of type
    ``groundtruth/custom``.
    """

    def answer(line: dict[str, Any]) -> dict[str, Any]:
        verdict = decide(line)
        if verdict == "unlabeled":
            return {f"{attribute}-metadata": {"failure-reason": "ClientError: review expired"}}
        choice = "fail" if verdict == "reject" else "pass"
        if not task_type.builtin_verification:
            return {
                attribute: {"class-name": choice, "worker-answers": [choice]},
                f"{attribute}-metadata": {
                    "type": "groundtruth/custom",
                    "job-name": job,
                    "human-annotated": "yes",
                    "creation-date": CREATED,
                },
            }
        return {
            attribute: "0" if choice == "pass" else "1",
            f"{attribute}-metadata": _metadata(
                job, "groundtruth/label-verification", confidence=0.99, **{"class-name": choice}
            ),
        }

    return answer
