# Alarms to an SNS topic: the module's own (encrypted) or the one given in var.alarm.sns_topic_arn.

locals {
  create_alarm_topic = var.alarm.sns_topic_arn == null
  alarm_topic_arn    = local.create_alarm_topic ? aws_sns_topic.alarms[0].arn : var.alarm.sns_topic_arn
  alarm_prefix       = "${var.name}-"
}

resource "aws_sns_topic" "alarms" {
  count = local.create_alarm_topic ? 1 : 0

  name              = "${var.name}-alarms"
  kms_master_key_id = local.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_policy" "alarms" {
  count = local.create_alarm_topic ? 1 : 0

  arn = aws_sns_topic.alarms[0].arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The condition SNS documents for CloudWatch alarms: the alarm ARN as aws:SourceArn (Amazon SNS
        # Developer Guide, "Example cases for Amazon SNS access control", CloudWatch alarms); it names this
        # account and these alarms.
        Sid       = "CloudWatchAlarms"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alarms[0].arn
        Condition = {
          ArnLike = { "aws:SourceArn" = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${local.alarm_prefix}*" }
        }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["sns:Publish", "sns:Subscribe"]
        Resource  = aws_sns_topic.alarms[0].arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_sns_topic_subscription" "alarm_emails" {
  for_each = local.create_alarm_topic ? toset(var.alarm.email_addresses) : toset([])

  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  # Missing data. SQS stops publishing a queue's metrics once the queue has been inactive for six hours,
  # messages or not ("Monitoring Amazon SQS queues using CloudWatch",
  # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/monitoring-using-cloudwatch.html).
  # The two queue alarms therefore treat missing data as `ignore`, which keeps the alarm's current state
  # ("Configuring how CloudWatch alarms treat missing data",
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data):
  # a dead-letter queue left holding messages stays in ALARM when SQS goes quiet (notBreaching would turn it
  # OK), and a dead-letter queue that never held a message stays OK or INSUFFICIENT_DATA (breaching would
  # raise an alarm on every idle queue). The other alarms count events, where no data means no event.
  queue_missing_data = "ignore"
  event_missing_data = "notBreaching"

  alarms = merge(
    {
      dead-letter-queue = {
        description  = "Items or events are in the dead-letter queue of ${var.name}: each message names the item and why it failed. Fix the cause, then redrive the queue."
        namespace    = "AWS/SQS"
        metric       = "ApproximateNumberOfMessagesVisible"
        dimensions   = { QueueName = aws_sqs_queue.dead_letter.name }
        statistic    = "Maximum"
        threshold    = 0
        missing_data = local.queue_missing_data
      }
      oldest-upload = {
        description  = "An upload has waited more than ${var.alarm.oldest_message_age_seconds} s in the queue of ${var.name} (SQS drops messages after 14 days): is the schedule enabled and the state machine succeeding?"
        namespace    = "AWS/SQS"
        metric       = "ApproximateAgeOfOldestMessage"
        dimensions   = { QueueName = aws_sqs_queue.upload.name }
        statistic    = "Maximum"
        threshold    = var.alarm.oldest_message_age_seconds
        missing_data = local.queue_missing_data
      }
      executions-failed = {
        description  = "A run of ${var.name} failed (job failed, nothing labeled, or a step error); its items were returned to the queue. See the execution's output and logs."
        namespace    = "AWS/States"
        metric       = "ExecutionsFailed"
        dimensions   = { StateMachineArn = aws_sfn_state_machine.this.arn }
        statistic    = "Sum"
        threshold    = 0
        missing_data = local.event_missing_data
      }
      executions-timed-out = {
        description  = "A run of ${var.name} hit the state machine timeout."
        namespace    = "AWS/States"
        metric       = "ExecutionsTimedOut"
        dimensions   = { StateMachineArn = aws_sfn_state_machine.this.arn }
        statistic    = "Sum"
        threshold    = 0
        missing_data = local.event_missing_data
      }
      executions-aborted = {
        description  = "A run of ${var.name} was stopped by hand."
        namespace    = "AWS/States"
        metric       = "ExecutionsAborted"
        dimensions   = { StateMachineArn = aws_sfn_state_machine.this.arn }
        statistic    = "Sum"
        threshold    = 0
        missing_data = local.event_missing_data
      }
      schedule-dropped = {
        description  = "The schedule of ${var.name} could not start the state machine after its retries."
        namespace    = "AWS/Scheduler"
        metric       = "InvocationDroppedCount"
        dimensions   = { ScheduleGroup = aws_scheduler_schedule_group.this.name }
        statistic    = "Sum"
        threshold    = 0
        missing_data = local.event_missing_data
      }
    },
    {
      for key, name in local.function_names : "lambda-errors-${key}" => {
        description  = "The function ${name} reported errors (the state machine retries or returns the items; see its log group)."
        namespace    = "AWS/Lambda"
        metric       = "Errors"
        dimensions   = { FunctionName = aws_lambda_function.this[key].function_name }
        statistic    = "Sum"
        threshold    = 0
        missing_data = local.event_missing_data
      }
    },
  )
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${local.alarm_prefix}${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = each.value.missing_data
  actions_enabled     = true
  alarm_actions       = [local.alarm_topic_arn]
  ok_actions          = [local.alarm_topic_arn]
  tags                = var.tags
}
