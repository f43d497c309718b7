"""When the objects of a batch labeling job reach the workers, and when the job must end.

Ground Truth does not hand a batch job's whole manifest to the workers at once: it sends objects in sets
of ``MaxConcurrentTaskCount`` and the next set once the workers are done with one, so a job of several
sets stays open for several availability windows. AWS fails a job that is still open after 30 days. The
emulator plays this out on its clock (:mod:`emulator.core.clock`), so that a test can run a multi-day job in
seconds by advancing the clock.

The simulated workers need ``work_seconds`` for a set (``EMULATOR_LABELING_DELAY_SECONDS`` or the
``delay_seconds`` of a ``labeling_job`` fault). A set ends when they are done with it, or when its
availability window closes first; in that case every object of the set that they had not labeled expires.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# AWS: Amazon SageMaker Developer Guide, "Control the flow of data objects sent to workers",
# https://docs.aws.amazon.com/sagemaker/latest/dg/sms-batching.html ("As workers finish labeling one set of
# objects, up to MaxConcurrentTaskCount new tasks will be sent") and the API reference, HumanTaskConfig,
# MaxConcurrentTaskCount ("The default value is 1000 objects"),
# https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_HumanTaskConfig.html
DEFAULT_SET_SIZE = 1000
# AWS: the API reference, HumanTaskConfig, TaskAvailabilityLifetimeInSeconds ("The length of time that a
# task remains available for labeling by human workers"; for a private or vendor workforce "the default
# value is 30 days (2592,000 seconds) for non-AL mode"), same page as above.
DEFAULT_AVAILABILITY_SECONDS = 30 * 24 * 3600
# AWS: the API reference, LabelingJobStoppingConditions: "Labeling jobs fail after 30 days with an
# appropriate client error message.",
# https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_LabelingJobStoppingConditions.html
MAX_JOB_SECONDS = 30 * 24 * 3600
# Assumption: AWS does not publish the wording of that client error; this says what happened in the form
# of Ground Truth's other failure reasons ("ClientError: ...").
JOB_EXPIRED_REASON = "ClientError: The labeling job did not complete within 30 days."


@dataclass(frozen=True)
class SetEnd:
    """When a set of objects is over, and whether its window closed before the workers were done."""

    at: float
    window_closed: bool


@dataclass(frozen=True)
class Pace:
    """The time model of one labeling job (times are seconds on the emulator's clock)."""

    created_at: float
    work_seconds: float
    availability_seconds: float
    set_size: int

    @classmethod
    def of(cls, human_task_config: Mapping[str, Any], created_at: float, work_seconds: float) -> Pace:
        return cls(
            created_at=created_at,
            work_seconds=work_seconds,
            availability_seconds=float(
                human_task_config.get("TaskAvailabilityLifetimeInSeconds") or DEFAULT_AVAILABILITY_SECONDS
            ),
            set_size=int(human_task_config.get("MaxConcurrentTaskCount") or DEFAULT_SET_SIZE),
        )

    @property
    def deadline(self) -> float:
        """The moment AWS fails the job if it is still open."""
        return self.created_at + MAX_JOB_SECONDS

    def set_end(self, released_at: float) -> SetEnd:
        """The end of the set sent to the workers at ``released_at``.

        Assumption: the simulated workers take every task of a set as soon as it is offered, so a worker's
        TaskTimeLimitInSeconds never runs past the window; objects they leave unlabeled (the ``unlabeled``
        hint) expire when they are done with the set, so that a test need not wait out the window to see
        an expired object. Workers slower than the window label nothing of that set.
        """
        if self.work_seconds <= self.availability_seconds:
            return SetEnd(released_at + self.work_seconds, window_closed=False)
        return SetEnd(released_at + self.availability_seconds, window_closed=True)
