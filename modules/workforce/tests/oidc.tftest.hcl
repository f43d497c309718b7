# OIDC identity: the workforce signs in through the customer's identity provider; no Cognito.

# The same mocked values in every test file: identifiers shaped like AWS's, since the provider
# validates ARNs and pool ids passed between resources even with a mocked provider.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }

  mock_data "aws_region" {
    defaults = { region = "eu-west-1" }
  }

  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }

  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }

  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
  }

  mock_resource "aws_cognito_user_pool" {
    defaults = {
      id  = "eu-west-1_TestPool"
      arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_TestPool"
    }
  }

  mock_resource "aws_cognito_user_pool_client" {
    defaults = { id = "testclientid" }
  }

  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:test" }
  }

  mock_resource "aws_wafv2_web_acl" {
    defaults = { arn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/wf-test-workforce/1" }
  }

  mock_resource "aws_wafv2_ip_set" {
    defaults = { arn = "arn:aws:wafv2:eu-west-1:123456789012:regional/ipset/wf-test-workforce-allowed/1" }
  }

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/wf-test-workforce-bootstrap" }
  }

  mock_resource "aws_lambda_layer_version" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:layer:wf-test-workforce-powertools:1" }
  }

  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:wf-test-workforce-bootstrap" }
  }

  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:wf-test-tasks" }
  }

  mock_resource "aws_sagemaker_workforce" {
    defaults = {
      arn       = "arn:aws:sagemaker:eu-west-1:123456789012:workforce/wf-test"
      subdomain = "abc123.labeling.eu-west-1.sagemaker.aws"
    }
  }

  mock_resource "aws_sagemaker_workteam" {
    defaults = { arn = "arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/wf-test" }
  }
}

variables {
  name               = "wf-oidc"
  identity           = "oidc"
  oidc_client_secret = "s3cr3t"
  oidc = {
    issuer                 = "https://idp.example.com"
    client_id              = "labeling-workforce"
    authorization_endpoint = "https://idp.example.com/authorize"
    token_endpoint         = "https://idp.example.com/token"
    user_info_endpoint     = "https://idp.example.com/userinfo"
    logout_endpoint        = "https://idp.example.com/logout"
    jwks_uri               = "https://idp.example.com/jwks"
    scope                  = "openid email"
  }
  teams = {
    boxes = { description = "Bounding boxes", oidc_groups = ["labelers", "seniors"] }
  }
  source_ip_cidrs = ["198.51.100.0/24"]
}

run "creates_no_cognito_resources" {
  command = apply

  assert {
    condition = alltrue([
      length(aws_cognito_user_pool.this) == 0,
      length(aws_cognito_user_pool_client.this) == 0,
      length(aws_cognito_user_pool_domain.this) == 0,
      length(aws_cognito_user_group.team) == 0,
      length(aws_cognito_log_delivery_configuration.this) == 0,
      length(aws_ssm_parameter.domain_prefix) == 0,
      length(data.aws_ssm_parameters_by_path.stored) == 0,
    ])
    error_message = "OIDC mode must not create Cognito resources."
  }
  assert {
    condition     = length(aws_lambda_function.bootstrap) == 0 && length(aws_lambda_invocation.bootstrap) == 0 && length(aws_lambda_layer_version.powertools) == 0
    error_message = "Nothing to bootstrap without Cognito."
  }
  assert {
    condition     = length(aws_wafv2_web_acl.this) == 0 && length(aws_wafv2_web_acl_association.this) == 0
    error_message = "WAF protects a user pool; there is none."
  }
  assert {
    condition     = length(aws_kms_key.this) == 0 && output.kms_key_arn == null
    error_message = "No log group or topic needs a key here."
  }
  assert {
    condition     = output.user_pool_id == null && output.user_pool_client_id == null && output.user_pool_domain == null
    error_message = "Cognito outputs are null in OIDC mode."
  }
}

run "configures_the_workforce_and_teams_for_oidc" {
  command = apply

  assert {
    condition     = length(aws_sagemaker_workforce.this.cognito_config) == 0 && aws_sagemaker_workforce.this.oidc_config[0].issuer == "https://idp.example.com"
    error_message = "The workforce uses the OIDC configuration."
  }
  assert {
    condition     = aws_sagemaker_workforce.this.oidc_config[0].client_secret == "s3cr3t" && aws_sagemaker_workforce.this.oidc_config[0].scope == "openid email"
    error_message = "The client secret and scope are passed on."
  }
  assert {
    condition     = toset(aws_sagemaker_workforce.this.source_ip_config[0].cidrs) == toset(["198.51.100.0/24"])
    error_message = "The source IP restriction is set."
  }
  assert {
    condition     = toset(aws_sagemaker_workteam.this["boxes"].member_definition[0].oidc_member_definition[0].groups) == toset(["labelers", "seniors"]) && length(aws_sagemaker_workteam.this["boxes"].member_definition[0].cognito_member_definition) == 0
    error_message = "OIDC teams are defined by identity provider groups."
  }
  assert {
    condition = toset(keys(aws_ssm_parameter.published)) == toset([
      "workforce-arn", "workforce-subdomain", "labeling-portal-url", "workteams",
    ])
    error_message = "Only the workforce parameters are published in OIDC mode."
  }
  assert {
    condition     = jsondecode(aws_ssm_parameter.published["workteams"].value)["boxes"].user_group == null
    error_message = "OIDC teams have no Cognito user group."
  }
}

run "a_changed_oidc_configuration_rebuilds_the_teams" {
  command = plan

  variables {
    oidc = {
      issuer                 = "https://idp2.example.com"
      client_id              = "labeling-workforce"
      authorization_endpoint = "https://idp2.example.com/authorize"
      token_endpoint         = "https://idp2.example.com/token"
      user_info_endpoint     = "https://idp2.example.com/userinfo"
      logout_endpoint        = "https://idp2.example.com/logout"
      jwks_uri               = "https://idp2.example.com/jwks"
    }
  }

  assert {
    condition     = terraform_data.identity_binding.input.oidc == sha256(jsonencode([merge({ scope = null, authentication_request_extra_params = null }, var.oidc), "s3cr3t"]))
    error_message = "The identity binding follows the OIDC configuration, which replaces the teams."
  }
}

run "notifications_bring_a_key" {
  command = apply

  variables {
    teams = {
      boxes = { description = "Bounding boxes", oidc_groups = ["labelers"], notifications = true }
    }
  }

  assert {
    condition     = length(aws_kms_key.this) == 1 && aws_sns_topic.team["boxes"].kms_master_key_id == aws_kms_key.this[0].arn
    error_message = "A notified team's topic is encrypted with a module key."
  }
}

run "cognito_only_inputs_are_refused" {
  command = plan
  variables { initial_workers = [{ email = "ana@example.com" }] }
  expect_failures = [aws_sagemaker_workforce.this]
}
