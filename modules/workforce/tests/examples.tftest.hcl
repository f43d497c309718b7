# The examples plan with mock providers: their inputs still match the module's. Not here:
# examples/complete, which pytest applies on the local emulator (tests/workforce/test_example_apply.py;
# planned here, the module's check on Cognito's default email sender fails the run, and a test cannot
# expect a failure of a check inside a module), and examples/existing-workforce, whose import blocks
# OpenTofu allows only in a root module.

# The same mocked values as the other test files: identifiers shaped like AWS's.
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
  lambda_package_dir = "tests/fixtures"
}

run "oidc_example_plans" {
  command = plan

  module {
    source = "./examples/oidc"
  }

  variables {
    oidc_client_secret = "not-a-real-secret"
  }

  assert {
    condition     = length(keys(output.workteam_arns)) > 0
    error_message = "The oidc example must plan its work teams."
  }
}
