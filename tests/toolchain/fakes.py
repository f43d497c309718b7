"""A fake machine for the toolchain tests: a PATH with only the CLIs a test puts there, and a cache."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHOOSE = REPO / "scripts" / "toolchain" / "choose.py"


@dataclass
class Machine:
    """A PATH holding only the fakes a test puts there, and a cache directory."""

    bin: Path
    cache: Path

    def fake(self, name: str, first_line: str, directory: Path | None = None, script: str = "") -> Path:
        """An executable that prints `first_line` and a platform line, as `terraform version` does, or
        runs `script` (sh) when given one."""
        where = directory or self.bin
        where.mkdir(parents=True, exist_ok=True)
        path = where / name
        path.write_text(
            f"#!/bin/sh\n{script}\n" if script else f'#!/bin/sh\necho "{first_line}"\necho "on linux_amd64"\n'
        )
        path.chmod(0o755)
        return path

    def choose(self, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PATH": path or str(self.bin)}
        return subprocess.run(
            [sys.executable, str(CHOOSE), *args, "--cache", str(self.cache)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def record(self) -> dict[str, str]:
        lines = (self.cache / "toolchain.env").read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if not line.startswith("#"))


def offline_record(machine: Machine) -> dict[str, str]:
    return {
        "TOOLCHAIN_PATH": "offline",
        "TOOLCHAIN_TF": str(machine.cache / "bin" / "tofu"),
        "TOOLCHAIN_CLI_CONFIG": str(machine.cache / "tofu.rc"),
    }
