# The Step Functions standard state machine (definition: templates/state_machine.asl.json) and the
# EventBridge Scheduler schedule that starts it.

resource "aws_cloudwatch_log_group" "state_machine" {
  # Step Functions delivers through CloudWatch Logs vended delivery, which expects /aws/vendedlogs/.
  name              = "/aws/vendedlogs/states/${local.state_machine_name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

resource "aws_sfn_state_machine" "this" {
  name     = local.state_machine_name
  type     = "STANDARD"
  role_arn = aws_iam_role.state_machine.arn

  definition = templatefile("${path.module}/templates/state_machine.asl.json", {
    claim_batch_arn      = aws_lambda_function.this["claim-batch"].arn
    start_job_arn        = aws_lambda_function.this["start-job"].arn
    check_job_arn        = aws_lambda_function.this["check-job"].arn
    collect_results_arn  = aws_lambda_function.this["collect-results"].arn
    write_features_arn   = aws_lambda_function.this["write-features"].arn
    return_items_arn     = aws_lambda_function.this["return-items"].arn
    verification_enabled = local.verification_enabled ? "true" : "false"
    timeout_seconds      = local.state_machine_timeout_seconds
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machine.arn}:*"
    include_execution_data = true
    level                  = "ALL"
  }

  tracing_configuration {
    enabled = true
  }

  encryption_configuration {
    type                              = "CUSTOMER_MANAGED_KMS_KEY"
    kms_key_id                        = local.kms_key_arn
    kms_data_key_reuse_period_seconds = 300
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.state_machine]
}

# A group of our own so the scheduler's metrics (dropped invocations) are this pipeline's alone.
resource "aws_scheduler_schedule_group" "this" {
  name = var.name
  tags = var.tags
}

resource "aws_scheduler_schedule" "this" {
  name                         = var.name
  group_name                   = aws_scheduler_schedule_group.this.name
  description                  = "Starts the labeling pipeline ${var.name}"
  schedule_expression          = var.schedule.expression
  schedule_expression_timezone = var.schedule.timezone
  state                        = var.schedule.enabled ? "ENABLED" : "DISABLED"
  kms_key_arn                  = local.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_sfn_state_machine.this.arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ trigger = "schedule" })

    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 10
    }
  }

  depends_on = [aws_iam_role_policy.scheduler]
}
