# Cognito identity: what the module creates, how it is wired, and the attributes it leaves to the
# bootstrap (plan-only: a mocked provider).

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
    boxes  = { description = "Bounding boxes", notifications = true }
    review = { description = "Reviewers" }
  }
  initial_workers = [
    { email = "Ana@Example.com", teams = ["boxes", "review"] },
    { email = "bo@example.com", teams = ["review"], username = "bo" },
  ]
  app_client = { extra_callback_urls = ["https://tools.example.com/cb"] }
}

run "the_workforce_is_created_after_the_user_pool_domain" {
  command = plan

  # First, on an empty state: a plan of the workforce alone holds exactly what it depends on, and the
  # domain must be among it.
  plan_options {
    target = [aws_sagemaker_workforce.this]
  }

  assert {
    condition     = length(aws_cognito_user_pool_domain.this) == 1
    error_message = "The workforce must depend on the user pool's domain: SageMaker needs a Cognito workforce's pool to have a domain."
  }
}

run "creates_the_cognito_workforce" {
  command = apply

  assert {
    condition     = aws_cognito_user_pool.this[0].mfa_configuration == "ON" && aws_cognito_user_pool.this[0].software_token_mfa_configuration[0].enabled
    error_message = "MFA must be required, with authenticator apps."
  }
  assert {
    condition     = aws_cognito_user_pool.this[0].admin_create_user_config[0].allow_admin_create_user_only
    error_message = "Only administrators may create users."
  }
  assert {
    condition     = toset(aws_cognito_user_pool.this[0].alias_attributes) == toset(["email"]) && try(length(aws_cognito_user_pool.this[0].username_attributes), 0) == 0
    error_message = "Email must be a sign-in alias, not the user name."
  }
  assert {
    condition     = aws_cognito_user_pool.this[0].deletion_protection == "ACTIVE"
    error_message = "Deletion protection is on by default."
  }
  assert {
    condition     = aws_cognito_user_pool.this[0].password_policy[0].minimum_length == 14 && aws_cognito_user_pool.this[0].password_policy[0].require_symbols
    error_message = "The default password policy is strong."
  }
  assert {
    condition     = [for mechanism in aws_cognito_user_pool.this[0].account_recovery_setting[0].recovery_mechanism : mechanism.name] == ["verified_email"]
    error_message = "Account recovery goes through the verified email."
  }
  assert {
    condition     = aws_cognito_user_pool_client.this[0].generate_secret && tolist(aws_cognito_user_pool_client.this[0].allowed_oauth_flows) == tolist(["code"])
    error_message = "The app client uses the code flow with a secret."
  }
  assert {
    condition     = toset(aws_cognito_user_pool_client.this[0].allowed_oauth_scopes) == toset(["email", "openid", "profile"])
    error_message = "The app client's scopes are email, openid and profile."
  }
  assert {
    condition     = tolist(aws_cognito_user_pool_client.this[0].supported_identity_providers) == tolist(["COGNITO"])
    error_message = "The app client signs in with the Cognito identity provider."
  }
  assert {
    condition     = toset(aws_cognito_user_pool_client.this[0].callback_urls) == toset(["https://placeholder.invalid/oauth2/idpresponse", "https://tools.example.com/cb"]) && aws_cognito_user_pool_client.this[0].default_redirect_uri == "https://placeholder.invalid/oauth2/idpresponse"
    error_message = "The client starts with the placeholder callback URL (plus the extra URLs)."
  }
  assert {
    condition     = aws_sagemaker_workforce.this.cognito_config[0].client_id == "testclientid" && aws_sagemaker_workforce.this.cognito_config[0].user_pool == "eu-west-1_TestPool"
    error_message = "The workforce signs in through the module's pool and client."
  }
  assert {
    condition     = length(aws_sagemaker_workforce.this.oidc_config) == 0
    error_message = "A Cognito workforce has no OIDC configuration."
  }
  assert {
    condition     = output.labeling_portal_url == "https://abc123.labeling.eu-west-1.sagemaker.aws"
    error_message = "The portal URL is the workforce's subdomain over https."
  }
  assert {
    condition     = length(aws_cognito_user_pool_domain.this) == 1 && length(aws_cognito_user_pool_domain.custom) == 0
    error_message = "A prefix domain and no custom domain by default."
  }
  assert {
    condition     = startswith(aws_cognito_user_pool_domain.this[0].domain, "wf-test-") && length(aws_cognito_user_pool_domain.this[0].domain) == 16
    error_message = "On the first apply the prefix is derived from name plus an account hash."
  }
  assert {
    condition     = output.user_pool_domain == "${aws_cognito_user_pool_domain.this[0].domain}.auth.eu-west-1.amazoncognito.com"
    error_message = "user_pool_domain is the hosted sign-in host name."
  }
  assert {
    condition     = aws_ssm_parameter.domain_prefix[0].value == aws_cognito_user_pool_domain.this[0].domain && aws_ssm_parameter.domain_prefix[0].name == "/wf-test/workforce/domain-prefix"
    error_message = "The prefix in use is stored in SSM."
  }
}

run "wires_the_bootstrap" {
  command = apply

  assert {
    condition     = aws_lambda_function.bootstrap[0].handler == "workforce_bootstrap.handlers.handler" && aws_lambda_function.bootstrap[0].runtime == "python3.13"
    error_message = "The bootstrap runs workforce_bootstrap.handlers.handler on Python 3.13."
  }
  assert {
    condition     = aws_lambda_function.bootstrap[0].tracing_config[0].mode == "Active" && aws_lambda_function.bootstrap[0].kms_key_arn == aws_kms_key.this[0].arn
    error_message = "The bootstrap is traced and its environment encrypted with the module's key."
  }
  assert {
    condition     = aws_lambda_function.bootstrap[0].layers[0] == aws_lambda_layer_version.powertools[0].arn
    error_message = "Without powertools_layer_arn the module publishes the Powertools layer."
  }
  assert {
    condition     = aws_lambda_invocation.bootstrap[0].lifecycle_scope == "CRUD"
    error_message = "The bootstrap runs on create, update and delete."
  }
  assert {
    condition = jsondecode(aws_lambda_invocation.bootstrap[0].input) == {
      workforce_name      = "wf-test"
      user_pool_id        = "eu-west-1_TestPool"
      client_id           = "testclientid"
      extra_callback_urls = ["https://tools.example.com/cb"]
      extra_logout_urls   = []
      invitation          = local.invitation
    }
    error_message = "The bootstrap input names the workforce, pool, client, extra URLs and invitation."
  }
  assert {
    condition     = strcontains(local.invitation.body, "{portal_url}") && strcontains(local.invitation.body, "{username}") && strcontains(local.invitation.body, "{####}")
    error_message = "The default invitation carries the portal URL, user name and password placeholders."
  }
  assert {
    condition     = aws_lambda_invocation.bootstrap[0].triggers.workforce_subdomain == "abc123.labeling.eu-west-1.sagemaker.aws"
    error_message = "A new workforce subdomain re-runs the bootstrap."
  }
  assert {
    condition     = aws_cloudwatch_log_group.bootstrap[0].name == "/aws/lambda/wf-test-workforce-bootstrap" && aws_cloudwatch_log_group.bootstrap[0].kms_key_id == aws_kms_key.this[0].arn
    error_message = "The bootstrap logs to its own encrypted log group."
  }
}

run "bootstrap_owned_attributes_are_ignored_and_reach_the_bootstrap_instead" {
  command = plan

  variables {
    app_client = { extra_callback_urls = ["https://other.example.com/cb"] }
    invitation = { subject = "Welcome", body = "Hi {username}: {portal_url} {####}" }
  }

  assert {
    condition     = toset(aws_cognito_user_pool_client.this[0].callback_urls) == toset(["https://placeholder.invalid/oauth2/idpresponse", "https://tools.example.com/cb"])
    error_message = "Terraform must not touch the client's callback URLs (the bootstrap owns them)."
  }
  assert {
    condition     = aws_cognito_user_pool.this[0].admin_create_user_config[0].invite_message_template[0].email_subject == "Your labeling workforce account"
    error_message = "Terraform must not touch the invitation subject (the bootstrap owns it)."
  }
  assert {
    condition     = jsondecode(aws_lambda_invocation.bootstrap[0].input).extra_callback_urls == ["https://other.example.com/cb"]
    error_message = "New extra URLs reach the bootstrap through its input."
  }
  assert {
    condition     = jsondecode(aws_lambda_invocation.bootstrap[0].input).invitation == { subject = "Welcome", body = "Hi {username}: {portal_url} {####}" }
    error_message = "A new invitation text reaches the bootstrap through its input."
  }
}

run "creates_teams_groups_topics_and_workers" {
  command = apply

  assert {
    condition     = toset(keys(aws_sagemaker_workteam.this)) == toset(["boxes", "review"]) && aws_sagemaker_workteam.this["boxes"].workteam_name == "wf-test-boxes"
    error_message = "One work team per entry of var.teams, named <name>-<team>."
  }
  assert {
    condition     = aws_sagemaker_workteam.this["review"].member_definition[0].cognito_member_definition[0].user_group == "review" && aws_cognito_user_group.team["review"].name == "review"
    error_message = "Each team is bound to its own Cognito user group."
  }
  assert {
    condition     = keys(aws_sns_topic.team) == ["boxes"] && aws_sns_topic.team["boxes"].kms_master_key_id == aws_kms_key.this[0].arn
    error_message = "Only teams with notifications get a topic, encrypted with the module's key."
  }
  assert {
    condition     = aws_sagemaker_workteam.this["boxes"].notification_configuration[0].notification_topic_arn == aws_sns_topic.team["boxes"].arn && length(aws_sagemaker_workteam.this["review"].notification_configuration) == 0
    error_message = "The notified team points at its topic."
  }
  assert {
    condition     = toset(keys(aws_cognito_user.worker)) == toset(["w-${substr(sha256("private-labeling-worker:ana@example.com"), 0, 24)}", "bo"])
    error_message = "Workers get the opaque user name scripts/invite.py derives from the normalised email (or the one given)."
  }
  assert {
    condition     = aws_cognito_user.worker["bo"].attributes.email == "bo@example.com" && aws_cognito_user.worker["bo"].attributes.email_verified == "true"
    error_message = "Workers are created with their verified email."
  }
  assert {
    condition     = length(aws_cognito_user_in_group.worker) == 3 && aws_cognito_user_in_group.worker["bo/review"].group_name == "review"
    error_message = "Each worker joins the groups of their teams."
  }
  assert {
    condition     = keys(aws_sns_topic_subscription.worker) == ["w-${substr(sha256("private-labeling-worker:ana@example.com"), 0, 24)}/boxes"]
    error_message = "Workers of notified teams are subscribed to the team's topic."
  }
}

run "publishes_the_ssm_contract" {
  command = apply

  assert {
    condition = toset(keys(aws_ssm_parameter.published)) == toset([
      "user-pool-id", "user-pool-arn", "user-pool-client-id", "user-pool-domain",
      "workforce-arn", "workforce-subdomain", "labeling-portal-url", "workteams",
    ])
    error_message = "The module publishes exactly the contract's parameters."
  }
  assert {
    condition     = aws_ssm_parameter.published["user-pool-id"].name == "/wf-test/workforce/user-pool-id" && aws_ssm_parameter.published["user-pool-id"].value == "eu-west-1_TestPool"
    error_message = "Parameters live under /<name>/workforce by default."
  }
  assert {
    condition     = jsondecode(aws_ssm_parameter.published["workteams"].value)["review"].user_group == "review" && jsondecode(aws_ssm_parameter.published["workteams"].value)["review"].arn == aws_sagemaker_workteam.this["review"].arn
    error_message = "workteams maps each team to its ARN and user group."
  }
  assert {
    condition     = aws_ssm_parameter.published["labeling-portal-url"].value == "https://abc123.labeling.eu-west-1.sagemaker.aws"
    error_message = "The portal URL is published."
  }
}

run "protects_sign_in_with_waf" {
  command = apply

  assert {
    condition     = length(aws_wafv2_web_acl.this) == 1 && aws_wafv2_web_acl_association.this[0].resource_arn == aws_cognito_user_pool.this[0].arn
    error_message = "A web ACL is created and associated with the user pool."
  }
  assert {
    condition = toset([for rule in aws_wafv2_web_acl.this[0].rule : rule.name]) == toset([
      "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "rate-limit-per-ip",
    ])
    error_message = "Managed rule groups plus a rate limit, and no allow-list rule without allowed_cidrs."
  }
  assert {
    condition     = startswith(aws_cloudwatch_log_group.waf[0].name, "aws-waf-logs-") && toset(aws_wafv2_web_acl_logging_configuration.this[0].log_destination_configs) == toset([aws_cloudwatch_log_group.waf[0].arn])
    error_message = "WAF logs to an aws-waf-logs-* log group."
  }
  assert {
    condition     = output.web_acl_arn == aws_wafv2_web_acl.this[0].arn
    error_message = "web_acl_arn is the created ACL."
  }
}

run "allow_list_adds_a_blocking_rule" {
  command = apply

  variables {
    waf = { allowed_cidrs = ["203.0.113.0/24"], rate_limit = 100 }
  }

  assert {
    condition     = tolist(aws_wafv2_ip_set.allowed[0].addresses) == tolist(["203.0.113.0/24"])
    error_message = "The allowed networks form an IP set."
  }
  assert {
    condition     = one([for rule in aws_wafv2_web_acl.this[0].rule : rule.priority if rule.name == "block-outside-allowed-networks"]) == 0
    error_message = "Requests from elsewhere are blocked first."
  }
  assert {
    condition     = one([for rule in aws_wafv2_web_acl.this[0].rule : rule.statement[0].rate_based_statement[0].limit if rule.name == "rate-limit-per-ip"]) == 100
    error_message = "The rate limit is configurable."
  }
}

run "brings_its_own_web_acl_and_layer" {
  command = apply

  variables {
    waf                  = { web_acl_arn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shared/abc" }
    powertools_layer_arn = "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:7"
  }

  assert {
    condition     = length(aws_wafv2_web_acl.this) == 0 && length(aws_cloudwatch_log_group.waf) == 0
    error_message = "With a web ACL of its own, the module creates none."
  }
  assert {
    condition     = aws_wafv2_web_acl_association.this[0].web_acl_arn == "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shared/abc"
    error_message = "The brought ACL is associated with the pool."
  }
  assert {
    condition     = length(aws_lambda_layer_version.powertools) == 0 && aws_lambda_function.bootstrap[0].layers[0] == "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:7"
    error_message = "A given Powertools layer is used instead of publishing one."
  }
}

run "brings_its_own_key_and_turns_activity_logging_off" {
  command = plan

  variables {
    kms              = { key_arn = "arn:aws:kms:eu-west-1:123456789012:key/99999999-2222-3333-4444-555555555555" }
    activity_logging = { enabled = false }
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && output.kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/99999999-2222-3333-4444-555555555555"
    error_message = "With kms.key_arn the module creates no key and uses the one given."
  }
  assert {
    condition     = length(aws_cloudwatch_log_group.user_activity) == 0 && length(aws_cognito_log_delivery_configuration.this) == 0
    error_message = "activity_logging.enabled = false creates no activity log group and no log delivery."
  }
}

run "kms_deletion_window_reaches_the_modules_key" {
  command = plan
  variables { kms = { deletion_window_in_days = 7 } }

  assert {
    condition     = aws_kms_key.this[0].deletion_window_in_days == 7
    error_message = "kms.deletion_window_in_days applies to the module's key."
  }
}

run "waf_can_be_turned_off" {
  command = plan
  variables { waf = { enabled = false } }

  assert {
    condition     = length(aws_wafv2_web_acl_association.this) == 0 && length(aws_wafv2_web_acl.this) == 0 && output.web_acl_arn == null
    error_message = "waf.enabled = false creates and associates nothing."
  }
}

run "activity_logs_follow_the_tier" {
  command = apply

  variables {
    user_pool           = { tier = "PLUS", advanced_security_mode = "ENFORCED" }
    deletion_protection = false
  }

  assert {
    condition     = toset([for c in aws_cognito_log_delivery_configuration.this[0].log_configurations : c.event_source]) == toset(["userNotification", "userAuthEvents"])
    error_message = "With threat protection, user activity is logged as well as delivery errors."
  }
  assert {
    condition     = aws_cognito_user_pool.this[0].user_pool_add_ons[0].advanced_security_mode == "ENFORCED" && aws_cognito_user_pool.this[0].deletion_protection == "INACTIVE"
    error_message = "Tier and threat protection follow var.user_pool, deletion protection var.deletion_protection."
  }
  assert {
    condition     = aws_cloudwatch_log_group.user_activity[0].kms_key_id == null && aws_cloudwatch_log_group.user_activity[0].retention_in_days == 365
    error_message = "Activity logs go to a log group with retention and no KMS key: Cognito refuses a KMS-encrypted log group (CloudWatchLogsConfigurationType)."
  }
  assert {
    condition     = !contains(local.log_group_names, aws_cloudwatch_log_group.user_activity[0].name) && contains(local.log_group_names, aws_cloudwatch_log_group.bootstrap[0].name)
    error_message = "The key policy lets CloudWatch Logs encrypt the bootstrap's log group, not the unencrypted activity log group."
  }
}

run "essentials_tier_logs_delivery_errors_only" {
  command = apply

  assert {
    condition     = [for c in aws_cognito_log_delivery_configuration.this[0].log_configurations : c.event_source] == ["userNotification"]
    error_message = "Without threat protection only message delivery errors can be logged."
  }
  assert {
    condition     = aws_cloudwatch_log_group.user_activity[0].kms_key_id == null
    error_message = "The activity log group has no KMS key on any tier."
  }
}

run "plus_tier_without_threat_protection_logs_delivery_errors_only" {
  command = plan

  variables {
    user_pool = { tier = "PLUS", advanced_security_mode = "OFF" }
  }

  assert {
    condition     = [for c in aws_cognito_log_delivery_configuration.this[0].log_configurations : c.event_source] == ["userNotification"]
    error_message = "userAuthEvents are threat-protection activity: without threat protection the PLUS tier logs delivery errors only."
  }
}

run "the_default_email_sender_warns" {
  command = plan

  variables {
    warn_on_default_email_sender = true
  }

  expect_failures = [check.invitation_email_sender]
}

run "an_ses_sender_does_not_warn" {
  command = plan

  variables {
    warn_on_default_email_sender = true
    user_pool = {
      email = {
        source_arn         = "arn:aws:ses:eu-west-1:123456789012:identity/labeling@example.com"
        from_email_address = "Labeling <labeling@example.com>"
      }
    }
  }

  assert {
    condition     = !local.warn_about_default_email_sender && aws_cognito_user_pool.this[0].email_configuration[0].email_sending_account == "DEVELOPER"
    error_message = "With an SES identity the pool sends through SES and the check stays quiet."
  }
}

run "the_warning_can_be_turned_off" {
  command = plan

  assert {
    condition     = !local.warn_about_default_email_sender && aws_cognito_user_pool.this[0].email_configuration[0].email_sending_account == "COGNITO_DEFAULT"
    error_message = "warn_on_default_email_sender = false (the file's setting) silences the check, as for the local emulator."
  }
}

run "custom_domain_is_added" {
  command = apply

  variables {
    custom_domain = {
      domain_name     = "auth.example.com"
      certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    }
  }

  assert {
    condition     = aws_cognito_user_pool_domain.custom[0].domain == "auth.example.com" && output.user_pool_domain == "auth.example.com"
    error_message = "The custom domain is created and becomes user_pool_domain."
  }
}

# Issue 12: statements naming a service principal use the condition keys that service documents sending.
run "service_principals_get_only_the_conditions_their_service_documents" {
  command = plan

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.kms[0].statement : length(s.condition) == 0
      if contains(flatten([for p in s.principals : p.identifiers]), "sagemaker.amazonaws.com")
    ])
    error_message = "SNS documents the key statement for services that publish to encrypted topics without conditions; SageMaker's key statement must not require aws:Source* keys."
  }
  assert {
    condition = toset(flatten([
      for s in data.aws_iam_policy_document.team_topic["boxes"].statement : [for c in s.condition : c.variable]
      if contains(flatten([for p in s.principals : p.identifiers]), "sagemaker.amazonaws.com")
    ])) == toset(["aws:SourceArn", "aws:SourceAccount"])
    error_message = "The work-team topic policy keeps aws:SourceArn (work teams) and aws:SourceAccount, the conditions SageMaker documents for it."
  }
  assert {
    condition     = length(one(data.aws_iam_policy_document.bootstrap_assume[0].statement).condition) == 0
    error_message = "The Lambda execution-role trust policy AWS documents has no condition."
  }
}
