# One customer-managed key protects everything the module stores: buckets (except the access-log bucket, see
# s3.tf), queues, the ledger table, Lambda environments, log groups, the state machine, the schedule, the SNS
# topic and the Feature Store. IAM principals of this account get access through their IAM policies (the
# first statement); AWS services that act without an IAM role of ours get their own statement.

locals {
  log_group_arn_prefix = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group"

  kms_key_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountIamPolicies"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        # Encrypted log groups of the functions and the state machine, limited by the encryption context
        # CloudWatch Logs documents (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using
        # AWS KMS", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
        Sid       = "CloudWatchLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = [
              "${local.log_group_arn_prefix}:/aws/lambda/${var.name}-*",
              "${local.log_group_arn_prefix}:/aws/vendedlogs/states/${var.name}",
            ]
          }
        }
      },
      {
        # EventBridge delivers upload events to the encrypted queues. The form SQS documents for event sources
        # has no condition (Amazon SQS Developer Guide, "Amazon SQS Key management", Configure KMS permissions
        # for AWS services); EventBridge notes the aws:Source* keys are not supported in key policies for its
        # deliveries to encrypted topics, so one here would drop every event. What EventBridge may deliver is
        # limited by the queue policies (queue.tf: this rule only).
        Sid       = "EventBridgeToEncryptedQueues"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
      },
      {
        # CloudWatch alarms publish to the encrypted SNS topic. SNS documents the statement for AWS services
        # without a condition (Amazon SNS Developer Guide, "Enable compatibility between event sources from AWS
        # services and encrypted topics"); the topic policy (alarms.tf) limits publishing to this module's alarms.
        Sid       = "CloudWatchAlarmsToEncryptedTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:GenerateDataKey*", "kms:Decrypt"]
        Resource  = "*"
      },
      {
        # Step Functions' vended log delivery reads the encrypted execution data it writes to the log group.
        # Assumption: AWS Step Functions Developer Guide, "Data at rest encryption in Step Functions", shows this
        # statement for delivery.logs.amazonaws.com without a condition; no page documents the aws:Source* keys
        # for it.
        Sid       = "StateMachineLogDelivery"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
    ]
  }
}

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description             = "Labeling pipeline ${var.name}: buckets, queues, ledger, functions, logs, state machine, Feature Store"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms.deletion_window_in_days
  policy                  = jsonencode(local.kms_key_policy)
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/${var.name}-labeling-pipeline"
  target_key_id = aws_kms_key.this[0].key_id
}
