# The Feature Group the pipeline writes accepted labels to. The features are the contract with the
# write-features function (PIPELINE_CONTRACT.md): change both together.

locals {
  features = {
    record_id            = "String"   # sha256 of s3://bucket/key (+ #line=N for text): relabels update it
    event_time           = "String"   # ISO-8601 UTC with Z
    source_ref           = "String"   # s3://bucket/key exactly as the key is
    source_version       = "String"   # S3 version id of the labeled object
    line_number          = "Integral" # 0 for images
    source_text          = "String"   # the labeled text line ("" for images)
    task_type            = "String"
    label                = "String" # JSON for structured labels, the class name for single-label types
    confidence           = "Fractional"
    labeling_job_name    = "String"
    verification_outcome = "String" # accepted | not_verified
    labeled_at           = "String" # ISO-8601
  }
}

resource "aws_sagemaker_feature_group" "this" {
  feature_group_name             = local.feature_group_name
  description                    = "Labels produced by the labeling pipeline ${var.name} (${var.task_type})"
  record_identifier_feature_name = "record_id"
  event_time_feature_name        = "event_time"
  role_arn                       = aws_iam_role.feature_store.arn

  dynamic "feature_definition" {
    for_each = local.features
    content {
      feature_name = feature_definition.key
      feature_type = feature_definition.value
    }
  }

  offline_store_config {
    # No Glue table: the Glue catalog is left to the consumers (and the role needs no Glue permissions).
    disable_glue_table_creation = true

    s3_storage_config {
      s3_uri     = "s3://${aws_s3_bucket.this["feature_store"].bucket}/offline-store"
      kms_key_id = local.kms_key_arn
    }
  }

  dynamic "online_store_config" {
    for_each = var.feature_store.enable_online_store ? [1] : []
    content {
      enable_online_store = true
      security_config {
        kms_key_id = local.kms_key_arn
      }
    }
  }

  tags = var.tags

  # Feature Store checks at creation that the role can write the bucket with the key.
  depends_on = [
    aws_iam_role_policy.feature_store,
    aws_s3_bucket_policy.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}
