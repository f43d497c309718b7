"""Stand-ins for the two services plain moto lacks: Ground Truth labeling jobs and the Feature Store runtime.

They sit at the AWS client boundary (``labeling_pipeline.aws.client``) and behave like the services:
a job writes a real output manifest to (moto) S3 when the test completes it; PutRecord stores records and
can be told to throttle. The end-to-end tests use the emulator instead.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_sagemaker_featurestore_runtime.type_defs import FeatureValueTypeDef


def client_error(code: str, message: str, operation: str, status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
        operation,
    )


@dataclass
class FakeJob:
    request: dict[str, Any]
    status: str = "InProgress"
    failure_reason: str | None = None
    output_uri: str | None = None
    labeled: int = 0


class FakeGroundTruth:
    """CreateLabelingJob / DescribeLabelingJob / StopLabelingJob; ``finish`` writes the output manifest a real
    job would. A stopped job is ``Stopping`` for one Describe, then ``Stopped`` (AWS stops asynchronously)."""

    def __init__(self, s3: Any) -> None:
        self._s3 = s3
        self.jobs: dict[str, FakeJob] = {}

    def create_labeling_job(self, **request: Any) -> dict[str, str]:
        name = request["LabelingJobName"]
        if name.lower() in {n.lower() for n in self.jobs}:
            raise client_error("ResourceInUse", f"Job {name} already exists", "CreateLabelingJob")
        self.jobs[name] = FakeJob(request)
        return {"LabelingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:labeling-job/{name.lower()}"}

    def describe_labeling_job(self, LabelingJobName: str) -> dict[str, Any]:
        job = self.jobs.get(LabelingJobName)
        if job is None:
            raise client_error("ResourceNotFound", "Requested resource not found.", "DescribeLabelingJob")
        description: dict[str, Any] = {
            "LabelingJobName": LabelingJobName,
            "LabelingJobStatus": job.status,
            "LabelCounters": {"TotalLabeled": job.labeled},
        }
        if job.status == "Stopping":
            job.status = "Stopped"
        if job.failure_reason:
            description["FailureReason"] = job.failure_reason
        if job.output_uri:
            description["LabelingJobOutput"] = {"OutputDatasetS3Uri": job.output_uri}
        return description

    def stop_labeling_job(self, LabelingJobName: str) -> dict[str, Any]:
        job = self.jobs.get(LabelingJobName)
        if job is None:
            raise client_error("ResourceNotFound", "Requested resource not found.", "StopLabelingJob")
        if job.status not in ("InProgress", "Stopping", "Stopped"):
            raise client_error(
                "ValidationException", f"Job {LabelingJobName} is {job.status}", "StopLabelingJob"
            )
        if job.status == "InProgress":
            job.status = "Stopping"
        return {}

    def input_lines(self, name: str) -> list[dict[str, Any]]:
        uri = self.jobs[name].request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"]
        bucket, key = uri[5:].split("/", 1)
        body = self._s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        return [json.loads(line) for line in body.splitlines() if line.strip()]

    def finish(self, name: str, annotate: Callable[[dict[str, Any]], Mapping[str, Any] | None]) -> None:
        """Complete the job: each input line plus whatever ``annotate`` adds (None drops the line)."""
        job = self.jobs[name]
        lines = []
        for line in self.input_lines(name):
            extra = annotate(line)
            if extra is not None:
                lines.append({**line, **extra})
        output_path = job.request["OutputConfig"]["S3OutputPath"]
        bucket, prefix = output_path[5:].split("/", 1)
        key = f"{prefix}{name}/manifests/output/output.manifest"
        body = "".join(json.dumps(line) + "\n" for line in lines)
        self._s3.put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"))
        job.status, job.output_uri = "Completed", f"s3://{bucket}/{key}"
        job.labeled = sum(1 for line in lines if job.request["LabelAttributeName"] in line)

    def fail(self, name: str, reason: str) -> None:
        job = self.jobs[name]
        job.status, job.failure_reason = "Failed", reason


@dataclass
class FakeFeatureStore:
    """PutRecord into memory; ``throttle_next`` throttles that many calls, ``reject`` fails records by id."""

    throttle_next: int = 0
    reject: set[str] = field(default_factory=set)
    puts: list[dict[str, str]] = field(default_factory=list)
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put_record(self, FeatureGroupName: str, Record: Sequence[FeatureValueTypeDef]) -> dict[str, Any]:
        record = {f["FeatureName"]: f["ValueAsString"] for f in Record}
        with self._lock:
            self.calls += 1
            if self.throttle_next > 0:
                self.throttle_next -= 1
                raise client_error("ThrottlingException", "Rate exceeded", "PutRecord")
            if record["record_id"] in self.reject:
                raise client_error("ValidationError", "feature value invalid", "PutRecord")
            self.puts.append(record)
        return {}

    def latest(self) -> dict[str, dict[str, str]]:
        """The online view: per record id, the record with the latest event time."""
        view: dict[str, dict[str, str]] = {}
        for record in self.puts:
            current = view.get(record["record_id"])
            if current is None or record["event_time"] >= current["event_time"]:
                view[record["record_id"]] = record
        return view


@dataclass
class FakeStepFunctions:
    """DescribeExecution for the sweep: executions the test marks running, stopped, or unknown."""

    statuses: dict[str, str] = field(default_factory=dict)

    def describe_execution(self, executionArn: str) -> dict[str, Any]:
        if executionArn not in self.statuses:
            raise client_error(
                "ExecutionDoesNotExist", f"Execution Does Not Exist: '{executionArn}'", "DescribeExecution"
            )
        return {"executionArn": executionArn, "status": self.statuses[executionArn]}
