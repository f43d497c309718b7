"""The review task of the task types without built-in verification: a Ground Truth custom labeling workflow.

Ground Truth's built-in pre-annotation functions pass a template only ``task.input.taskObject`` (and the
categories), never other fields of the manifest line, so a review job on a built-in classification task
cannot show the label under review. A custom task can: its pre-annotation function returns exactly what the
template receives as ``task.input``, and its consolidation function returns exactly what the output holds.

AWS: Amazon SageMaker Developer Guide, "Using pre-annotation and post-annotation Lambda functions",
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-custom-templates-step3-lambda-requirements.html:

- pre-annotation, once per data object: the request is ``{"version", "labelingJobArn", "dataObject"}``
  (``dataObject`` is the manifest line); the answer is ``{"taskInput": <everything the template needs>}``
  (``isHumanAnnotationRequired`` is optional and defaults to true);
- consolidation, over the workers' answers: the request is ``{"version", "labelingJobArn",
  "labelCategories", "labelAttributeName", "roleArn", "payload": {"s3Uri"}}``; the file at ``s3Uri`` is a
  list of ``{"datasetObjectId", "dataObject", "annotations": [{"workerId", "annotationData": {"content" |
  "s3Uri"}}]}``; the answer is a list of ``{"datasetObjectId", "consolidatedAnnotation": {"content":
  {<labelAttributeName>: <label>}}}``, and ``<label>`` is what the output manifest line gets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from .job_output import ANSWER_FIELD, FAIL_ANSWER, PASS_ANSWER, REVIEW_ANSWERS
from .model import PROPOSED_LABEL_FIELD, SOURCE_FIELDS

#: ``task.input`` of the review templates (templates/ui/review_*.liquid.html read exactly these).
TASK_OBJECT = "taskObject"
PROPOSED_LABEL = "proposedLabel"
CHOICES = "labels"
#: The ``name`` of the review templates' classifier element: a worker's answer is
#: ``{"review": {"label": <choice>}}`` (the crowd-classifier and crowd-image-classifier output).
FORM_FIELD = "review"


class ReviewInputError(ValueError):
    """A data object of a review job is not a line the pipeline wrote (no data object or proposed label)."""


def pre_annotation(request: Mapping[str, Any]) -> dict[str, Any]:
    """The task input of one data object: the object, the label to check and the two choices."""
    data_object = request.get("dataObject")
    if not isinstance(data_object, Mapping):
        raise ReviewInputError("the request has no dataObject")
    task_object = next((data_object[f] for f in SOURCE_FIELDS if isinstance(data_object.get(f), str)), None)
    proposed = data_object.get(PROPOSED_LABEL_FIELD)
    if task_object is None or not isinstance(proposed, str):
        raise ReviewInputError(
            f"dataObject needs 'source-ref' or 'source' and '{PROPOSED_LABEL_FIELD}' (a review manifest line)"
        )
    return {"taskInput": {TASK_OBJECT: task_object, PROPOSED_LABEL: proposed, CHOICES: list(REVIEW_ANSWERS)}}


def worker_answer(annotation: Mapping[str, Any], read: Callable[[str], str]) -> str | None:
    """One worker's choice, or None when the submission holds none."""
    data = annotation.get("annotationData")
    if not isinstance(data, Mapping):
        return None
    content = data.get("content")
    if not isinstance(content, str) and isinstance(data.get("s3Uri"), str):
        content = read(data["s3Uri"])
    try:
        form = json.loads(content) if isinstance(content, str) else None
    except json.JSONDecodeError:
        return None
    field = form.get(FORM_FIELD) if isinstance(form, Mapping) else None
    answer = field.get("label") if isinstance(field, Mapping) else None
    return answer if answer in REVIEW_ANSWERS else None


def consolidate(objects: list[Any], label_attribute: str, read: Callable[[str], str]) -> list[dict[str, Any]]:
    """One review label per data object: ``pass`` only when more than half of its workers chose it."""
    consolidated: list[dict[str, Any]] = []
    for entry in objects:
        if not isinstance(entry, Mapping) or "datasetObjectId" not in entry:
            continue
        annotations = entry.get("annotations")
        answers = [
            answer
            for annotation in (annotations if isinstance(annotations, list) else [])
            if isinstance(annotation, Mapping) and (answer := worker_answer(annotation, read)) is not None
        ]
        verdict = PASS_ANSWER if 2 * answers.count(PASS_ANSWER) > len(answers) else FAIL_ANSWER
        label = {ANSWER_FIELD: verdict, "worker-answers": answers}
        consolidated.append(
            {
                "datasetObjectId": entry["datasetObjectId"],
                "consolidatedAnnotation": {"content": {label_attribute: label}},
            }
        )
    return consolidated
