"""Output manifest parsing: by field, tolerant of what real Ground Truth output looks like."""

from __future__ import annotations

import json
from typing import Any

import pytest

from labeling_pipeline.config import TaskType
from labeling_pipeline.job_output import Label, NotLabeled, parse_label, parse_verdict
from labeling_pipeline.model import event_time


def parsed(line: dict[str, Any], task_type: TaskType, attribute: str = "label") -> Label:
    result = parse_label(line, task_type, attribute)
    assert isinstance(result, Label), result
    return result


def test_bounding_boxes_become_named_boxes_with_the_lowest_confidence() -> None:
    # Given a bounding-box output line with keys out of the usual order
    line = {
        "label-metadata": {
            "objects": [{"confidence": 0.91}, {"confidence": 0.62}],
            "class-map": {"1": "dog", "0": "cat"},
            "type": "groundtruth/object-detection",
            "human-annotated": "yes",
            "creation-date": "2026-01-02T03:04:05.123456",
            "job-name": "labeling-job/pipe-abc-lbl",
        },
        "label": {
            "annotations": [
                {"class_id": 0, "width": 80, "top": 10, "height": 50, "left": 5},
                {"class_id": 1, "left": 100, "top": 20, "width": 40, "height": 30},
            ],
            "image_size": [{"width": 640, "height": 480, "depth": 3}],
        },
        "source-ref": "s3://b/k.png",
    }
    # When it is parsed
    label = parsed(line, TaskType.IMAGE_BOUNDING_BOX)
    # Then the label is JSON with class names, the confidence the lowest box's, the time in UTC
    assert json.loads(label.value) == {
        "image_size": {"width": 640, "height": 480, "depth": 3},
        "annotations": [
            {
                "class_id": 0,
                "class_name": "cat",
                "left": 5,
                "top": 10,
                "width": 80,
                "height": 50,
                "confidence": 0.91,
            },
            {
                "class_id": 1,
                "class_name": "dog",
                "left": 100,
                "top": 20,
                "width": 40,
                "height": 30,
                "confidence": 0.62,
            },
        ],
    }
    assert label.confidence == 0.62
    assert label.labeled_at == "2026-01-02T03:04:05.123Z"
    assert label.job_name == "labeling-job/pipe-abc-lbl"
    assert label.proposed == "cat, dog"


def test_an_empty_box_list_is_a_label_without_confidence() -> None:
    line = {
        "source-ref": "s3://b/k.png",
        "label": {"annotations": [], "image_size": []},
        "label-metadata": {"objects": []},
    }
    label = parsed(line, TaskType.IMAGE_BOUNDING_BOX)
    assert json.loads(label.value) == {"image_size": None, "annotations": []}
    assert label.confidence is None
    assert label.proposed == "no objects"


def test_semantic_segmentation_keeps_the_mask_and_the_color_map() -> None:
    line = {
        "source-ref": "s3://b/k.png",
        "label-ref": "s3://out/jobs/j/annotations/consolidated-annotation/output/0_2026.png",
        "label-ref-metadata": {
            "internal-color-map": {
                "1": {"class-name": "road", "hex-color": "#2ca02c", "confidence": 0.8},
                "0": {"class-name": "BACKGROUND", "hex-color": "#ffffff", "confidence": 0.9},
            },
            "type": "groundtruth/semantic-segmentation",
            "creation-date": "2026-01-02T03:04:05Z",
        },
    }
    label = parsed(line, TaskType.IMAGE_SEMANTIC_SEGMENTATION, "label-ref")
    assert json.loads(label.value) == {
        "mask": "s3://out/jobs/j/annotations/consolidated-annotation/output/0_2026.png",
        "classes": [
            {"class_id": 0, "class_name": "BACKGROUND", "hex_color": "#ffffff"},
            {"class_id": 1, "class_name": "road", "hex_color": "#2ca02c"},
        ],
    }
    assert label.confidence == 0.8
    assert label.proposed == "road"


@pytest.mark.parametrize(
    "task_type", [TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION, TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION]
)
def test_single_label_is_the_class_name(task_type: TaskType) -> None:
    line = {
        "label": 1,
        "label-metadata": {"class-name": "dog", "confidence": 0.87, "class-map": {"0": "cat", "1": "dog"}},
    }
    label = parsed(line, task_type)
    assert (label.value, label.confidence, label.proposed) == ("dog", 0.87, "dog")


def test_single_label_without_class_name_uses_the_class_map() -> None:
    line = {"label": "0", "label-metadata": {"class-map": {"0": "cat"}, "confidence": "0.5"}}
    label = parsed(line, TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION)
    assert (label.value, label.confidence) == ("cat", 0.5)


@pytest.mark.parametrize(
    "task_type", [TaskType.IMAGE_MULTI_LABEL_CLASSIFICATION, TaskType.TEXT_MULTI_LABEL_CLASSIFICATION]
)
def test_multi_label_ignores_confidences_of_classes_not_chosen(task_type: TaskType) -> None:
    # Given a confidence map with an entry for a class that is not in the label (and not in the class map)
    line = {
        "label-metadata": {
            "confidence-map": {"0": 0.95, "2": 0.7, "7": 0.01},
            "class-map": {"2": "outdoor", "0": "cat"},
            "type": "groundtruth/image-classification-multilabel",
        },
        "label": [2, 0],
    }
    label = parsed(line, task_type)
    assert json.loads(label.value) == ["outdoor", "cat"]
    assert label.confidence == 0.7


def test_multi_label_with_no_class_chosen_is_an_empty_list() -> None:
    label = parsed(
        {"label": [], "label-metadata": {"class-map": {}, "confidence-map": {}}},
        TaskType.TEXT_MULTI_LABEL_CLASSIFICATION,
    )
    assert (label.value, label.confidence, label.proposed) == ("[]", None, "none")


def test_named_entities_keep_their_offsets_in_text_with_escaped_unicode() -> None:
    # Given a NER line read from JSON with escaped unicode in the text
    raw = (
        '{"source": "Zo\\u00eb flew to M\\u00fcnchen \\ud83d\\ude80", "label-metadata": {"entities": '
        '[{"confidence": 0.8}, {"confidence": 0.6}], "job-name": "j", "type": "groundtruth/text-span"}, '
        '"label": {"annotations": {"labels": [{"label": "PERSON"}, {"label": "LOC"}], "entities": '
        '[{"label": "PERSON", "startOffset": 0, "endOffset": 3}, '
        '{"label": "LOC", "startOffset": 12, "endOffset": 19}]}}}'
    )
    label = parsed(json.loads(raw), TaskType.NAMED_ENTITY_RECOGNITION)
    assert json.loads(label.value) == {
        "entities": [
            {"label": "PERSON", "start_offset": 0, "end_offset": 3},
            {"label": "LOC", "start_offset": 12, "end_offset": 19},
        ]
    }
    assert label.confidence == 0.6
    assert label.proposed == "Zoë: PERSON; München: LOC"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            {
                "source-ref": "s3://b/k",
                "label-metadata": {"failure-reason": "ClientError: annotation timed out", "retry-count": 1},
            },
            "annotation timed out",
        ),
        ({"source-ref": "s3://b/k", "failure-reason": "no worker answered"}, "no worker answered"),
        ({"source-ref": "s3://b/k"}, "no label"),
        ({"label": "not-a-list", "label-metadata": {}}, "unreadable label"),
    ],
)
def test_objects_without_a_usable_label_say_why(line: dict[str, Any], reason: str) -> None:
    result = parse_label(line, TaskType.IMAGE_MULTI_LABEL_CLASSIFICATION, "label")
    assert isinstance(result, NotLabeled)
    assert reason in result.reason


def test_entity_offsets_outside_the_text_are_unreadable() -> None:
    line = {
        "source": "short",
        "label": {"annotations": {"entities": [{"label": "X", "startOffset": 2, "endOffset": 99}]}},
    }
    result = parse_label(line, TaskType.NAMED_ENTITY_RECOGNITION, "label")
    assert isinstance(result, NotLabeled)


@pytest.mark.parametrize(
    ("value", "metadata", "accepted"),
    [
        ("0", {"class-name": "pass", "type": "groundtruth/label-verification"}, True),
        (0, {"class-name": "pass", "type": "groundtruth/image-classification"}, True),
        ("1", {"class-name": "fail", "type": "groundtruth/label-verification"}, False),
        (1, {"class-name": "bad", "worker-feedback": [{"comment": "box too wide"}]}, False),
        ("0", {}, False),
    ],
)
def test_only_an_explicit_pass_accepts_a_label(value: Any, metadata: dict[str, Any], accepted: bool) -> None:
    verdict = parse_verdict({"verification": value, "verification-metadata": metadata}, "verification")
    assert verdict.accepted is accepted
    assert (verdict.reason is None) is accepted


def test_an_unreviewed_item_is_not_accepted() -> None:
    verdict = parse_verdict({"verification-metadata": {"failure-reason": "expired"}}, "verification")
    assert not verdict.accepted
    assert verdict.reason == "not reviewed: expired"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2018-10-18T22:18:13.527256", "2018-10-18T22:18:13.527Z"),
        ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05.000Z"),
        ("2026-01-02T05:04:05+02:00", "2026-01-02T03:04:05.000Z"),
        ("yesterday", None),
        (None, None),
    ],
)
def test_creation_dates_become_feature_store_timestamps(raw: Any, iso: str | None) -> None:
    assert event_time(raw) == iso
