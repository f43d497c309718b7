# The Cognito domain prefix is stored in SSM and kept: a later change fails the plan unless allowed.

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
  name               = "wf-test"
  lambda_package_dir = "tests/fixtures"
  # A failed check fails a test run: the runs that test the check turn it on.
  warn_on_default_email_sender = false
}

run "first_apply_uses_the_given_prefix" {
  command = plan
  variables { domain_prefix = "acme-labeling" }

  assert {
    condition     = aws_cognito_user_pool_domain.this[0].domain == "acme-labeling" && aws_ssm_parameter.domain_prefix[0].value == "acme-labeling"
    error_message = "Nothing stored yet: the given prefix is used and stored."
  }
}

run "a_changed_prefix_is_refused" {
  command = plan
  variables { domain_prefix = "acme-labeling-2" }

  override_data {
    target = data.aws_ssm_parameters_by_path.stored
    values = {
      names  = ["/wf-test/workforce/labeling-portal-url", "/wf-test/workforce/domain-prefix"]
      values = ["https://abc.labeling.eu-west-1.sagemaker.aws", "acme-labeling"]
    }
  }

  expect_failures = [aws_cognito_user_pool_domain.this]
}

run "a_changed_prefix_is_accepted_when_allowed" {
  command = plan
  variables {
    domain_prefix              = "acme-labeling-2"
    allow_domain_prefix_change = true
  }

  override_data {
    target = data.aws_ssm_parameters_by_path.stored
    values = {
      names  = ["/wf-test/workforce/domain-prefix"]
      values = ["acme-labeling"]
    }
  }

  assert {
    condition     = aws_cognito_user_pool_domain.this[0].domain == "acme-labeling-2"
    error_message = "allow_domain_prefix_change lets the new prefix through."
  }
}

run "the_same_prefix_plans" {
  command = plan
  variables { domain_prefix = "acme-labeling" }

  override_data {
    target = data.aws_ssm_parameters_by_path.stored
    values = {
      names  = ["/wf-test/workforce/domain-prefix"]
      values = ["acme-labeling"]
    }
  }

  assert {
    condition     = aws_cognito_user_pool_domain.this[0].domain == "acme-labeling"
    error_message = "An unchanged prefix plans normally."
  }
}

run "an_unset_prefix_keeps_the_stored_one" {
  command = plan

  override_data {
    target = data.aws_ssm_parameters_by_path.stored
    values = {
      names  = ["/wf-test/workforce/domain-prefix"]
      values = ["chosen-long-ago"]
    }
  }

  assert {
    condition     = aws_cognito_user_pool_domain.this[0].domain == "chosen-long-ago"
    error_message = "Without domain_prefix the stored prefix is kept, even if the derived one differs."
  }
}

run "the_stored_value_is_read_under_a_custom_ssm_prefix" {
  command = plan
  variables {
    ssm_prefix    = "/private-labeling/dev/workforce"
    domain_prefix = "other"
  }

  override_data {
    target = data.aws_ssm_parameters_by_path.stored
    values = {
      names  = ["/private-labeling/dev/workforce/domain-prefix"]
      values = ["acme-labeling"]
    }
  }

  expect_failures = [aws_cognito_user_pool_domain.this]
}
