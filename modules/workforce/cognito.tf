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
}

resource "aws_cognito_user_pool" "this" {
  count = local.cognito ? 1 : 0

  name                     = "${var.name}-workforce"
  deletion_protection      = var.user_pool.deletion_protection ? "ACTIVE" : "INACTIVE"
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

resource "aws_cloudwatch_log_group" "user_activity" {
  count = local.cognito && var.activity_logs_enabled ? 1 : 0

  name              = local.user_activity_log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

resource "aws_cognito_log_delivery_configuration" "this" {
  count = local.cognito && var.activity_logs_enabled ? 1 : 0

  user_pool_id = aws_cognito_user_pool.this[0].id

  # Message delivery errors (invitations that could not be sent): available on every tier.
  log_configurations {
    event_source = "userNotification"
    log_level    = "ERROR"

    cloud_watch_logs_configuration {
      log_group_arn = aws_cloudwatch_log_group.user_activity[0].arn
    }
  }

  # User activity (sign-ins and their risk decisions) exists only with threat protection (PLUS).
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
