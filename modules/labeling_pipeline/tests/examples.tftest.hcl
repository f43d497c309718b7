# Every example plans with mock providers: its inputs still match the module's. (pytest applies them all
# on the local emulator: testkit.deploy.) A new example gets a run here.

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { region = "us-east-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  # Computed ARNs the provider validates as ARNs (random mock strings would not pass).
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000001", key_id = "0a1b2c3d-0000-4000-8000-000000000001" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/mock-role" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:us-east-1:111122223333:mock-queue", url = "https://sqs.us-east-1.amazonaws.com/111122223333/mock-queue" }
  }
  mock_resource "aws_lambda_layer_version" {
    defaults = { arn = "arn:aws:lambda:us-east-1:111122223333:layer:mock-powertools:1" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:us-east-1:111122223333:stateMachine:mock" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:111122223333:mock-topic" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/vendedlogs/states/mock" }
  }
}

variables {
  workteam_arn       = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
  lambda_package_dir = "tests/fixtures/lambda"
}

run "minimal_example_plans" {
  command = plan

  module {
    source = "./examples/minimal"
  }

  assert {
    condition     = output.feature_group_name == "gt-minimal-labels"
    error_message = "The minimal example must plan a pipeline named by its default name."
  }
}

run "complete_example_plans" {
  command = plan

  module {
    source = "./examples/complete"
  }

  variables {
    verification_workteam_arn = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/reviewers"
    alarm_email               = "alarms@example.com"
  }

  assert {
    condition     = output.feature_group_name == "gt-complete-labels"
    error_message = "The complete example must plan a pipeline named by its default name."
  }
}
