"""End to end in the emulator, every task type: uploads become exactly the expected Feature Store records.

S3 uploads reach the queue through EventBridge, the state machine runs in the emulator's Step Functions,
the functions run from the built package, and the emulator's simulated labelers (and reviewers) answer
from the hints in the objects' tags or the text's ``#key=value`` tokens.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from labeling_pipeline.config import Media, TaskType
from labeling_pipeline.ledger import ItemState
from tests.pipeline.stack import PipelineStack, StackSettings, Upload, png

pytestmark = pytest.mark.emulator

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c")


def deployed(emulator: Any, task_type: TaskType, **settings: Any) -> PipelineStack:
    return PipelineStack.deploy(emulator.url, StackSettings(task_type, **settings))


def uploads_for(stack: PipelineStack) -> list[tuple[Upload, int | None, str]]:
    """Three items with hinted labels: (upload, line, text) per item."""
    task = stack.settings.task_type
    if task.media is Media.IMAGE:
        labels = {
            TaskType.IMAGE_MULTI_LABEL_CLASSIFICATION: ["cat+dog", "bird", "dog+bird"],
        }.get(task, ["dog", "cat", "bird"])
        items: list[tuple[Upload, int | None, str]] = []
        for n, label in enumerate(labels):
            upload = stack.upload(
                f"photos/set {n}/ünï+cödé #{n}.png", png(64, 48), tags={"label": label, "confidence": "0.87"}
            )
            items.append((upload, None, ""))
        return items
    hints = {
        TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION: ["negative", "positive", "neutral"],
        TaskType.TEXT_MULTI_LABEL_CLASSIFICATION: ["sports+tech", "politics", "tech"],
        TaskType.NAMED_ENTITY_RECOGNITION: ["PERSON+LOCATION", "ORG", "LOCATION"],
    }[task]
    lines = [f'Alice visited "Paris" café {n} #label={hint} #confidence=0.87' for n, hint in enumerate(hints)]
    text = f"{lines[0]}\n{lines[1]}\n\n{lines[2]}\n"  # line 3 is empty: not an item
    upload = stack.upload("texts/reviews 2026+.txt", text.encode("utf-8"))
    return [(upload, 1, lines[0]), (upload, 2, lines[1]), (upload, 4, lines[2])]


def check_label(
    task: TaskType, record: dict[str, str], tags_or_text: str, categories: tuple[str, ...]
) -> None:
    hinted = re.search(r"label=([^ &]+)", tags_or_text)
    assert hinted is not None
    wanted = hinted.group(1).split("+")
    if task in (TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION, TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION):
        assert record["label"] == wanted[0]
    elif task in (TaskType.IMAGE_MULTI_LABEL_CLASSIFICATION, TaskType.TEXT_MULTI_LABEL_CLASSIFICATION):
        assert sorted(json.loads(record["label"])) == sorted(wanted)
    elif task is TaskType.IMAGE_BOUNDING_BOX:
        label = json.loads(record["label"])
        assert label["image_size"] == {"width": 64, "height": 48, "depth": 3}
        assert [(a["class_name"], a["class_id"]) for a in label["annotations"]] == [
            (name, categories.index(name)) for name in wanted
        ]
        for box in label["annotations"]:
            assert 0 <= box["left"] <= 64 - box["width"]
            assert 0 <= box["top"] <= 48 - box["height"]
            assert box["confidence"] == 0.87
    elif task is TaskType.IMAGE_SEMANTIC_SEGMENTATION:
        label = json.loads(record["label"])
        assert re.fullmatch(r"s3://.+/annotations/consolidated-annotation/output/\d+\.png", label["mask"])
        assert label["classes"] == [
            {"class_id": 0, "class_name": "BACKGROUND", "hex_color": "#ffffff"},
            *(
                {"class_id": i + 1, "class_name": c, "hex_color": PALETTE[i]}
                for i, c in enumerate(categories)
            ),
        ]
    else:
        words = record["source_text"].split(" ")
        offsets, position = [], 0
        for word in words[: len(wanted)]:
            offsets.append((position, position + len(word)))
            position += len(word) + 1
        assert json.loads(record["label"]) == {
            "entities": [
                {"label": name, "start_offset": start, "end_offset": end}
                for name, (start, end) in zip(wanted, offsets, strict=True)
            ]
        }


@pytest.mark.parametrize("verification", [False, True], ids=["labeling", "labeling+review"])
@pytest.mark.parametrize("task_type", list(TaskType))
def test_uploads_become_exactly_the_expected_records(
    emulator: Any, task_type: TaskType, verification: bool
) -> None:
    # Given a deployed pipeline and three uploaded items with hinted labels
    stack = deployed(emulator, task_type, verification=verification)
    stack.job_fault(count=2, delay_seconds=0)
    items = uploads_for(stack)
    stack.wait_for_queue(len({u.key for u, _, _ in items}))
    # When the state machine runs once
    result = stack.run()
    # Then it succeeds with a labeling job, and each item has exactly one record with the right features
    assert result.status == "SUCCEEDED", result.cause
    assert result.output is not None
    assert (result.output["outcome"], result.output["items"], result.output["labeled"]) == ("LABELED", 3, 3)
    assert (result.output["returned"], result.output["dead_lettered"]) == (0, 0)
    puts = stack.puts()
    assert len(puts) == 3
    records = stack.records([stack.record_id(u, line) for u, line, _ in items])
    assert len(records) == 3
    job = result.output["labeling_job"]
    categories = stack.settings.categories
    for upload, line, text in items:
        record = records[stack.record_id(upload, line)]
        hints = text if text else "&".join(f"{k}={v}" for k, v in _tags(stack, upload).items())
        check_label(task_type, record, hints, categories)
        assert {k: v for k, v in record.items() if k not in ("label", "event_time", "labeled_at")} == {
            "record_id": stack.record_id(upload, line),
            "source_ref": f"s3://{stack.upload_bucket}/{upload.key}",
            "source_version": upload.version_id,
            "line_number": str(line or 0),
            "source_text": text,
            "task_type": task_type.value,
            "confidence": "0.87",
            "labeling_job_name": f"labeling-job/{job}",
            "verification_outcome": "accepted" if verification else "not_verified",
        }
        assert TIME.match(record["event_time"])
        assert TIME.match(record["labeled_at"])
        uploaded = datetime.fromtimestamp(upload.uploaded_at, UTC)
        event_time = datetime.fromisoformat(record["event_time"].replace("Z", "+00:00"))
        assert abs((event_time - uploaded).total_seconds()) < 5
    # And nothing is left anywhere: queues empty, every item LABELED
    assert stack.queue_counts() == (0, 0)
    assert stack.drain_dlq() == []
    assert {i.state for i in stack.ledger_items()} == {ItemState.LABELED}


def _tags(stack: PipelineStack, upload: Upload) -> dict[str, str]:
    tags = stack.client("s3").get_object_tagging(
        Bucket=stack.upload_bucket, Key=upload.key, VersionId=upload.version_id
    )
    return {t["Key"]: t["Value"] for t in tags["TagSet"]}
