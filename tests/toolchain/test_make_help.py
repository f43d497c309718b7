"""`make help` lists every target the README tells a reader to run."""

from __future__ import annotations

import re
import subprocess

from tests.toolchain.fakes import REPO

# `make <target>` at the start of a code span or of a line in a code block, and the backticked names of
# the "Make targets" section's list ("`plan ENV=…`" names `plan`).
_COMMAND = re.compile(r"(?:`|^)make ([a-z][a-z-]*)", re.MULTILINE)
_LISTED = re.compile(r"`([a-z][a-z-]*)(?: [A-Z_]+=[^`]*)?`")


def readme_targets() -> set[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Make targets", 1)[1].split("\n## ", 1)[0]
    return set(_COMMAND.findall(text)) | set(_LISTED.findall(section))


def help_targets() -> set[str]:
    result = subprocess.run(
        ["make", "-s", "help"], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    return {line.split()[0] for line in plain.splitlines() if line.strip()}


def test_make_help_lists_every_target_the_readme_names() -> None:
    # Given the targets the README tells a reader to run
    named = readme_targets()
    # When make help lists the targets
    listed = help_targets()
    # Then every one of them is there, with its one-line description
    assert named, "the README names no make target: the parser no longer matches it"
    assert {"setup", "demo", "test", "plan", "scan", "lock"} <= named
    assert named - listed == set()
