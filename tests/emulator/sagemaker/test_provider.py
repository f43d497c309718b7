"""The AWS provider's SageMaker resources against the emulator: create (through the Initializing
waiter), a plan without changes, in-place updates that converge, destroy.

This drives every call aws_sagemaker_workforce, aws_sagemaker_workteam and aws_sagemaker_feature_group
make (including ListTags/AddTags/DeleteTags and the waiters), with the real provider.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.emulator import Emulator
from tests.fixtures.terraform_cli import chosen_cli

pytestmark = pytest.mark.infra

TIMEOUT_SECONDS = 900
CONFIGURATION = """\
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 6.0, < 7.0" }
  }
}

provider "aws" {
  skip_metadata_api_check = true
}

variable "cidrs" { type = list(string) }
variable "team_tags" { type = map(string) }
variable "team_description" { type = string }

resource "aws_cognito_user_pool" "this" {
  name = "provider-check"
}

resource "aws_cognito_user_pool_client" "this" {
  name         = "portal"
  user_pool_id = aws_cognito_user_pool.this.id
}

resource "aws_cognito_user_group" "labelers" {
  name         = "labelers"
  user_pool_id = aws_cognito_user_pool.this.id
}

resource "aws_cognito_user_pool_domain" "this" {
  domain       = "provider-check"
  user_pool_id = aws_cognito_user_pool.this.id
}

resource "aws_sagemaker_workforce" "this" {
  workforce_name = "provider-check"
  cognito_config {
    client_id = aws_cognito_user_pool_client.this.id
    # A Cognito workforce needs the pool's domain: taking the pool from it orders the two.
    user_pool = aws_cognito_user_pool_domain.this.user_pool_id
  }
  source_ip_config {
    cidrs = var.cidrs
  }
}

resource "aws_sagemaker_workteam" "this" {
  workteam_name  = "provider-check"
  workforce_name = aws_sagemaker_workforce.this.workforce_name
  description    = var.team_description
  member_definition {
    cognito_member_definition {
      client_id  = aws_cognito_user_pool_client.this.id
      user_pool  = aws_cognito_user_pool.this.id
      user_group = aws_cognito_user_group.labelers.name
    }
  }
  tags = var.team_tags
}

resource "aws_iam_role" "feature_store" {
  name = "provider-check-feature-store"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sagemaker.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_sagemaker_feature_group" "this" {
  feature_group_name             = "provider-check"
  record_identifier_feature_name = "record_id"
  event_time_feature_name        = "event_time"
  role_arn                       = aws_iam_role.feature_store.arn
  description                    = "labels"
  feature_definition {
    feature_name = "record_id"
    feature_type = "String"
  }
  feature_definition {
    feature_name = "event_time"
    feature_type = "String"
  }
  online_store_config {
    enable_online_store = true
  }
  offline_store_config {
    disable_glue_table_creation = true
    s3_storage_config {
      s3_uri = "s3://provider-check-offline/store"
    }
  }
  tags = var.team_tags
}

output "subdomain" { value = aws_sagemaker_workforce.this.subdomain }
"""


class Tofu:
    def __init__(self, workdir: Path, emulator_url: str) -> None:
        cli = chosen_cli()
        self.binary, self.workdir = cli.path, workdir
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN")},
            "AWS_ENDPOINT_URL": emulator_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            **cli.env,
        }

    def run(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [self.binary, f"-chdir={self.workdir}", *args, "-no-color"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode not in ok:
            pytest.fail(
                f"{Path(self.binary).name} {args[0]} exited {result.returncode}\n"
                f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
            )
        return result


def variables(cidrs: list[str], tags: dict[str, str], description: str) -> list[str]:
    return [
        f"-var=cidrs={json.dumps(cidrs)}",
        f"-var=team_tags={json.dumps(tags)}",
        f"-var=team_description={description}",
    ]


def test_the_provider_creates_updates_and_destroys_workforce_team_and_feature_group(
    emulator_clean: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "main.tf").write_text(CONFIGURATION)
    tofu = Tofu(tmp_path, emulator_clean.url)
    sagemaker: Any = emulator_clean.client("sagemaker")
    first = variables(["10.0.0.0/16"], {"team": "vision"}, "labelers")
    second = variables(["10.0.0.0/16", "192.168.0.0/24"], {"team": "vision", "env": "dev"}, "labelers v2")
    emulator_clean.arm_fault("workforce", mode="initializing", describes=3)

    tofu.run("init")
    tofu.run("apply", "-auto-approve", *first)
    # Three "Initializing" answers were armed: only a provider that waited has used them all up.
    status_after_create = sagemaker.describe_workforce(WorkforceName="provider-check")["Workforce"]["Status"]
    unchanged = tofu.run("plan", "-detailed-exitcode", *first, ok=(0, 2))
    tofu.run("apply", "-auto-approve", *second)
    converged = tofu.run("plan", "-detailed-exitcode", *second, ok=(0, 2))
    workforce = sagemaker.describe_workforce(WorkforceName="provider-check")["Workforce"]
    team_arn = sagemaker.describe_workteam(WorkteamName="provider-check")["Workteam"]["WorkteamArn"]
    team_tags = sagemaker.list_tags(ResourceArn=team_arn)["Tags"]
    subdomain = json.loads(tofu.run("output", "-json").stdout)["subdomain"]["value"]
    tofu.run("destroy", "-auto-approve", *second)

    assert unchanged.returncode == 0, unchanged.stdout
    assert converged.returncode == 0, converged.stdout
    assert status_after_create == "Active"
    assert workforce["SourceIpConfig"] == {"Cidrs": ["10.0.0.0/16", "192.168.0.0/24"]}
    assert workforce["SubDomain"] == subdomain
    assert sorted(team_tags, key=lambda tag: tag["Key"]) == [
        {"Key": "env", "Value": "dev"},
        {"Key": "team", "Value": "vision"},
    ]
    assert sagemaker.list_workforces()["Workforces"] == []
    assert sagemaker.list_workteams()["Workteams"] == []
    assert sagemaker.list_feature_groups()["FeatureGroupSummaries"] == []
