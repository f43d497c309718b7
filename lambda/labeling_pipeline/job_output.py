"""Reading a job's output manifest (Ground Truth's format): its lines, and the label or verdict in each.

Real output varies: key order differs, metadata can carry confidences for classes outside the class map,
annotation lists can be empty, text arrives with escaped unicode, a verification answer may be the string
``"1"`` instead of the number, and an object nobody labeled has a ``failure-reason`` instead of a label.
Nothing here relies on position; every field is looked up by name and checked.

The Feature Store ``label`` per task type (JSON with sorted keys where structured):

- bounding box: ``{"image_size": {...}|null, "annotations": [{"class_id", "class_name", "left", "top",
  "width", "height", "confidence"}]}``
- semantic segmentation: ``{"mask": "s3://...png", "classes": [{"class_id", "class_name", "hex_color"}]}``
- single-label classification (image, text): the class name itself
- multi-label classification (image, text): a JSON list of class names
- named entity recognition: ``{"entities": [{"label", "start_offset", "end_offset"}]}`` (offsets into
  ``source_text`` exactly as Ground Truth reports them)

``confidence`` is the lowest confidence among the label's parts (a record passes a threshold only if all
its boxes, classes or entities do), or absent when the output carries none.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .config import TaskType
from .jsonlines import read_json_lines
from .model import event_time, item_id_of

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PASS_ANSWER = "pass"  # noqa: S105 - the reviewers' answer, not a password
FAIL_ANSWER = "fail"
#: The choices of a review job (its categories file says the same, see worker_ui.tf).
REVIEW_ANSWERS = (PASS_ANSWER, FAIL_ANSWER)
#: The metadata ``type`` Ground Truth gives a custom task's label (Output Data: custom labeling workflows).
CUSTOM_LABEL_TYPE = "groundtruth/custom"
#: The field of a custom review label that holds the consolidated answer, named as in built-in output.
ANSWER_FIELD = "class-name"


@dataclass(frozen=True)
class Label:
    value: str
    confidence: float | None
    labeled_at: str | None
    job_name: str | None
    proposed: str


@dataclass(frozen=True)
class NotLabeled:
    reason: str


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reason: str | None
    job_name: str | None


class MalformedLabelError(ValueError):
    """The label attribute is present but not in the shape its task type produces."""


def label_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _coordinate(value: Any) -> int | float | None:
    """A number as Ground Truth wrote it: 40 stays 40 (not 40.0), a numeric string becomes a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = _number(value)
    return int(number) if number is not None and isinstance(value, str) and number.is_integer() else number


def _index(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _lowest(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def _class_map(metadata: Mapping[str, Any]) -> dict[int, str]:
    raw = metadata.get("class-map")
    if not isinstance(raw, Mapping):
        return {}
    result: dict[int, str] = {}
    for key, name in raw.items():
        index = _index(key)
        if index is not None and isinstance(name, str):
            result[index] = name
    return result


def _failure(line: Mapping[str, Any], metadata: Mapping[str, Any]) -> str | None:
    for holder in (line, metadata):
        reason = holder.get("failure-reason")
        if reason:
            return str(reason)
    return None


# --- per task type ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Output:
    """The parts of one output line a task type's parser reads."""

    value: Any
    metadata: Mapping[str, Any]
    source_text: str

    def details(self, name: str, position: int) -> Mapping[str, Any]:
        """Entry ``position`` of a per-annotation metadata list (``objects``, ``entities``), or {}."""
        entries = self.metadata.get(name)
        entry = entries[position] if isinstance(entries, list) and position < len(entries) else None
        return entry if isinstance(entry, Mapping) else {}


@dataclass(frozen=True)
class _Parsed:
    label: str
    confidence: float | None
    proposed: str


def _bounding_box(out: _Output) -> _Parsed:
    boxes = out.value.get("annotations", []) if isinstance(out.value, Mapping) else None
    if not isinstance(boxes, list):
        raise MalformedLabelError("bounding box label needs an 'annotations' list")
    names = _class_map(out.metadata)
    annotations: list[dict[str, Any]] = []
    confidences: list[float | None] = []
    for position, box in enumerate(boxes):
        if not isinstance(box, Mapping):
            raise MalformedLabelError("bounding box annotation is not an object")
        class_id = _index(box.get("class_id"))
        confidence = _number(out.details("objects", position).get("confidence"))
        confidences.append(confidence)
        annotations.append(
            {
                "class_id": class_id,
                "class_name": names.get(class_id) if class_id is not None else None,
                **{edge: _coordinate(box.get(edge)) for edge in ("left", "top", "width", "height")},
                "confidence": confidence,
            }
        )
    sizes = out.value.get("image_size")
    size = sizes[0] if isinstance(sizes, list) and sizes and isinstance(sizes[0], Mapping) else None
    proposed = ", ".join(sorted({str(a["class_name"] or a["class_id"]) for a in annotations}))
    return _Parsed(
        label_json({"image_size": size, "annotations": annotations}),
        _lowest(confidences),
        proposed or "no objects",
    )


def _segmentation(out: _Output) -> _Parsed:
    if not isinstance(out.value, str) or not out.value.startswith("s3://"):
        raise MalformedLabelError("semantic segmentation label must be the s3:// URI of the mask")
    color_map = out.metadata.get("internal-color-map")
    entries = (
        sorted(color_map.items(), key=lambda kv: _index(kv[0]) or 0) if isinstance(color_map, Mapping) else []
    )
    classes: list[dict[str, Any]] = []
    confidences: list[float | None] = []
    for key, entry in entries:
        if isinstance(entry, Mapping):
            name = entry.get("class-name")
            classes.append({"class_id": _index(key), "class_name": name, "hex_color": entry.get("hex-color")})
            confidences.append(_number(entry.get("confidence")))
    confidence = _number(out.metadata.get("confidence"))
    names = [str(c["class_name"]) for c in classes if c["class_name"] and c["class_name"] != "BACKGROUND"]
    return _Parsed(
        label_json({"mask": out.value, "classes": classes}),
        confidence if confidence is not None else _lowest(confidences),
        ", ".join(names) or "background only",
    )


def _single_label(out: _Output) -> _Parsed:
    name = out.metadata.get("class-name")
    if not isinstance(name, str) or not name:
        index = _index(out.value)
        name = _class_map(out.metadata).get(index) if index is not None else None
    if not name:
        raise MalformedLabelError("classification label has neither 'class-name' nor a class-map entry")
    return _Parsed(name, _number(out.metadata.get("confidence")), name)


def _multi_label(out: _Output) -> _Parsed:
    if not isinstance(out.value, list):
        raise MalformedLabelError("multi-label classification label must be a list of class indexes")
    names = _class_map(out.metadata)
    raw_confidences = out.metadata.get("confidence-map")
    confidences: Mapping[str, Any] = raw_confidences if isinstance(raw_confidences, Mapping) else {}
    chosen: list[str] = []
    scores: list[float | None] = []
    for entry in out.value:
        index = _index(entry)
        if index is None or index not in names:
            raise MalformedLabelError(f"class index {entry!r} is not in the class map")
        chosen.append(names[index])
        # Only the chosen classes count; confidence-map may carry entries for others.
        scores.append(_number(confidences.get(str(index))))
    return _Parsed(label_json(chosen), _lowest(scores), ", ".join(chosen) or "none")


def _entities(out: _Output) -> _Parsed:
    annotations = out.value.get("annotations") if isinstance(out.value, Mapping) else None
    raw = annotations.get("entities", []) if isinstance(annotations, Mapping) else None
    if not isinstance(raw, list):
        raise MalformedLabelError("named entity label needs 'annotations.entities'")
    text = out.source_text
    # The worker UI counts positions in the browser (UTF-16 units); Python counts code points. They
    # differ only after characters outside the BMP, so offsets are kept exactly as Ground Truth wrote them.
    limit = len(text.encode("utf-16-le")) // 2
    entities: list[dict[str, Any]] = []
    scores: list[float | None] = []
    for position, entity in enumerate(raw):
        if not isinstance(entity, Mapping):
            raise MalformedLabelError("entity is not an object")
        start, end = _index(entity.get("startOffset")), _index(entity.get("endOffset"))
        if start is None or end is None or not 0 <= start <= end <= limit:
            raise MalformedLabelError(f"entity offsets {start}..{end} are outside the text")
        entities.append({"label": entity.get("label"), "start_offset": start, "end_offset": end})
        scores.append(_number(out.details("entities", position).get("confidence")))
    proposed = "; ".join(f"{text[e['start_offset'] : e['end_offset']]}: {e['label']}" for e in entities)
    return _Parsed(label_json({"entities": entities}), _lowest(scores), proposed or "no entities")


_PARSERS: dict[TaskType, Callable[[_Output], _Parsed]] = {
    TaskType.IMAGE_BOUNDING_BOX: _bounding_box,
    TaskType.IMAGE_SEMANTIC_SEGMENTATION: _segmentation,
    TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION: _single_label,
    TaskType.IMAGE_MULTI_LABEL_CLASSIFICATION: _multi_label,
    TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION: _single_label,
    TaskType.TEXT_MULTI_LABEL_CLASSIFICATION: _multi_label,
    TaskType.NAMED_ENTITY_RECOGNITION: _entities,
}


def _metadata(line: Mapping[str, Any], attribute: str) -> Mapping[str, Any]:
    metadata = line.get(f"{attribute}-metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def parse_label(line: Mapping[str, Any], task_type: TaskType, attribute: str) -> Label | NotLabeled:
    """The label of one output manifest line, or why the object has none."""
    metadata = _metadata(line, attribute)
    failure = _failure(line, metadata)
    if failure or attribute not in line:
        return NotLabeled(f"not labeled: {failure or 'the output has no label for this object'}")
    source = line.get("source")
    output = _Output(line[attribute], metadata, source if isinstance(source, str) else "")
    try:
        parsed = _PARSERS[task_type](output)
    except MalformedLabelError as error:
        return NotLabeled(f"unreadable label: {error}")
    job = metadata.get("job-name")
    return Label(
        value=parsed.label,
        confidence=parsed.confidence,
        labeled_at=event_time(metadata.get("creation-date")),
        job_name=job if isinstance(job, str) else None,
        proposed=parsed.proposed,
    )


def parse_verdict(line: Mapping[str, Any], attribute: str) -> Verdict:
    """A reviewer's answer: only an explicit ``pass`` accepts, anything else returns the item.

    Built-in verification reports the answer in the metadata's ``class-name``; our custom review's
    consolidation function returns it in the label itself (``{"class-name": ...}``), which Ground Truth
    writes as it is, with metadata of type ``groundtruth/custom``.
    """
    metadata = _metadata(line, attribute)
    job = metadata.get("job-name") if isinstance(metadata.get("job-name"), str) else None
    failure = _failure(line, metadata)
    if failure or attribute not in line:
        return Verdict(False, f"not reviewed: {failure or 'the review output has no answer'}", job)
    value = line[attribute]
    custom = metadata.get("type") == CUSTOM_LABEL_TYPE and isinstance(value, Mapping)
    answer = value.get(ANSWER_FIELD) if custom else metadata.get(ANSWER_FIELD)
    if answer == PASS_ANSWER:
        return Verdict(True, None, job)
    if isinstance(answer, str) and answer:
        return Verdict(False, f"rejected in review job {job or 'unknown'} (answer {answer!r})", job)
    return Verdict(False, f"review answer {line.get(attribute)!r} has no class-name", job)


def read_output(
    s3: S3Client, uri: str, unreadable: Callable[[int], None]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(item id, line) of every output line that names one of our items; ``unreadable(line number)`` is
    told of the others (not JSON, or without our item id)."""
    for number, value in read_json_lines(s3, uri):
        item = item_id_of(value) if isinstance(value, dict) else None
        if item is None:
            unreadable(number)
            continue
        yield item, value
