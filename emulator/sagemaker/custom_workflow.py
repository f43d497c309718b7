"""Custom labeling workflows: jobs whose pre-annotation and consolidation functions are the caller's own.

A job whose ``PreHumanTaskLambdaArn`` is not one of Ground Truth's ``PRE-<type>`` functions is a custom task.
The emulator runs it as AWS documents, through the emulator's Lambda runtime:

AWS: Amazon SageMaker Developer Guide, "Processing data in a custom labeling workflow with AWS Lambda",
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-custom-templates-step3.html, and "Using pre-annotation
and post-annotation Lambda functions",
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-custom-templates-step3-lambda-requirements.html:

1. per data object, the pre-annotation function gets ``{"version": "2018-10-16", "labelingJobArn",
   "dataObject": <the manifest line>}`` and answers ``{"taskInput": ..., "isHumanAnnotationRequired":
   optional, default true}``; the worker's template receives ``taskInput`` as ``task.input``, and nothing
   else of the line;
2. the workers answer; Ground Truth writes their answers to an annotation file ``[{"datasetObjectId",
   "dataObject": {"s3Uri" | "content"}, "annotations": [{"workerId", "annotationData": {"content"}}]}]``;
3. the consolidation function gets ``{"version", "labelingJobArn", "labelCategories",
   "labelAttributeName", "roleArn", "payload": {"s3Uri": <that file>}}`` and answers
   ``[{"datasetObjectId", "consolidatedAnnotation": {"content": {<labelAttributeName>: <label>}}}]``;
4. the output line is the input line plus ``<labelAttributeName>``: ``<label>`` and Ground Truth's metadata.
   AWS: Amazon SageMaker Developer Guide, "Output data" (custom labeling workflows),
   https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html: ``type`` ``groundtruth/custom``,
   ``job-name``, ``human-annotated``, ``creation-date``.

The simulated workers see only what the template shows of ``task.input``: the values of the
``task.input.<path>`` references in the template, resolved in the task input (Assumption: the emulator does
not run Liquid; a reference to a field the task input lacks shows nothing, as in Liquid). They answer with
the form's ``crowd-classifier`` / ``crowd-image-classifier`` (``{<name>: {"label": <choice>}}``), deciding
from the hints of the data objects they see (an ``s3://`` object's tags, a text's ``#key=value`` tokens):

* ``outcome=unlabeled``: nobody answers (the object expires);
* a hinted ``label`` that is one of the choices: that choice;
* ``outcome=reject``: the second choice;
* a hinted ``label`` that is not a choice (the task asks about a label proposed elsewhere): the first
  choice only if every hinted label is shown (in text that is not a hinted data object), the second
  otherwise: a reviewer does not pass a label it cannot see;
* otherwise the first choice.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from moto.awslambda.utils import get_backend as lambda_backend
from moto.sagemaker.exceptions import ValidationError

from emulator.awslambda import runtime as lambda_runtime
from emulator.sagemaker import labelers
from emulator.sagemaker.models import LabelingJob, state_of
from emulator.sagemaker.s3io import S3AccessError, read_s3, s3_object, s3_tags, write_s3

CUSTOM_TASK = labelers.TaskType("Custom", "groundtruth/custom", "custom", "text")
REQUEST_VERSION = "2018-10-16"
_REFERENCE = re.compile(r"\btask\.input((?:\.[A-Za-z_][\w-]*|\[\d+\])*)")
_PATH_PART = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]")
_CLASSIFIER = re.compile(r"<crowd-(?:image-)?classifier\b(?P<attributes>[^>]*)>", re.S)
_ATTRIBUTE = r"""\b{name}\s*=\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)')"""
_WORKER_PREFIX = "private.{region}.emulator{number:07d}"


class FunctionError(Exception):
    """A custom task's Lambda function failed or answered outside its contract."""


def task_of(backend: Any, params: Mapping[str, Any]) -> labelers.TaskType | None:
    """``CUSTOM_TASK`` when the job names its own functions (checked), None for a built-in task type."""
    human = params["HumanTaskConfig"]
    pre_arn = human.get("PreHumanTaskLambdaArn") or ""
    account = pre_arn.split(":")[4] if pre_arn.count(":") >= 6 else ""
    if (
        labelers.task_type_of(pre_arn) is not None
        or account in labelers.GROUND_TRUTH_LAMBDA_ACCOUNTS.values()
    ):
        return None
    consolidation = (human.get("AnnotationConsolidationConfig") or {}).get("AnnotationConsolidationLambdaArn")
    for role, arn in (
        ("PreHumanTaskLambdaArn", pre_arn),
        ("AnnotationConsolidationLambdaArn", consolidation),
    ):
        if not arn:
            raise ValidationError(
                f"The emulator simulates custom tasks with both functions; {role} is missing."
            )
        _function(arn, role)
    template_uri = human["UiConfig"].get("UiTemplateS3Uri")
    template = read_s3(backend, template_uri).decode("utf-8", errors="replace") if template_uri else ""
    if _CLASSIFIER.search(template) is None:
        raise ValidationError(
            "The emulator simulates custom tasks whose worker template (UiTemplateS3Uri) has a "
            "crowd-classifier or crowd-image-classifier element."
        )
    return CUSTOM_TASK


def _function(arn: str, role: str) -> Any:
    parts = arn.split(":")
    try:
        return lambda_backend(parts[4], parts[3]).get_function(arn)
    except Exception as error:  # moto raises its own not-found and bad-ARN errors
        # Assumption: AWS does not document the message; the code is the API's ValidationException.
        raise ValidationError(f"{role} {arn}: no such Lambda function.") from error


def _invoke(arn: str, role: str, request: Mapping[str, Any]) -> Any:
    try:
        function = _function(arn, role)
    except ValidationError as error:  # deleted since the job was created: the object fails, not the call
        raise FunctionError(f"the {role} function {arn} does not exist") from error
    outcome = lambda_runtime.run(function, json.dumps(request).encode(), invoked_arn=arn)
    try:
        answer = json.loads(outcome.payload)
    except ValueError as error:
        raise FunctionError(f"the {role} function answered with no JSON") from error
    if outcome.function_error:
        detail = answer if isinstance(answer, Mapping) else {}
        raise FunctionError(
            f"the {role} function failed: {detail.get('errorType', 'Unhandled')}: "
            f"{detail.get('errorMessage', '')}"
        )
    return answer


def _resolve(task_input: Any, path: str) -> Any:
    value = task_input
    for name, index in _PATH_PART.findall(path):
        if name and isinstance(value, Mapping):
            value = value.get(name)
        elif index and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            return None
    return value


def shown(template: str, task_input: Any) -> list[Any]:
    """The values of ``task.input`` that the template shows a worker, in the template's order."""
    values = (_resolve(task_input, match.group(1)) for match in _REFERENCE.finditer(template))
    return [value for value in values if value is not None and value != ""]


def _attribute(attributes: str, name: str) -> str | None:
    found = re.search(_ATTRIBUTE.format(name=name), attributes)
    if found is None:
        return None
    return found.group("double") if found.group("double") is not None else found.group("single")


@dataclass(frozen=True)
class _Form:
    field: str
    choices: list[str]


def _form(template: str, task_input: Any) -> _Form | None:
    """The classifier a worker answers with: its name and its choices as the worker sees them."""
    tag = _CLASSIFIER.search(template)
    if tag is None:
        return None
    attributes = tag.group("attributes")
    categories = _attribute(attributes, "categories") or ""
    reference = _REFERENCE.search(categories)
    if reference is not None:
        choices = _resolve(task_input, reference.group(1))
    else:
        try:
            choices = ast.literal_eval(categories)
        except (ValueError, SyntaxError):
            choices = None
    if not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices):
        return None
    return _Form(_attribute(attributes, "name") or "crowd-classifier", choices)


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return [] if value is None else [json.dumps(value)]


def _shown_words(seen: list[Any]) -> str:
    """The shown text that is not a data object: an ``s3://`` object is seen as itself, and a text with
    hints is a text data object (its words are the item, not a label under review)."""
    texts = (text for value in seen for text in _texts(value))
    return "\n".join(t for t in texts if not t.startswith("s3://") and not labelers.text_hints(t))


def _choose(backend: Any, seen: list[Any], form: _Form) -> str | None:
    """The worker's choice from what it sees, or None when it does not answer."""
    raw_hints: dict[str, str] = {}
    for text in (text for value in seen for text in _texts(value)):
        if not text.startswith("s3://"):
            raw_hints |= labelers.text_hints(text)
            continue
        try:
            raw_hints |= s3_tags(backend, s3_object(backend, text))
        except S3AccessError:
            continue
    try:
        hints = labelers.parse_hints(raw_hints)
    except labelers.HintError:
        hints = labelers.Hints()
    hinted_choices = [label for label in hints.labels if label in form.choices]
    second = form.choices[1] if len(form.choices) > 1 else form.choices[0]
    if hints.outcome == "unlabeled":
        return None
    if hinted_choices:
        return hinted_choices[0]
    if hints.outcome == "reject":
        return second
    visible = _shown_words(seen)
    if any(label not in visible for label in hints.labels):
        return second
    return form.choices[0]


def label(
    backend: Any, job: LabelingJob, line: dict[str, Any], index: int, context: labelers.JobContext
) -> labelers.ItemResult:
    """One data object through the pre-annotation function, the workers and the consolidation function."""
    human = job.request["HumanTaskConfig"]
    pre_arn = human["PreHumanTaskLambdaArn"]
    consolidation_arn = human["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"]
    try:
        prepared = _invoke(
            pre_arn,
            "pre-annotation",
            {"version": REQUEST_VERSION, "labelingJobArn": job.arn, "dataObject": line},
        )
        if not isinstance(prepared, Mapping) or "taskInput" not in prepared:
            raise FunctionError("the pre-annotation function's answer has no taskInput")
        if prepared.get("isHumanAnnotationRequired", True) in (False, "false"):
            # Assumption: AWS documents that such an object is not sent to workers, not how its line ends.
            return labelers.failed_item(
                line,
                context,
                "ClientError: The pre-annotation function excluded this data object.",
                "unlabeled",
            )
        task_input = prepared["taskInput"]
        template_uri = human["UiConfig"]["UiTemplateS3Uri"]
        template = read_s3(backend, template_uri).decode("utf-8", errors="replace")
        form = _form(template, task_input)
        if form is None:
            return labelers.failed_item(
                line,
                context,
                "ClientError: Emulator workers found no choices in the rendered template.",
                "failed",
            )
        choice = _choose(backend, shown(template, task_input), form)
        if choice is None:
            return labelers.failed_item(line, context, labelers.EXPIRED_REASON, "unlabeled")
        return _consolidated(
            backend,
            job,
            line=line,
            index=index,
            context=context,
            form=form,
            choice=choice,
            consolidation_arn=consolidation_arn,
        )
    except (FunctionError, S3AccessError) as error:
        return labelers.failed_item(line, context, f"ClientError: {error}.", "failed")


def _consolidated(
    backend: Any,
    job: LabelingJob,
    *,
    line: dict[str, Any],
    index: int,
    context: labelers.JobContext,
    form: _Form,
    choice: str,
    consolidation_arn: str,
) -> labelers.ItemResult:
    object_id = str(index)
    source = line.get("source-ref")
    data_object = {"s3Uri": source} if isinstance(source, str) else {"content": line.get("source")}
    answers = [
        {
            "workerId": _WORKER_PREFIX.format(region=backend.region_name, number=worker),
            "annotationData": {"content": json.dumps({form.field: {"label": choice}})},
        }
        for worker in range(context.workers_per_object)
    ]
    annotation_file = (
        f"{context.output_prefix}/annotations/consolidated-annotation/consolidation-request/"
        f"iteration-1/{object_id}.json"
    )
    body = [{"datasetObjectId": object_id, "dataObject": data_object, "annotations": answers}]
    write_s3(backend, annotation_file, json.dumps(body).encode(), job.request["OutputConfig"].get("KmsKeyId"))
    consolidated = _invoke(
        consolidation_arn,
        "annotation consolidation",
        {
            "version": REQUEST_VERSION,
            "labelingJobArn": job.arn,
            "labelCategories": job.categories.names,
            "labelAttributeName": context.label_attribute,
            "roleArn": job.request["RoleArn"],
            "payload": {"s3Uri": annotation_file},
        },
    )
    entries = consolidated if isinstance(consolidated, list) else []
    entry = next(
        (e for e in entries if isinstance(e, Mapping) and e.get("datasetObjectId") == object_id), None
    )
    content = ((entry or {}).get("consolidatedAnnotation") or {}).get("content")
    if not isinstance(content, Mapping) or context.label_attribute not in content:
        raise FunctionError(
            f"the annotation consolidation function returned no {context.label_attribute!r} for data object "
            f"{object_id}"
        )
    output = dict(line)
    output[context.label_attribute] = content[context.label_attribute]
    output[f"{context.label_attribute}-metadata"] = {
        "type": CUSTOM_TASK.output_type,
        "job-name": context.job_name,
        "human-annotated": "yes",
        "creation-date": context.creation_date,
    }
    return labelers.ItemResult(output, "labeled")


def builtin_worker_hints(
    backend: Any, context: labelers.JobContext, line: Mapping[str, Any], hints: labelers.Hints
) -> labelers.Hints:
    """The hints a worker of a built-in classification job can act on, given what its template shows.

    AWS: Amazon SageMaker Developer Guide, the built-in task types' template pages (e.g. "Image
    classification (single label)", https://docs.aws.amazon.com/sagemaker/latest/dg/sms-image-classification.html):
    a built-in pre-annotation function gives the template ``task.input.taskObject`` (the data object) and
    ``task.input.labels`` (the categories), and nothing else of the manifest line. A template that reads
    another ``task.input`` field shows nothing there. When it does, and the hinted labels are not categories
    of the job (it asks about a label proposed elsewhere: a review), the worker looks for them in what is
    shown; one it cannot see it does not pass, and rejects (the second category), as a custom task's
    worker does. Otherwise the hints stand (a hinted name that is no category is ignored, as before).
    """
    if context.task.kind != "classification" or not hints.labels:
        return hints
    if any(label in context.categories.names for label in hints.labels):
        return hints
    template_uri = (
        state_of(backend).jobs[context.job_name].request["HumanTaskConfig"]["UiConfig"].get("UiTemplateS3Uri")
    )
    template = read_s3(backend, template_uri).decode("utf-8", errors="replace") if template_uri else ""
    task_input = {
        "taskObject": line.get("source-ref", line.get("source")),
        "labels": context.categories.names,
    }
    references = [match.group(1) for match in _REFERENCE.finditer(template)]
    if all(_resolve(task_input, path) is not None for path in references):
        return hints
    visible = _shown_words(shown(template, task_input))
    if all(label in visible for label in hints.labels):
        return hints
    return replace(hints, outcome="reject")
