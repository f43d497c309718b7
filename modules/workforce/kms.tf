locals {
  # With OIDC and no notified team, nothing here needs a key.
  needs_kms      = local.cognito || length(local.notified_teams) > 0
  create_kms_key = local.needs_kms && var.kms.key_arn == null
  kms_key_arn    = var.kms.key_arn != null ? var.kms.key_arn : try(aws_kms_key.this[0].arn, null)

  # The log groups encrypted with the key. Not the user pool's activity log group: Cognito refuses an
  # encrypted one (see aws_cloudwatch_log_group.user_activity).
  log_group_names = compact([
    local.cognito ? local.bootstrap_log_group_name : "",
    local.create_web_acl ? local.waf_log_group_name : "",
  ])
}

data "aws_iam_policy_document" "kms" {
  count = local.create_kms_key ? 1 : 0

  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only; account administration stays with IAM.
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" means this key only; account administration stays with IAM.
  #checkov:skip=CKV_AWS_356:A key policy's Resource "*" means this key only.
  statement {
    sid       = "AccountAdministersTheKeyThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  dynamic "statement" {
    for_each = length(local.log_group_names) > 0 ? [1] : []

    content {
      sid       = "CloudWatchLogsEncryptsTheModulesLogGroups"
      actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = ["logs.${local.region}.amazonaws.com"]
      }

      condition {
        test     = "ArnEquals"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = [for name in local.log_group_names : "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${name}"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(local.notified_teams) > 0 ? [1] : []

    content {
      # The form SNS documents for AWS services that publish to encrypted topics has no condition (Amazon SNS
      # Developer Guide, "Enable compatibility between event sources from AWS services and encrypted topics");
      # no SageMaker page shows aws:Source* keys reaching KMS, and one SageMaker did not send would silently
      # drop every notification. The topic policies (workforce.tf) limit publishing to this account's teams.
      sid       = "SageMakerPublishesToEncryptedTeamTopics"
      actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = ["sagemaker.amazonaws.com"]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description             = "${var.name} labeling workforce: logs, task notifications, bootstrap environment"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms[0].json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/${var.name}-workforce"
  target_key_id = aws_kms_key.this[0].key_id
}
