"""emulator.ctl: a background emulator starts fast, answers, and stops without leaving a process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emulator import ctl
from tests.fixtures.emulator import Emulator

from .helpers import free_port, unique, zip_files

pytestmark = pytest.mark.emulator
SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def run_ctl(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SCRIPTS)}
    return subprocess.run(
        [sys.executable, "-m", "emulator.ctl", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def gone(pids: list[int]) -> bool:
    return not [pid for pid in pids if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def test_up_answers_quickly_and_down_leaves_no_process(tmp_path: Path) -> None:
    port = free_port()

    started = time.monotonic()
    up = run_ctl("up", "--host", "127.0.0.1", "--port", str(port), "--state-dir", str(tmp_path))
    startup = time.monotonic() - started

    assert up.returncode == 0, up.stderr
    url = up.stdout.strip()
    assert url == f"http://127.0.0.1:{port}"
    assert ctl.answers(url)
    assert startup < 5, f"start-up took {startup:.2f}s"
    pid = json.loads((tmp_path / ctl.STATE_FILE).read_text())["pid"]
    status = run_ctl("status", "--state-dir", str(tmp_path))
    assert (status.returncode, status.stdout.strip()) == (0, f"running at {url} (pid {pid})")

    down = run_ctl("down", "--state-dir", str(tmp_path))

    assert down.returncode == 0, down.stderr
    assert gone([pid])
    assert not ctl.answers(url)
    assert not (tmp_path / ctl.STATE_FILE).exists()
    assert run_ctl("status", "--state-dir", str(tmp_path)).returncode == 1


def test_up_twice_is_idempotent(private_emulator: Emulator) -> None:
    port = private_emulator.url.rsplit(":", 1)[1]
    again = run_ctl("up", "--port", port, "--state-dir", str(private_emulator.state_dir))

    assert again.returncode == 0
    assert again.stdout.strip() == private_emulator.url
    assert "already running" in again.stderr


def test_down_when_nothing_runs(tmp_path: Path) -> None:
    result = run_ctl("down", "--state-dir", str(tmp_path))

    assert result.returncode == 0
    assert "not running" in result.stderr


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = run_ctl("up", "--port", str(port), "--state-dir", str(tmp_path))

    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert not (tmp_path / ctl.STATE_FILE).exists()


def test_server_refuses_a_busy_port_itself() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(SCRIPTS)}

        result = subprocess.run(
            [sys.executable, "-m", "emulator.server", "--port", str(port)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )

    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_down_stops_running_lambda_processes(private_emulator: Emulator) -> None:
    # given a function that runs for a minute, invoked in the background
    role = private_emulator.client("iam").create_role(RoleName=unique("role"), AssumeRolePolicyDocument="{}")[
        "Role"
    ]["Arn"]
    private_emulator.client("lambda").create_function(
        FunctionName="sleeper",
        Runtime="python3.13",
        Role=role,
        Handler="fn.handler",
        Code={
            "ZipFile": zip_files(
                {"fn.py": "import time\n\ndef handler(event, context):\n    time.sleep(60)\n"}
            )
        },
        Timeout=60,
    )
    private_emulator.client("lambda").invoke(FunctionName="sleeper", InvocationType="Event", Payload=b"{}")
    pid = json.loads((private_emulator.state_dir / ctl.STATE_FILE).read_text())["pid"]
    deadline = time.monotonic() + 15
    while not ctl.descendants(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    children = ctl.descendants(pid)
    assert children, "the function's process did not start"

    # when the emulator is stopped
    ctl.down(private_emulator.state_dir)

    # then the function's process is gone too
    assert gone([pid, *children])


def test_reset_forgets_resources_and_faults(private_emulator: Emulator) -> None:
    private_emulator.client("s3").create_bucket(Bucket="before-reset")
    private_emulator.arm_fault("lambda_invoke")

    private_emulator.reset()

    assert private_emulator.client("s3").list_buckets()["Buckets"] == []
    assert private_emulator.faults() == []
