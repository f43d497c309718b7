"""The runtime inside a locally run Lambda function's process (standard library only).

Started by :mod:`emulator.awslambda.runtime` as ``python -S bootstrap.py RESULT_FILE CONTEXT_JSON``
with the event on stdin. It imports the handler the way the AWS Python runtime does, calls it with the
event and a context object, and writes ``{"payload": ...}`` or ``{"error": {...}}`` (the runtime's error
document) to RESULT_FILE. When the function's timeout passes it writes ``{"timeout": true}`` and exits.
"""

from __future__ import annotations

import decimal
import importlib
import json
import os
import signal
import sys
import time
import traceback
from types import FrameType
from typing import Any


class LambdaContext:
    """The attributes and method of the AWS Python runtime's context object."""

    def __init__(self, info: dict[str, Any], deadline_ms: int) -> None:
        self.aws_request_id: str = info["request_id"]
        self.invoked_function_arn: str = info["invoked_function_arn"]
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = info.get("client_context")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def _write(path: str, document: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as result:
        json.dump(document, result)


def _error(error: BaseException, request_id: str, error_type: str | None = None) -> dict[str, Any]:
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename != __file__]
    # Stack traces name the function's files as Lambda does, under /var/task.
    task_root = os.environ.get("LAMBDA_TASK_ROOT", "")
    for frame in frames:
        if task_root and frame.filename.startswith(task_root + os.sep):
            frame.filename = "/var/task" + frame.filename[len(task_root) :]
    stack = traceback.format_list(frames)
    return {
        "errorMessage": str(error),
        "errorType": error_type or type(error).__name__,
        "requestId": request_id,
        "stackTrace": stack,
    }


def _load_handler(handler: str, request_id: str) -> tuple[Any, dict[str, Any] | None]:
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as error:
        return None, _error(
            ValueError(f"Bad handler '{handler}': {error}"), request_id, "Runtime.MalformedHandlerName"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        message = f"Unable to import module '{module_name}': {error}"
        return None, _error(ImportError(message), request_id, "Runtime.ImportModuleError")
    except SyntaxError as error:
        message = f"Syntax error in module '{module_name}': {error}"
        return None, _error(SyntaxError(message), request_id, "Runtime.UserCodeSyntaxError")
    except Exception as error:  # an error while the module initialises is reported by its type
        return None, _error(error, request_id)
    function = getattr(module, function_name, None)
    if function is None:
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        return None, _error(AttributeError(message), request_id, "Runtime.HandlerNotFound")
    return function, None


def _decimal(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def main() -> int:
    result_path, info = sys.argv[1], json.loads(sys.argv[2])
    request_id: str = info["request_id"]
    # sys.path[0] is this file's directory; the function sees only its code, its layers and the runtime.
    sys.path[:1] = info["path"]
    event = json.loads(sys.stdin.buffer.read() or b"{}")

    def timed_out(_signum: int, _frame: FrameType | None) -> None:
        _write(result_path, {"timeout": True})
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    handler, error = _load_handler(os.environ["_HANDLER"], request_id)
    if error is not None:
        _write(result_path, {"error": error})
        return 0
    # Like Lambda, the timeout counts from the invocation, after the module's initialisation.
    timeout = float(info["timeout"])
    signal.signal(signal.SIGALRM, timed_out)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    context = LambdaContext(info, int(time.time() * 1000 + timeout * 1000))
    try:
        result = handler(event, context)
    except Exception as failure:
        _write(result_path, {"error": _error(failure, request_id)})
        return 0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        payload = json.dumps(result, default=_decimal)
    except (TypeError, ValueError) as failure:
        message = f"Unable to marshal response: {failure}"
        _write(result_path, {"error": _error(TypeError(message), request_id, "Runtime.MarshalError")})
        return 0
    _write(result_path, {"payload": payload})
    return 0


if __name__ == "__main__":
    sys.exit(main())
