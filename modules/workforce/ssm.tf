# Published for scripts/invite.py and the labeling pipeline; the names are a shared contract.
locals {
  workteams_document = {
    for key, team in aws_sagemaker_workteam.this : key => {
      arn                    = team.arn
      user_group             = local.cognito ? aws_cognito_user_group.team[key].name : null
      notification_topic_arn = try(aws_sns_topic.team[key].arn, null)
    }
  }

  published_parameters = merge(
    local.cognito ? {
      "user-pool-id"        = aws_cognito_user_pool.this[0].id
      "user-pool-arn"       = aws_cognito_user_pool.this[0].arn
      "user-pool-client-id" = aws_cognito_user_pool_client.this[0].id
      "user-pool-domain"    = local.user_pool_domain
    } : {},
    {
      "workforce-arn"       = aws_sagemaker_workforce.this.arn
      "workforce-subdomain" = aws_sagemaker_workforce.this.subdomain
      "labeling-portal-url" = local.labeling_portal_url
      "workteams"           = jsonencode(local.workteams_document)
    },
  )
}

resource "aws_ssm_parameter" "published" {
  for_each = local.published_parameters

  #checkov:skip=CKV2_AWS_34:Identifiers, not secrets; String lets the pipeline and operators read them without kms:Decrypt.
  name        = "${local.ssm_prefix}/${each.key}"
  description = "${each.key} of the ${var.name} labeling workforce"
  type        = "String"
  value       = each.value
  tags        = var.tags
}
