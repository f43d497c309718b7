# Uploads flow S3 -> EventBridge ("Object Created") -> upload queue. The state machine's claim step moves
# messages from the queue into the ledger (ledger.tf) before deleting them, so a message never has to stay
# invisible for the length of a labeling job. Returned items come back to the same queue.

locals {
  claim_batch_timeout_seconds = local.functions["claim-batch"].timeout

  upload_key_filter = (
    var.upload_filter.prefix != "" && length(var.upload_filter.suffixes) > 0 ? [
      # Prefix AND suffix on the same field need a wildcard pattern; the allowed characters contain no "*".
      for suffix in var.upload_filter.suffixes : tomap({ wildcard = "${var.upload_filter.prefix}*${suffix}" })
    ] :
    var.upload_filter.prefix != "" ? [tomap({ prefix = var.upload_filter.prefix })] :
    length(var.upload_filter.suffixes) > 0 ? [for suffix in var.upload_filter.suffixes : tomap({ suffix = suffix })] :
    null
  )

  upload_event_pattern = {
    source      = ["aws.s3"]
    detail-type = ["Object Created"]
    detail = merge(
      { bucket = { name = [aws_s3_bucket.this["upload"].bucket] } },
      { for field, filter in { object = { key = local.upload_key_filter } } : field => filter if local.upload_key_filter != null },
    )
  }
}

resource "aws_sqs_queue" "dead_letter" {
  name                              = "${var.name}-dead-letter"
  message_retention_seconds         = 1209600 # 14 days, the maximum: time to look at and redrive what failed
  kms_master_key_id                 = local.kms_key_arn
  kms_data_key_reuse_period_seconds = 300
  tags                              = var.tags
}

resource "aws_sqs_queue" "upload" {
  name = "${var.name}-uploads"
  # Only a crash inside claim-batch can leave a message invisible; 6 x the function timeout (AWS guidance for
  # Lambda consumers) means a message is never visible again while the claim that took it still runs.
  visibility_timeout_seconds        = 6 * local.claim_batch_timeout_seconds
  message_retention_seconds         = 1209600 # 14 days; the oldest-message alarm fires long before that
  receive_wait_time_seconds         = 20
  kms_master_key_id                 = local.kms_key_arn
  kms_data_key_reuse_period_seconds = 300
  tags                              = var.tags

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    # Catches only messages that make claim-batch crash repeatedly; items that fail labeling are counted in
    # the ledger and moved to the dead-letter queue by the pipeline itself (max_attempts).
    maxReceiveCount = 5
  })
}

resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.upload.arn]
  })
}

resource "aws_sqs_queue_policy" "upload" {
  queue_url = aws_sqs_queue.upload.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The form EventBridge documents: the rule's ARN as aws:SourceArn (Amazon EventBridge User Guide,
        # "Using resource-based policies for Amazon EventBridge", Amazon SQS permissions).
        Sid       = "UploadEventsFromEventBridge"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.upload.arn
        Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.uploads.arn } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = aws_sqs_queue.upload.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_sqs_queue_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # Events EventBridge could not deliver to the upload queue land here instead of being dropped (Amazon
        # EventBridge User Guide, "Event retry policy and using dead-letter queues": aws:SourceArn, the rule).
        Sid       = "UndeliverableUploadEvents"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.dead_letter.arn
        Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.uploads.arn } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = aws_sqs_queue.dead_letter.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_cloudwatch_event_rule" "uploads" {
  name          = "${var.name}-uploads"
  description   = "Objects created in ${aws_s3_bucket.this["upload"].bucket} go to the labeling queue"
  event_pattern = jsonencode(local.upload_event_pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "uploads" {
  rule      = aws_cloudwatch_event_rule.uploads.name
  target_id = "labeling-queue"
  arn       = aws_sqs_queue.upload.arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }

  depends_on = [aws_sqs_queue_policy.upload, aws_sqs_queue_policy.dead_letter]
}
