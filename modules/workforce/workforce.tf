# One private workforce exists per account and region. Its cognito_config cannot change in place,
# so a new pool or app client replaces it (through terraform_data.cognito_binding, see main.tf).
# That replacement must delete before it creates (a second workforce cannot exist alongside the
# first), so neither the workforce nor anything that depends on it may use create_before_destroy
# (Terraform would force it onto the workforce).

resource "aws_sagemaker_workforce" "this" {
  workforce_name = local.workforce_name

  dynamic "cognito_config" {
    for_each = local.cognito ? [1] : []

    content {
      # Taken from the domain, so that the workforce is created after it and destroyed before it: a
      # Cognito workforce's pool needs a domain. AWS: Amazon SageMaker Developer Guide, "Create a Private
      # Workforce (Amazon Cognito Console)" ("User pools require a domain"),
      # https://docs.aws.amazon.com/sagemaker/latest/dg/sms-workforce-create-private-cognito.html; the AWS
      # provider's own example and acceptance tests for aws_sagemaker_workforce do the same.
      user_pool = aws_cognito_user_pool_domain.this[0].user_pool_id
      client_id = aws_cognito_user_pool_client.this[0].id
    }
  }

  dynamic "oidc_config" {
    for_each = local.oidc && var.oidc != null ? [var.oidc] : []

    content {
      issuer                              = oidc_config.value.issuer
      client_id                           = oidc_config.value.client_id
      client_secret                       = var.oidc_client_secret
      authorization_endpoint              = oidc_config.value.authorization_endpoint
      token_endpoint                      = oidc_config.value.token_endpoint
      user_info_endpoint                  = oidc_config.value.user_info_endpoint
      logout_endpoint                     = oidc_config.value.logout_endpoint
      jwks_uri                            = oidc_config.value.jwks_uri
      scope                               = oidc_config.value.scope
      authentication_request_extra_params = oidc_config.value.authentication_request_extra_params
    }
  }

  # Always sent, so that emptying the list lifts the restriction instead of leaving the old one.
  source_ip_config {
    cidrs = var.source_ip_cidrs
  }

  dynamic "workforce_vpc_config" {
    for_each = var.vpc_config == null ? [] : [var.vpc_config]

    content {
      vpc_id             = workforce_vpc_config.value.vpc_id
      subnets            = workforce_vpc_config.value.subnet_ids
      security_group_ids = workforce_vpc_config.value.security_group_ids
    }
  }

  lifecycle {
    replace_triggered_by = [terraform_data.cognito_binding]

    precondition {
      condition     = !local.oidc || (var.oidc != null && var.oidc_client_secret != null)
      error_message = "identity = \"oidc\" needs var.oidc (issuer, client_id and the endpoints of your identity provider) and var.oidc_client_secret."
    }

    precondition {
      condition     = !local.oidc || alltrue([for team in values(var.teams) : length(team.oidc_groups) > 0])
      error_message = "With identity = \"oidc\" every team needs oidc_groups: the identity provider groups whose members form the team."
    }

    precondition {
      condition     = !local.oidc || (length(var.initial_workers) == 0 && var.custom_domain == null && var.domain_prefix == null)
      error_message = "initial_workers, custom_domain and domain_prefix apply to the Cognito identity only; with identity = \"oidc\" workers and sign-in live in your identity provider."
    }
  }
}

resource "terraform_data" "cognito_binding" {
  input = local.cognito_binding
}

resource "terraform_data" "identity_binding" {
  input = local.identity_binding
}

resource "aws_sns_topic" "team" {
  for_each = local.notified_teams

  name              = "${var.name}-${each.key}-tasks"
  display_name      = "New labeling tasks for ${each.key}"
  kms_master_key_id = local.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "team_topic" {
  for_each = local.notified_teams

  # The topic policy SageMaker documents for work-team notifications: aws:SourceArn (work teams of this
  # account) and aws:SourceAccount (SageMaker Developer Guide, "Create the Amazon SNS topic",
  # https://docs.aws.amazon.com/sagemaker/latest/dg/sms-workforce-management-private-sns.html).
  statement {
    sid       = "SageMakerNotifiesTheTeam"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.team[each.key].arn]

    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:workteam/*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "DenyUnencryptedTransport"
    effect    = "Deny"
    actions   = ["sns:Publish", "sns:Subscribe"]
    resources = [aws_sns_topic.team[each.key].arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "team" {
  for_each = local.notified_teams

  arn    = aws_sns_topic.team[each.key].arn
  policy = data.aws_iam_policy_document.team_topic[each.key].json
}

resource "aws_sagemaker_workteam" "this" {
  for_each = var.teams

  workteam_name  = "${var.name}-${each.key}"
  workforce_name = aws_sagemaker_workforce.this.workforce_name
  description    = each.value.description

  member_definition {
    dynamic "cognito_member_definition" {
      for_each = local.cognito ? [1] : []

      content {
        user_pool  = aws_cognito_user_pool.this[0].id
        client_id  = aws_cognito_user_pool_client.this[0].id
        user_group = aws_cognito_user_group.team[each.key].name
      }
    }

    dynamic "oidc_member_definition" {
      for_each = local.oidc ? [1] : []

      content {
        groups = each.value.oidc_groups
      }
    }
  }

  dynamic "notification_configuration" {
    for_each = each.value.notifications ? [1] : []

    content {
      notification_topic_arn = aws_sns_topic.team[each.key].arn
    }
  }

  tags = var.tags

  # Teams depend on the workforce, so Terraform deletes them before the workforce (AWS refuses to
  # delete a workforce that has teams) and, through this trigger, also before a replacement of the
  # workforce or a change of its OIDC configuration.
  lifecycle {
    replace_triggered_by = [terraform_data.identity_binding]
  }

  depends_on = [aws_sns_topic_policy.team]
}
