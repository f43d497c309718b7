"""A labeling job fails when a line of its input manifest breaks Ground Truth's limits: 100,000 characters per
JSON object, 20,000 per attribute (Amazon SageMaker Developer Guide, "Input manifest files")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.emulator.sagemaker import test_labeling_jobs as labeling_jobs
from tests.emulator.sagemaker.test_labeling_jobs import GroundTruth

gt = labeling_jobs.gt  # the labeling job tests' fixture: a clean emulator with a work team and a bucket


def _run(gt: GroundTruth, name: str, line: str) -> dict[str, Any]:
    manifest = gt.put(f"{name}.manifest", line + "\n")
    categories = gt.categories("a", "b", key=f"{name}.json")
    gt.sagemaker.create_labeling_job(**gt.request(name, "TextMultiClass", manifest, categories))
    described: dict[str, Any] = gt.sagemaker.describe_labeling_job(LabelingJobName=name)
    return described


def _line(characters: int) -> str:
    """A manifest line of exactly ``characters`` characters, no attribute above 20,000 ("é" is one each)."""
    line = {"source": "é" * 19_000}
    room = characters - len(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
    n = 0
    while room > 0:
        # Each extra attribute '"xN":"..."' costs its key, 4 quotes, a colon and a comma.
        overhead = len(f'"x{n}":"",')
        value = "é" * min(room - overhead, 19_000)
        line[f"x{n}"] = value
        room -= overhead + len(value)
        n += 1
    text = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
    assert len(text) == characters
    return text


@pytest.mark.parametrize(("characters", "status"), [(100_000, "Completed"), (100_001, "Failed")])
def test_a_manifest_line_may_have_100000_characters_and_not_one_more(
    gt: GroundTruth,
    characters: int,
    status: str,
) -> None:
    # Given a manifest whose one line is exactly 100,000 (then 100,001) characters
    # When the job runs
    job = _run(gt, f"line-{characters}", _line(characters))
    # Then it completes, or fails as a whole with a ClientError that names the limit
    assert job["LabelingJobStatus"] == status
    if status == "Failed":
        assert job["FailureReason"] == (
            f"ClientError: line 1 of the input manifest s3://labeling-data/line-{characters}.manifest is "
            "100001 characters long; a JSON object can be no larger than 100000"
        )


@pytest.mark.parametrize(("characters", "status"), [(20_000, "Completed"), (20_001, "Failed")])
def test_an_attribute_may_have_20000_characters_and_not_one_more(
    gt: GroundTruth,
    characters: int,
    status: str,
) -> None:
    # Given a line whose "source" attribute ('"source":"..."', 11 characters more than the text) is
    # exactly 20,000 (then 20,001) characters
    line = json.dumps({"source": "é" * (characters - 11)}, ensure_ascii=False)
    job = _run(gt, f"attribute-{characters}", line)
    assert job["LabelingJobStatus"] == status
    if status == "Failed":
        assert job["FailureReason"].endswith(
            'has the attribute "source" of 20001 characters; no single attribute can be larger than 20000'
        )


def test_an_attribute_name_cannot_begin_with_a_dollar_sign(gt: GroundTruth) -> None:
    job = _run(gt, "dollar", json.dumps({"source": "text", "$ref": "x"}))
    assert job["LabelingJobStatus"] == "Failed"
    assert job["FailureReason"].endswith("attribute names can't begin with $")
