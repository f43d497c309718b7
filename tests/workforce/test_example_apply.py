"""modules/workforce/examples/complete applied against the local emulator: one apply leaves the app client
pointing at the portal, a second plan is empty, destroy leaves nothing.

It applies with Terraform where this machine has it, else with the chosen CLI: ``make demo`` applies
``envs/local`` with the chosen CLI (OpenTofu on the offline path), so the two prove an apply with each.
One deployment per module: two parametrised deployments of the same workforce on one shared emulator
(one workforce per region) failed intermittently under load."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from labeling_cli.labelers.directory import username_for
from tests.fixtures.terraform_cli import TerraformCli, terraform_clis

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("workforce-example")]


def _apply_cli() -> TerraformCli:
    clis = terraform_clis()
    return next((cli for cli in clis if cli.kind == "terraform"), clis[0])


REPO = Path(__file__).resolve().parents[2]
MODULE = REPO / "modules" / "workforce"
EXAMPLE = MODULE / "examples" / "complete"
REGION = "us-east-1"
NAME = "wf-emulated"
SSM_PREFIX = f"/{NAME}/workforce"
WORKERS: list[dict[str, Any]] = [
    {"email": "ana@example.com", "teams": ["bounding-boxes"]},
    {"email": "bo@example.com", "teams": ["bounding-boxes", "review"]},
]
CONTRACT_PARAMETERS = {
    "user-pool-id",
    "user-pool-arn",
    "user-pool-client-id",
    "user-pool-domain",
    "workforce-arn",
    "workforce-subdomain",
    "labeling-portal-url",
    "workteams",
    "domain-prefix",
}
# Credentials and settings of the machine must not leak into a run against the emulator.
AWS_VARIABLES_DROPPED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE")
# The emulator answers the provider's account lookups itself; only the instance metadata lookup,
# which has no emulator, is skipped.
PROVIDER_OVERRIDE = """\
provider "aws" {
  skip_metadata_api_check = true
}
"""
TOFU_TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class Tofu:
    binary: str
    workdir: Path
    env: dict[str, str]

    def run(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [self.binary, f"-chdir={self.workdir}", *args, "-no-color"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TOFU_TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode not in ok:
            pytest.fail(
                f"{Path(self.binary).name} {args[0]} exited with {result.returncode}\n"
                f"--- stdout\n{result.stdout[-6000:]}"
                f"\n--- stderr\n{result.stderr[-8000:]}"
            )
        return result

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self.run("output", "-json").stdout)
        return {name: value["value"] for name, value in raw.items()}


@dataclass
class Deployment:
    tofu: Tofu
    emulator: Any
    outputs: dict[str, Any]
    destroyed: bool = False

    def client(self, service: str) -> Any:
        return self.emulator.client(service)


def build_packages(out_dir: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "package_lambda.py"),
            "--source",
            "lambda",
            "--out",
            str(out_dir),
        ],
        check=True,
        cwd=REPO,
        timeout=900,
    )
    for package in ("workforce_bootstrap.zip", "powertools-layer.zip"):
        assert (out_dir / package).is_file(), f"packaging did not produce {package}"
    return out_dir


def tofu_environment(emulator_url: str, cli: TerraformCli) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in AWS_VARIABLES_DROPPED}
    env.update(
        AWS_ENDPOINT_URL=emulator_url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        **cli.env,
    )
    return env


def prepare_workdir(workdir: Path, package_dir: Path) -> None:
    """A copy of the example using this checkout's module, pointed at the emulator."""
    shutil.copytree(EXAMPLE, workdir, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    main = workdir / "main.tf"
    main.write_text(main.read_text().replace('source = "../.."', f'source = "{MODULE}"'))
    (workdir / "emulator_override.tf").write_text(PROVIDER_OVERRIDE)
    variables = {
        "region": REGION,
        "name": NAME,
        "domain_prefix": "wf-emulated-login",
        "lambda_package_dir": str(package_dir),
        "initial_workers": WORKERS,
        "extra_callback_urls": ["https://tools.example.com/callback"],
    }
    (workdir / "terraform.tfvars.json").write_text(json.dumps(variables, indent=2))


@pytest.fixture(scope="module", params=[_apply_cli()], ids=str)
def deployment(
    request: pytest.FixtureRequest, emulator: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    cli: TerraformCli = request.param.usable()
    # One private workforce per region: start from an empty emulator.
    emulator.reset()
    package_dir = build_packages(tmp_path_factory.mktemp("lambda"))
    workdir = tmp_path_factory.mktemp("example") / "complete"
    prepare_workdir(workdir, package_dir)
    tofu = Tofu(binary=cli.path, workdir=workdir, env=tofu_environment(emulator.url, cli))
    tofu.run("init", "-input=false")
    tofu.run("apply", "-auto-approve", "-input=false")
    deployed = Deployment(tofu=tofu, emulator=emulator, outputs=tofu.outputs())
    yield deployed
    if not deployed.destroyed:
        tofu.run("destroy", "-auto-approve", "-input=false")


def test_apply_points_the_app_client_at_the_portal(deployment: Deployment) -> None:
    portal = deployment.outputs["labeling_portal_url"]
    cognito = deployment.client("cognito-idp")

    client = cognito.describe_user_pool_client(
        UserPoolId=deployment.outputs["user_pool_id"], ClientId=deployment.outputs["user_pool_client_id"]
    )["UserPoolClient"]

    assert portal.startswith("https://")
    assert client["CallbackURLs"] == [f"{portal}/oauth2/idpresponse", "https://tools.example.com/callback"]
    assert client["LogoutURLs"] == [f"{portal}/logout"]
    assert client["DefaultRedirectURI"] == f"{portal}/oauth2/idpresponse"
    assert client["AllowedOAuthFlows"] == ["code"]
    assert sorted(client["AllowedOAuthScopes"]) == ["email", "openid", "profile"]
    assert client["ClientSecret"]


def test_invitation_carries_the_portal_and_the_pool_keeps_its_security(deployment: Deployment) -> None:
    cognito = deployment.client("cognito-idp")
    pool_id = deployment.outputs["user_pool_id"]

    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    mfa = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)

    template = pool["AdminCreateUserConfig"]["InviteMessageTemplate"]
    assert deployment.outputs["labeling_portal_url"] in template["EmailMessage"]
    assert "{username}" in template["EmailMessage"]
    assert "{####}" in template["EmailMessage"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["MfaConfiguration"] == "ON"
    assert mfa["SoftwareTokenMfaConfiguration"]["Enabled"] is True
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 14
    assert pool["AliasAttributes"] == ["email"]


def test_workers_are_invited_with_the_user_names_invite_py_uses(deployment: Deployment) -> None:
    cognito = deployment.client("cognito-idp")
    pool_id = deployment.outputs["user_pool_id"]

    expected = {worker["email"]: username_for(worker["email"]) for worker in WORKERS}
    review = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="review")["Users"]

    assert deployment.outputs["initial_worker_usernames"] == expected
    assert [user["Username"] for user in review] == [expected["bo@example.com"]]


def test_identifiers_are_published_in_ssm(deployment: Deployment) -> None:
    ssm = deployment.client("ssm")

    parameters = ssm.get_parameters_by_path(Path=SSM_PREFIX)["Parameters"]

    values = {
        parameter["Name"].removeprefix(f"{SSM_PREFIX}/"): parameter["Value"] for parameter in parameters
    }
    assert set(values) == CONTRACT_PARAMETERS
    assert values["labeling-portal-url"] == deployment.outputs["labeling_portal_url"]
    workteams = json.loads(values["workteams"])
    assert set(workteams) == {"bounding-boxes", "review"}
    assert workteams["review"]["arn"] == deployment.outputs["workteam_arns"]["review"]
    assert workteams["review"]["user_group"] == "review"
    assert workteams["bounding-boxes"]["notification_topic_arn"].endswith(f":{NAME}-bounding-boxes-tasks")


def test_a_second_plan_shows_no_changes(deployment: Deployment) -> None:
    result = deployment.tofu.run("plan", "-detailed-exitcode", "-input=false", ok=(0, 2))

    assert result.returncode == 0, f"the plan after apply is not empty:\n{result.stdout[-6000:]}"


def test_a_new_app_client_replaces_workforce_and_teams_in_one_apply(deployment: Deployment) -> None:
    """cognito_config cannot change in place: teams go first, then the workforce, then it all returns."""
    before = deployment.outputs

    deployment.tofu.run(
        "apply",
        "-auto-approve",
        "-input=false",
        "-replace=module.workforce.aws_cognito_user_pool_client.this[0]",
    )

    after = deployment.outputs = deployment.tofu.outputs()
    client = deployment.client("cognito-idp").describe_user_pool_client(
        UserPoolId=after["user_pool_id"], ClientId=after["user_pool_client_id"]
    )["UserPoolClient"]
    workforce = deployment.client("sagemaker").describe_workforce(WorkforceName=NAME)["Workforce"]
    assert after["user_pool_client_id"] != before["user_pool_client_id"]
    assert workforce["CognitoConfig"]["ClientId"] == after["user_pool_client_id"]
    assert client["CallbackURLs"][0] == f"{after['labeling_portal_url']}/oauth2/idpresponse"
    team = deployment.client("sagemaker").describe_workteam(WorkteamName=f"{NAME}-review")["Workteam"]
    assert team["MemberDefinitions"][0]["CognitoMemberDefinition"]["ClientId"] == after["user_pool_client_id"]
    plan = deployment.tofu.run("plan", "-detailed-exitcode", "-input=false", ok=(0, 2))
    assert plan.returncode == 0, f"the plan after the replacement is not empty:\n{plan.stdout[-6000:]}"


def test_destroy_leaves_nothing_behind(deployment: Deployment) -> None:
    deployment.tofu.run("destroy", "-auto-approve", "-input=false")
    deployment.destroyed = True

    assert deployment.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"] == []
    assert deployment.client("sagemaker").list_workforces()["Workforces"] == []
    assert deployment.client("sagemaker").list_workteams()["Workteams"] == []
    assert (
        deployment.client("ssm").get_parameters_by_path(Path=SSM_PREFIX, Recursive=True)["Parameters"] == []
    )
    assert [
        f for f in deployment.client("lambda").list_functions()["Functions"] if NAME in f["FunctionName"]
    ] == []
    assert deployment.client("lambda").list_layers()["Layers"] == []
    assert [
        g for g in deployment.client("logs").describe_log_groups()["logGroups"] if NAME in g["logGroupName"]
    ] == []
    assert deployment.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"] == []
    assert [t for t in deployment.client("sns").list_topics()["Topics"] if NAME in t["TopicArn"]] == []
    assert [r for r in deployment.client("iam").list_roles()["Roles"] if NAME in r["RoleName"]] == []
    kms = deployment.client("kms")
    states = {
        kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] for key in kms.list_keys()["Keys"]
    }
    assert states <= {"PendingDeletion"}
