"""A team that takes the modules from this repository with a `git::` source, in a repository of its
own, plans them as the README says: the module from a tag, the Lambda packages built from that tag by
`make package` (scripts/package_lambda.py), the provider from the registry or the offline mirror. Each
CLI this machine has plans both modules' `complete` examples against the local emulator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.terraform_cli import TerraformCli, terraform_clis

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("module-consumer")]

REPO = Path(__file__).resolve().parents[2]
TAG = "v1.0.0"
TIMEOUT_SECONDS = 900
# Only the instance metadata lookup has no emulator; the rest of the provider talks to it unchanged.
PROVIDER_OVERRIDE = 'provider "aws" {\n  skip_metadata_api_check = true\n}\n'
EXAMPLES: dict[str, dict[str, str | bool]] = {
    "workforce": {"name": "consumer-wf", "domain_prefix": "consumer-wf-login"},
    "labeling_pipeline": {
        "name": "consumer-lp",
        "workteam_arn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/labelers",
        "force_destroy": True,
    },
}


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=release", "-c", "user.email=release@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=120,
    )


@dataclass(frozen=True)
class Release:
    """A tag of this repository as a consumer sees it: the git repository, and the packages built from it."""

    repository: Path
    packages: Path


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """This checkout's modules/ and lambda/ in a git repository of their own, tagged as a release is,
    and the Lambda packages built from that tag the way `make package` builds them."""
    upstream = tmp_path_factory.mktemp("upstream") / "private-labeling"
    ignore = shutil.ignore_patterns(".terraform*", "*.tfstate*", "__pycache__")
    for part in ("modules", "lambda", "scripts/package_lambda.py", "requirements.txt"):
        source, target = REPO / part, upstream / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        else:
            shutil.copy2(source, target)
    git("init", "-q", cwd=upstream)
    git("add", ".", cwd=upstream)
    git("commit", "-q", "-m", "release", cwd=upstream)
    git("tag", TAG, cwd=upstream)
    packages = tmp_path_factory.mktemp("consumer-packages")
    subprocess.run(
        [sys.executable, "scripts/package_lambda.py", "--source", "lambda", "--out", str(packages)],
        cwd=upstream,
        check=True,
        timeout=TIMEOUT_SECONDS,
    )
    return Release(upstream, packages)


@dataclass(frozen=True)
class Consumer:
    """One CLI, and the environment it runs in: credentials and endpoint of the local emulator."""

    cli: TerraformCli
    env: dict[str, str]

    def run(self, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [self.cli.path, f"-chdir={root}", *args, "-no-color"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(
                f"{self.cli} {args[0]} exited {result.returncode}\n"
                f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
            )
        return result


@pytest.fixture(params=terraform_clis(), ids=str)
def consumer(request: pytest.FixtureRequest, emulator: Any) -> Consumer:
    cli: TerraformCli = request.param.usable()
    dropped = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        AWS_ENDPOINT_URL=emulator.url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        **cli.env,
    )
    return Consumer(cli, env)


def consumer_root(workdir: Path, module: str, release: Release) -> Path:
    """The module's `complete` example as a consumer's own root configuration with a `git::` source."""
    root = workdir / module
    shutil.copytree(REPO / "modules" / module / "examples" / "complete", root)
    main = root / "main.tf"
    source = f"git::file://{release.repository}//modules/{module}?ref={TAG}"
    main.write_text(main.read_text().replace('source = "../.."', f'source = "{source}"'))
    (root / "emulator_override.tf").write_text(PROVIDER_OVERRIDE)
    variables: dict[str, str | bool] = {
        **EXAMPLES[module],
        "region": "us-east-1",
        "lambda_package_dir": str(release.packages),
    }
    (root / "terraform.tfvars.json").write_text(json.dumps(variables))
    return root


@pytest.mark.parametrize("module", sorted(EXAMPLES))
def test_a_consumer_plans_the_module_from_a_git_tag_with_packages_built_from_it(
    module: str, consumer: Consumer, release: Release, tmp_path: Path
) -> None:
    # Given the module's example in a repository of its own, with a git:: source on the release tag
    root = consumer_root(tmp_path, module, release)

    # When the consumer initialises and plans it
    consumer.run(root, "init", "-input=false")
    consumer.run(root, "plan", "-input=false", "-out=plan.bin")
    plan = json.loads(consumer.run(root, "show", "-json", "plan.bin").stdout)

    # Then the module came from the tag, and its functions deploy the packages built from that tag
    modules = json.loads((root / ".terraform" / "modules" / "modules.json").read_text())["Modules"]
    assert any(m["Source"].startswith(f"git::file://{release.repository}") for m in modules)
    functions = [
        change["change"]["after"]
        for change in plan["resource_changes"]
        if change["type"] == "aws_lambda_function" and change["change"]["actions"] == ["create"]
    ]
    assert functions
    assert all(Path(function["filename"]).parent == release.packages for function in functions)
    layers = [c for c in plan["resource_changes"] if c["type"] == "aws_lambda_layer_version"]
    assert [Path(layer["change"]["after"]["filename"]).parent for layer in layers] == [release.packages]
