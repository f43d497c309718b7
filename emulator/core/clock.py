"""The emulator's clock: real time plus an offset that tests move forward.

A Ground Truth labeling job can stay open for days: its objects go to the workers in sets, each with
its own availability window, and AWS fails a job only after 30 days. A test cannot wait that long, so
the parts of the emulator that model such durations read :func:`now` instead of ``time.time()``, and a
test moves the clock forward with ``POST /_emulator/clock {"advance_seconds": N}``: what falls due in
those N seconds happens at the next request that looks at it (as everything in the emulator does). Until
a test advances it, the clock is real time, so the emulator's real-time delays keep working unchanged.

The clock never goes back (time does not run backwards on AWS either); a reset of the emulator puts it
back to real time.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request

from emulator.core import control

_lock = threading.Lock()
_offset = 0.0
_installed = False


def now() -> float:
    """Seconds since the epoch on the emulated clock."""
    return time.time() + _offset


def offset() -> float:
    """How far the emulated clock is ahead of real time, in seconds."""
    return _offset


def advance(seconds: float) -> float:
    """Move the clock ``seconds`` forward (a finite number >= 0); returns the new offset."""
    global _offset  # noqa: PLW0603 - the clock is process-wide state, like the fault registry
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise ValueError(f"advance_seconds must be a number of seconds, not {seconds!r}")
    if seconds < 0:
        raise ValueError(f"the clock only moves forward: advance_seconds must be >= 0, not {seconds!r}")
    with _lock:
        _offset += float(seconds)
        return _offset


def reset() -> None:
    """Back to real time."""
    global _offset  # noqa: PLW0603
    with _lock:
        _offset = 0.0


def _view() -> dict[str, Any]:
    moment = datetime.fromtimestamp(now(), UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"now": moment, "offset_seconds": offset()}


def _advance_route(request: Request, _groups: dict[str, str]) -> Mapping[str, Any]:
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except json.JSONDecodeError as error:
        raise ValueError(f"the body is not JSON: {error}") from error
    if not isinstance(body, dict) or "advance_seconds" not in body:
        raise ValueError('the body must be a JSON object with "advance_seconds"')
    advance(body["advance_seconds"])
    return _view()


def install() -> None:
    """Serve ``GET``/``POST {endpoint}/_emulator/clock`` and go back to real time on reset (idempotent)."""
    global _installed  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return
    control.register_route("GET", "clock", lambda _request, _groups: _view())
    control.register_route("POST", "clock", _advance_route)
    control.on_reset(reset)
    _installed = True
