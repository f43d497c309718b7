"""Start, stop and inspect a background emulator.

``python -m emulator.ctl up --host 127.0.0.1 --port 4566 --state-dir .emulator`` starts the server in
the background (its pid and log in the state directory), waits until it answers and prints its URL;
``down`` stops it and every process it started; ``status`` says whether it runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

STATE_FILE = "emulator.json"
LOG_FILE = "emulator.log"
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class CtlError(RuntimeError):
    """An emulator operation failed; the message tells the user what to do."""


@dataclass(frozen=True)
class State:
    pid: int
    url: str


def _read_state(state_dir: Path) -> State | None:
    try:
        data = json.loads((state_dir / STATE_FILE).read_text())
        return State(pid=int(data["pid"]), url=str(data["url"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _is_emulator(pid: int) -> bool:
    """True when ``pid`` is alive and (where /proc tells) is an emulator server, not a reused pid."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        with contextlib.suppress(OSError):
            return b"emulator.server" in cmdline.read_bytes()
    return True


def answers(url: str, timeout: float = 1.0) -> bool:
    """True when the emulator at ``url`` answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/_emulator/health", timeout=timeout) as response:  # noqa: S310
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def port_in_use(host: str, port: int) -> bool:
    """True when another process listens on ``host:port``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def _log_tail(log: Path, lines: int = 20) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(f"  | {line}" for line in text[-lines:]) or "  | (empty log)"


def _url(host: str, port: int) -> str:
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - every interface: reach it on the loopback
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def up(
    host: str, port: int, state_dir: Path, timeout: float = 30.0, environment: Mapping[str, str] | None = None
) -> tuple[State, float]:
    """Start the emulator unless it runs already; return its state and the seconds it took to answer.

    ``environment`` adds variables to the server's environment (e.g. ``EMULATOR_SCHEDULER_CLOCK``).
    """
    url = _url(host, port)
    current = _read_state(state_dir)
    if current is not None and _is_emulator(current.pid):
        if current.url != url:
            raise CtlError(
                f"an emulator from {state_dir} already runs at {current.url} (pid {current.pid}); "
                "stop it first with 'down'"
            )
        return current, 0.0
    if port_in_use(host, port):
        raise CtlError(f"port {port} on {host} is in use by another process; choose another port")

    state_dir.mkdir(parents=True, exist_ok=True)
    log = state_dir / LOG_FILE
    env = {**os.environ, **(environment or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PACKAGE_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    started = time.monotonic()
    with log.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "emulator.server", "--host", host, "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    state = State(pid=process.pid, url=url)
    (state_dir / STATE_FILE).write_text(json.dumps({"pid": state.pid, "url": state.url}))
    deadline = started + timeout
    while not answers(url, timeout=0.5):
        if process.poll() is not None:
            (state_dir / STATE_FILE).unlink(missing_ok=True)
            raise CtlError(f"the emulator exited with code {process.returncode}; its log:\n{_log_tail(log)}")
        if time.monotonic() > deadline:
            stop(state, grace=2.0)
            (state_dir / STATE_FILE).unlink(missing_ok=True)
            raise CtlError(
                f"the emulator did not answer at {url} within {timeout:.0f}s; its log:\n{_log_tail(log)}"
            )
        time.sleep(0.05)
    return state, time.monotonic() - started


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def descendants(pid: int) -> list[int]:
    """Every process started (directly or not) by ``pid``, where /proc lists them."""
    children = _children_map()
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            continue
        # A zombie has exited; only its parent's wait is missing.
        stat = Path(f"/proc/{pid}/stat")
        with contextlib.suppress(OSError, IndexError):
            if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
        alive.append(pid)
    return alive


def stop(state: State, grace: float = 10.0) -> None:
    """Stop the server (SIGTERM, then SIGKILL after ``grace`` seconds) and every process it started."""
    processes = [state.pid, *descendants(state.pid)]
    _signal_all([state.pid], signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _alive([state.pid]) and time.monotonic() < deadline:
        time.sleep(0.05)
    _signal_all(_alive(processes), signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while _alive(processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _alive(processes)
    if left:
        raise CtlError(f"processes {left} did not stop")


def down(state_dir: Path) -> State | None:
    """Stop the emulator recorded in ``state_dir``; None when none was running."""
    state = _read_state(state_dir)
    if state is None:
        return None
    running = _is_emulator(state.pid)
    if running:
        stop(state)
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    return state if running else None


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except CtlError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(1) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator.ctl", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up_parser = commands.add_parser(
        "up", help="start the emulator in the background and wait until it answers"
    )
    up_parser.add_argument("--host", default="127.0.0.1")
    up_parser.add_argument("--port", type=int, default=4566)
    up_parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for it (default 30)")
    for name, text in (("up", None), ("down", "stop the emulator"), ("status", "is it running?")):
        command = up_parser if name == "up" else commands.add_parser(name, help=text)
        command.add_argument("--state-dir", type=Path, required=True, help="holds the pid and log files")
    args = parser.parse_args(argv)

    with _errors():
        if args.command == "up":
            state, seconds = up(args.host, args.port, args.state_dir, args.timeout)
            note = f"started in {seconds:.2f}s" if seconds else "already running"
            print(
                f"emulator: {state.url} (pid {state.pid}, {note}; log {args.state_dir / LOG_FILE})",
                file=sys.stderr,
            )
            print(state.url)
            return 0
        if args.command == "down":
            stopped = down(args.state_dir)
            print(
                f"emulator: stopped pid {stopped.pid}" if stopped else "emulator: not running",
                file=sys.stderr,
            )
            return 0
        recorded = _read_state(args.state_dir)
        if recorded is not None and _is_emulator(recorded.pid) and answers(recorded.url):
            print(f"running at {recorded.url} (pid {recorded.pid})")
            return 0
        print("not running")
        return 1


if __name__ == "__main__":
    sys.exit(main())
