"""What every benchmark section shares: the figures it reports, API call counting, the emulator, a Lambda
context for handlers called in-process, and the machine the figures were measured on."""

from __future__ import annotations

import os
import platform
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from aws_lambda_powertools.utilities.typing import LambdaContext

from emulator import ctl
from labeling_pipeline.model import RunInfo

REPO = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Figure:
    """One row of the table: our figure, the naive counterpart's, and the target it is held to."""

    section: str
    name: str
    unit: str
    ours: float | None
    naive: float | None = None
    naive_label: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """How many times better ours is (naive / ours), for figures where smaller is better."""
        if self.ours is None or self.naive is None or self.ours == 0:
            return None
        return self.naive / self.ours

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


@dataclass
class SectionResult:
    """A section's figures, the raw measurements behind them, and why it could not run (if so)."""

    name: str
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "seconds": round(self.seconds, 1),
            "error": self.error,
            "figures": [f.to_json() for f in self.figures],
            "details": self.details,
        }


class CallCounter:
    """Counts the AWS API calls boto3 clients make, per service and operation, with a botocore event hook.

    ``before-call`` fires once per API call whatever botocore's retries do; ``before-send`` once per HTTP
    attempt. Both are counted, so a retried call shows up as one call and two requests.
    """

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def watch(self, client: Any) -> Any:
        service = client.meta.service_model.service_name
        events = client.meta.events

        def count_call(model: Any, **_: Any) -> None:
            with self._lock:
                self.calls[f"{service}.{model.name}"] += 1

        def count_request(**_: Any) -> None:
            with self._lock:
                self.requests[service] += 1

        events.register("before-call.*.*", count_call, unique_id=f"bench-count-call-{id(self)}")
        events.register("before-send.*.*", count_request, unique_id=f"bench-count-send-{id(self)}")
        return client

    def total(self, service: str) -> int:
        return sum(n for name, n in self.calls.items() if name.split(".", 1)[0] == service)

    def by_operation(self, service: str) -> dict[str, int]:
        return {
            name.split(".", 1)[1]: n
            for name, n in sorted(self.calls.items())
            if name.startswith(f"{service}.")
        }


def add_round_trip(client: Any, seconds: float) -> None:
    """Delay every HTTP request of ``client`` by ``seconds``: a network round trip the emulator lacks."""

    def delay(**_: Any) -> None:
        time.sleep(seconds)

    client.meta.events.register("before-send.*.*", delay, unique_id=f"bench-round-trip-{id(client)}")


@dataclass
class FakeLambdaContext:
    """The context the Lambda runtime passes; the remaining time counts down from ``timeout_seconds``."""

    function_name: str
    timeout_seconds: int = 900
    memory_limit_in_mb: int = 1024
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/bench"
    log_stream_name: str = "bench"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started + self.timeout_seconds - time.monotonic()) * 1000))


def lambda_context(function_name: str) -> LambdaContext:
    """A fresh context for calling a handler in-process, typed as the one the runtime passes."""
    return cast("LambdaContext", FakeLambdaContext(function_name))


def execution(name: str) -> RunInfo:
    """The ``run`` object the state machine's Initialize state gives every handler."""
    return {
        "execution_name": name,
        "execution_arn": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:bench:{name}",
        "verification_enabled": False,
    }


def _meminfo_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        return None
    return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def hardware() -> dict[str, Any]:
    """The machine the figures come from (cores usable by this process, memory, load when it started)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu_cores": cores,
        "cpu_model": _cpu_model(),
        "memory_gib": _meminfo_gib(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class RunningEmulator:
    url: str
    port: int
    state_dir: Path
    start_seconds: float


@contextmanager
def emulator(state_dir: Path) -> Iterator[RunningEmulator]:
    """The local AWS emulator on a free port (its scheduler clock off: nothing runs unless we start it)."""
    port = free_port()
    state, seconds = ctl.up(
        "127.0.0.1", port, state_dir, timeout=60, environment={"EMULATOR_SCHEDULER_CLOCK": "off"}
    )
    try:
        yield RunningEmulator(state.url, port, state_dir, seconds)
    finally:
        ctl.down(state_dir)


def quiet_handlers() -> None:
    """Powertools settings for handlers called in-process: no tracing, no metrics output, errors only.

    Must run before the handlers are imported (their Logger reads the level then).
    """
    os.environ.update(
        {
            "POWERTOOLS_SERVICE_NAME": "labeling-pipeline",
            "POWERTOOLS_METRICS_NAMESPACE": "PrivateLabelingBench",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
            "LOG_LEVEL": "ERROR",
        }
    )


def point_sdk_at(url: str) -> None:
    """Make boto3 clients created from now on (the handlers' own too) talk to the emulator."""
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )
    os.environ.pop("AWS_PROFILE", None)
