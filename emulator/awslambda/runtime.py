"""Run Python Lambda functions in local subprocesses instead of Docker containers.

What moto lacks: moto runs a function's code only inside a Docker container (and, without Docker,
answers every invocation with a canned payload). This extension runs the function's deployment package
and its layers with the host's Python in a subprocess:

* the zip is extracted once per code SHA-256 (layers likewise); the function's directory comes first on
  ``sys.path``, then each layer's ``python/`` directories, then a runtime directory that holds only what
  the AWS Python runtime provides (boto3, botocore and their dependencies from the host);
* the process gets the function's environment variables, the variables the Lambda runtime sets
  (``AWS_LAMBDA_FUNCTION_NAME``, ``AWS_REGION``, ``LAMBDA_TASK_ROOT``, ...), fake credentials and
  ``AWS_ENDPOINT_URL`` pointing at this emulator;
* the handler's result, an exception (``X-Amz-Function-Error: Unhandled`` with the runtime's
  ``errorMessage``/``errorType``/``stackTrace`` document), a timeout (``Sandbox.Timedout``) and a
  crashed process (``Runtime.ExitError``) come back as AWS Lambda returns them, for ``RequestResponse``,
  ``Event`` (run in the background, HTTP 202) and ``DryRun`` invocations;
* the output goes to the function's CloudWatch log group, with START/END/REPORT lines, and to
  ``X-Amz-Log-Result`` when ``LogType=Tail``.

Also missing in moto: a function's ``LoggingConfig`` (log format, log group, log levels) is dropped
on create and update and never described, so the AWS provider plans it again on every run; it is now
kept, described with AWS's defaults (``Text``, ``/aws/lambda/<name>``) and used for the function's logs.

Only zip packages of Python runtimes are supported. Faults of kind ``lambda_invoke`` (see
:mod:`emulator.core.control`) make chosen invocations crash.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import hashlib
import importlib.util
import io
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import LambdaFunction
from moto.awslambda.utils import get_backend

from emulator import endpoint_url, patch
from emulator.core import control

LOGGER = logging.getLogger(__name__)

# What the AWS Lambda Python runtime puts on sys.path besides the function and its layers.
RUNTIME_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
# Lambda allows 10 s of initialisation (imports) on top of the function's timeout.
INIT_ALLOWANCE_SECONDS = 10.0
TAIL_BYTES = 4096
_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ASIAEMULATORLAMBDA00",
    "AWS_SECRET_ACCESS_KEY": "emulator-lambda-secret",
    "AWS_SESSION_TOKEN": "emulator-lambda-session",
}


@dataclass(frozen=True)
class Outcome:
    """The result of one invocation, as the Invoke API reports it."""

    payload: bytes
    function_error: bool
    log: str


class _Workspace:
    """Extracted code packages and the runtime directory, in one temporary directory per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._root: Path | None = None
        self._processes: set[subprocess.Popen[bytes]] = set()
        self.slots = threading.BoundedSemaphore(int(os.environ.get("EMULATOR_LAMBDA_CONCURRENCY", "16")))

    @property
    def root(self) -> Path:
        with self._lock:
            if self._root is None:
                self._root = Path(tempfile.mkdtemp(prefix="moto-ext-lambda-"))
                _link_runtime(self._root / "runtime")
            return self._root

    def extract(self, kind: str, code: bytes) -> Path:
        """The directory holding ``code`` (a zip), extracted once per content hash."""
        target = self.root / kind / hashlib.sha256(code).hexdigest()
        with self._lock:
            if not target.is_dir():
                staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
                with zipfile.ZipFile(io.BytesIO(code)) as archive:
                    archive.extractall(staging)
                staging.rename(target)
        return target

    def track(self, process: subprocess.Popen[bytes], running: bool) -> None:
        with self._lock:
            (self._processes.add if running else self._processes.discard)(process)

    def close(self) -> None:
        with self._lock:
            for process in self._processes:
                _kill_group(process)
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)
                self._root = None


def _link_runtime(directory: Path) -> None:
    directory.mkdir(parents=True)
    for name in RUNTIME_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"the host Python lacks {name!r}, which the Lambda runtime provides")
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (directory / source.name).symlink_to(source)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


WORKSPACE = _Workspace()


def _python_paths(root: Path) -> list[str]:
    """A layer's directories the Python runtime adds to sys.path (``python/`` and its site-packages)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return [str(path) for path in (root / "python" / "lib" / version / "site-packages", root / "python")]


def _layer_dirs(function: Any) -> list[Path]:
    backend = get_backend(function.account_id, function.region)
    directories = []
    for layer in function.layers:
        version = backend.layers_versions_by_arn(layer["Arn"])
        if version is None:
            raise RuntimeError(f"layer version {layer['Arn']} no longer exists")
        directories.append(WORKSPACE.extract("layers", version.code_bytes))
    return directories


def _trace_header() -> str:
    return f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)};Parent={secrets.token_hex(8)};Sampled=0"


def _environment(function: Any, task_root: Path, log_stream: str) -> dict[str, str]:
    runtime = function.run_time or "python3.13"
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "AWS_ENDPOINT_URL": endpoint_url(),
        # The function must not read this machine's AWS configuration, as it could not in Lambda.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    environment.update({key: str(value) for key, value in function.environment_vars.items()})
    environment.update(_FAKE_CREDENTIALS)
    environment.update(
        {
            "_HANDLER": function.handler or "",
            "_X_AMZN_TRACE_ID": _trace_header(),
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": str(function.version),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": function.logs_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(WORKSPACE.root / "runtime"),
        }
    )
    return environment


def _error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


def _report(
    result: dict[str, Any] | None, returncode: int | None, request_id: str, timeout: float
) -> tuple[bytes, bool]:
    if result is None:
        if returncode is None:  # killed by us: no result within the timeout and the init allowance
            message = f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"
            return _error_payload("Sandbox.Timedout", message), True
        status = (
            f"signal: {signal.Signals(-returncode).name}" if returncode < 0 else f"exit status {returncode}"
        )
        message = f"RequestId: {request_id} Error: Runtime exited with error: {status}"
        return _error_payload("Runtime.ExitError", message), True
    if result.get("timeout"):
        message = f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"
        return _error_payload("Sandbox.Timedout", message), True
    if "error" in result:
        return json.dumps(result["error"]).encode(), True
    return str(result["payload"]).encode(), False


def run(function: Any, event: bytes, invoked_arn: str | None = None) -> Outcome:
    """Invoke ``function`` (a moto LambdaFunction) with the JSON ``event`` in a subprocess."""
    request_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    log_stream = f"{now:%Y/%m/%d}/[{function.version}]{uuid.uuid4().hex}"
    timeout = float(function.timeout)
    fault = control.take("lambda_invoke", function_name=function.function_name)
    started = time.monotonic()
    if fault is not None and not fault.get("after"):
        output, payload, errored = "", b"", True
    else:
        output, payload, errored = _run_process(
            function,
            event,
            invoked_arn=invoked_arn,
            request_id=request_id,
            log_stream=log_stream,
            timeout=timeout,
        )
    duration_ms = (time.monotonic() - started) * 1000
    if fault is not None:
        message = (
            fault.get("error_message")
            or f"RequestId: {request_id} Error: Runtime exited with error: exit status 1"
        )
        payload, errored = _error_payload(fault.get("error_type") or "Runtime.ExitError", message), True
    log = _log_text(function, request_id, output, duration_ms, payload if errored else None)
    _save_logs(function, log_stream, log)
    return Outcome(payload=payload, function_error=errored, log=log)


def _run_process(
    function: Any, event: bytes, *, invoked_arn: str | None, request_id: str, log_stream: str, timeout: float
) -> tuple[str, bytes, bool]:
    if function.package_type != "Zip" or not str(function.run_time or "python").startswith("python"):
        message = (
            f"the emulator runs only Python zip functions, not {function.run_time} ({function.package_type})"
        )
        return "", _error_payload("Runtime.InvalidEntrypoint", message), True
    try:
        task_root = WORKSPACE.extract("code", function.code_bytes)
        layers = _layer_dirs(function)
    except (zipfile.BadZipFile, RuntimeError) as error:
        return (
            "",
            _error_payload("Runtime.InvalidEntrypoint", f"cannot unpack the function's code: {error}"),
            True,
        )
    path = [
        str(task_root),
        *(p for layer in layers for p in _python_paths(layer)),
        str(WORKSPACE.root / "runtime"),
    ]
    info = {
        "request_id": request_id,
        "invoked_function_arn": invoked_arn or function.function_arn,
        "timeout": timeout,
        "path": path,
    }
    with WORKSPACE.slots, tempfile.TemporaryDirectory(prefix="invoke-", dir=WORKSPACE.root) as scratch:
        result_file = Path(scratch) / "result.json"
        process = subprocess.Popen(  # noqa: S603 - the host interpreter running our bootstrap
            [sys.executable, "-S", str(BOOTSTRAP), str(result_file), json.dumps(info)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=task_root,
            env=_environment(function, task_root, log_stream),
            start_new_session=True,
        )
        WORKSPACE.track(process, running=True)
        returncode: int | None
        try:
            output, _ = process.communicate(event, timeout=timeout + INIT_ALLOWANCE_SECONDS)
            returncode = process.returncode
        except subprocess.TimeoutExpired:
            _kill_group(process)
            output, _ = process.communicate()
            returncode = None
        finally:
            _kill_group(process)  # whatever the handler started dies with it, as in Lambda
            WORKSPACE.track(process, running=False)
        result = json.loads(result_file.read_text()) if result_file.exists() else None
    payload, errored = _report(result, returncode, request_id, timeout)
    return output.decode("utf-8", "replace"), payload, errored


def _log_text(function: Any, request_id: str, output: str, duration_ms: float, error: bytes | None) -> str:
    lines = [f"START RequestId: {request_id} Version: {function.version}"]
    lines.extend(output.splitlines())
    if error is not None and b"Sandbox.Timedout" in error:
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        lines.append(f"{stamp} {request_id} Task timed out after {float(function.timeout):.2f} seconds")
    lines.append(f"END RequestId: {request_id}")
    lines.append(
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
        f"Billed Duration: {int(duration_ms) + 1} ms\tMemory Size: {function.memory_size} MB"
    )
    return "\n".join(lines) + "\n"


def _save_logs(function: Any, log_stream: str, log: str) -> None:
    try:
        logs = function.logs_backend
        logs.ensure_log_group(function.logs_group_name)
        logs.create_log_stream(function.logs_group_name, log_stream)
        timestamp = int(time.time() * 1000)
        events = [{"timestamp": timestamp, "message": line} for line in log.splitlines()]
        logs.put_log_events(function.logs_group_name, log_stream, events)
    except Exception:  # the logs are a courtesy; the invocation's answer must not depend on them
        LOGGER.exception("could not write the logs of %s", function.function_name)


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def _event_bytes(body: Any) -> bytes:
    raw = body.encode() if isinstance(body, str) else bytes(body or b"")
    if not raw.strip():
        return b"{}"
    try:
        json.loads(raw)
    except ValueError as error:
        raise LambdaClientError(
            "InvalidRequestContentException", f"Could not parse request body into json: {error}"
        ) from error
    return raw


def invoke(function: Any, body: Any, request_headers: Any, response_headers: dict[str, Any]) -> bytes:
    """Replacement of moto's ``LambdaFunction.invoke``: same arguments, real execution."""
    event = _event_bytes(body)
    invocation_type = _header(request_headers, "x-amz-invocation-type") or "RequestResponse"
    response_headers["x-amz-executed-version"] = str(function.version)
    if invocation_type == "DryRun":
        return b""
    if invocation_type == "Event":
        worker = threading.Thread(target=run, args=(function, event), name=f"lambda-{function.function_name}")
        worker.daemon = True
        worker.start()
        return b""
    outcome = run(function, event)
    if outcome.function_error:
        response_headers["x-amz-function-error"] = "Unhandled"
    tail = outcome.log.encode()[-TAIL_BYTES:]
    response_headers["x-amz-log-result"] = base64.b64encode(tail).decode()
    return outcome.payload


def logging_config(function_name: str, requested: dict[str, Any] | None) -> dict[str, Any]:
    """A function's LoggingConfig as Lambda describes it: the request completed with the defaults."""
    config: dict[str, Any] = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function_name}"}
    config.update({key: value for key, value in (requested or {}).items() if value})
    if config["LogFormat"] == "JSON":
        config.setdefault("ApplicationLogLevel", "INFO")
        config.setdefault("SystemLogLevel", "INFO")
    else:
        config.pop("ApplicationLogLevel", None)
        config.pop("SystemLogLevel", None)
    return config


def _set_logging_config(function: Any, requested: dict[str, Any] | None) -> None:
    function.logging_config = logging_config(function.function_name, requested)
    function.logs_group_name = function.logging_config["LogGroup"]


_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return

    def patched_invoke(self: Any, body: Any, request_headers: Any, response_headers: Any) -> bytes:
        return invoke(self, body, request_headers, response_headers)

    create = LambdaFunction.__init__
    describe = LambdaFunction.get_configuration
    update = LambdaFunction.update_configuration

    def created(self: Any, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        create(self, account_id, spec, *args, **kwargs)
        _set_logging_config(self, spec.get("LoggingConfig"))

    def described(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        configuration: dict[str, Any] = describe(self, *args, **kwargs)
        configuration["LoggingConfig"] = dict(
            getattr(self, "logging_config", None) or logging_config(self.function_name, None)
        )
        return configuration

    def updated(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "LoggingConfig" in config_updates:
            _set_logging_config(self, config_updates["LoggingConfig"])
        answer: dict[str, Any] = update(self, config_updates)
        return answer

    patch(LambdaFunction, "__init__", created)
    patch(LambdaFunction, "get_configuration", described)
    patch(LambdaFunction, "update_configuration", updated)
    patch(LambdaFunction, "invoke", patched_invoke)
    atexit.register(WORKSPACE.close)
    _installed = True
