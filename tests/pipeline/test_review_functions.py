"""The review jobs' own pre-annotation and consolidation functions (Ground Truth custom workflow)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from labeling_pipeline import handlers
from labeling_pipeline.review import ReviewInputError, consolidate, pre_annotation
from tests.pipeline.harness import OUTPUT_BUCKET, PipelineFactory

JOB_ARN = "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/pipe-rev"


def test_the_task_input_holds_the_object_the_proposed_label_and_the_choices() -> None:
    # Given Ground Truth's pre-annotation request for a review manifest line
    request = {
        "version": "2018-10-16",
        "labelingJobArn": JOB_ARN,
        "dataObject": {"source-ref": "s3://up/a.png", "item-id": "i1", "proposed_label": "cat, dog"},
    }
    # Then the template receives exactly the object, the label to check and pass/fail
    assert pre_annotation(request) == {
        "taskInput": {"taskObject": "s3://up/a.png", "proposedLabel": "cat, dog", "labels": ["pass", "fail"]}
    }


def test_a_line_that_is_not_a_review_line_fails_its_object() -> None:
    with pytest.raises(ReviewInputError, match="proposed_label"):
        pre_annotation({"version": "2018-10-16", "dataObject": {"source": "text only"}})


def _annotation(worker: str, answer: Any) -> dict[str, Any]:
    return {"workerId": worker, "annotationData": {"content": json.dumps(answer)}}


def test_an_object_passes_only_when_most_of_its_workers_pass_it() -> None:
    # Given three objects: two of three workers pass, one of two, and an answer that is no choice
    objects = [
        {
            "datasetObjectId": "0",
            "dataObject": {"s3Uri": "s3://up/a.png"},
            "annotations": [
                _annotation("w1", {"review": {"label": "pass"}}),
                _annotation("w2", {"review": {"label": "fail"}}),
                _annotation("w3", {"review": {"label": "pass"}}),
            ],
        },
        {
            "datasetObjectId": "1",
            "dataObject": {"content": "some text"},
            "annotations": [
                _annotation("w1", {"review": {"label": "pass"}}),
                _annotation("w2", {"review": {"label": "fail"}}),
            ],
        },
        {
            "datasetObjectId": "2",
            "dataObject": {"content": "more text"},
            "annotations": [_annotation("w1", {"review": {"label": "maybe"}})],
        },
    ]
    # When they are consolidated
    result = consolidate(objects, "verification", lambda uri: "")
    # Then only the first passes; each label is what the output line will hold under the attribute
    assert result == [
        {
            "datasetObjectId": "0",
            "consolidatedAnnotation": {
                "content": {
                    "verification": {"class-name": "pass", "worker-answers": ["pass", "fail", "pass"]}
                }
            },
        },
        {
            "datasetObjectId": "1",
            "consolidatedAnnotation": {
                "content": {"verification": {"class-name": "fail", "worker-answers": ["pass", "fail"]}}
            },
        },
        {
            "datasetObjectId": "2",
            "consolidatedAnnotation": {
                "content": {"verification": {"class-name": "fail", "worker-answers": []}}
            },
        },
    ]


def test_the_consolidation_handler_reads_the_annotation_file_and_answers_stored_elsewhere(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given an annotation file in S3 whose one answer is stored in its own object (annotationData.s3Uri)
    make_pipeline()
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.put_object(Bucket=OUTPUT_BUCKET, Key="answers/w1.json", Body=json.dumps({"review": {"label": "pass"}}))
    objects = [
        {
            "datasetObjectId": "7",
            "dataObject": {"content": "text"},
            "annotations": [
                {"workerId": "w1", "annotationData": {"s3Uri": f"s3://{OUTPUT_BUCKET}/answers/w1.json"}}
            ],
        }
    ]
    s3.put_object(Bucket=OUTPUT_BUCKET, Key="request/1.json", Body=json.dumps(objects))
    request = {
        "version": "2018-10-16",
        "labelingJobArn": JOB_ARN,
        "labelCategories": ["pass", "fail"],
        "labelAttributeName": "verification",
        "roleArn": "arn:aws:iam::123456789012:role/labeling",
        "payload": {"s3Uri": f"s3://{OUTPUT_BUCKET}/request/1.json"},
    }
    # When Ground Truth calls the consolidation function
    result = handlers.review_consolidation(request, lambda_context)
    # Then the object passes
    assert result[0]["consolidatedAnnotation"]["content"]["verification"]["class-name"] == "pass"
