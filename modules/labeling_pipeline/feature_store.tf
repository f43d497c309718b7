# The Feature Group the pipeline writes accepted labels to. Its features (data/features.json, read in
# task_types.tf) are the contract with the write-features function, which reads the same file.

resource "aws_sagemaker_feature_group" "this" {
  feature_group_name             = local.feature_group_name
  description                    = "Labels produced by the labeling pipeline ${var.name} (${var.task_type})"
  record_identifier_feature_name = local.feature_facts.record_identifier_feature_name
  event_time_feature_name        = local.feature_facts.event_time_feature_name
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
