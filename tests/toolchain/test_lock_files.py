"""A lock file committed by the connected path (the registry's checksums) serves the offline path too:
before init, the offline path adds its mirror's checksum beside the registry's; the connected path
leaves the file alone. Run with each CLI this machine has, on a copy of the repository in git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.terraform_cli import CACHE, TerraformCli, terraform_clis

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("lock-files")]

REPO = Path(__file__).resolve().parents[2]
ADDRESS = {"tofu": "registry.opentofu.org/hashicorp/aws", "terraform": "registry.terraform.io/hashicorp/aws"}
# What a lock file written from the registry holds: checksums of the official release, none of which
# matches a provider built from source.
REGISTRY_CHECKSUMS = (
    "h1:RegistryRelease0000000000000000000000000000=",
    "zh:0000000000000000000000000000000000000000000000000000000000000000",
)


@pytest.fixture(params=terraform_clis(), ids=str)
def cli(request: pytest.FixtureRequest) -> TerraformCli:
    chosen: TerraformCli = request.param.usable()
    return chosen


def environment(cli: TerraformCli, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TF": cli.path,
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        **cli.env,
        **extra,
    }


def run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{command} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def committed_environment(cli: TerraformCli, root: Path) -> Path:
    """envs/dev and what it needs, in a git repository whose lock file holds the registry's checksums."""
    ignore = shutil.ignore_patterns(".terraform*", "*.tfstate*", "tests", "examples")
    shutil.copytree(REPO / "modules", root / "modules", ignore=ignore)
    shutil.copytree(REPO / "envs", root / "envs", symlinks=True, ignore=ignore)
    env_dir = root / "envs" / "dev"
    checksums = "".join(f'    "{checksum}",\n' for checksum in REGISTRY_CHECKSUMS)
    (env_dir / ".terraform.lock.hcl").write_text(
        f'provider "{ADDRESS[cli.kind]}" {{\n  version     = "6.47.1"\n  constraints = "6.47.1"\n'
        f"  hashes = [\n{checksums}  ]\n}}\n"
    )
    git = ["git", "-c", "user.name=team", "-c", "user.email=team@example.com"]
    run([*git, "init", "-q"], os.environ.copy(), root)
    run([*git, "add", "-f", "."], os.environ.copy(), root)
    run([*git, "commit", "-q", "-m", "lock file from the registry"], os.environ.copy(), root)
    return env_dir


def mirror(cli: TerraformCli, env_dir: Path, tmp_path: Path) -> Path:
    """The offline path's provider mirror; on a connected machine, one made from the registry."""
    if "TF_CLI_CONFIG_FILE" in cli.env:
        return CACHE / "providers"
    made = tmp_path / "mirror"
    platform = json.loads(run([cli.path, "version", "-json"], environment(cli), env_dir).stdout)["platform"]
    run([cli.path, "providers", "mirror", f"-platform={platform}", str(made)], environment(cli), env_dir)
    return made


def test_the_offline_path_adds_its_checksum_and_keeps_the_registrys(
    cli: TerraformCli, tmp_path: Path
) -> None:
    # Given an environment with a lock file committed from the registry
    env_dir = committed_environment(cli, tmp_path / "repo")
    lock = env_dir / ".terraform.lock.hcl"
    offline = environment(cli, TOOLCHAIN_MIRROR=str(mirror(cli, env_dir, tmp_path)))

    # When make prepares it on the offline path, then initialises it
    run([str(REPO / "scripts" / "toolchain" / "lock_mirror.sh"), str(env_dir)], offline, env_dir)
    run([cli.path, "init", "-backend=false", "-input=false", "-no-color"], offline, env_dir)

    # Then init accepted the mirror's provider, and the registry's checksums are all still there
    text = lock.read_text()
    assert all(checksum in text for checksum in REGISTRY_CHECKSUMS)
    assert text.count('"h1:') == 2, text


def test_the_connected_path_leaves_a_committed_lock_file_alone(cli: TerraformCli, tmp_path: Path) -> None:
    # Given an environment with a lock file committed from the registry
    env_dir = committed_environment(cli, tmp_path / "repo")
    lock = env_dir / ".terraform.lock.hcl"
    before = lock.read_bytes()

    # When make prepares it on the connected path (no mirror)
    connected = {k: v for k, v in environment(cli).items() if k != "TOOLCHAIN_MIRROR"}
    run([str(REPO / "scripts" / "toolchain" / "lock_mirror.sh"), str(env_dir)], connected, env_dir)

    # Then the file is untouched
    assert lock.read_bytes() == before
