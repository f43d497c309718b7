"""Infrastructure: wall time of ``plan`` and ``apply`` of ``envs/local`` from empty, of the second plan
(which must find nothing to change), and of ``destroy``, each through ``scripts/env.sh`` as ``make plan
ENV=local`` runs it.

The environment runs in a copy of the repository's layout in a temporary directory (``envs/local``'s files
copied; ``modules``, ``scripts``, ``build`` and the Makefile linked), against an emulator of its own, so its
state file and plan file never touch the working tree's ``envs/local`` (someone may be applying it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import REPO, emulator

ENVIRONMENT = "local"
LINKED = ("Makefile", "modules", "scripts", "build")
OUTPUT_TAIL_LINES = 25


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    ok: bool
    summary: str
    tail: str

    def to_json(self) -> dict[str, Any]:
        return {"step": self.name, "seconds": round(self.seconds, 1), "ok": self.ok, "summary": self.summary}


def mirror(root: Path) -> Path:
    """A repository layout in ``root`` whose envs/local holds copies of the real files (no state)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        (root / name).symlink_to(REPO / name)
    source, target = REPO / "envs" / ENVIRONMENT, root / "envs" / ENVIRONMENT
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file() and (path.suffix == ".tf" or path.name.endswith(".tfvars")):
            shutil.copyfile(path.resolve(), target / path.name)
    return root


def tool_environment(port: int) -> dict[str, str]:
    """What the Makefile exports for OpenTofu, plus the emulator's port."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gt-labeling"
    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join(
        [str(cache / "bin"), str(cache / "venv" / "bin"), environment["PATH"]]
    )
    environment["TF_CLI_CONFIG_FILE"] = str(cache / "tofu.rc")  # as the Makefile exports it
    environment.setdefault("TF_IN_AUTOMATION", "1")
    environment.update({"EMULATOR_HOST": "127.0.0.1", "EMULATOR_PORT": str(port), "AUTO_APPROVE": "1"})
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "MAKEFLAGS", "MAKELEVEL"):
        environment.pop(name, None)
    return environment


def _summary(output: str) -> str:
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)  # tofu colours its summary lines
    for pattern in (r"Apply complete!.*", r"Destroy complete!.*", r"No changes\..*", r"Plan: .*"):
        found = re.findall(pattern, output)
        if found:
            return str(found[-1]).strip()
    return ""


def _step(name: str, command: list[str], cwd: Path, environment: dict[str, str], timeout: float) -> Step:
    started = time.perf_counter()
    try:
        completed = subprocess.run(  # noqa: S603 - the repository's own scripts
            command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout, check=False
        )
        output, ok = completed.stdout + completed.stderr, completed.returncode == 0
    except subprocess.TimeoutExpired as expired:
        captured = (expired.stdout or b"") + (expired.stderr or b"")
        text = captured.decode(errors="replace") if isinstance(captured, bytes) else str(captured)
        output, ok = text + f"\n(stopped after {timeout:.0f} s)", False
    seconds = time.perf_counter() - started
    tail = "\n".join(re.sub(r"\x1b\[[0-9;]*m", "", output).splitlines()[-OUTPUT_TAIL_LINES:])
    return Step(name, seconds, ok, _summary(output), tail)


def run(workspace: Path, timeout: float) -> list[Step]:
    """init, plan, apply, second plan, destroy; stops after the first failure (then still destroys)."""
    root = mirror(workspace / "repo")
    env_dir = root / "envs" / ENVIRONMENT
    steps: list[Step] = []
    with emulator(root / ".emulator") as running:
        environment = tool_environment(running.port)
        env_sh = [str(root / "scripts" / "env.sh"), ENVIRONMENT]
        plan = (
            ("init", [os.environ.get("TF", "tofu"), f"-chdir={env_dir}", "init", "-input=false"]),
            ("plan from empty", [*env_sh, "plan"]),
            ("apply from empty", [*env_sh, "apply"]),
            ("second plan", [*env_sh, "plan"]),
        )
        for name, command in plan:
            steps.append(_step(name, command, root, environment, timeout))
            if not steps[-1].ok:
                break
        if any(step.name == "apply from empty" for step in steps):
            steps.append(_step("destroy", [*env_sh, "destroy"], root, environment, timeout))
    return steps
