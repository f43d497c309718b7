output "upload_bucket_name" {
  description = "Bucket to upload data to; every object created in it (matching upload_filter) is labeled."
  value       = aws_s3_bucket.this["upload"].bucket
}

output "upload_bucket_arn" {
  description = "ARN of the upload bucket."
  value       = aws_s3_bucket.this["upload"].arn
}

output "output_bucket_name" {
  description = "Bucket with the labeling jobs' manifests and output, the worker templates and category files."
  value       = aws_s3_bucket.this["output"].bucket
}

output "feature_store_bucket_name" {
  description = "Bucket of the Feature Group's offline store."
  value       = aws_s3_bucket.this["feature_store"].bucket
}

output "access_log_bucket_name" {
  description = "Bucket receiving the S3 server access logs (null when access logging is off)."
  value       = local.access_log_target_bucket
}

output "feature_group_name" {
  description = "Name of the Feature Group the labels are written to."
  value       = aws_sagemaker_feature_group.this.feature_group_name
}

output "feature_group_arn" {
  description = "ARN of the Feature Group."
  value       = aws_sagemaker_feature_group.this.arn
}

output "state_machine_arn" {
  description = "ARN of the labeling state machine (start an execution by hand with any input)."
  value       = aws_sfn_state_machine.this.arn
}

output "state_machine_name" {
  description = "Name of the labeling state machine."
  value       = aws_sfn_state_machine.this.name
}

output "schedule_arn" {
  description = "ARN of the EventBridge Scheduler schedule that starts the state machine."
  value       = aws_scheduler_schedule.this.arn
}

output "upload_queue_url" {
  description = "URL of the queue of uploads waiting to be labeled."
  value       = aws_sqs_queue.upload.url
}

output "upload_queue_arn" {
  description = "ARN of the upload queue."
  value       = aws_sqs_queue.upload.arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue: items that failed max_attempts times, unusable messages, undeliverable events."
  value       = aws_sqs_queue.dead_letter.url
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.arn
}

output "ledger_table_name" {
  description = "DynamoDB table recording where every claimed item is (claimed, labeled, returned, dead)."
  value       = aws_dynamodb_table.ledger.name
}

output "kms_key_arn" {
  description = "ARN of the KMS key protecting the pipeline's data (the module's or the one given)."
  value       = local.kms_key_arn
}

output "kms_key_policy_json" {
  description = "The key policy the module applies to its own key. With your own key (kms.key_arn), add these statements to its policy."
  value       = jsonencode(local.kms_key_policy)
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms publish to."
  value       = local.alarm_topic_arn
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms, by purpose."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.alarm_name }
}

output "sagemaker_role_arn" {
  description = "Role the labeling and verification jobs run with."
  value       = aws_iam_role.sagemaker.arn
}

output "lambda_function_names" {
  description = "Names of the pipeline's Lambda functions, by step."
  value       = { for key, function in aws_lambda_function.this : key => function.function_name }
}

output "dashboard_name" {
  description = "Name of the pipeline's CloudWatch dashboard (null when dashboard.enabled is false)."
  value       = one(aws_cloudwatch_dashboard.this[*].dashboard_name)
}

output "dashboard_url" {
  description = "The pipeline's CloudWatch dashboard in the AWS console (null when dashboard.enabled is false)."
  value       = local.dashboard_url
}

output "ssm_parameter_names" {
  description = "Names of the SSM parameters the module publishes, by key."
  value       = { for key, parameter in aws_ssm_parameter.this : key => parameter.name }
}

output "pipeline_config" {
  description = "The configuration object given to every function as PIPELINE_CONFIG."
  value       = local.pipeline_config
}
