"""`make demo` ends by stopping the emulator and clearing envs/local's state, not by a destroy: the
resources live in the emulator's memory, so the next demo starts from an empty emulator and empty state.
Shown on an emulator of the test's own (its own port and state directory, through the same make targets)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import demo
from emulator.ctl import answers
from tests.emulator.helpers import free_port

pytestmark = pytest.mark.emulator

REPO = Path(__file__).resolve().parents[2]
KEPT = ("main.tf", "terraform.tfvars", ".terraform/terraform.tfstate")


def checkout_env() -> dict[str, str]:
    """This process's environment, running the emulator package of this checkout (whatever the
    virtualenv's editable install points at)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "scripts"), env.get("PYTHONPATH")]))
    return env


def make(*args: str) -> None:
    command = ["make", "-s", "-C", str(REPO), *args]
    subprocess.run(command, env=checkout_env(), check=True, timeout=120, capture_output=True)


@pytest.fixture
def emulator_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """An emulator started with `make emulator-up` on a free port; stopped afterwards whatever happened."""
    port = free_port()
    state_dir = tmp_path / "emulator"
    make("emulator-up", f"EMULATOR_PORT={port}", f"EMULATOR_DIR={state_dir}")
    yield state_dir, f"http://127.0.0.1:{port}"
    make("emulator-down", f"EMULATOR_DIR={state_dir}")


@pytest.fixture
def env_dir(tmp_path: Path) -> Path:
    """An applied local environment: its configuration, its init directory and its state files."""
    directory = tmp_path / "local"
    for name in (*KEPT, *demo.LOCAL_STATE_FILES):
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text("{}")
    return directory


def test_teardown_stops_the_emulator_and_clears_only_the_state(
    emulator_dir: tuple[Path, str], env_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a running emulator and the state of a stack deployed to it
    state_dir, url = emulator_dir
    assert answers(url)

    # When the demo tears down
    demo.stop_emulator_and_clear_state(checkout_env(), env_dir=env_dir, emulator_dir=state_dir)

    # Then the emulator (and with it every resource) is gone, so is the state; the configuration and
    # the init directory stay for the next run; and the user is told what happened
    assert not answers(url)
    assert [name for name in demo.LOCAL_STATE_FILES if (env_dir / name).exists()] == []
    assert [name for name in KEPT if not (env_dir / name).exists()] == []
    assert "emulator stopped, local state cleared" in capsys.readouterr().out


def test_state_of_a_stopped_emulator_is_cleared_before_the_next_demo(env_dir: Path) -> None:
    # Given state left behind by an emulator that no longer runs (KEEP=1, then emulator-down)
    nothing_there = f"http://127.0.0.1:{free_port()}"

    # When the next demo starts
    demo.clear_stale_state(nothing_there, env_dir)

    # Then it starts from empty state, as the new emulator starts empty
    assert [name for name in demo.LOCAL_STATE_FILES if (env_dir / name).exists()] == []
    assert (env_dir / "main.tf").exists()


def test_state_of_a_running_emulator_is_kept(emulator_dir: tuple[Path, str], env_dir: Path) -> None:
    # Given the emulator of a `make demo KEEP=1` still running
    _, url = emulator_dir

    # When the next demo starts
    demo.clear_stale_state(url, env_dir)

    # Then the state of what runs there is kept (the next apply finds the stack in place)
    assert [name for name in demo.LOCAL_STATE_FILES if not (env_dir / name).exists()] == []
