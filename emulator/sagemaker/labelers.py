"""Simulated Ground Truth labelers: deterministic labels in Ground Truth's real output format.

Each built-in task type is recognised by its pre-annotation Lambda (``PRE-BoundingBox``...). An
item's label comes from *hints* the test author attaches to it, so a test can assert exact output:

* ``source-ref`` items: the S3 object's tags; ``source`` (text) items: ``#key=value`` tokens.
* ``label``: category name(s), separated by ``,`` or ``+`` (S3 tag values cannot hold commas) for
  multi-label; default: the first category.
* ``outcome``: ``unlabeled`` (no label, a ``failure-reason``) or ``reject`` (a verification or
  review job rejects the item: it gets the job's second category).
* ``confidence``: a number in [0, 1] reported as the label's confidence.

Output lines follow the documented formats: the input line unchanged plus ``<attribute>`` and
``<attribute>-metadata`` (``job-name`` ``labeling-job/<name>``, ``type``, ``human-annotated``,
``creation-date``, confidences, class names); unlabeled items carry ``failure-reason`` inside
the metadata instead of a label.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from emulator.sagemaker.images import MAX_MASK_SIDE, Box, ImageSize, image_size, mask_png

Kind = Literal[
    "classification", "multilabel", "bounding_box", "segmentation", "entities", "verification", "custom"
]
Outcome = Literal["labeled", "unlabeled", "failed"]

# Size reported for an image whose header is not PNG, JPEG or GIF (for example a test's fake bytes).
FALLBACK_IMAGE_SIZE = ImageSize(width=100, height=100, depth=3)
# Ground Truth's colour for unlabeled pixels, then a palette for the categories in order.
BACKGROUND = ("BACKGROUND", "#ffffff")
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
EXPIRED_REASON = "ClientError: Annotation tasks expired. No worker labeled this data object in time."
_HINT_TOKEN = re.compile(r"(?<!\S)#([A-Za-z][A-Za-z0-9_-]*)=(\S+)")
_WORD = re.compile(r"\S+")
# S3 tag values cannot hold commas, so "+" separates labels as well.
_LABEL_SEPARATOR = re.compile(r"[,+]")
OUTCOMES = ("unlabeled", "reject")


@dataclass(frozen=True)
class TaskType:
    """A built-in Ground Truth task type as the emulator simulates it."""

    name: str
    output_type: str
    kind: Kind
    media: Literal["image", "text"]
    max_objects: int = 100_000


TASK_TYPES: dict[str, TaskType] = {
    task.name: task
    for task in (
        TaskType("BoundingBox", "groundtruth/object-detection", "bounding_box", "image"),
        TaskType(
            "SemanticSegmentation", "groundtruth/semantic-segmentation", "segmentation", "image", 20_000
        ),
        TaskType("ImageMultiClass", "groundtruth/image-classification", "classification", "image"),
        TaskType(
            "ImageMultiClassMultiLabel", "groundtruth/image-classification-multilabel", "multilabel", "image"
        ),
        TaskType("TextMultiClass", "groundtruth/text-classification", "classification", "text"),
        TaskType(
            "TextMultiClassMultiLabel", "groundtruth/text-classification-multilabel", "multilabel", "text"
        ),
        TaskType("NamedEntityRecognition", "groundtruth/text-span", "entities", "text"),
        TaskType("VerificationBoundingBox", "groundtruth/label-verification", "verification", "image"),
        TaskType(
            "VerificationSemanticSegmentation", "groundtruth/label-verification", "verification", "image"
        ),
    )
}

# The account that owns the PRE-/ACS- functions of each region (AWS's documented list).
GROUND_TRUTH_LAMBDA_ACCOUNTS = {
    "us-east-1": "432418664414",
    "us-east-2": "266458841044",
    "us-west-2": "081040173940",
    "ca-central-1": "918755190332",
    "eu-west-1": "568282634449",
    "eu-west-2": "487402164563",
    "eu-central-1": "203001061592",
    "ap-northeast-1": "477331159723",
    "ap-northeast-2": "845288260483",
    "ap-south-1": "565803892007",
    "ap-southeast-1": "377565633583",
    "ap-southeast-2": "454466003867",
}


class CategoriesError(ValueError):
    """The label category configuration file is not Ground Truth's format."""


@dataclass(frozen=True)
class Categories:
    """The ``labels`` of a label category configuration file, in order."""

    labels: tuple[Mapping[str, str], ...]

    @property
    def names(self) -> list[str]:
        return [entry["label"] for entry in self.labels]


def parse_categories(data: bytes) -> Categories:
    """Parse Ground Truth's categories JSON (``{"document-version": ..., "labels": [{"label": ...}]}``)."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CategoriesError(f"it is not valid JSON ({error})") from error
    labels = document.get("labels") if isinstance(document, dict) else None
    if not isinstance(labels, list) or not labels:
        raise CategoriesError('it needs a non-empty "labels" list')
    entries: list[Mapping[str, str]] = []
    for position, entry in enumerate(labels, start=1):
        name = entry.get("label") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            raise CategoriesError(f'label {position} needs a non-empty string "label"')
        kept = {"label": name}
        if isinstance(entry.get("shortDisplayName"), str):
            kept["shortDisplayName"] = entry["shortDisplayName"]
        entries.append(kept)
    names = [entry["label"] for entry in entries]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise CategoriesError(f"label names must be unique, repeated: {', '.join(duplicates)}")
    return Categories(tuple(entries))


_CLASSIFIER_TAG = re.compile(r"<crowd-image-classifier\b(?P<body>.*?)</crowd-image-classifier>", re.S)
_CATEGORIES_ATTRIBUTE = re.compile(r"""\bcategories\s*=\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)')""")


def verification_choices(template: str) -> list[str] | None:
    """The literal ``categories`` list of a template's ``crowd-image-classifier``, or None.

    A verification worker answers with one of these choices; Ground Truth reports the chosen one's
    index and name. Choices built by Liquid at run time cannot be known here.
    """
    tag = _CLASSIFIER_TAG.search(template)
    attribute = _CATEGORIES_ATTRIBUTE.search(tag.group("body")) if tag else None
    if attribute is None:
        return None
    literal = (
        attribute.group("double") if attribute.group("double") is not None else attribute.group("single")
    )
    try:
        choices = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return None
    if not isinstance(choices, list) or not all(isinstance(c, str) and c for c in choices):
        return None
    return choices


def task_type_of(pre_human_task_lambda_arn: str) -> TaskType | None:
    """The built-in task type named by a ``PRE-<Type>`` function ARN, or None."""
    function_name = pre_human_task_lambda_arn.rpartition(":function:")[2]
    if not function_name.startswith("PRE-"):
        return None
    return TASK_TYPES.get(function_name.removeprefix("PRE-"))


@dataclass(frozen=True)
class Hints:
    """What a test author asked the simulated labelers to do with one item."""

    labels: tuple[str, ...] = ()
    outcome: str | None = None
    confidence: float | None = None


class HintError(ValueError):
    """A hint the labelers cannot act on (reported as the item's failure reason)."""


def text_hints(text: str) -> dict[str, str]:
    """``#key=value`` tokens of a text item (the last one wins for a repeated key)."""
    return {key: value for key, value in _HINT_TOKEN.findall(text)}


def parse_hints(raw: Mapping[str, str]) -> Hints:
    """Hints from object tags or text tokens; unknown keys are the author's own and are ignored."""
    labels = tuple(part.strip() for part in _LABEL_SEPARATOR.split(raw.get("label", "")) if part.strip())
    outcome = raw.get("outcome")
    if outcome is not None and outcome not in OUTCOMES:
        raise HintError(f"unknown hint outcome={outcome!r}; expected one of {', '.join(OUTCOMES)}")
    confidence = None
    if "confidence" in raw:
        try:
            confidence = float(raw["confidence"])
        except ValueError:
            confidence = -1.0
        if not 0.0 <= confidence <= 1.0:
            raise HintError(f"hint confidence={raw['confidence']!r} is not a number between 0 and 1")
    return Hints(labels=labels, outcome=outcome, confidence=confidence)


@dataclass(frozen=True)
class JobContext:
    """What every item of one labeling job shares."""

    job_name: str
    label_attribute: str
    task: TaskType
    categories: Categories
    workers_per_object: int
    creation_date: str
    output_prefix: str  # s3://bucket/prefix/<job name>


@dataclass
class ItemResult:
    """One output manifest line and what it counts as; ``files`` are extra objects to write."""

    line: dict[str, Any]
    outcome: Outcome
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    """One manifest line being labeled: its position, hints, source bytes and confidence."""

    line: Mapping[str, Any]
    index: int
    hints: Hints
    data: bytes | None
    confidence: float


# A labeler's answer: the label value, its metadata, and extra objects to write (masks).
Labeled = tuple[Any, dict[str, Any], dict[str, bytes]]


def failed_item(line: Mapping[str, Any], context: JobContext, reason: str, outcome: Outcome) -> ItemResult:
    """The input line with a ``failure-reason`` in place of a label."""
    output = {key: value for key, value in line.items() if key != context.label_attribute}
    output[f"{context.label_attribute}-metadata"] = {
        "failure-reason": reason,
        "job-name": f"labeling-job/{context.job_name}",
    }
    return ItemResult(output, outcome)


def label_item(
    line: Mapping[str, Any], index: int, hints: Hints, data: bytes | None, context: JobContext
) -> ItemResult:
    """Label one manifest line the way a worker following ``hints`` would."""
    if hints.outcome == "unlabeled":
        return failed_item(line, context, EXPIRED_REASON, "unlabeled")
    item = Item(line, index, hints, data, _confidence(hints, context.workers_per_object))
    value, metadata, files = _LABELERS[context.task.kind](item, context)
    output = dict(line)
    output[context.label_attribute] = value
    output[f"{context.label_attribute}-metadata"] = {
        **metadata,
        "type": context.task.output_type,
        "job-name": f"labeling-job/{context.job_name}",
        "human-annotated": "yes",
        "creation-date": context.creation_date,
    }
    return ItemResult(output, "labeled", files)


def _confidence(hints: Hints, workers: int) -> float:
    # Ground Truth reports 0.00 when one worker labels each object; consolidation of several
    # workers yields a score that grows with agreement, here with the number of workers.
    if hints.confidence is not None:
        return hints.confidence
    return 0.0 if workers <= 1 else round(1 - 0.5**workers, 2)


def _hinted(hints: Hints, categories: Categories) -> list[str]:
    names = categories.names
    return list(dict.fromkeys(label for label in hints.labels if label in names))


def _single_class(hints: Hints, categories: Categories) -> int:
    names = categories.names
    hinted = _hinted(hints, categories)
    if hinted:
        return names.index(hinted[0])
    # A review job's categories (e.g. pass/fail) never name the item's own label: there
    # `reject` picks the category that is not the first.
    if hints.outcome == "reject" and len(names) > 1:
        return 1
    return 0


def _classification(item: Item, context: JobContext) -> Labeled:
    chosen = _single_class(item.hints, context.categories)
    return chosen, {"class-name": context.categories.names[chosen], "confidence": item.confidence}, {}


def _multilabel(item: Item, context: JobContext) -> Labeled:
    names = context.categories.names
    chosen = [names.index(label) for label in _hinted(item.hints, context.categories)] or [0]
    metadata = {
        "class-map": {str(position): names[position] for position in chosen},
        "confidence-map": {str(position): item.confidence for position in chosen},
    }
    return chosen, metadata, {}


def _box(source: str, ordinal: int, size: ImageSize) -> Box:
    """A box inside the image, the same every time for the same source and ordinal."""
    digest = hashlib.sha256(f"{source}#{ordinal}".encode()).digest()
    quarter_w, quarter_h = max(1, size.width // 4), max(1, size.height // 4)
    width = min(size.width, quarter_w + digest[0] % quarter_w) or 1
    height = min(size.height, quarter_h + digest[1] % quarter_h) or 1
    left = int.from_bytes(digest[2:4], "big") % max(1, size.width - width + 1)
    top = int.from_bytes(digest[4:6], "big") % max(1, size.height - height + 1)
    return Box(left, top, width, height)


def _source(line: Mapping[str, Any]) -> str:
    return str(line.get("source-ref", line.get("source", "")))


def _classes(hints: Hints, categories: Categories) -> list[str]:
    return _hinted(hints, categories) or [categories.names[0]]


def _bounding_boxes(item: Item, context: JobContext) -> Labeled:
    size = (image_size(item.data) if item.data else None) or FALLBACK_IMAGE_SIZE
    names = context.categories.names
    classes = _classes(item.hints, context.categories)
    annotations = []
    for ordinal, name in enumerate(classes):
        box = _box(_source(item.line), ordinal, size)
        annotations.append(
            {
                "class_id": names.index(name),
                "left": box.left,
                "top": box.top,
                "width": box.width,
                "height": box.height,
            }
        )
    value = {
        "image_size": [{"width": size.width, "height": size.height, "depth": size.depth}],
        "annotations": annotations,
    }
    metadata = {
        "objects": [{"confidence": item.confidence} for _ in annotations],
        "class-map": {str(names.index(name)): name for name in classes},
    }
    return value, metadata, {}


def _segmentation(item: Item, context: JobContext) -> Labeled:
    size = (image_size(item.data) if item.data else None) or FALLBACK_IMAGE_SIZE
    size = ImageSize(min(size.width, MAX_MASK_SIDE), min(size.height, MAX_MASK_SIDE), 3)
    names = context.categories.names
    regions = [
        (_box(_source(item.line), ordinal, size), PALETTE[names.index(name) % len(PALETTE)])
        for ordinal, name in enumerate(_classes(item.hints, context.categories))
    ]
    key = f"{context.output_prefix}/annotations/consolidated-annotation/output/{item.index}.png"
    color_map = {
        "0": {"class-name": BACKGROUND[0], "confidence": item.confidence, "hex-color": BACKGROUND[1]}
    }
    for position, name in enumerate(names, start=1):
        color_map[str(position)] = {
            "class-name": name,
            "confidence": item.confidence,
            "hex-color": PALETTE[(position - 1) % len(PALETTE)],
        }
    files = {key: mask_png(size, regions, BACKGROUND[1])}
    return key, {"internal-color-map": color_map}, files


def _entities(item: Item, context: JobContext) -> Labeled:
    text = (
        item.line["source"] if "source" in item.line else (item.data or b"").decode("utf-8", errors="replace")
    )
    hint_spans = {match.span() for match in _HINT_TOKEN.finditer(text)}
    words = [match.span() for match in _WORD.finditer(text) if match.span() not in hint_spans]
    entities = [
        {"label": label, "startOffset": start, "endOffset": end}
        for label, (start, end) in zip(_classes(item.hints, context.categories), words, strict=False)
    ]
    value = {
        "annotations": {"labels": [dict(entry) for entry in context.categories.labels], "entities": entities}
    }
    return value, {"entities": [{"confidence": item.confidence} for _ in entities]}, {}


def _verification(item: Item, context: JobContext) -> Labeled:
    chosen = 1 if item.hints.outcome == "reject" else 0
    # Verification output carries the category index as a string, unlike classification.
    return str(chosen), {"class-name": context.categories.names[chosen], "confidence": item.confidence}, {}


_LABELERS = {
    "classification": _classification,
    "multilabel": _multilabel,
    "bounding_box": _bounding_boxes,
    "segmentation": _segmentation,
    "entities": _entities,
    "verification": _verification,
}
