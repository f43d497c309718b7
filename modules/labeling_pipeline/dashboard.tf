# One CloudWatch dashboard per pipeline: what waits, what failed, what each run did, how long runs take.
# A dashboard holds widget definitions, not data (the metrics stay in CloudWatch), so there is nothing to
# encrypt with the module's key.
#
# The metrics and dimensions, as AWS documents them:
# - SQS (namespace AWS/SQS, dimension QueueName): ApproximateNumberOfMessagesVisible,
#   ApproximateNumberOfMessagesNotVisible, ApproximateAgeOfOldestMessage (Amazon SQS Developer Guide,
#   "Available CloudWatch metrics for Amazon SQS",
#   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html).
# - Step Functions (namespace AWS/States, dimension StateMachineArn): ExecutionsStarted, ExecutionsSucceeded,
#   ExecutionsFailed, ExecutionsTimedOut, ExecutionsAborted and ExecutionTime in milliseconds (Step Functions
#   Developer Guide, "Monitoring Step Functions metrics using Amazon CloudWatch",
#   https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html).
# - The pipeline's own (namespace PrivateLabeling, dimension service = the pipeline's name; Powertools
#   Metrics sets both from the functions' environment, lambda.tf): ItemsClaimed (claim-batch),
#   ItemsLabeled (write-features), ItemsReturned and ItemsDeadLettered (return-items; claim-batch also
#   counts the uploads it dead-letters as unusable), in lambda/labeling_pipeline/handlers.py.
#   There is no "rejected" metric: an item a reviewer rejects is returned for another attempt
#   (ItemsReturned) or, out of attempts, dead-lettered (ItemsDeadLettered).
# - Labeling job durations: SageMaker publishes no duration metric for labeling jobs and the functions
#   emit none. A run waits for its labeling job and its review job, so the execution time is the
#   closest measure there is; the dashboard says so.

locals {
  dashboard_enabled = var.dashboard.enabled
  dashboard_period  = var.dashboard.period_seconds
  metrics_namespace = local.lambda_environment.POWERTOOLS_METRICS_NAMESPACE
  metrics_service   = local.lambda_environment.POWERTOOLS_SERVICE_NAME

  # Assumption: AWS documents no URL format for a dashboard; this is the address the CloudWatch console
  # itself opens a dashboard at, on the console host of each partition.
  console_hosts = {
    aws          = "console.aws.amazon.com"
    "aws-cn"     = "console.amazonaws.cn"
    "aws-us-gov" = "console.amazonaws-us-gov.com"
  }
  console_host = lookup(local.console_hosts, local.partition, local.console_hosts.aws)

  dashboard_text = join("\n", [
    "## Labeling pipeline ${var.name}",
    "Created by Terraform (modules/labeling_pipeline): changes made here in the console are overwritten by the next apply.",
    "Items: claimed at the start of a run, labeled as they reach the Feature Group, returned for another attempt (rejected in review, unlabeled or failed; at most ${var.max_attempts} attempts) or dead-lettered when a run settles. Dead-lettered also counts unusable uploads.",
    "Labeling jobs: SageMaker publishes no job duration metric; a run waits for its labeling job${local.verification_enabled ? " and its review job" : ""}, so the run's duration is the measure.",
  ])

  upload_queue_name      = aws_sqs_queue.upload.name
  dead_letter_queue_name = aws_sqs_queue.dead_letter.name
  state_machine          = aws_sfn_state_machine.this.arn

  dashboard_widgets = [
    {
      type       = "text", x = 0, y = 0, width = 24, height = 3
      properties = { markdown = local.dashboard_text }
    },
    {
      type = "metric", x = 0, y = 3, width = 8, height = 6
      properties = {
        title  = "Uploads waiting and in flight"
        region = local.region, period = local.dashboard_period, stat = "Maximum", view = "timeSeries"
        metrics = [
          ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", local.upload_queue_name, { label = "waiting" }],
          ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", local.upload_queue_name, { label = "in flight" }],
        ]
      }
    },
    {
      type = "metric", x = 8, y = 3, width = 8, height = 6
      properties = {
        title  = "Oldest upload waiting (seconds)"
        region = local.region, period = local.dashboard_period, stat = "Maximum", view = "timeSeries"
        metrics = [
          ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", local.upload_queue_name, { label = "oldest upload" }],
        ]
        annotations = { horizontal = [{ label = "alarm", value = var.alarm.oldest_message_age_seconds }] }
      }
    },
    {
      type = "metric", x = 16, y = 3, width = 8, height = 6
      properties = {
        title  = "Dead-letter queue"
        region = local.region, period = local.dashboard_period, stat = "Maximum", view = "timeSeries"
        metrics = [
          ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", local.dead_letter_queue_name, { label = "dead-lettered items" }],
          ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", local.dead_letter_queue_name, { label = "oldest (seconds)", yAxis = "right" }],
        ]
      }
    },
    {
      type = "metric", x = 0, y = 9, width = 12, height = 6
      properties = {
        title  = "Items"
        region = local.region, period = local.dashboard_period, stat = "Sum", view = "timeSeries"
        metrics = [
          for metric in ["ItemsClaimed", "ItemsLabeled", "ItemsReturned", "ItemsDeadLettered"] :
          [local.metrics_namespace, metric, "service", local.metrics_service]
        ]
      }
    },
    {
      type = "metric", x = 12, y = 9, width = 12, height = 6
      properties = {
        title  = "Runs"
        region = local.region, period = local.dashboard_period, stat = "Sum", view = "timeSeries"
        metrics = [
          for metric in ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"] :
          ["AWS/States", metric, "StateMachineArn", local.state_machine]
        ]
      }
    },
    {
      type = "metric", x = 0, y = 15, width = 12, height = 6
      properties = {
        title  = "Run duration: labeling${local.verification_enabled ? " and review" : ""} job and steps (ms)"
        region = local.region, period = local.dashboard_period, view = "timeSeries"
        metrics = [
          ["AWS/States", "ExecutionTime", "StateMachineArn", local.state_machine, { stat = "Average", label = "average" }],
          ["AWS/States", "ExecutionTime", "StateMachineArn", local.state_machine, { stat = "Maximum", label = "longest" }],
        ]
      }
    },
    {
      type = "alarm", x = 12, y = 15, width = 12, height = 6
      properties = {
        title  = "Alarms"
        alarms = [for alarm in aws_cloudwatch_metric_alarm.this : alarm.arn]
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  count = local.dashboard_enabled ? 1 : 0

  # Dashboards are global in an account; the name is unique there as the module's IAM role names are.
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}

locals {
  dashboard_url = local.dashboard_enabled ? "https://${local.console_host}/cloudwatch/home?region=${local.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this[0].dashboard_name}" : null
}
