# Bad input is refused at plan time with a message that says what to fix.

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
  teams = {
    boxes = { description = "Bounding boxes" }
  }
}

run "a_valid_configuration_plans" {
  command = plan
}

run "domain_prefix_with_uppercase_is_refused" {
  command = plan
  variables { domain_prefix = "Labeling-Team" }
  expect_failures = [var.domain_prefix]
}

run "domain_prefix_starting_with_hyphen_is_refused" {
  command = plan
  variables { domain_prefix = "-labeling" }
  expect_failures = [var.domain_prefix]
}

run "domain_prefix_longer_than_63_is_refused" {
  command = plan
  variables { domain_prefix = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }
  expect_failures = [var.domain_prefix]
}

run "domain_prefix_with_a_reserved_word_is_refused" {
  command = plan
  variables { domain_prefix = "my-cognito-login" }
  expect_failures = [var.domain_prefix]
}

run "derived_prefix_with_a_reserved_word_asks_for_domain_prefix" {
  command = plan
  variables { name = "aws-labeling" }
  expect_failures = [aws_cognito_user_pool_domain.this]
}

run "name_with_uppercase_is_refused" {
  command = plan
  variables { name = "Labeling" }
  expect_failures = [var.name]
}

run "bad_source_ip_cidr_is_refused" {
  command = plan
  variables { source_ip_cidrs = ["10.0.0.0/33"] }
  expect_failures = [var.source_ip_cidrs]
}

run "source_ip_that_is_not_a_cidr_is_refused" {
  command = plan
  variables { source_ip_cidrs = ["office"] }
  expect_failures = [var.source_ip_cidrs]
}

run "more_than_10_source_ip_cidrs_are_refused" {
  command = plan
  variables {
    source_ip_cidrs = ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16", "10.5.0.0/16", "10.6.0.0/16", "10.7.0.0/16", "10.8.0.0/16", "10.9.0.0/16", "10.10.0.0/16"]
  }
  expect_failures = [var.source_ip_cidrs]
}

run "bad_waf_allow_list_cidr_is_refused" {
  command = plan
  variables { waf = { allowed_cidrs = ["2001:db8::/300"] } }
  expect_failures = [var.waf]
}

run "a_web_acl_arn_that_is_not_regional_is_refused" {
  command = plan
  variables { waf = { web_acl_arn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1" } }
  expect_failures = [var.waf]
}

run "threat_protection_on_essentials_tier_is_refused" {
  command = plan
  variables { user_pool = { tier = "ESSENTIALS", advanced_security_mode = "ENFORCED" } }
  expect_failures = [var.user_pool]
}

run "unknown_tier_is_refused" {
  command = plan
  variables { user_pool = { tier = "GOLD" } }
  expect_failures = [var.user_pool]
}

run "weak_password_length_is_refused" {
  command = plan
  variables { user_pool = { password_policy = { minimum_length = 6 } } }
  expect_failures = [var.user_pool]
}

run "invitation_without_portal_url_is_refused" {
  command = plan
  variables { invitation = { body = "Hello {username}, your password is {####}." } }
  expect_failures = [var.invitation]
}

run "plain_http_extra_callback_is_refused" {
  command = plan
  variables { app_client = { extra_callback_urls = ["http://tools.example.com/cb"] } }
  expect_failures = [var.app_client]
}

run "oidc_without_issuer_is_refused" {
  command = plan
  variables {
    identity           = "oidc"
    oidc_client_secret = "s3cr3t"
    oidc = {
      client_id              = "workforce"
      authorization_endpoint = "https://idp.example.com/authorize"
      token_endpoint         = "https://idp.example.com/token"
      user_info_endpoint     = "https://idp.example.com/userinfo"
      logout_endpoint        = "https://idp.example.com/logout"
      jwks_uri               = "https://idp.example.com/jwks"
    }
    teams = { boxes = { description = "Bounding boxes", oidc_groups = ["labelers"] } }
  }
  expect_failures = [var.oidc]
}

run "oidc_identity_without_oidc_settings_is_refused" {
  command = plan
  variables {
    identity = "oidc"
    teams    = { boxes = { description = "Bounding boxes", oidc_groups = ["labelers"] } }
  }
  expect_failures = [aws_sagemaker_workforce.this]
}

run "oidc_team_without_groups_is_refused" {
  command = plan
  variables {
    identity           = "oidc"
    oidc_client_secret = "s3cr3t"
    oidc = {
      issuer                 = "https://idp.example.com"
      client_id              = "workforce"
      authorization_endpoint = "https://idp.example.com/authorize"
      token_endpoint         = "https://idp.example.com/token"
      user_info_endpoint     = "https://idp.example.com/userinfo"
      logout_endpoint        = "https://idp.example.com/logout"
      jwks_uri               = "https://idp.example.com/jwks"
    }
  }
  expect_failures = [aws_sagemaker_workforce.this]
}

run "team_name_with_uppercase_is_refused" {
  command = plan
  variables { teams = { Boxes = { description = "Bounding boxes" } } }
  expect_failures = [var.teams]
}

run "worker_with_an_unknown_team_is_refused" {
  command = plan
  variables { initial_workers = [{ email = "ana@example.com", teams = ["polygons"] }] }
  expect_failures = [aws_cognito_user.worker]
}

run "worker_listed_twice_is_refused" {
  command = plan
  variables {
    initial_workers = [{ email = "ana@example.com" }, { email = "Ana@Example.com" }]
  }
  expect_failures = [var.initial_workers]
}

run "worker_with_a_bad_email_is_refused" {
  command = plan
  variables { initial_workers = [{ email = "ana.example.com" }] }
  expect_failures = [var.initial_workers]
}

run "a_missing_layer_package_is_reported" {
  command = plan
  variables { lambda_package_dir = "tests/no-such-dir" }
  expect_failures = [aws_lambda_layer_version.powertools]
}

run "a_missing_function_package_is_reported" {
  command = plan
  variables {
    lambda_package_dir   = "tests/no-such-dir"
    powertools_layer_arn = "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:7"
  }
  expect_failures = [aws_lambda_function.bootstrap]
}

run "cognito_identity_without_lambda_package_dir_is_reported" {
  command = plan
  variables {
    lambda_package_dir   = null
    powertools_layer_arn = "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:7"
  }
  expect_failures = [aws_lambda_function.bootstrap]
}

run "relative_ssm_prefix_is_refused" {
  command = plan
  variables { ssm_prefix = "labeling/workforce" }
  expect_failures = [var.ssm_prefix]
}

run "custom_domain_certificate_outside_us_east_1_is_refused" {
  command = plan
  variables {
    custom_domain = {
      domain_name     = "auth.example.com"
      certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
    }
  }
  expect_failures = [var.custom_domain]
}

# Inputs renamed in 0.2.0 are refused with their new name (variables.tf, CHANGELOG.md).
run "renamed_kms_key_arn_is_refused_with_its_new_name" {
  command = plan
  variables { kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
  expect_failures = [var.kms_key_arn]
}

run "renamed_activity_logs_enabled_is_refused_with_its_new_name" {
  command = plan
  variables { activity_logs_enabled = false }
  expect_failures = [var.activity_logs_enabled]
}

run "moved_user_pool_deletion_protection_is_refused_with_its_new_place" {
  command = plan
  variables { user_pool = { deletion_protection = false } }
  expect_failures = [var.user_pool]
}

run "kms_alias_instead_of_key_arn_is_refused" {
  command = plan
  variables { kms = { key_arn = "arn:aws:kms:eu-west-1:123456789012:alias/labeling" } }
  expect_failures = [var.kms]
}
