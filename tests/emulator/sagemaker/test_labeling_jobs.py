"""Ground Truth labeling jobs in the emulator: validation, lifecycle, simulated labelers and their output.

Each test runs on a clean emulator with fixed names (the labels derived from a source are deterministic,
so the expected output manifests below are exact). Jobs complete at once: a ``labeling_job`` fault with
``delay_seconds=0`` is armed for every job name of the test.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from botocore.exceptions import ClientError

from tests.emulator.helpers import execution_role, labeling_job_statements, private_workteam
from tests.fixtures.emulator import Emulator

BUCKET = "labeling-data"
ACCOUNT = "123456789012"
LAMBDA_ACCOUNT = "432418664414"  # owner of the PRE-/ACS- functions in us-east-1
GT_FUNCTIONS = f"arn:aws:lambda:us-east-1:{LAMBDA_ACCOUNT}:function:"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ground-truth"
# AWS's built-in worker UI for named entity recognition (UiConfig.HumanTaskUiArn, one account in every region)
NER_UI = "arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/NamedEntityRecognition"
NER_INSTRUCTIONS = {"shortInstruction": "<p>Tag</p>", "fullInstruction": "<p>Tag names</p>"}
CREATION_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}")
PASS_FAIL_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form><crowd-image-classifier name="verdict" src="{{ task.input.taskObject | grant_read_access }}"
  header="Is the label right?" categories="['pass', 'fail']"></crowd-image-classifier></crowd-form>"""


def png(width: int, height: int) -> bytes:
    """A valid RGB PNG of the given size (all black)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit RGB PNG whose rows use filter 0 (as masks do)."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    offset, width, height, idat = 8, 0, 0, b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, payload = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", payload[:8])
            assert payload[8:10] == b"\x08\x02"
        elif kind == b"IDAT":
            idat += payload
        offset += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + 3 * width
    assert all(raw[row * stride] == 0 for row in range(height))
    return width, height, [raw[row * stride + 1 : (row + 1) * stride] for row in range(height)]


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


@dataclass
class GroundTruth:
    """A workforce, a work team and a bucket with categories and templates, in a clean emulator."""

    emulator: Emulator
    sagemaker: Any
    s3: Any
    workteam_arn: str

    def put(self, key: str, body: bytes | str, tags: str | None = None) -> str:
        extra = {"Tagging": tags} if tags else {}
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body, **extra)
        return f"s3://{BUCKET}/{key}"

    def categories(self, *labels: str, key: str = "categories.json") -> str:
        document = {"document-version": "2018-11-28", "labels": [{"label": label} for label in labels]}
        return self.put(key, json.dumps(document))

    def manifest(self, lines: list[dict[str, Any]], key: str = "input.manifest") -> str:
        return self.put(key, "".join(json.dumps(line) + "\n" for line in lines))

    def request(
        self,
        name: str,
        task: str,
        manifest: str,
        categories: str | None,
        *,
        attribute: str = "label",
        template: str | None = None,
        **human: Any,
    ) -> dict[str, Any]:
        ui = (
            {"HumanTaskUiArn": NER_UI}
            if task == "NamedEntityRecognition" and template is None
            else {
                "UiTemplateS3Uri": template or self.put("template.liquid.html", "<crowd-form></crowd-form>")
            }
        )
        request: dict[str, Any] = {
            "LabelingJobName": name,
            "LabelAttributeName": attribute,
            "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": manifest}}},
            "OutputConfig": {"S3OutputPath": f"s3://{BUCKET}/output/"},
            "RoleArn": ROLE,
            "HumanTaskConfig": {
                "WorkteamArn": self.workteam_arn,
                "UiConfig": ui,
                "PreHumanTaskLambdaArn": f"{GT_FUNCTIONS}PRE-{task}",
                "TaskTitle": "Label",
                "TaskDescription": "Label the object",
                "NumberOfHumanWorkersPerDataObject": 1,
                "TaskTimeLimitInSeconds": 300,
                "AnnotationConsolidationConfig": {
                    "AnnotationConsolidationLambdaArn": f"{GT_FUNCTIONS}ACS-{task}"
                },
                **human,
            },
        }
        if categories is not None:
            request["LabelCategoryConfigS3Uri"] = categories
        return request

    def run(
        self, name: str, task: str, lines: list[dict[str, Any]], labels: tuple[str, ...], **options: Any
    ) -> dict[str, Any]:
        """Create a job over ``lines`` and return its description once the simulated labelers are done."""
        manifest = self.manifest(lines, key=f"{name}.manifest")
        categories = self.categories(*labels, key=f"{name}-categories.json")
        self.sagemaker.create_labeling_job(**self.request(name, task, manifest, categories, **options))
        described: dict[str, Any] = self.sagemaker.describe_labeling_job(LabelingJobName=name)
        return described

    def output(self, described: dict[str, Any]) -> list[dict[str, Any]]:
        uri = described["LabelingJobOutput"]["OutputDatasetS3Uri"]
        key = uri.removeprefix(f"s3://{BUCKET}/")
        body = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
        return [json.loads(line) for line in body.splitlines()]


@pytest.fixture
def gt(emulator_clean: Emulator) -> GroundTruth:
    emulator_clean.arm_fault("labeling_job", delay_seconds=0, count=None)
    sagemaker, s3 = emulator_clean.client("sagemaker"), emulator_clean.client("s3")
    team = private_workteam(emulator_clean, "labeling-job-workers")
    s3.create_bucket(Bucket=BUCKET)
    execution_role(emulator_clean, ROLE.rpartition("/")[2], labeling_job_statements(BUCKET))
    return GroundTruth(emulator_clean, sagemaker, s3, team)


def metadata(job: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        **fields,
        "type": f"groundtruth/{kind}",
        "job-name": f"labeling-job/{job}",
        "human-annotated": "yes",
    }


def without_dates(lines: list[dict[str, Any]], attribute: str = "label") -> list[dict[str, Any]]:
    """The lines with each ``creation-date`` checked for Ground Truth's format and removed."""
    for line in lines:
        meta = line.get(f"{attribute}-metadata", {})
        if "creation-date" in meta:
            assert CREATION_DATE.fullmatch(meta.pop("creation-date"))
    return lines


COUNTERS = ("TotalLabeled", "HumanLabeled", "MachineLabeled", "FailedNonRetryableError", "Unlabeled")


def counters(total: int, failed: int = 0, unlabeled: int = 0) -> dict[str, int]:
    return dict(zip(COUNTERS, (total, total, 0, failed, unlabeled), strict=True))


# ---------------------------------------------------------------------------------------------
# Output of each task type
# ---------------------------------------------------------------------------------------------


def test_bounding_boxes_use_the_image_size_and_the_hinted_classes(gt: GroundTruth) -> None:
    first = gt.put("images/street one.png", png(640, 480), tags=urlencode({"label": "car+person"}))
    second = gt.put("images/empty.png", png(200, 100))

    job = gt.run(
        "boxes", "BoundingBox", [{"source-ref": first, "id": 1}, {"source-ref": second}], ("person", "car")
    )

    assert job["LabelingJobStatus"] == "Completed"
    assert job["LabelCounters"] == counters(2)
    assert job["LabelingJobOutput"] == {
        "OutputDatasetS3Uri": f"s3://{BUCKET}/output/boxes/manifests/output/output.manifest"
    }
    assert without_dates(gt.output(job)) == [
        {
            "source-ref": first,
            "id": 1,
            "label": {
                "image_size": [{"width": 640, "height": 480, "depth": 3}],
                "annotations": [
                    {"class_id": 1, "left": 186, "top": 46, "width": 177, "height": 238},
                    {"class_id": 0, "left": 189, "top": 292, "width": 220, "height": 121},
                ],
            },
            "label-metadata": metadata(
                "boxes",
                "object-detection",
                objects=[{"confidence": 0.0}, {"confidence": 0.0}],
                **{"class-map": {"1": "car", "0": "person"}},
            ),
        },
        {
            "source-ref": second,
            "label": {
                "image_size": [{"width": 200, "height": 100, "depth": 3}],
                "annotations": [{"class_id": 0, "left": 12, "top": 66, "width": 86, "height": 33}],
            },
            "label-metadata": metadata(
                "boxes", "object-detection", objects=[{"confidence": 0.0}], **{"class-map": {"0": "person"}}
            ),
        },
    ]


def test_the_same_source_gets_the_same_box_in_every_job(gt: GroundTruth) -> None:
    image = gt.put("images/a.png", png(300, 300), tags="label=car")
    lines = [{"source-ref": image}]

    first = gt.output(gt.run("boxes-1", "BoundingBox", lines, ("car",)))
    second = gt.output(gt.run("boxes-2", "BoundingBox", lines, ("car",)))

    box = first[0]["label"]["annotations"][0]
    assert second[0]["label"]["annotations"] == [box]
    assert box["left"] >= 0
    assert box["left"] + box["width"] <= 300
    assert box["top"] >= 0
    assert box["top"] + box["height"] <= 300


def test_semantic_segmentation_writes_a_mask_of_the_image_size(gt: GroundTruth) -> None:
    image = gt.put("images/road.png", png(64, 48), tags="label=road")

    job = gt.run(
        "segments", "SemanticSegmentation", [{"source-ref": image}], ("sky", "road"), attribute="mask-ref"
    )
    [line] = without_dates(gt.output(job), "mask-ref")

    mask_uri = f"s3://{BUCKET}/output/segments/annotations/consolidated-annotation/output/0.png"
    assert line == {
        "source-ref": image,
        "mask-ref": mask_uri,
        "mask-ref-metadata": metadata(
            "segments",
            "semantic-segmentation",
            **{
                "internal-color-map": {
                    "0": {"class-name": "BACKGROUND", "confidence": 0.0, "hex-color": "#ffffff"},
                    "1": {"class-name": "sky", "confidence": 0.0, "hex-color": "#1f77b4"},
                    "2": {"class-name": "road", "confidence": 0.0, "hex-color": "#ff7f0e"},
                }
            },
        ),
    }
    mask = gt.s3.get_object(Bucket=BUCKET, Key=mask_uri.removeprefix(f"s3://{BUCKET}/"))["Body"].read()
    width, height, rows = png_pixels(mask)
    assert (width, height) == (64, 48)
    pixels = {rows[y][3 * x : 3 * x + 3] for y in range(height) for x in range(width)}
    assert pixels == {b"\xff\xff\xff", bytes.fromhex("ff7f0e")}  # background and the road's colour


def test_a_segmentation_label_attribute_must_end_with_ref(gt: GroundTruth) -> None:
    image = gt.put("images/road.png", png(8, 8))
    manifest, categories = gt.manifest([{"source-ref": image}]), gt.categories("road")

    with pytest.raises(ClientError) as raised:
        gt.sagemaker.create_labeling_job(
            **gt.request("seg", "SemanticSegmentation", manifest, categories, attribute="mask")
        )

    assert error_of(raised) == (
        "ValidationException",
        "LabelAttributeName mask must end with -ref for semantic segmentation labeling jobs.",
    )


def test_image_classification_takes_the_hinted_class_or_the_first(gt: GroundTruth) -> None:
    dog = gt.put("images/dog.jpg", b"not really a jpeg", tags="label=dog")
    unknown = gt.put("images/unknown.jpg", b"?", tags="label=zebra")

    job = gt.run(
        "classes",
        "ImageMultiClass",
        [{"source-ref": dog}, {"source-ref": unknown}],
        ("cat", "dog"),
        NumberOfHumanWorkersPerDataObject=3,
    )

    assert without_dates(gt.output(job)) == [
        {
            "source-ref": dog,
            "label": 1,
            "label-metadata": metadata(
                "classes", "image-classification", **{"class-name": "dog", "confidence": 0.88}
            ),
        },
        {
            "source-ref": unknown,
            "label": 0,
            "label-metadata": metadata(
                "classes", "image-classification", **{"class-name": "cat", "confidence": 0.88}
            ),
        },
    ]


def test_text_classification_reads_hash_hints_from_the_text(gt: GroundTruth) -> None:
    lines = [
        {"source": "The food was delicious #label=positive #confidence=0.75"},
        {"source": "No hints here", "item-id": "abc"},
    ]

    job = gt.run("texts", "TextMultiClass", lines, ("negative", "positive"))

    assert without_dates(gt.output(job)) == [
        {
            "source": lines[0]["source"],
            "label": 1,
            "label-metadata": metadata(
                "texts", "text-classification", **{"class-name": "positive", "confidence": 0.75}
            ),
        },
        {
            "source": "No hints here",
            "item-id": "abc",
            "label": 0,
            "label-metadata": metadata(
                "texts", "text-classification", **{"class-name": "negative", "confidence": 0.0}
            ),
        },
    ]


def test_output_lines_escape_unicode_and_round_trip(gt: GroundTruth) -> None:
    text = 'Straße "猫" \\ done #label=positive'

    job = gt.run("unicode", "TextMultiClass", [{"source": text}], ("negative", "positive"))
    key = job["LabelingJobOutput"]["OutputDatasetS3Uri"].removeprefix(f"s3://{BUCKET}/")
    raw = gt.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()

    assert "\\u00df" in raw
    assert "\\u732b" in raw
    assert json.loads(raw)["source"] == text
    assert json.loads(raw)["label-metadata"]["class-name"] == "positive"


@pytest.mark.parametrize(
    ("task", "kind"),
    [
        ("ImageMultiClassMultiLabel", "image-classification-multilabel"),
        ("TextMultiClassMultiLabel", "text-classification-multilabel"),
    ],
)
def test_multi_label_classification_takes_every_hinted_label(gt: GroundTruth, task: str, kind: str) -> None:
    source = (
        {"source-ref": gt.put("images/street.png", b"x", tags=urlencode({"label": "bicycle+person"}))}
        if task.startswith("Image")
        else {"source": "A person on a bicycle #label=bicycle,person"}
    )

    job = gt.run("multi", task, [source], ("person", "bicycle", "clothing"))

    assert without_dates(gt.output(job)) == [
        {
            **source,
            "label": [1, 0],
            "label-metadata": metadata(
                "multi",
                kind,
                **{"class-map": {"1": "bicycle", "0": "person"}, "confidence-map": {"1": 0.0, "0": 0.0}},
            ),
        }
    ]


def test_named_entities_span_the_first_words_that_are_not_hints(gt: GroundTruth) -> None:
    text = "#label=Person,Place  Ana visits Lisbon"
    document = {
        "document-version": "2018-11-28",
        "labels": [{"label": "Person", "shortDisplayName": "per"}, {"label": "Place"}],
        "instructions": NER_INSTRUCTIONS,
    }
    categories = gt.put("ner-categories.json", json.dumps(document))
    manifest = gt.manifest([{"source": text}])
    gt.sagemaker.create_labeling_job(**gt.request("entities", "NamedEntityRecognition", manifest, categories))

    job = gt.sagemaker.describe_labeling_job(LabelingJobName="entities")

    assert without_dates(gt.output(job)) == [
        {
            "source": text,
            "label": {
                "annotations": {
                    "labels": [{"label": "Person", "shortDisplayName": "per"}, {"label": "Place"}],
                    "entities": [
                        {"label": "Person", "startOffset": 21, "endOffset": 24},
                        {"label": "Place", "startOffset": 25, "endOffset": 31},
                    ],
                }
            },
            "label-metadata": metadata(
                "entities", "text-span", entities=[{"confidence": 0.0}, {"confidence": 0.0}]
            ),
        }
    ]
    assert text[21:24] == "Ana"
    assert text[25:31] == "visits"


@pytest.mark.parametrize("task", ["VerificationBoundingBox", "VerificationSemanticSegmentation"])
def test_verification_answers_with_the_templates_choices(gt: GroundTruth, task: str) -> None:
    accepted = gt.put("images/ok.png", b"x", tags="label=car")
    rejected = gt.put("images/bad.png", b"x", tags="label=car&outcome=reject")
    prior = {"label-metadata": {"type": "groundtruth/object-detection", "class-map": {"0": "car"}}}
    template = gt.put("verify.liquid.html", PASS_FAIL_TEMPLATE)
    lines = [{"source-ref": accepted, **prior}, {"source-ref": rejected, **prior}]

    job = gt.run("verify", task, lines, ("car",), attribute="verdict", template=template)

    verdict = metadata("verify", "label-verification", confidence=0.0)
    assert without_dates(gt.output(job), "verdict") == [
        {**lines[0], "verdict": "0", "verdict-metadata": {**verdict, "class-name": "pass"}},
        {**lines[1], "verdict": "1", "verdict-metadata": {**verdict, "class-name": "fail"}},
    ]


def test_a_verification_semantic_segmentation_attribute_must_not_end_with_ref(gt: GroundTruth) -> None:
    manifest, categories = gt.manifest([{"source-ref": gt.put("i.png", b"x")}]), gt.categories("road")

    with pytest.raises(ClientError) as raised:
        gt.sagemaker.create_labeling_job(
            **gt.request(
                "v", "VerificationSemanticSegmentation", manifest, categories, attribute="verdict-ref"
            )
        )

    assert error_of(raised)[1] == (
        "LabelAttributeName verdict-ref cannot end with -ref for VerificationSemanticSegmentation "
        "labeling jobs."
    )


def test_a_built_in_review_cannot_show_the_proposed_label_so_its_reviewer_fails_it(gt: GroundTruth) -> None:
    # Given a review on the built-in TextMultiClass task (categories pass and fail) whose template reads
    # the proposed label from the manifest line: a built-in pre-annotation function passes the template
    # only task.input.taskObject and task.input.labels
    template = gt.put(
        "review.liquid.html",
        '<crowd-form><crowd-classifier name="review" categories="{{ task.input.labels | to_json | escape }}">'
        "<classification-target>{{ task.input.taskObject }} "
        "{{ task.input.manifestLine.proposed_label }}"
        "</classification-target></crowd-classifier></crowd-form>",
    )
    lines = [
        {"source": "Great product #label=positive", "proposed_label": "positive"},
        {"source": "Awful #label=positive #outcome=reject", "proposed_label": "positive"},
    ]
    # When it runs
    job = gt.run(
        "review", "TextMultiClass", lines, ("pass", "fail"), attribute="verification", template=template
    )
    # Then the reviewer, who sees no proposed label, fails both
    assert [
        (line["verification"], line["verification-metadata"]["class-name"]) for line in gt.output(job)
    ] == [(1, "fail"), (1, "fail")]


def test_reject_does_not_change_a_label_that_names_one_of_the_jobs_categories(gt: GroundTruth) -> None:
    job = gt.run("labeling", "TextMultiClass", [{"source": "x #label=dog #outcome=reject"}], ("cat", "dog"))

    assert gt.output(job)[0]["label-metadata"]["class-name"] == "dog"


# ---------------------------------------------------------------------------------------------
# Items that are not labeled
# ---------------------------------------------------------------------------------------------


def test_unlabeled_missing_and_badly_hinted_items_carry_a_failure_reason(gt: GroundTruth) -> None:
    labeled = gt.put("images/ok.png", b"x", tags="label=cat")
    expired = gt.put("images/expired.png", b"x", tags="outcome=unlabeled")
    missing = f"s3://{BUCKET}/images/deleted.png"
    typo = gt.put("images/typo.png", b"x", tags="outcome=rejected")
    lines = [{"source-ref": uri} for uri in (labeled, expired, missing, typo)]

    job = gt.run("partial", "ImageMultiClass", lines, ("cat", "dog"))

    assert job["LabelingJobStatus"] == "Completed"
    assert job["LabelCounters"] == counters(1, failed=2, unlabeled=1)
    output = gt.output(job)
    assert output[0]["label"] == 0
    assert [line["label-metadata"] for line in output[1:]] == [
        {"failure-reason": reason, "job-name": "labeling-job/partial"}
        for reason in (
            "ClientError: Annotation tasks expired. No worker labeled this data object in time.",
            f"ClientError: The data object {missing} does not exist.",
            "ClientError: Emulator unknown hint outcome='rejected'; expected one of unlabeled, reject.",
        )
    ]
    assert all("label" not in line for line in output[1:])


def test_a_zero_labeled_fault_completes_the_job_with_nothing_labeled(gt: GroundTruth) -> None:
    gt.emulator.clear_faults("labeling_job")
    gt.emulator.arm_fault(
        "labeling_job", match={"job_name": "expired-*"}, mode="zero_labeled", delay_seconds=0
    )
    lines = [{"source": "one #label=cat"}, {"source": "two"}]

    job = gt.run("expired-1", "TextMultiClass", lines, ("cat", "dog"))

    assert job["LabelingJobStatus"] == "Completed"
    assert job["LabelCounters"] == counters(0, unlabeled=2)
    assert [line["label-metadata"]["failure-reason"] for line in gt.output(job)] == [
        "ClientError: Annotation tasks expired. No worker labeled this data object in time."
    ] * 2


def test_a_failed_fault_fails_the_job_without_output(gt: GroundTruth) -> None:
    gt.emulator.clear_faults("labeling_job")
    gt.emulator.arm_fault(
        "labeling_job", mode="failed", failure_reason="ClientError: workforce gone", delay_seconds=0
    )

    job = gt.run("broken", "TextMultiClass", [{"source": "x"}], ("cat", "dog"))

    assert job["LabelingJobStatus"] == "Failed"
    assert job["FailureReason"] == "ClientError: workforce gone"
    assert "LabelingJobOutput" not in job
    assert job["LabelCounters"] == counters(0)


def test_a_malformed_manifest_fails_the_job(gt: GroundTruth) -> None:
    manifest = gt.put("bad.manifest", '{"source": "fine"}\nnot json\n')
    categories = gt.categories("a", "b")
    gt.sagemaker.create_labeling_job(**gt.request("malformed", "TextMultiClass", manifest, categories))

    job = gt.sagemaker.describe_labeling_job(LabelingJobName="malformed")

    assert job["LabelingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith(
        f"ClientError: line 2 of the input manifest {manifest} is not JSON"
    )


# ---------------------------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------------------------


def test_a_job_is_in_progress_until_its_delay_passes_and_can_be_stopped(gt: GroundTruth) -> None:
    gt.emulator.clear_faults("labeling_job")
    gt.emulator.arm_fault("labeling_job", delay_seconds=3600)
    gt.run("slow", "TextMultiClass", [{"source": "x"}], ("a", "b"))

    before = gt.sagemaker.describe_labeling_job(LabelingJobName="slow")
    gt.sagemaker.stop_labeling_job(LabelingJobName="slow")
    stopping = gt.sagemaker.describe_labeling_job(LabelingJobName="slow")["LabelingJobStatus"]
    stopped = gt.sagemaker.describe_labeling_job(LabelingJobName="slow")["LabelingJobStatus"]

    assert before["LabelingJobStatus"] == "InProgress"
    assert before["LabelCounters"] == counters(0)
    assert "LabelingJobOutput" not in before
    assert (stopping, stopped) == ("Stopping", "Stopped")


def test_a_completed_job_cannot_be_stopped(gt: GroundTruth) -> None:
    gt.run("done", "TextMultiClass", [{"source": "x"}], ("a", "b"))

    with pytest.raises(ClientError) as raised:
        gt.sagemaker.stop_labeling_job(LabelingJobName="done")

    assert error_of(raised) == (
        "ValidationException",
        "Labeling job done cannot be stopped: its status is Completed.",
    )


def test_describe_echoes_the_request_and_the_job_is_tagged(gt: GroundTruth) -> None:
    manifest, categories = gt.manifest([{"source": "x"}]), gt.categories("a", "b")
    request = gt.request("echo", "TextMultiClass", manifest, categories, TaskKeywords=["text"])
    request["Tags"] = [{"Key": "pipeline", "Value": "demo"}]

    arn = gt.sagemaker.create_labeling_job(**request)["LabelingJobArn"]
    job = gt.sagemaker.describe_labeling_job(LabelingJobName="echo")

    assert arn == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:labeling-job/echo"
    for key in (
        "LabelingJobName",
        "LabelAttributeName",
        "InputConfig",
        "OutputConfig",
        "RoleArn",
        "HumanTaskConfig",
    ):
        assert job[key] == request[key]
    assert job["LabelCategoryConfigS3Uri"] == categories
    assert re.fullmatch(rf"{ACCOUNT}[A-Za-z0-9]{{16}}", job["JobReferenceCode"])
    assert job["Tags"] == [{"Key": "pipeline", "Value": "demo"}]
    assert gt.sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "pipeline", "Value": "demo"}]


def test_output_objects_are_encrypted_with_the_jobs_kms_key(gt: GroundTruth) -> None:
    key_arn = gt.emulator.client("kms").create_key()["KeyMetadata"]["Arn"]
    manifest, categories = gt.manifest([{"source": "x"}]), gt.categories("a", "b")
    request = gt.request("sealed", "TextMultiClass", manifest, categories)
    request["OutputConfig"]["KmsKeyId"] = key_arn
    gt.sagemaker.create_labeling_job(**request)

    gt.sagemaker.describe_labeling_job(LabelingJobName="sealed")
    head = gt.s3.head_object(Bucket=BUCKET, Key="output/sealed/manifests/output/output.manifest")

    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == key_arn


def test_jobs_are_listed_filtered_sorted_and_paged(gt: GroundTruth) -> None:
    for name in ("job-b", "job-a", "other-c"):
        gt.run(name, "TextMultiClass", [{"source": "x"}], ("a", "b"))

    by_name = gt.sagemaker.list_labeling_jobs(SortBy="Name", SortOrder="Descending")["LabelingJobSummaryList"]
    filtered = gt.sagemaker.list_labeling_jobs(NameContains="JOB", StatusEquals="Completed")[
        "LabelingJobSummaryList"
    ]
    first = gt.sagemaker.list_labeling_jobs(MaxResults=2)
    rest = gt.sagemaker.list_labeling_jobs(MaxResults=2, NextToken=first["NextToken"])

    assert [job["LabelingJobName"] for job in by_name] == ["other-c", "job-b", "job-a"]
    assert [job["LabelingJobName"] for job in filtered] == ["job-b", "job-a"]
    assert [
        job["LabelingJobName"] for job in first["LabelingJobSummaryList"] + rest["LabelingJobSummaryList"]
    ] == [
        "job-b",
        "job-a",
        "other-c",
    ]
    assert "NextToken" not in rest
    summary = by_name[0]
    assert summary["WorkteamArn"] == gt.workteam_arn
    assert summary["LabelCounters"] == counters(1)
    assert summary["PreHumanTaskLambdaArn"].endswith(":function:PRE-TextMultiClass")
    assert summary["AnnotationConsolidationLambdaArn"].endswith(":function:ACS-TextMultiClass")


def test_jobs_are_listed_for_their_work_team(gt: GroundTruth) -> None:
    gt.run("team-job", "TextMultiClass", [{"source": "x"}, {"source": "y"}], ("a", "b"))

    listed = gt.sagemaker.list_labeling_jobs_for_workteam(WorkteamArn=gt.workteam_arn)[
        "LabelingJobSummaryList"
    ]
    with pytest.raises(ClientError) as raised:
        gt.sagemaker.list_labeling_jobs_for_workteam(
            WorkteamArn=f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:workteam/private-crowd/ghost"
        )

    assert len(listed) == 1
    assert listed[0]["LabelingJobName"] == "team-job"
    assert listed[0]["WorkRequesterAccountId"] == ACCOUNT
    assert listed[0]["LabelCounters"] == {"HumanLabeled": 2, "PendingHuman": 0, "Total": 2}
    assert error_of(raised)[0] == "ResourceNotFound"


def test_an_unknown_job_is_not_found(gt: GroundTruth) -> None:
    for call in (gt.sagemaker.describe_labeling_job, gt.sagemaker.stop_labeling_job):
        with pytest.raises(ClientError) as raised:
            call(LabelingJobName="ghost")
        assert error_of(raised)[0] == "ResourceNotFound"


# ---------------------------------------------------------------------------------------------
# CreateLabelingJob validation
# ---------------------------------------------------------------------------------------------


Change = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Change:
    def change(request: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        target = request
        for parent in parents:
            target = target[parent]
        if value is None:
            del target[leaf]
        else:
            target[leaf] = value

    return change


ACS = "HumanTaskConfig.AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn"
INVALID_REQUESTS = [
    pytest.param(
        _set("InputConfig.DataSource.S3DataSource.ManifestS3Uri", f"s3://{BUCKET}/missing.manifest"),
        "ValidationException",
        f"Cannot access the input manifest file: s3://{BUCKET}/missing.manifest does not exist.",
        id="missing manifest",
    ),
    pytest.param(
        _set(
            "HumanTaskConfig.WorkteamArn",
            f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:workteam/private-crowd/ghost",
        ),
        "ValidationException",
        f"The work team arn:aws:sagemaker:us-east-1:{ACCOUNT}:workteam/private-crowd/ghost does not exist.",
        id="unknown work team",
    ),
    pytest.param(
        _set("RoleArn", "arn:aws:iam::123:role/short-account"),
        "ValidationException",
        "1 validation error detected: Value 'arn:aws:iam::123:role/short-account' at 'roleArn' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
        id="role ARN form",
    ),
    pytest.param(
        _set("LabelingJobName", "bad_name"),
        "ValidationException",
        "1 validation error detected: Value 'bad_name' at 'labelingJobName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
        id="job name rules",
    ),
    pytest.param(
        _set("HumanTaskConfig.PreHumanTaskLambdaArn", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-pre"),
        "ValidationException",
        f"PreHumanTaskLambdaArn arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-pre: no such Lambda function.",
        id="custom task without its function",
    ),
    pytest.param(
        _set(
            "HumanTaskConfig.PreHumanTaskLambdaArn",
            "arn:aws:lambda:us-east-1:081040173940:function:PRE-TextMultiClass",
        ),
        "ValidationException",
        "PreHumanTaskLambdaArn arn:aws:lambda:us-east-1:081040173940:function:PRE-TextMultiClass is not "
        f"valid in this region; use {GT_FUNCTIONS}PRE-TextMultiClass.",
        id="PRE function of another region",
    ),
    pytest.param(
        _set(ACS, f"arn:aws:lambda:us-east-1:{LAMBDA_ACCOUNT}:function:ACS-BoundingBox"),
        "ValidationException",
        f"AnnotationConsolidationLambdaArn {GT_FUNCTIONS}ACS-BoundingBox does not match PRE-TextMultiClass: "
        "use the ACS-TextMultiClass function of the same account and region.",
        id="ACS of another task type",
    ),
    pytest.param(
        _set("LabelCategoryConfigS3Uri", None),
        "ValidationException",
        "LabelCategoryConfigS3Uri is required for built-in task types.",
        id="no categories",
    ),
    pytest.param(
        _set("LabelAttributeName", "label-ref"),
        "ValidationException",
        "LabelAttributeName label-ref cannot end with -ref for TextMultiClass labeling jobs.",
        id="ref attribute",
    ),
    pytest.param(
        _set("LabelAttributeName", "label-metadata"),
        "ValidationException",
        "LabelAttributeName label-metadata cannot end with -metadata.",
        id="metadata attribute",
    ),
    pytest.param(
        _set("HumanTaskConfig.TaskTimeLimitInSeconds", 28801),
        "ValidationException",
        "TaskTimeLimitInSeconds must be at most 28800 for image and text tasks.",
        id="task time limit",
    ),
    pytest.param(
        _set("HumanTaskConfig.TaskAvailabilityLifetimeInSeconds", 2592001),
        "ValidationException",
        "TaskAvailabilityLifetimeInSeconds must be at most 2592000 (30 days) for a private workforce.",
        id="availability lifetime",
    ),
    pytest.param(
        _set("HumanTaskConfig.NumberOfHumanWorkersPerDataObject", 10),
        "ValidationException",
        "1 validation error detected: Value '10' at 'humanTaskConfig.numberOfHumanWorkersPerDataObject' "
        "failed to satisfy constraint: Member must have value less than or equal to 9",
        id="workers per object",
    ),
    pytest.param(
        _set(
            "HumanTaskConfig.UiConfig.HumanTaskUiArn",
            "arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/X",
        ),
        "ValidationException",
        "UiConfig needs exactly one of UiTemplateS3Uri and HumanTaskUiArn.",
        id="two UIs",
    ),
    pytest.param(
        _set(
            "InputConfig.DataSource",
            {"SnsDataSource": {"SnsTopicArn": "arn:aws:sns:us-east-1:123456789012:t"}},
        ),
        "ValidationException",
        "The emulator runs batch labeling jobs over an input manifest (S3DataSource); streaming jobs "
        "(SnsDataSource) are not simulated.",
        id="streaming job",
    ),
    pytest.param(
        _set("StoppingConditions", {"MaxHumanLabeledObjectCount": 10}),
        "ValidationException",
        "The emulator does not simulate StoppingConditions; its jobs label every object.",
        id="stopping conditions",
    ),
    pytest.param(
        _set(
            "LabelingJobAlgorithmsConfig",
            {
                "LabelingJobAlgorithmSpecificationArn": "arn:aws:sagemaker:us-east-1:027400017018:"
                "labeling-job-algorithm-specification/text-classification"
            },
        ),
        "ValidationException",
        "The emulator does not simulate automated data labeling (LabelingJobAlgorithmsConfig).",
        id="automated labeling",
    ),
]


@pytest.mark.parametrize(("change", "code", "message"), INVALID_REQUESTS)
def test_an_invalid_labeling_job_is_refused(gt: GroundTruth, change: Change, code: str, message: str) -> None:
    manifest, categories = gt.manifest([{"source": "x"}]), gt.categories("a", "b")
    request = gt.request("refused", "TextMultiClass", manifest, categories)
    change(request)

    with pytest.raises(ClientError) as raised:
        gt.sagemaker.create_labeling_job(**request)

    assert error_of(raised) == (code, message)
    assert gt.sagemaker.list_labeling_jobs()["LabelingJobSummaryList"] == []


NER_UI_PROBLEMS = [
    pytest.param(
        {"UiTemplateS3Uri": f"s3://{BUCKET}/template.liquid.html"},
        {"instructions": NER_INSTRUCTIONS},
        "PRE-NamedEntityRecognition jobs use AWS's built-in worker UI: set UiConfig.HumanTaskUiArn to "
        f"{NER_UI} instead of UiTemplateS3Uri.",
        id="worker template",
    ),
    pytest.param(
        {"HumanTaskUiArn": NER_UI.replace("us-east-1", "eu-west-1")},
        {"instructions": NER_INSTRUCTIONS},
        "HumanTaskUiArn arn:aws:sagemaker:eu-west-1:394669845002:human-task-ui/NamedEntityRecognition is not "
        f"the built-in UI of PRE-NamedEntityRecognition in this region; use {NER_UI}.",
        id="UI of another region",
    ),
    pytest.param(
        {"HumanTaskUiArn": NER_UI},
        {},
        "A named entity recognition job takes its worker instructions from the label category "
        'configuration file: add "instructions": {"shortInstruction": ..., "fullInstruction": ...}.',
        id="no instructions in the category file",
    ),
]


@pytest.mark.parametrize(("ui", "extra", "message"), NER_UI_PROBLEMS)
def test_named_entity_recognition_needs_the_builtin_ui(
    gt: GroundTruth, ui: dict[str, str], extra: dict[str, Any], message: str
) -> None:
    # Given a named entity recognition job with a worker template, a foreign UI or no instructions
    gt.put("template.liquid.html", "<crowd-form></crowd-form>")
    document = {"document-version": "2018-11-28", "labels": [{"label": "Person"}], **extra}
    categories = gt.put("ner-categories.json", json.dumps(document))
    request = gt.request("entities", "NamedEntityRecognition", gt.manifest([{"source": "Ana"}]), categories)
    request["HumanTaskConfig"]["UiConfig"] = ui

    # When it is created, then Ground Truth refuses it
    with pytest.raises(ClientError) as raised:
        gt.sagemaker.create_labeling_job(**request)
    assert error_of(raised) == ("ValidationException", message)


def test_a_builtin_ui_is_refused_for_a_task_type_that_takes_a_template(gt: GroundTruth) -> None:
    manifest, categories = gt.manifest([{"source": "x"}]), gt.categories("a", "b")
    request = gt.request("refused", "TextMultiClass", manifest, categories)
    request["HumanTaskConfig"]["UiConfig"] = {"HumanTaskUiArn": NER_UI}

    with pytest.raises(ClientError) as raised:
        gt.sagemaker.create_labeling_job(**request)

    assert error_of(raised) == (
        "ValidationException",
        "PRE-TextMultiClass jobs take a worker task template (UiConfig.UiTemplateS3Uri), not HumanTaskUiArn.",
    )


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("not json", "it is not valid JSON"),
        ('{"labels": []}', 'it needs a non-empty "labels" list'),
        ('{"labels": [{"label": "a"}, {"label": "a"}]}', "label names must be unique, repeated: a"),
    ],
)
def test_an_invalid_category_file_is_refused(gt: GroundTruth, document: str, problem: str) -> None:
    manifest, categories = gt.manifest([{"source": "x"}]), gt.put("bad-categories.json", document)

    with pytest.raises(ClientError) as raised:
        gt.sagemaker.create_labeling_job(**gt.request("refused", "TextMultiClass", manifest, categories))

    code, message = error_of(raised)
    assert code == "ValidationException"
    assert message.startswith(f"The label category configuration file {categories} is invalid: {problem}")


def test_a_job_name_is_unique_regardless_of_case(gt: GroundTruth) -> None:
    gt.run("Unique-Job", "TextMultiClass", [{"source": "x"}], ("a", "b"))
    manifest, categories = gt.manifest([{"source": "x"}]), gt.categories("a", "b")

    with pytest.raises(ClientError) as raised:
        gt.sagemaker.create_labeling_job(**gt.request("unique-job", "TextMultiClass", manifest, categories))

    assert error_of(raised) == (
        "ResourceInUse",
        "Job name must be unique within an AWS account and region, and a job with this name already exists "
        f"(arn:aws:sagemaker:us-east-1:{ACCOUNT}:labeling-job/unique-job)",
    )


# ---------------------------------------------------------------------------------------------
# Time: sets of MaxConcurrentTaskCount, availability windows and the 30-day limit, on the emulator's
# clock (a multi-day job runs in seconds)
# ---------------------------------------------------------------------------------------------

HOUR, DAY = 3600, 86_400
EXPIRED = "ClientError: Annotation tasks expired. No worker labeled this data object in time."


def start_paced(
    gt: GroundTruth, name: str, lines: list[dict[str, Any]], *, work_seconds: int, set_size: int, window: int
) -> None:
    """Create a text job whose simulated workers need ``work_seconds`` per set of ``set_size`` objects."""
    gt.emulator.clear_faults("labeling_job")
    gt.emulator.arm_fault("labeling_job", match={"job_name": name}, delay_seconds=work_seconds)
    manifest = gt.manifest(lines, key=f"{name}.manifest")
    categories = gt.categories("a", "b", key=f"{name}-categories.json")
    request = gt.request(
        name,
        "TextMultiClass",
        manifest,
        categories,
        MaxConcurrentTaskCount=set_size,
        TaskAvailabilityLifetimeInSeconds=window,
    )
    gt.sagemaker.create_labeling_job(**request)


def progress(gt: GroundTruth, name: str) -> tuple[str, dict[str, int]]:
    job = gt.sagemaker.describe_labeling_job(LabelingJobName=name)
    return job["LabelingJobStatus"], job["LabelCounters"]


def test_a_job_sends_its_objects_in_sets_and_completes_after_the_last(gt: GroundTruth) -> None:
    # Given 7 objects in sets of 3 with 1-day windows, workers who need 12 hours per set, and one object
    # (in the second set) that no worker labels
    lines = [{"source": f"item {n}" + (" #outcome=unlabeled" if n == 4 else "")} for n in range(7)]
    start_paced(gt, "sets", lines, work_seconds=12 * HOUR, set_size=3, window=DAY)
    # When the emulator's clock moves on 12 hours at a time
    seen = [progress(gt, "sets")]
    for _ in range(3):
        gt.emulator.advance_clock(12 * HOUR)
        seen.append(progress(gt, "sets"))
    # Then each set is counted when it ends, and the job completes 36 hours after it was created
    assert seen == [
        ("InProgress", counters(0)),
        ("InProgress", counters(3)),
        ("InProgress", counters(5, unlabeled=1)),
        ("Completed", counters(6, unlabeled=1)),
    ]
    job = gt.sagemaker.describe_labeling_job(LabelingJobName="sets")
    assert abs((job["LastModifiedTime"] - job["CreationTime"]).total_seconds() - 36 * HOUR) < 0.01
    output = gt.output(job)
    assert [line["source"] for line in output] == [line["source"] for line in lines]
    assert [line["label-metadata"].get("failure-reason") for line in output] == [None] * 4 + [EXPIRED] + [
        None
    ] * 2


def test_when_a_window_closes_before_the_workers_are_done_its_objects_expire(gt: GroundTruth) -> None:
    # Given 5 objects in sets of 2 with 1-day windows, and workers who would need 2 days per set
    start_paced(
        gt, "slow", [{"source": f"item {n}"} for n in range(5)], work_seconds=2 * DAY, set_size=2, window=DAY
    )
    # When the clock moves on one day at a time
    seen = [progress(gt, "slow")]
    for _ in range(3):
        gt.emulator.advance_clock(DAY)
        seen.append(progress(gt, "slow"))
    # Then every set expires when its window closes, the next set follows, and the job completes after 3 days
    assert seen == [
        ("InProgress", counters(0)),
        ("InProgress", counters(0, unlabeled=2)),
        ("InProgress", counters(0, unlabeled=4)),
        ("Completed", counters(0, unlabeled=5)),
    ]
    output = gt.output(gt.sagemaker.describe_labeling_job(LabelingJobName="slow"))
    assert [line["label-metadata"] for line in output] == [
        {"failure-reason": EXPIRED, "job-name": "labeling-job/slow"}
    ] * 5


def test_a_job_still_open_after_30_days_fails(gt: GroundTruth) -> None:
    # Given 3 objects sent one at a time with 12-day windows and workers slower than that (the third set
    # would end on day 36)
    start_paced(
        gt,
        "month",
        [{"source": f"item {n}"} for n in range(3)],
        work_seconds=13 * DAY,
        set_size=1,
        window=12 * DAY,
    )
    # When 29 days pass, then one more
    gt.emulator.advance_clock(29 * DAY)
    before = progress(gt, "month")
    gt.emulator.advance_clock(DAY)
    job = gt.sagemaker.describe_labeling_job(LabelingJobName="month")
    # Then the job fails at 30 days with a client error, keeping the counts of the sets that had ended
    assert before == ("InProgress", counters(0, unlabeled=2))
    assert (job["LabelingJobStatus"], job["FailureReason"]) == (
        "Failed",
        "ClientError: The labeling job did not complete within 30 days.",
    )
    assert job["LabelCounters"] == counters(0, unlabeled=2)
    assert "LabelingJobOutput" not in job
    assert abs((job["LastModifiedTime"] - job["CreationTime"]).total_seconds() - 30 * DAY) < 0.01
