"""Where a batch's files live in the output bucket (one prefix per execution, deterministic names).

Deterministic names make every step idempotent: a retried step overwrites its own files instead of
leaving a second copy that a later step might read.
"""

from __future__ import annotations

from dataclasses import dataclass

from .jsonlines import S3Location
from .model import Stage


@dataclass(frozen=True)
class BatchLayout:
    bucket: str
    batch_id: str

    def _at(self, name: str) -> S3Location:
        return S3Location(self.bucket, f"batches/{self.batch_id}/{name}")

    @property
    def input_manifest(self) -> S3Location:
        return self._at("input.manifest")

    @property
    def review_manifest(self) -> S3Location:
        return self._at("review.manifest")

    def manifest_for(self, stage: Stage) -> S3Location:
        return self.input_manifest if stage is Stage.LABELING else self.review_manifest

    def returns(self, stage: Stage) -> S3Location:
        """Items a stage could not label or that reviewers rejected, each with its reason."""
        return self._at(f"returns-{stage}.jsonl")

    def chunk(self, index: int) -> S3Location:
        """Accepted labels, a bounded number per file, for the Feature Store writer's Map state."""
        return self._at(f"labeled/{index:05d}.jsonl")

    @property
    def job_output_path(self) -> str:
        """Ground Truth writes <this>/<job name>/manifests/output/output.manifest."""
        return f"s3://{self.bucket}/jobs/"

    def job_output_manifest(self, job_name: str) -> str:
        return f"{self.job_output_path}{job_name}/manifests/output/output.manifest"
