"""Chooses the Terraform/OpenTofu CLI of this machine and records the choice for every make target.

`setup` (run by `make setup`) picks one of two paths and prints one line saying which and why:

- connected: the CLI named by TF=, else `tofu` or `terraform` on the PATH, whose version is
  supported and whose public registry answers; `init` fetches the pinned provider from there, and
  the user's own CLI configuration is left alone.
- offline: OpenTofu and the AWS provider built from source by build.sh (Go needed), served from a
  filesystem mirror through the CLI configuration file build.sh writes. Chosen when no supported CLI
  reaches its registry, or with TOOLCHAIN=source.

The choice goes to CACHE/toolchain.env, KEY=VALUE lines that the Makefile includes and build.sh
sources: TOOLCHAIN_PATH, TOOLCHAIN_TF (absolute path of the CLI) and, offline only,
TOOLCHAIN_CLI_CONFIG (the mirror's CLI configuration file).

`clis` lists the CLIs the tests run: the chosen one first, then the other kind where this machine
has a supported one (a note on stderr says which kind is not tested and why). `--json` adds the
environment those CLIs need.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECORD_NAME = "toolchain.env"
PROBE_TIMEOUT_SECONDS = 3.0
VERSION_TIMEOUT_SECONDS = 20.0
# Terraform's and OpenTofu's remote service discovery document, which every registry serves
# (https://developer.hashicorp.com/terraform/internals/remote-service-discovery).
DISCOVERY_PATH = "/.well-known/terraform.json"
KINDS = ("tofu", "terraform")
PRODUCT = {"tofu": "OpenTofu", "terraform": "Terraform"}
REGISTRY = {"tofu": "https://registry.opentofu.org", "terraform": "https://registry.terraform.io"}
VERSION_LINE = re.compile(r"^(OpenTofu|Terraform) v(\d+)\.(\d+)\.(\d+)", re.MULTILINE)


class ChoiceError(Exception):
    """No path works: the message says what to install."""


@dataclass(frozen=True)
class Versions:
    """The pins and supported ranges of scripts/toolchain/versions.env."""

    values: dict[str, str]

    @classmethod
    def load(cls, path: Path = HERE / "versions.env") -> Versions:
        return cls(assignments(path))

    def minimum(self, kind: str) -> tuple[int, ...]:
        return parse_version(self.values[f"{kind.upper()}_MIN_VERSION"])

    def maximum(self, kind: str) -> tuple[int, ...]:
        """The first version no longer supported (exclusive)."""
        return parse_version(self.values[f"{kind.upper()}_MAX_VERSION"])

    def supported(self, kind: str) -> str:
        return (
            f">= {self.values[f'{kind.upper()}_MIN_VERSION']}, < {self.values[f'{kind.upper()}_MAX_VERSION']}"
        )


@dataclass(frozen=True)
class Cli:
    kind: str  # "tofu" or "terraform"
    path: str
    version: tuple[int, ...]

    @property
    def label(self) -> str:
        return f"{self.kind} {'.'.join(map(str, self.version))} ({self.path})"


@dataclass(frozen=True)
class Choice:
    path: str  # "connected" or "offline"
    tf: str
    cli_config: str | None
    reason: str

    def record(self) -> str:
        lines = [
            "# Written by `make setup` (scripts/toolchain/choose.py): the CLI every make target uses.",
            f"TOOLCHAIN_PATH={self.path}",
            f"TOOLCHAIN_TF={self.tf}",
        ]
        if self.cli_config:
            lines.append(f"TOOLCHAIN_CLI_CONFIG={self.cli_config}")
        return "\n".join(lines) + "\n"


def assignments(path: Path) -> dict[str, str]:
    """The KEY=VALUE lines of versions.env or toolchain.env; comments and other lines are skipped."""
    if not path.is_file():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if re.match(r"^[A-Z_]+=", line))
    return {key: value.strip() for key, value in pairs}


def parse_version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def inspect(path: str) -> tuple[str, tuple[int, ...]] | str:
    """(kind, version) of a CLI, or why it cannot be used."""
    env = {**os.environ, "CHECKPOINT_DISABLE": "1"}  # no update check over the network
    try:
        result = subprocess.run(  # noqa: S603 - a CLI the user named or that is on their PATH
            [path, "version"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT_SECONDS,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{path} does not run ({error})"
    match = VERSION_LINE.search(result.stdout)
    if result.returncode != 0 or not match:
        first = (result.stdout or result.stderr).strip().splitlines()[:1]
        return f"{path} is not Terraform or OpenTofu (`version` printed {first[0] if first else 'nothing'!r})"
    kind = "tofu" if match.group(1) == "OpenTofu" else "terraform"
    return kind, tuple(int(match.group(n)) for n in (2, 3, 4))


def check(path: str, versions: Versions) -> Cli | str:
    """A usable CLI, or why this one is not."""
    found = inspect(path)
    if isinstance(found, str):
        return found
    kind, version = found
    cli = Cli(kind, path, version)
    if not versions.minimum(kind) <= version < versions.maximum(kind):
        return f"{cli.label} is outside the supported range {versions.supported(kind)}"
    return cli


def probe(url: str, timeout: float) -> str | None:
    """None if the registry's discovery document answers, else why not."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - https or a test's local URL
            document = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return f"{url} did not answer ({reason}, after {time.monotonic() - started:.1f} s)"
    if not isinstance(document, dict) or "providers.v1" not in document:
        return f"{url} answered without a provider registry"
    return None


def on_path(name: str, path_env: str, exclude: Path | None) -> str | None:
    """`name` on a PATH, ignoring directories inside `exclude` (the cache's own binaries)."""
    dirs = [
        d
        for d in path_env.split(os.pathsep)
        if d and not (exclude and Path(d).resolve().is_relative_to(exclude.resolve()))
    ]
    return shutil.which(name, path=os.pathsep.join(dirs))


def go_version(path_env: str) -> tuple[int, ...] | None:
    go = shutil.which("go", path=path_env)
    if not go:
        return None
    try:
        out = subprocess.run(  # noqa: S603 - the go found on PATH
            [go, "version"], capture_output=True, text=True, timeout=VERSION_TIMEOUT_SECONDS, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"go(\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else None


@dataclass(frozen=True)
class Request:
    """What `make setup` was given: the cache, TF= and TOOLCHAIN=, the PATH to search, and the probe."""

    cache: Path
    tf: str | None
    toolchain: str
    path_env: str
    registry_url: str | None = None
    timeout: float = PROBE_TIMEOUT_SECONDS


def candidates(request: Request, versions: Versions) -> tuple[list[Cli], list[str]]:
    """The usable CLIs (TF= alone if given, else tofu and terraform from the PATH), and why others are not."""
    why_not: list[str] = []
    paths: list[str] = []
    if request.tf:
        named = shutil.which(request.tf, path=request.path_env) if os.sep not in request.tf else request.tf
        if not named or not Path(named).is_file():
            raise ChoiceError(f"error: TF={request.tf} is not an executable; install it or leave TF unset")
        paths = [str(Path(named).resolve())]
    else:
        for kind in KINDS:
            # The offline path's own tofu (in the cache) is not a CLI the user brought.
            found = on_path(kind, request.path_env, exclude=request.cache)
            if found:
                paths.append(found)
            else:
                why_not.append(f"no {kind} on the PATH")
    clis: list[Cli] = []
    for path in paths:
        usable = check(path, versions)
        if isinstance(usable, str):
            why_not.append(usable)
        else:
            clis.append(usable)
    if request.tf and not clis:
        raise ChoiceError(
            f"error: TF={request.tf}: {why_not[-1]}; install a supported version or leave TF unset"
        )
    return clis, why_not


def choose(request: Request, versions: Versions) -> Choice:
    """The path `make setup` takes, and why (see the module's docstring)."""
    clis, why_not = candidates(request, versions)
    if request.toolchain == "source":
        why_not = ["TOOLCHAIN=source"]
    else:
        for cli in clis:
            unreachable = probe(
                (request.registry_url or REGISTRY[cli.kind]) + DISCOVERY_PATH, request.timeout
            )
            if unreachable is None:
                return Choice("connected", cli.path, None, f"{cli.label}, and its registry answers")
            why_not.append(f"{cli.label} found, but {unreachable}")

    go = go_version(request.path_env)
    go_min = parse_version(versions.values["GO_MIN_VERSION"])
    if go is None or go < go_min:
        go_text = "no go on the PATH" if go is None else f"go {'.'.join(map(str, go))} is too old"
        raise ChoiceError(
            f"error: install Terraform {versions.supported('terraform')} or OpenTofu "
            f"{versions.supported('tofu')} with access to the public registry, or Go "
            f"{versions.values['GO_MIN_VERSION']}+ to build the offline toolchain "
            f"({'; '.join([*why_not, go_text])})"
        )
    # With TF= the named CLI runs against the mirror; otherwise the OpenTofu the build makes.
    tf, cli_text = (
        (clis[0].path, clis[0].label)
        if request.tf
        else (str(request.cache / "bin" / "tofu"), f"OpenTofu {versions.values['OPENTOFU_VERSION']}")
    )
    return Choice(
        "offline",
        tf,
        str(request.cache / "tofu.rc"),
        f"{cli_text} with hashicorp/aws {versions.values['AWS_PROVIDER_VERSION']} built from source with "
        f"Go into a filesystem mirror, because {'; '.join(why_not)}",
    )


def clis_to_test(
    cache: Path, tf: str | None, path_env: str, versions: Versions
) -> tuple[list[Cli], list[str]]:
    """The chosen CLI, then one of each other kind this machine has; and notes on kinds left out."""
    record = assignments(cache / RECORD_NAME)
    chosen_path = tf or record.get("TOOLCHAIN_TF")
    if not chosen_path:
        raise ChoiceError("error: no Terraform/OpenTofu has been chosen yet; run `make setup`")
    resolved = shutil.which(chosen_path, path=path_env) or chosen_path
    chosen = check(resolved, versions)
    if isinstance(chosen, str):
        raise ChoiceError(f"error: the chosen CLI cannot be used: {chosen}; run `make setup`")
    clis, notes = [chosen], []
    for kind in KINDS:
        if kind == chosen.kind:
            continue
        found = on_path(kind, path_env, exclude=None)
        other = check(found, versions) if found else f"no {kind} on the PATH"
        if isinstance(other, str):
            notes.append(f"note: {PRODUCT[kind]} is not tested: {other}")
        else:
            clis.append(other)
    return clis, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["setup", "clis"])
    parser.add_argument("--cache", type=Path, required=True, help="the tool cache (make's CACHE_DIR)")
    parser.add_argument("--tf", help="the CLI to use, a name on the PATH or a path (make's TF=)")
    parser.add_argument("--toolchain", choices=["auto", "source"], default="auto", help="make's TOOLCHAIN=")
    parser.add_argument("--registry-url", help="probe this registry instead of the CLI's own (tests)")
    parser.add_argument(
        "--timeout", type=float, default=PROBE_TIMEOUT_SECONDS, help="registry probe timeout (s)"
    )
    parser.add_argument("--json", action="store_true", help="clis: print JSON with the environment they need")
    args = parser.parse_args(argv)
    versions = Versions.load()
    path_env = os.environ.get("PATH", "")
    try:
        if args.command == "setup":
            request = Request(args.cache, args.tf, args.toolchain, path_env, args.registry_url, args.timeout)
            choice = choose(request, versions)
            args.cache.mkdir(parents=True, exist_ok=True)
            (args.cache / RECORD_NAME).write_text(choice.record())
            print(f"toolchain: {choice.path} path: {choice.reason}")
            return 0
        clis, notes = clis_to_test(args.cache, args.tf, path_env, versions)
    except ChoiceError as error:
        print(error, file=sys.stderr)
        return 1
    for note in notes:
        print(note, file=sys.stderr)
    if args.json:
        cli_config = assignments(args.cache / RECORD_NAME).get("TOOLCHAIN_CLI_CONFIG")
        env = {"TF_CLI_CONFIG_FILE": cli_config} if cli_config else {}
        print(json.dumps({"clis": [{"kind": c.kind, "path": c.path} for c in clis], "env": env}))
    else:
        print("\n".join(c.path for c in clis))
    return 0


if __name__ == "__main__":
    sys.exit(main())
