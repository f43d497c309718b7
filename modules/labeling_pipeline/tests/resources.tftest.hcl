# What the module promises about its resources with default inputs: encryption, TLS-only access, the queue
# and ledger design, alarms that exist, least-privilege roles, the schedule and the state machine.

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { region = "us-east-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  # Computed ARNs the provider validates as ARNs (random mock strings would not pass).
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000001", key_id = "0a1b2c3d-0000-4000-8000-000000000001" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/mock-role" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:us-east-1:111122223333:mock-queue", url = "https://sqs.us-east-1.amazonaws.com/111122223333/mock-queue" }
  }
  mock_resource "aws_lambda_layer_version" {
    defaults = { arn = "arn:aws:lambda:us-east-1:111122223333:layer:mock-powertools:1" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:us-east-1:111122223333:stateMachine:gt-res" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:111122223333:mock-topic" }
  }
}

override_resource {
  target = aws_cloudwatch_log_group.state_machine
  values = { arn = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/vendedlogs/states/mock" }
}

variables {
  name               = "gt-res"
  task_type          = "image_bounding_box"
  lambda_package_dir = "tests/fixtures/lambda"
  labeling = {
    workteam_arn                  = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
    title                         = "Draw boxes"
    description                   = "Draw a box around every vehicle."
    categories                    = ["car"]
    availability_lifetime_seconds = 864000
  }
}

run "buckets_are_private_encrypted_and_versioned" {
  # apply, not plan: Terraform's mock provider leaves computed attributes (ids, ARNs, and so the
  # Lambda environment built from them) unknown in a plan; after this apply the file's later plan
  # runs read them from the mocked state. OpenTofu's mocks know them in a plan already.
  command = apply

  assert {
    condition     = toset(keys(aws_s3_bucket.this)) == toset(["upload", "output", "feature_store"]) && length(aws_s3_bucket.access_logs) == 1
    error_message = "Upload, output, feature store and access-log buckets must exist."
  }
  assert {
    condition = alltrue([for c in aws_s3_bucket_server_side_encryption_configuration.this :
      one(c.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" &&
      one(c.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == aws_kms_key.this[0].arn
    ])
    error_message = "Data buckets must use SSE-KMS with the module's key."
  }
  assert {
    condition     = alltrue([for p in aws_s3_bucket_public_access_block.this : p.block_public_acls && p.block_public_policy && p.ignore_public_acls && p.restrict_public_buckets]) && aws_s3_bucket_public_access_block.access_logs[0].restrict_public_buckets
    error_message = "Public access must be blocked on every bucket."
  }
  assert {
    condition     = alltrue([for v in aws_s3_bucket_versioning.this : v.versioning_configuration[0].status == "Enabled"])
    error_message = "Versioning must be on."
  }
  assert {
    condition = alltrue([for p in aws_s3_bucket_policy.this : anytrue([for s in jsondecode(p.policy).Statement :
      s.Effect == "Deny" && try(s.Condition == { Bool = { "aws:SecureTransport" = "false" } }, false)
    ])])
    error_message = "Every bucket policy must deny requests without TLS."
  }
  assert {
    condition     = alltrue([for l in aws_s3_bucket_logging.this : l.target_bucket == aws_s3_bucket.access_logs[0].id])
    error_message = "Every data bucket must log to the access-log bucket."
  }
  assert {
    condition     = toset(keys(aws_s3_bucket_cors_configuration.this)) == toset(["upload", "output"]) && alltrue([for c in aws_s3_bucket_cors_configuration.this : one(c.cors_rule).allowed_methods == toset(["GET"])])
    error_message = "Ground Truth needs GET-only CORS on the buckets its worker UI reads."
  }
  assert {
    condition     = aws_s3_bucket_notification.upload.eventbridge && aws_s3_bucket_notification.upload.bucket == aws_s3_bucket.this["upload"].id
    error_message = "The upload bucket must send its events to EventBridge."
  }
  assert {
    condition     = alltrue([for b in aws_s3_bucket.this : !b.force_destroy])
    error_message = "Buckets are not force-destroyed by default."
  }
}

run "queue_design" {
  command = plan

  assert {
    condition     = aws_sqs_queue.upload.visibility_timeout_seconds >= 6 * aws_lambda_function.this["claim-batch"].timeout
    error_message = "The visibility timeout must be at least 6 x the claim-batch timeout."
  }
  assert {
    condition = jsondecode(aws_sqs_queue.upload.redrive_policy) == {
      deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
      maxReceiveCount     = 5
    }
    error_message = "The upload queue must redrive to the DLQ after 5 receives."
  }
  assert {
    condition     = aws_sqs_queue.dead_letter.message_retention_seconds == 1209600 && aws_sqs_queue.upload.message_retention_seconds == 1209600
    error_message = "Both queues keep messages 14 days."
  }
  assert {
    condition     = aws_sqs_queue.upload.kms_master_key_id == aws_kms_key.this[0].arn && aws_sqs_queue.dead_letter.kms_master_key_id == aws_kms_key.this[0].arn
    error_message = "Both queues are encrypted with the module's key."
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.uploads.event_pattern) == {
      source      = ["aws.s3"]
      detail-type = ["Object Created"]
      detail      = { bucket = { name = ["gt-res-upload-111122223333"] } }
    }
    error_message = "Without a filter the rule takes every object created in the upload bucket."
  }
  assert {
    condition     = aws_cloudwatch_event_target.uploads.arn == aws_sqs_queue.upload.arn && aws_cloudwatch_event_target.uploads.dead_letter_config[0].arn == aws_sqs_queue.dead_letter.arn
    error_message = "Events go to the upload queue, undeliverable ones to the DLQ."
  }
  assert {
    condition = anytrue([for s in jsondecode(aws_sqs_queue_policy.upload.policy).Statement :
      s.Effect == "Allow" && s.Principal == { Service = "events.amazonaws.com" } && try(s.Condition.ArnEquals["aws:SourceArn"] == aws_cloudwatch_event_rule.uploads.arn, false)
    ])
    error_message = "Only the upload rule may send to the queue."
  }
  assert {
    condition     = anytrue([for s in jsondecode(aws_sqs_queue_policy.upload.policy).Statement : s.Effect == "Deny" && try(s.Condition == { Bool = { "aws:SecureTransport" = "false" } }, false)])
    error_message = "The queue policy must deny requests without TLS."
  }
}

run "prefix_only_and_suffix_only_filters" {
  command = plan
  variables {
    upload_filter = { prefix = "images/" }
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.uploads.event_pattern).detail.object.key == [{ prefix = "images/" }]
    error_message = "A prefix alone becomes a prefix match."
  }
}

run "suffix_only_filter" {
  command = plan
  variables {
    upload_filter = { suffixes = [".png", ".jpg"] }
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.uploads.event_pattern).detail.object.key == [{ suffix = ".png" }, { suffix = ".jpg" }]
    error_message = "Suffixes alone become suffix matches (any of them)."
  }
}

run "ledger" {
  command = plan

  assert {
    condition = (
      aws_dynamodb_table.ledger.hash_key == "item_id" &&
      aws_dynamodb_table.ledger.billing_mode == "PAY_PER_REQUEST" &&
      aws_dynamodb_table.ledger.point_in_time_recovery[0].enabled &&
      aws_dynamodb_table.ledger.server_side_encryption[0].enabled &&
      aws_dynamodb_table.ledger.server_side_encryption[0].kms_key_arn == aws_kms_key.this[0].arn &&
      aws_dynamodb_table.ledger.ttl[0].attribute_name == "expires_at" &&
      aws_dynamodb_table.ledger.ttl[0].enabled &&
      aws_dynamodb_table.ledger.deletion_protection_enabled
    )
    error_message = "The ledger must match the contract: item_id, on demand, PITR, KMS, TTL expires_at, protected."
  }
}

run "kms_key" {
  command = plan

  assert {
    condition     = aws_kms_key.this[0].enable_key_rotation && aws_kms_key.this[0].deletion_window_in_days == 30
    error_message = "The module's key rotates and has a 30-day deletion window."
  }
  assert {
    condition = toset([for s in jsondecode(aws_kms_key.this[0].policy).Statement : try(s.Principal.Service, "")]) == toset([
      "", "logs.us-east-1.amazonaws.com", "events.amazonaws.com", "cloudwatch.amazonaws.com", "delivery.logs.amazonaws.com",
    ])
    error_message = "The key policy must let Logs, EventBridge, CloudWatch alarms and log delivery use the key (and nothing else)."
  }
  assert {
    condition     = output.kms_key_policy_json == aws_kms_key.this[0].policy
    error_message = "The published key policy must be the one applied."
  }
}

run "alarms_exist_and_notify" {
  command = plan

  assert {
    condition = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset([
      "dead-letter-queue", "oldest-upload", "executions-failed", "executions-timed-out", "executions-aborted", "schedule-dropped",
      "lambda-errors-claim-batch", "lambda-errors-start-job", "lambda-errors-check-job", "lambda-errors-collect-results",
      "lambda-errors-write-features", "lambda-errors-return-items",
    ])
    error_message = "Every promised alarm must exist."
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["dead-letter-queue"].metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.this["dead-letter-queue"].dimensions == tomap({ QueueName = aws_sqs_queue.dead_letter.name }) &&
      aws_cloudwatch_metric_alarm.this["dead-letter-queue"].threshold == 0 &&
      aws_cloudwatch_metric_alarm.this["dead-letter-queue"].comparison_operator == "GreaterThanThreshold"
    )
    error_message = "The DLQ alarm fires on the first message in the dead-letter queue."
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["dead-letter-queue"].treat_missing_data == "ignore" &&
      aws_cloudwatch_metric_alarm.this["oldest-upload"].treat_missing_data == "ignore"
    )
    error_message = "SQS stops publishing the metrics of a queue inactive for six hours: the queue alarms must keep their state then (ignore), so a quiet DLQ that still holds messages stays in ALARM."
  }
  assert {
    condition     = alltrue([for key, a in aws_cloudwatch_metric_alarm.this : a.treat_missing_data == "notBreaching" if !contains(["dead-letter-queue", "oldest-upload"], key)])
    error_message = "The event-count alarms treat no data as no event (notBreaching)."
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["executions-failed"].namespace == "AWS/States" &&
      aws_cloudwatch_metric_alarm.this["executions-failed"].metric_name == "ExecutionsFailed" &&
      aws_cloudwatch_metric_alarm.this["executions-failed"].dimensions == tomap({ StateMachineArn = aws_sfn_state_machine.this.arn })
    )
    error_message = "The failed-executions alarm watches this state machine."
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.actions_enabled && a.alarm_actions == toset([aws_sns_topic.alarms[0].arn])])
    error_message = "Every alarm notifies the module's topic."
  }
  assert {
    condition     = aws_sns_topic.alarms[0].kms_master_key_id == aws_kms_key.this[0].arn && output.alarm_topic_arn == aws_sns_topic.alarms[0].arn
    error_message = "The alarm topic is encrypted with the module's key."
  }
}

run "least_privilege_roles" {
  command = plan

  assert {
    condition     = length(distinct([for r in aws_iam_role.lambda : r.name])) == 6 && alltrue([for k, f in aws_lambda_function.this : f.role == aws_iam_role.lambda[k].arn])
    error_message = "Each function must have its own role."
  }
  assert {
    condition = alltrue(flatten([for p in aws_iam_role_policy.lambda : [for s in jsondecode(p.policy).Statement :
      s.Resource != "*" || alltrue([for a in flatten([s.Action]) : startswith(a, "xray:")])
    ]]))
    error_message = "Only X-Ray actions may use Resource \"*\" in the function roles."
  }
  assert {
    condition     = !anytrue(flatten([for p in aws_iam_role_policy.lambda : [for s in jsondecode(p.policy).Statement : [for a in flatten([s.Action]) : strcontains(a, "*")]]]))
    error_message = "No wildcard actions in the function roles."
  }
  assert {
    condition     = toset(flatten([for s in jsondecode(aws_iam_role_policy.lambda["check-job"].policy).Statement : s.Action if !contains(["DecryptOwnEnvironment", "WriteOwnLogs", "SendTraces"], s.Sid)])) == toset(["sagemaker:DescribeLabelingJob"])
    error_message = "check-job may only describe labeling jobs."
  }
  assert {
    condition = alltrue([for k, p in aws_iam_role_policy.lambda : anytrue([for s in jsondecode(p.policy).Statement :
      s.Sid == "DecryptOwnEnvironment" && try(s.Condition.StringEquals["kms:EncryptionContext:aws:lambda:FunctionArn"], "") == "arn:aws:lambda:us-east-1:111122223333:function:gt-res-${k}"
    ])])
    error_message = "Each function may decrypt its own environment only."
  }
  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.lambda["start-job"].policy).Statement :
      s.Action == "iam:PassRole" && s.Resource == aws_iam_role.sagemaker.arn && try(s.Condition.StringEquals["iam:PassedToService"] == "sagemaker.amazonaws.com", false)
    ])
    error_message = "start-job may pass only the SageMaker role, only to SageMaker."
  }
  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.lambda["start-job"].policy).Statement :
      contains(flatten([s.Action]), "sagemaker:CreateLabelingJob") && s.Resource == "arn:aws:sagemaker:us-east-1:111122223333:labeling-job/gt-res-*"
    ])
    error_message = "Labeling jobs are scoped to names starting with the pipeline name."
  }
  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.lambda["write-features"].policy).Statement :
      s.Action == "sagemaker:PutRecord" && s.Resource == "arn:aws:sagemaker:us-east-1:111122223333:feature-group/gt-res-labels"
    ])
    error_message = "write-features may put records into this feature group only."
  }
  assert {
    condition = alltrue([for key in ["check-job", "collect-results", "write-features", "start-job"] :
      !anytrue([for s in jsondecode(aws_iam_role_policy.lambda[key].policy).Statement : anytrue([for a in flatten([s.Action]) : startswith(a, "sqs:")])])
    ])
    error_message = "Only claim-batch and return-items touch the queues."
  }
  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.lambda["return-items"].policy).Statement :
      s.Action == "states:DescribeExecution" && s.Resource == "arn:aws:states:us-east-1:111122223333:execution:gt-res:*"
    ])
    error_message = "return-items may describe this state machine's executions (abandoned-batch sweep)."
  }
  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.lambda["return-items"].policy).Statement :
      toset(flatten([s.Action])) == toset(["sagemaker:DescribeLabelingJob", "sagemaker:StopLabelingJob"]) && s.Resource == "arn:aws:sagemaker:us-east-1:111122223333:labeling-job/gt-res-*"
    ])
    error_message = "return-items may describe and stop this pipeline's labeling jobs (no item goes back while its job runs)."
  }
  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.state_machine.policy).Statement : s.Resource if s.Sid == "InvokeStepFunctions"])) == toset(concat(
      [for f in aws_lambda_function.this : "arn:aws:lambda:us-east-1:111122223333:function:${f.function_name}"],
      [for f in aws_lambda_function.this : "arn:aws:lambda:us-east-1:111122223333:function:${f.function_name}:*"],
    ))
    error_message = "The state machine may invoke the six functions and nothing else."
  }
}

run "functions" {
  command = plan

  assert {
    condition = alltrue([for f in aws_lambda_function.this : (
      f.runtime == "python3.13" &&
      f.tracing_config[0].mode == "Active" &&
      f.kms_key_arn == aws_kms_key.this[0].arn &&
      f.layers == tolist([aws_lambda_layer_version.powertools[0].arn]) &&
      startswith(f.handler, "labeling_pipeline.handlers.")
    )])
    error_message = "Functions: Python 3.13, X-Ray, KMS-encrypted environment, the Powertools layer, the contract's handlers."
  }
  assert {
    condition     = toset([for f in aws_lambda_function.this : f.handler]) == toset([for h in ["claim_batch", "start_job", "check_job", "collect_results", "write_features", "return_items"] : "labeling_pipeline.handlers.${h}"])
    error_message = "The six handlers of the contract."
  }
  assert {
    condition     = alltrue([for k, f in aws_lambda_function.this : f.logging_config[0].log_group == aws_cloudwatch_log_group.lambda[k].name]) && alltrue([for g in aws_cloudwatch_log_group.lambda : g.retention_in_days == 365 && g.kms_key_id == aws_kms_key.this[0].arn])
    error_message = "Each function logs to its own encrypted log group with retention."
  }
}

run "state_machine_and_schedule" {
  command = plan

  assert {
    condition = (
      aws_sfn_state_machine.this.type == "STANDARD" &&
      aws_sfn_state_machine.this.logging_configuration[0].level == "ALL" &&
      aws_sfn_state_machine.this.logging_configuration[0].include_execution_data &&
      aws_sfn_state_machine.this.logging_configuration[0].log_destination == "${aws_cloudwatch_log_group.state_machine.arn}:*" &&
      aws_sfn_state_machine.this.tracing_configuration[0].enabled &&
      aws_sfn_state_machine.this.encryption_configuration[0].kms_key_id == aws_kms_key.this[0].arn
    )
    error_message = "The state machine is standard, logs ALL to its log group, traces with X-Ray and is encrypted."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).TimeoutSeconds == 2592000 + 172800
    error_message = "With the default job size (100,000 objects, 1,000 at a time: 100 sets of 10 days), TimeoutSeconds must be the 30 days AWS gives a job, plus two days."
  }
  assert {
    condition     = strcontains(aws_sfn_state_machine.this.definition, aws_lambda_function.this["claim-batch"].arn) && strcontains(aws_sfn_state_machine.this.definition, aws_lambda_function.this["return-items"].arn)
    error_message = "The definition must invoke the module's functions."
  }
  assert {
    condition = (
      aws_scheduler_schedule.this.schedule_expression == "cron(0 12 * * ? *)" &&
      aws_scheduler_schedule.this.schedule_expression_timezone == "UTC" &&
      aws_scheduler_schedule.this.state == "ENABLED" &&
      aws_scheduler_schedule.this.flexible_time_window[0].mode == "OFF" &&
      aws_scheduler_schedule.this.kms_key_arn == aws_kms_key.this[0].arn &&
      aws_scheduler_schedule.this.target[0].arn == aws_sfn_state_machine.this.arn &&
      aws_scheduler_schedule.this.target[0].role_arn == aws_iam_role.scheduler.arn
    )
    error_message = "Default schedule: daily at noon UTC, no flexible window, encrypted, starting the state machine."
  }
}

run "state_machine_timeout_with_verification" {
  command = plan
  variables {
    verification = {
      workteam_arn                  = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/reviewers"
      availability_lifetime_seconds = 86400
    }
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).TimeoutSeconds == 2592000 + 2592000 + 172800
    error_message = "With the default job size (100 sets of 1,000 per job), TimeoutSeconds must cover both jobs at AWS's 30 days each, plus two days."
  }
}

run "state_machine_outlives_a_job_of_several_sets" {
  command = plan
  variables {
    labeling = {
      workteam_arn                  = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title                         = "Draw boxes"
      description                   = "Draw a box around every vehicle."
      categories                    = ["car"]
      availability_lifetime_seconds = 86400
      max_concurrent_task_count     = 1000
      max_objects_per_job           = 3000
    }
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).TimeoutSeconds == 3 * (86400 + 300) + 172800
    error_message = "Ground Truth sends 3,000 objects 1,000 at a time: the job can stay open 3 availability windows (each with a worker's task time), and the execution must outlive it by two days."
  }
}

run "state_machine_timeout_stops_at_the_30_days_aws_gives_a_job" {
  command = plan
  variables {
    labeling = {
      workteam_arn                  = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title                         = "Draw boxes"
      description                   = "Draw a box around every vehicle."
      categories                    = ["car"]
      availability_lifetime_seconds = 2592000
      max_concurrent_task_count     = 1
      max_objects_per_job           = 100000
    }
    verification = {
      workteam_arn                  = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/reviewers"
      availability_lifetime_seconds = 2592000
      max_concurrent_task_count     = 1
    }
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).TimeoutSeconds == 2 * 2592000 + 172800
    error_message = "AWS fails a labeling job after 30 days: however many sets, each job counts 30 days at most."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).TimeoutSeconds <= 31536000
    error_message = "A standard workflow execution runs for at most one year."
  }
}

run "feature_group" {
  command = plan

  assert {
    condition = (
      aws_sagemaker_feature_group.this.feature_group_name == "gt-res-labels" &&
      aws_sagemaker_feature_group.this.record_identifier_feature_name == "record_id" &&
      aws_sagemaker_feature_group.this.event_time_feature_name == "event_time" &&
      aws_sagemaker_feature_group.this.offline_store_config[0].disable_glue_table_creation &&
      aws_sagemaker_feature_group.this.offline_store_config[0].s3_storage_config[0].kms_key_id == aws_kms_key.this[0].arn &&
      startswith(aws_sagemaker_feature_group.this.offline_store_config[0].s3_storage_config[0].s3_uri, "s3://gt-res-features-111122223333/") &&
      length(aws_sagemaker_feature_group.this.online_store_config) == 0
    )
    error_message = "Feature group: record_id/event_time, encrypted offline store in the feature bucket, no Glue table, no online store by default."
  }
  assert {
    # data/features.json is the contract the write-features function reads too.
    condition = { for d in aws_sagemaker_feature_group.this.feature_definition : d.feature_name => d.feature_type } == {
      for f in jsondecode(file("data/features.json")).features : f.name => f.type
    }
    error_message = "The features must be exactly the contract's (data/features.json)."
  }
}

run "ssm_parameters" {
  command = plan

  assert {
    condition = { for k, p in aws_ssm_parameter.this : k => p.name } == {
      upload-bucket-name = "/gt-res/pipeline/upload-bucket-name"
      output-bucket-name = "/gt-res/pipeline/output-bucket-name"
      feature-group-name = "/gt-res/pipeline/feature-group-name"
      state-machine-arn  = "/gt-res/pipeline/state-machine-arn"
      upload-queue-url   = "/gt-res/pipeline/upload-queue-url"
      dashboard-url      = "/gt-res/pipeline/dashboard-url"
    }
    error_message = "The six parameters under the default prefix /<name>/pipeline."
  }
  assert {
    condition = (
      aws_ssm_parameter.this["upload-bucket-name"].value == output.upload_bucket_name &&
      aws_ssm_parameter.this["state-machine-arn"].value == output.state_machine_arn &&
      aws_ssm_parameter.this["upload-queue-url"].value == output.upload_queue_url &&
      aws_ssm_parameter.this["dashboard-url"].value == output.dashboard_url
    )
    error_message = "Parameters and outputs carry the same values."
  }
}

run "access_logging_off" {
  command = plan
  variables {
    access_logging = { enabled = false }
  }

  assert {
    condition     = length(aws_s3_bucket.access_logs) == 0 && length(aws_s3_bucket_logging.this) == 0 && output.access_log_bucket_name == null
    error_message = "Access logging can be switched off entirely."
  }
}

# Issue 12: the labeling role has what AWS documents for a job whose output a customer managed key
# encrypts, and every statement naming a service principal uses the condition keys that service sends.
run "labeling_role_has_the_documented_permissions" {
  command = plan

  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.sagemaker.policy).Statement :
      s.Resource == aws_kms_key.this[0].arn &&
      toset(flatten([s.Action])) == toset(["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"])
    ])
    error_message = "The labeling role needs kms:Encrypt, Decrypt, ReEncrypt*, GenerateDataKey* and DescribeKey on the output key (SageMaker: Encrypt Output Data and Storage Volume with AWS KMS)."
  }
  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.sagemaker.policy).Statement :
      s.Resource == "${aws_s3_bucket.this["output"].arn}/*" &&
      length(setsubtract(["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], flatten([s.Action]))) == 0
    ])
    error_message = "The labeling role needs s3:AbortMultipartUpload beside GetObject/PutObject on the output (SageMaker: Create a SageMaker AI Execution Role for a Ground Truth Labeling Job)."
  }
}

run "service_principals_get_only_the_conditions_their_service_documents" {
  command = plan

  assert {
    condition = alltrue([for role in [aws_iam_role.sagemaker, aws_iam_role.feature_store] :
      alltrue([for s in jsondecode(role.assume_role_policy).Statement : s.Principal.Service == "sagemaker.amazonaws.com" && !can(s.Condition)])
    ])
    error_message = "SageMaker sends no aws:SourceAccount/aws:SourceArn when it assumes a Ground Truth or Feature Store role: their trust policies must not require them."
  }
  assert {
    condition     = alltrue([for role in aws_iam_role.lambda : alltrue([for s in jsondecode(role.assume_role_policy).Statement : !can(s.Condition)])])
    error_message = "The Lambda execution-role trust policy AWS documents has no condition."
  }
  assert {
    condition = alltrue([for role in [aws_iam_role.state_machine, aws_iam_role.scheduler] :
      alltrue([for s in jsondecode(role.assume_role_policy).Statement : s.Condition == { StringEquals = { "aws:SourceAccount" = "111122223333" } }])
    ])
    error_message = "Step Functions and EventBridge Scheduler document aws:SourceAccount for their execution roles: keep it."
  }
  assert {
    condition = alltrue([for s in jsondecode(aws_kms_key.this[0].policy).Statement : !can(s.Condition) if contains(
      ["events.amazonaws.com", "cloudwatch.amazonaws.com", "delivery.logs.amazonaws.com"], try(s.Principal.Service, "")
    )])
    error_message = "The key statements for EventBridge, CloudWatch alarms and log delivery take the documented form, without aws:Source* conditions the services do not send to KMS."
  }
  assert {
    condition = anytrue([for s in jsondecode(aws_kms_key.this[0].policy).Statement :
      try(s.Principal.Service, "") == "logs.us-east-1.amazonaws.com" && try(keys(s.Condition.ArnLike), []) == ["kms:EncryptionContext:aws:logs:arn"]
    ])
    error_message = "CloudWatch Logs is limited by the encryption context it documents."
  }
  assert {
    condition = alltrue([for s in jsondecode(aws_sns_topic_policy.alarms[0].policy).Statement :
      s.Condition == { ArnLike = { "aws:SourceArn" = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:gt-res-*" } } if s.Effect == "Allow"
    ])
    error_message = "CloudWatch alarms publish with the alarm ARN as aws:SourceArn, the condition SNS documents for them."
  }
  assert {
    condition = alltrue([for p in [aws_sqs_queue_policy.upload, aws_sqs_queue_policy.dead_letter] : anytrue([for s in jsondecode(p.policy).Statement :
      s.Principal == { Service = "events.amazonaws.com" } && try(keys(s.Condition), []) == ["ArnEquals"] && try(keys(s.Condition.ArnEquals), []) == ["aws:SourceArn"]
    ])])
    error_message = "EventBridge may send to the queues only for the upload rule (aws:SourceArn, as EventBridge documents)."
  }
}
