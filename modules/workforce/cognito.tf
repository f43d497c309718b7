locals {
  # Cognito refuses an app client with the code flow and no callback URL, and the portal's URL is
  # known only after the workforce exists: the client starts with this unreachable address (the
  # .invalid top-level domain never resolves) and the bootstrap replaces it.
  placeholder_callback_url = "https://placeholder.invalid/oauth2/idpresponse"
  placeholder_logout_url   = "https://placeholder.invalid/logout"

  threat_protection = var.user_pool.advanced_security_mode != "OFF"

  invitation = {
    subject = coalesce(var.invitation.subject, "Your invitation to the ${var.name} labeling workforce")
    body = coalesce(var.invitation.body, join("", [
      "<p>Hello,</p>",
      "<p>You have been invited to label data in the ${var.name} private labeling workforce.</p>",
      "<p>Sign in at <a href=\"{portal_url}\">{portal_url}</a> with the user name <b>{username}</b> ",
      "and the temporary password <b>{####}</b>. You will choose a new password and set up an ",
      "authenticator app on your phone.</p>",
    ]))
  }
  # Cognito would send this until the bootstrap rewrites it with the portal's address (the module
  # creates its initial workers only after that).
  initial_invitation = {
    subject = "Your labeling workforce account"
    body    = "Your labeling workforce user name is {username} and your temporary password is {####}."
  }

  user_activity_log_group_name = "/aws/vendedlogs/cognito/${var.name}-workforce"

  warn_about_default_email_sender = local.cognito && var.user_pool.email == null && var.warn_on_default_email_sender
}

# Cognito's default sender emails at most 50 messages a day per account (invitations, resends,
# password resets): AWS: "Quotas in Amazon Cognito",
# https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html, and "Email settings for Amazon
# Cognito user pools" ("For typical production environments, the default email limit is below the
# required delivery volume"), https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html.
# A warning, not an error: a new deployment usually starts on it while the SES identity is verified.
check "invitation_email_sender" {
  assert {
    condition     = !local.warn_about_default_email_sender
    error_message = "The user pool ${var.name}-workforce sends invitations from Cognito's default sender, which emails at most 50 messages a day per AWS account (more invitations fail with LimitExceededException) and which AWS does not size for production. Set user_pool.email to a verified Amazon SES identity (see the README's deployment steps), or warn_on_default_email_sender = false where 50 emails a day are enough."
  }
}

resource "aws_cognito_user_pool" "this" {
  count = local.cognito ? 1 : 0

  name                     = "${var.name}-workforce"
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  user_pool_tier           = var.user_pool.tier
  alias_attributes         = ["email"]
  auto_verified_attributes = ["email"]
  mfa_configuration        = "ON"

  software_token_mfa_configuration {
    enabled = true
  }

  username_configuration {
    case_sensitive = false
  }

  admin_create_user_config {
    allow_admin_create_user_only = true

    invite_message_template {
      email_subject = local.initial_invitation.subject
      email_message = local.initial_invitation.body
      sms_message   = local.initial_invitation.body
    }
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  password_policy {
    minimum_length                   = var.user_pool.password_policy.minimum_length
    require_lowercase                = var.user_pool.password_policy.require_lowercase
    require_uppercase                = var.user_pool.password_policy.require_uppercase
    require_numbers                  = var.user_pool.password_policy.require_numbers
    require_symbols                  = var.user_pool.password_policy.require_symbols
    temporary_password_validity_days = var.user_pool.password_policy.temporary_password_validity_days
    password_history_size            = var.user_pool.password_policy.password_history_size
  }

  user_attribute_update_settings {
    attributes_require_verification_before_update = ["email"]
  }

  user_pool_add_ons {
    advanced_security_mode = var.user_pool.advanced_security_mode
  }

  email_configuration {
    email_sending_account  = var.user_pool.email == null ? "COGNITO_DEFAULT" : "DEVELOPER"
    source_arn             = try(var.user_pool.email.source_arn, null)
    from_email_address     = try(var.user_pool.email.from_email_address, null)
    reply_to_email_address = try(var.user_pool.email.reply_to_email_address, null)
    configuration_set      = try(var.user_pool.email.configuration_set, null)
  }

  tags = var.tags

  lifecycle {
    # The bootstrap writes the invitation with the portal's address; Terraform keeps its hands off
    # exactly these two fields so the next plan is empty.
    ignore_changes = [
      admin_create_user_config[0].invite_message_template[0].email_subject,
      admin_create_user_config[0].invite_message_template[0].email_message,
    ]
  }
}

resource "aws_cognito_user_pool_domain" "this" {
  count = local.cognito ? 1 : 0

  domain       = local.domain_prefix
  user_pool_id = aws_cognito_user_pool.this[0].id

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", local.domain_prefix)) && length(regexall("aws|amazon|cognito", local.domain_prefix)) == 0
      error_message = "The Cognito domain prefix \"${local.domain_prefix}\" derived from name is not valid (1-63 lowercase letters, digits and hyphens, without \"aws\", \"amazon\" or \"cognito\"); set domain_prefix."
    }

    precondition {
      condition     = local.stored_domain_prefix == null || local.stored_domain_prefix == local.domain_prefix || var.allow_domain_prefix_change
      error_message = "The Cognito domain prefix would change from \"${local.stored_domain_prefix_text}\" (stored in ${local.domain_prefix_parameter}) to \"${local.domain_prefix}\". A Cognito domain cannot be renamed: the old sign-in domain would be deleted and links in invitations already sent would stop working. Keep domain_prefix = \"${local.stored_domain_prefix_text}\", or set allow_domain_prefix_change = true to change it on purpose."
    }
  }
}

resource "aws_cognito_user_pool_domain" "custom" {
  count = local.cognito && var.custom_domain != null ? 1 : 0

  domain          = var.custom_domain.domain_name
  certificate_arn = var.custom_domain.certificate_arn
  user_pool_id    = aws_cognito_user_pool.this[0].id
}

resource "aws_cognito_user_pool_client" "this" {
  count = local.cognito ? 1 : 0

  name         = "${var.name}-workforce"
  user_pool_id = aws_cognito_user_pool.this[0].id

  # SageMaker's portal signs workers in with the authorization code flow and a client secret.
  generate_secret                      = true
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["email", "openid", "profile"]
  supported_identity_providers         = ["COGNITO"]
  explicit_auth_flows                  = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
  prevent_user_existence_errors        = "ENABLED"
  enable_token_revocation              = true

  callback_urls        = concat([local.placeholder_callback_url], var.app_client.extra_callback_urls)
  logout_urls          = concat([local.placeholder_logout_url], var.app_client.extra_logout_urls)
  default_redirect_uri = local.placeholder_callback_url

  access_token_validity  = var.app_client.access_token_validity_minutes
  id_token_validity      = var.app_client.id_token_validity_minutes
  refresh_token_validity = var.app_client.refresh_token_validity_days

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }

  lifecycle {
    # Owned by the bootstrap once the portal exists (extra URLs reach it through its input).
    ignore_changes = [callback_urls, logout_urls, default_redirect_uri]
  }
}

resource "aws_cognito_user_group" "team" {
  for_each = local.cognito ? var.teams : {}

  name         = each.key
  description  = each.value.description
  user_pool_id = aws_cognito_user_pool.this[0].id
}

# Not encrypted with the module's key: Cognito delivers logs only to a log group without one. AWS:
# Amazon Cognito API Reference, "CloudWatchLogsConfigurationType" (LogGroupArn: "The log group must not
# be encrypted with Key Management Service"),
# https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CloudWatchLogsConfigurationType.html
# CloudWatch Logs still encrypts it at rest with its own keys ("Encrypt log data in CloudWatch Logs using
# AWS KMS", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
resource "aws_cloudwatch_log_group" "user_activity" {
  #checkov:skip=CKV_AWS_158:Cognito refuses a KMS-encrypted log group: "The log group must not be encrypted with Key Management Service" (Cognito API Reference, CloudWatchLogsConfigurationType).
  count = local.cognito && var.activity_logging.enabled ? 1 : 0

  name              = local.user_activity_log_group_name
  retention_in_days = var.log_retention_in_days
  tags              = var.tags
}

resource "aws_cognito_log_delivery_configuration" "this" {
  count = local.cognito && var.activity_logging.enabled ? 1 : 0

  user_pool_id = aws_cognito_user_pool.this[0].id

  # Message delivery errors (invitations that could not be sent): available on every tier.
  log_configurations {
    event_source = "userNotification"
    log_level    = "ERROR"

    cloud_watch_logs_configuration {
      log_group_arn = aws_cloudwatch_log_group.user_activity[0].arn
    }
  }

  # User activity (sign-ins and their risk decisions) is threat-protection activity of PLUS pools: AWS:
  # Amazon Cognito API Reference, "LogConfigurationType" (userAuthEvents: "threat-protection user
  # activity in user pools with the Plus feature plan"),
  # https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_LogConfigurationType.html,
  # and "SetLogDeliveryConfiguration" (user-activity logs "when threat protection is active"). Threat
  # protection needs user_pool.tier = "PLUS" (validated), so this is never sent on ESSENTIALS or LITE,
  # where Cognito answers FeatureUnavailableInTierException.
  dynamic "log_configurations" {
    for_each = local.threat_protection ? [1] : []

    content {
      event_source = "userAuthEvents"
      log_level    = "INFO"

      cloud_watch_logs_configuration {
        log_group_arn = aws_cloudwatch_log_group.user_activity[0].arn
      }
    }
  }
}
