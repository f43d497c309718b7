"""Custom labeling workflows in the emulator: the job's own pre-annotation function runs per data object, the
workers see only what it returned, and the consolidation function's answer becomes the output label.

The functions here follow AWS's documented contracts ("Using pre-annotation and post-annotation Lambda
functions") and run in the emulator's Lambda runtime, as Ground Truth would invoke them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from botocore.exceptions import ClientError

from tests.emulator.helpers import Deploy
from tests.emulator.sagemaker import test_labeling_jobs as labeling_jobs
from tests.emulator.sagemaker.test_labeling_jobs import ACCOUNT, BUCKET, GroundTruth, counters, error_of, png

gt = labeling_jobs.gt  # the labeling job tests' fixture: a clean emulator with a work team and a bucket

PRE_ANNOTATION = """
    import json

    def handler(event, context):
        line = event["dataObject"]
        if "crash" in line:
            raise ValueError("cannot prepare this object")
        print(json.dumps({"request": event}))
        return {"taskInput": {"taskObject": line.get("source-ref", line.get("source")),
                              "proposal": line.get("proposed"), "choices": ["pass", "fail"]}}
"""
CONSOLIDATION = """
    import json
    import boto3

    def handler(event, context):
        bucket, key = event["payload"]["s3Uri"][5:].split("/", 1)
        objects = json.loads(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
        answers = []
        for entry in objects:
            forms = [json.loads(a["annotationData"]["content"]) for a in entry["annotations"]]
            labels = [form["verdict"]["label"] for form in forms]
            content = {event["labelAttributeName"]: {"answer": labels[0], "workers": len(labels),
                                                     "categories": event["labelCategories"]}}
            answers.append({"datasetObjectId": entry["datasetObjectId"],
                            "consolidatedAnnotation": {"content": content}})
        return answers
"""


def _template(proposal_path: str) -> str:
    return (
        '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script><crowd-form>'
        '<crowd-classifier name="verdict" header="Check"'
        ' categories="{{ task.input.choices | to_json | escape }}">'
        "<classification-target>{{ task.input.taskObject }}<p>Proposed: "
        f"{{{{ {proposal_path} }}}}</p></classification-target></crowd-classifier></crowd-form>"
    )


def _functions(deploy: Deploy) -> tuple[str, str]:
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:"
    pre = deploy({"pre.py": PRE_ANNOTATION}, "pre.handler", Timeout=30)
    post = deploy({"post.py": CONSOLIDATION}, "post.handler", Timeout=30)
    return arn + pre, arn + post


def _run_custom(
    gt: GroundTruth, deploy: Deploy, name: str, lines: list[dict[str, Any]], proposal_path: str, **human: Any
) -> dict[str, Any]:
    pre, post = _functions(deploy)
    manifest = gt.manifest(lines, key=f"{name}.manifest")
    categories = gt.categories("pass", "fail", key=f"{name}-categories.json")
    template = gt.put(f"{name}.liquid.html", _template(proposal_path))
    request = gt.request(name, "unused", manifest, categories, template=template, **human)
    request["HumanTaskConfig"]["PreHumanTaskLambdaArn"] = pre
    request["HumanTaskConfig"]["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"] = post
    gt.sagemaker.create_labeling_job(**request)
    described: dict[str, Any] = gt.sagemaker.describe_labeling_job(LabelingJobName=name)
    return described


def test_the_workers_see_what_the_pre_annotation_function_returned_and_the_label_is_the_consolidations(
    gt: GroundTruth, deploy: Deploy
) -> None:
    # Given a custom review of two texts and an image, each with the label its hints name as proposal,
    # except the second whose proposal is another label
    image = gt.put("photos/cat.png", png(8, 8), tags=urlencode({"label": "cat"}))
    lines = [
        {"source": "The food was great #label=positive", "proposed": "positive"},
        {"source": "Terrible service #label=negative", "proposed": "positive"},
        {"source-ref": image, "proposed": "cat"},
    ]
    # When the job runs with two workers per object
    job = _run_custom(
        gt, deploy, "custom-review", lines, "task.input.proposal", NumberOfHumanWorkersPerDataObject=2
    )
    # Then every object was labeled, and each label is exactly what the consolidation function returned
    assert (job["LabelingJobStatus"], job["LabelCounters"]) == ("Completed", counters(3))
    output = gt.output(job)
    assert [line["label"]["answer"] for line in output] == ["pass", "fail", "pass"]
    assert output[0]["label"] == {"answer": "pass", "workers": 2, "categories": ["pass", "fail"]}
    metadata = output[0]["label-metadata"]
    assert labeling_jobs.CREATION_DATE.fullmatch(metadata.pop("creation-date"))
    assert metadata == {"type": "groundtruth/custom", "job-name": "custom-review", "human-annotated": "yes"}
    assert {k: v for k, v in output[2].items() if not k.startswith("label")} == lines[2]
    # And the consolidation function read the workers' answers in the documented annotation file
    key = "output/custom-review/annotations/consolidated-annotation/consolidation-request/iteration-1/2.json"
    (entry,) = json.loads(gt.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    assert entry["datasetObjectId"] == "2"
    assert entry["dataObject"] == {"s3Uri": image}
    assert [json.loads(a["annotationData"]["content"]) for a in entry["annotations"]] == [
        {"verdict": {"label": "pass"}}
    ] * 2
    assert len({a["workerId"] for a in entry["annotations"]}) == 2


def test_a_template_reading_what_the_function_did_not_return_shows_the_worker_nothing(
    gt: GroundTruth, deploy: Deploy
) -> None:
    # Given a review whose template reads the proposal from the manifest line, which a custom task's
    # template never receives (task.input is the pre-annotation function's taskInput)
    lines = [{"source": "The food was great #label=positive", "proposed": "positive"}]
    # When it runs
    job = _run_custom(gt, deploy, "blind-review", lines, "task.input.manifestLine.proposed")
    # Then the reviewer, seeing no proposed label, does not pass it
    assert [line["label"]["answer"] for line in gt.output(job)] == ["fail"]


def test_a_failing_pre_annotation_function_fails_its_object_only(gt: GroundTruth, deploy: Deploy) -> None:
    lines: list[dict[str, Any]] = [
        {"source": "fine #label=positive", "proposed": "positive"},
        {"source": "broken #label=positive", "proposed": "positive", "crash": True},
    ]
    job = _run_custom(gt, deploy, "half-broken", lines, "task.input.proposal")
    assert job["LabelCounters"] == counters(1, failed=1)
    failed = gt.output(job)[1]
    assert "label" not in failed
    assert failed["label-metadata"]["failure-reason"] == (
        "ClientError: the pre-annotation function failed: ValueError: cannot prepare this object."
    )


def test_a_custom_task_needs_functions_that_exist(gt: GroundTruth) -> None:
    manifest = gt.manifest([{"source": "x"}], key="missing.manifest")
    categories = gt.categories("pass", "fail", key="missing.json")
    request = gt.request(
        "missing-functions", "unused", manifest, categories, template=gt.put("t.html", _template("x"))
    )
    missing = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:no-such-function"
    request["HumanTaskConfig"]["PreHumanTaskLambdaArn"] = missing
    request["HumanTaskConfig"]["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"] = missing
    with pytest.raises(ClientError) as raised:
        gt.sagemaker.create_labeling_job(**request)
    code, message = error_of(raised)
    assert code == "ValidationException"
    assert message == f"PreHumanTaskLambdaArn {missing}: no such Lambda function."


def test_a_function_deleted_while_the_job_runs_fails_its_objects(gt: GroundTruth, deploy: Deploy) -> None:
    # Given a custom job created with its functions, then its pre-annotation function deleted
    pre, post = _functions(deploy)
    manifest = gt.manifest([{"source": "x #label=positive", "proposed": "positive"}], key="gone.manifest")
    request = gt.request(
        "gone",
        "unused",
        manifest,
        gt.categories("pass", "fail", key="gone.json"),
        template=gt.put("gone.liquid.html", _template("task.input.proposal")),
    )
    request["HumanTaskConfig"]["PreHumanTaskLambdaArn"] = pre
    request["HumanTaskConfig"]["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"] = post
    gt.sagemaker.create_labeling_job(**request)
    gt.emulator.client("lambda").delete_function(FunctionName=pre)
    # When the job finishes
    job = gt.sagemaker.describe_labeling_job(LabelingJobName="gone")
    # Then the job completes with the object failed, naming the missing function
    assert (job["LabelingJobStatus"], job["LabelCounters"]) == ("Completed", counters(0, failed=1))
    reason = gt.output(job)[0]["label-metadata"]["failure-reason"]
    assert reason == f"ClientError: the pre-annotation function {pre} does not exist."
