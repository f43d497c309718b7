# Names other tooling reads without Terraform state (scripts, other stacks), under var.ssm_prefix.
locals {
  ssm_parameters = merge(
    {
      upload-bucket-name = aws_s3_bucket.this["upload"].bucket
      output-bucket-name = aws_s3_bucket.this["output"].bucket
      feature-group-name = aws_sagemaker_feature_group.this.feature_group_name
      state-machine-arn  = aws_sfn_state_machine.this.arn
      upload-queue-url   = aws_sqs_queue.upload.url
    },
    local.dashboard_enabled ? { dashboard-url = local.dashboard_url } : {},
  )
}

resource "aws_ssm_parameter" "this" {
  for_each = local.ssm_parameters

  #checkov:skip=CKV2_AWS_34:Resource names and ARNs, not secrets; readers need no KMS permission for them.
  name        = "${local.ssm_prefix}/${each.key}"
  description = "Labeling pipeline ${var.name}: ${replace(each.key, "-", " ")}"
  type        = "String"
  value       = each.value
  tags        = var.tags
}
