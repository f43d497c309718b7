# No input is accepted and ignored: every field of every input is set to a non-default value here and each
# one is found where it acts — in PIPELINE_CONFIG (identical for all six functions) or on the resource it
# configures.

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { region = "us-west-2" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "444455556666" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  # Computed ARNs the provider validates as ARNs (random mock strings would not pass).
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-west-2:444455556666:key/0a1b2c3d-0000-4000-8000-000000000001", key_id = "0a1b2c3d-0000-4000-8000-000000000001" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::444455556666:role/mock-role" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:us-west-2:444455556666:mock-queue", url = "https://sqs.us-west-2.amazonaws.com/444455556666/mock-queue" }
  }
  mock_resource "aws_lambda_layer_version" {
    defaults = { arn = "arn:aws:lambda:us-west-2:444455556666:layer:mock-powertools:1" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:us-west-2:444455556666:stateMachine:gt-config" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-west-2:444455556666:mock-topic" }
  }
}

override_resource {
  target = aws_cloudwatch_log_group.state_machine
  values = { arn = "arn:aws:logs:us-west-2:444455556666:log-group:/aws/vendedlogs/states/mock" }
}

variables {
  name               = "gt-config"
  task_type          = "text_multi_label_classification"
  lambda_package_dir = "tests/fixtures/lambda"
  labeling = {
    workteam_arn                  = "arn:aws:sagemaker:us-west-2:444455556666:workteam/private-crowd/writers"
    title                         = "Tag the review"
    description                   = "Choose every topic the review talks about."
    keywords                      = ["reviews", "topics"]
    categories                    = ["price", "quality", "delivery"]
    instructions                  = { short = "<p>Pick all topics.</p>", full = "<p>Read it all, then pick.</p>" }
    label_attribute_name          = "topics"
    workers_per_object            = 3
    task_time_limit_seconds       = 900
    availability_lifetime_seconds = 172800
    max_concurrent_task_count     = 250
    max_objects_per_job           = 750
  }
  verification = {
    workteam_arn                  = "arn:aws:sagemaker:us-west-2:444455556666:workteam/private-crowd/editors"
    title                         = "Check the topics"
    description                   = "Pass if the topics are right."
    keywords                      = ["review", "check"]
    instructions                  = { short = "<p>Pass or fail.</p>", full = "<p>Fail anything wrong.</p>" }
    label_attribute_name          = "topics-check"
    workers_per_object            = 2
    task_time_limit_seconds       = 120
    availability_lifetime_seconds = 86400
    max_concurrent_task_count     = 40
  }
  schedule      = { expression = "rate(5 minutes)", timezone = "Europe/Berlin", enabled = false }
  upload_filter = { prefix = "reviews/", suffixes = [".txt", ".jsonl"] }
  max_attempts  = 7
  # 1,800 s: the review's 19 sets of 40 (a day each) keep its job open up to 19 days, which a job may poll
  # at most 1,000 times (data/limits.json, the 25,000-event history): 1,644 s at least.
  wait          = { min_seconds = 45, max_seconds = 1800 }
  feature_store = { enable_online_store = true, concurrency = 5 }
  alarm = {
    email_addresses            = ["ops@example.com", "oncall@example.com"]
    oldest_message_age_seconds = 7200
  }
  log_retention_in_days              = 30
  log_level                          = "DEBUG"
  powertools_layer_arn               = "arn:aws:lambda:us-west-2:444455556666:layer:powertools:7"
  ssm_prefix                         = "/private-labeling/dev/pipeline"
  access_logging                     = { target_bucket = "central-access-logs", expiration_days = 30 }
  noncurrent_version_expiration_days = 45
  dashboard                          = { period_seconds = 3600 }
  deletion_protection                = false
  force_destroy                      = true
  iam_permissions_boundary_arn       = "arn:aws:iam::444455556666:policy/boundary"
  tags                               = { team = "ml-platform" }
}

run "pipeline_config_has_every_field" {
  # apply, not plan: Terraform's mock provider leaves computed attributes (ids, ARNs, and so the
  # Lambda environment built from them) unknown in a plan; after this apply the file's later plan
  # runs read them from the mocked state. OpenTofu's mocks know them in a plan already.
  command = apply

  assert {
    condition = toset(keys(jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG))) == toset([
      "name", "task_type", "upload_bucket", "upload_queue_url", "dead_letter_queue_url", "output_bucket",
      "ledger_table", "feature_group_name", "kms_key_arn", "sagemaker_role_arn", "max_attempts",
      "min_wait_seconds", "max_wait_seconds", "feature_store_concurrency", "labeling", "verification",
    ])
    error_message = "PIPELINE_CONFIG must have exactly the contract's top-level keys."
  }
  assert {
    condition = alltrue([
      for block in ["labeling", "verification"] : toset(keys(jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG)[block])) == toset([
        "workteam_arn", "title", "description", "keywords", "label_attribute_name", "categories_s3_uri",
        "ui_template_s3_uri", "human_task_ui_arn", "pre_annotation_lambda_arn", "consolidation_lambda_arn",
        "workers_per_object", "task_time_limit_seconds", "availability_lifetime_seconds",
        "max_concurrent_task_count", "max_objects_per_job",
      ])
    ])
    error_message = "labeling and verification must have exactly the contract's keys."
  }
  assert {
    condition     = length(distinct([for f in aws_lambda_function.this : f.environment[0].variables.PIPELINE_CONFIG])) == 1
    error_message = "All six functions must get the same PIPELINE_CONFIG."
  }
  assert {
    condition = alltrue([for f in aws_lambda_function.this : (
      f.environment[0].variables.POWERTOOLS_SERVICE_NAME == "gt-config" &&
      f.environment[0].variables.POWERTOOLS_METRICS_NAMESPACE == "PrivateLabeling" &&
      f.environment[0].variables.LOG_LEVEL == "DEBUG" &&
      length(f.environment[0].variables) == 4
    )])
    error_message = "Each function gets PIPELINE_CONFIG, the Powertools service (the pipeline's name)/namespace and log_level, nothing else."
  }
}

run "top_level_values" {
  command = plan

  assert {
    condition = (
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).name == "gt-config" &&
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).task_type == "text_multi_label_classification" &&
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).upload_bucket == "gt-config-upload-444455556666" &&
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).output_bucket == "gt-config-output-444455556666" &&
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).upload_queue_url == aws_sqs_queue.upload.url &&
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).dead_letter_queue_url == aws_sqs_queue.dead_letter.url &&
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).ledger_table == "gt-config-ledger" &&
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).feature_group_name == "gt-config-labels" &&
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).kms_key_arn == aws_kms_key.this[0].arn &&
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).sagemaker_role_arn == aws_iam_role.sagemaker.arn
    )
    error_message = "PIPELINE_CONFIG must name this module's buckets, queues, table, feature group, key and role."
  }
  assert {
    condition = (
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).max_attempts == 7 &&
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).min_wait_seconds == 45 &&
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).max_wait_seconds == 1800 &&
      jsondecode(aws_lambda_function.this["claim-batch"].environment[0].variables.PIPELINE_CONFIG).feature_store_concurrency == 5
    )
    error_message = "max_attempts, wait and feature_store.concurrency must reach the functions."
  }
}

run "labeling_values" {
  command = plan

  assert {
    condition = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling == {
      workteam_arn                  = "arn:aws:sagemaker:us-west-2:444455556666:workteam/private-crowd/writers"
      title                         = "Tag the review"
      description                   = "Choose every topic the review talks about."
      keywords                      = ["reviews", "topics"]
      label_attribute_name          = "topics"
      categories_s3_uri             = "s3://gt-config-output-444455556666/pipeline-config/labeling/categories.json"
      ui_template_s3_uri            = "s3://gt-config-output-444455556666/pipeline-config/labeling/worker-template.liquid.html"
      human_task_ui_arn             = null
      pre_annotation_lambda_arn     = "arn:aws:lambda:us-west-2:081040173940:function:PRE-TextMultiClassMultiLabel"
      consolidation_lambda_arn      = "arn:aws:lambda:us-west-2:081040173940:function:ACS-TextMultiClassMultiLabel"
      workers_per_object            = 3
      task_time_limit_seconds       = 900
      availability_lifetime_seconds = 172800
      max_concurrent_task_count     = 250
      max_objects_per_job           = 750
    }
    error_message = "Every labeling field must reach the functions unchanged."
  }
  assert {
    condition = alltrue([
      strcontains(aws_s3_object.worker_ui["labeling_template"].content, "<p>Pick all topics.</p>"),
      strcontains(aws_s3_object.worker_ui["labeling_template"].content, "<p>Read it all, then pick.</p>"),
      strcontains(aws_s3_object.worker_ui["labeling_template"].content, "header=\"Tag the review\""),
    ])
    error_message = "labeling.instructions and title must appear in the uploaded default template."
  }
  assert {
    condition     = [for l in jsondecode(aws_s3_object.worker_ui["labeling_categories"].content).labels : l.label] == ["price", "quality", "delivery"]
    error_message = "labeling.categories must be uploaded."
  }
}

run "verification_values" {
  command = plan

  assert {
    condition = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification == {
      workteam_arn                  = "arn:aws:sagemaker:us-west-2:444455556666:workteam/private-crowd/editors"
      title                         = "Check the topics"
      description                   = "Pass if the topics are right."
      keywords                      = ["review", "check"]
      label_attribute_name          = "topics-check"
      categories_s3_uri             = "s3://gt-config-output-444455556666/pipeline-config/verification/categories.json"
      ui_template_s3_uri            = "s3://gt-config-output-444455556666/pipeline-config/verification/worker-template.liquid.html"
      human_task_ui_arn             = null
      pre_annotation_lambda_arn     = "arn:aws:lambda:us-west-2:444455556666:function:gt-config-review-pre-annotation"
      consolidation_lambda_arn      = "arn:aws:lambda:us-west-2:444455556666:function:gt-config-review-consolidation"
      workers_per_object            = 2
      task_time_limit_seconds       = 120
      availability_lifetime_seconds = 86400
      max_concurrent_task_count     = 40
      max_objects_per_job           = 750
    }
    error_message = "Every verification field must reach the functions unchanged."
  }
  assert {
    condition     = strcontains(aws_s3_object.worker_ui["verification_template"].content, "<p>Pass or fail.</p>") && strcontains(aws_s3_object.worker_ui["verification_template"].content, "<p>Fail anything wrong.</p>")
    error_message = "verification.instructions must appear in the uploaded review template."
  }
}

run "verification_defaults_derive_from_labeling" {
  command = plan
  variables {
    verification = {
      workteam_arn = "arn:aws:sagemaker:us-west-2:444455556666:workteam/private-crowd/editors"
    }
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.title == "Review: Tag the review"
    error_message = "The review title defaults to a review wording of the labeling title."
  }
  assert {
    condition     = length(jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.keywords) >= 1
    error_message = "The review job always has keywords."
  }
}

run "without_verification" {
  command = plan
  variables {
    verification = null
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification == null
    error_message = "verification is null in PIPELINE_CONFIG when not configured."
  }
  assert {
    condition     = !contains(keys(aws_s3_object.worker_ui), "verification_template") && !contains(keys(aws_s3_object.worker_ui), "verification_categories")
    error_message = "No review files without verification."
  }
}

run "inputs_outside_pipeline_config" {
  command = plan

  # schedule
  assert {
    condition = (
      aws_scheduler_schedule.this.schedule_expression == "rate(5 minutes)" &&
      aws_scheduler_schedule.this.schedule_expression_timezone == "Europe/Berlin" &&
      aws_scheduler_schedule.this.state == "DISABLED"
    )
    error_message = "schedule.expression, timezone and enabled must configure the schedule."
  }
  # upload_filter
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.uploads.event_pattern).detail.object.key == [
      { wildcard = "reviews/*.txt" }, { wildcard = "reviews/*.jsonl" },
    ]
    error_message = "upload_filter prefix and suffixes must filter the upload events."
  }
  # feature_store.enable_online_store
  assert {
    condition     = aws_sagemaker_feature_group.this.online_store_config[0].enable_online_store && aws_sagemaker_feature_group.this.online_store_config[0].security_config[0].kms_key_id == aws_kms_key.this[0].arn
    error_message = "The online store must be on and encrypted with the module's key."
  }
  # alarm
  assert {
    condition     = toset([for s in aws_sns_topic_subscription.alarm_emails : s.endpoint]) == toset(["ops@example.com", "oncall@example.com"]) && alltrue([for s in aws_sns_topic_subscription.alarm_emails : s.protocol == "email"])
    error_message = "alarm.email_addresses must be subscribed to the alarm topic."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["oldest-upload"].threshold == 7200
    error_message = "alarm.oldest_message_age_seconds must be the oldest-upload threshold."
  }
  # log retention and level
  assert {
    condition     = alltrue([for g in aws_cloudwatch_log_group.lambda : g.retention_in_days == 30]) && aws_cloudwatch_log_group.state_machine.retention_in_days == 30
    error_message = "log_retention_in_days must apply to every log group."
  }
  # powertools_layer_arn
  assert {
    condition     = length(aws_lambda_layer_version.powertools) == 0 && alltrue([for f in aws_lambda_function.this : f.layers == tolist(["arn:aws:lambda:us-west-2:444455556666:layer:powertools:7"])])
    error_message = "A given Powertools layer replaces the module's own."
  }
  # ssm_prefix
  assert {
    condition     = toset([for p in aws_ssm_parameter.this : p.name]) == toset([for k in ["upload-bucket-name", "output-bucket-name", "feature-group-name", "state-machine-arn", "upload-queue-url", "dashboard-url"] : "/private-labeling/dev/pipeline/${k}"])
    error_message = "ssm_prefix must prefix the six parameters."
  }
  # dashboard.period_seconds
  assert {
    condition     = alltrue([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w.properties.period == 3600 if w.type == "metric"])
    error_message = "dashboard.period_seconds must be the period of every graph of the dashboard."
  }
  # access_logging
  assert {
    condition     = length(aws_s3_bucket.access_logs) == 0 && alltrue([for l in aws_s3_bucket_logging.this : l.target_bucket == "central-access-logs"])
    error_message = "access_logging.target_bucket must receive the logs, and no log bucket is created."
  }
  # noncurrent_version_expiration_days
  assert {
    condition     = alltrue([for l in aws_s3_bucket_lifecycle_configuration.this : l.rule[0].noncurrent_version_expiration[0].noncurrent_days == 45])
    error_message = "noncurrent_version_expiration_days must configure the lifecycle rules."
  }
  # deletion_protection, force_destroy
  assert {
    condition     = aws_dynamodb_table.ledger.deletion_protection_enabled == false && alltrue([for b in aws_s3_bucket.this : b.force_destroy])
    error_message = "deletion_protection and force_destroy must reach the table and the buckets."
  }
  # iam_permissions_boundary_arn
  assert {
    condition = alltrue(concat(
      [for r in aws_iam_role.lambda : r.permissions_boundary == "arn:aws:iam::444455556666:policy/boundary"],
      [for r in [aws_iam_role.sagemaker, aws_iam_role.feature_store, aws_iam_role.state_machine, aws_iam_role.scheduler] : r.permissions_boundary == "arn:aws:iam::444455556666:policy/boundary"],
    ))
    error_message = "The permissions boundary must be attached to every role."
  }
  # tags
  assert {
    condition     = aws_sqs_queue.upload.tags["team"] == "ml-platform" && aws_sfn_state_machine.this.tags["team"] == "ml-platform" && aws_s3_bucket.this["upload"].tags["team"] == "ml-platform"
    error_message = "tags must reach the resources."
  }
}

run "own_key_and_topic" {
  command = plan
  variables {
    kms   = { key_arn = "arn:aws:kms:us-west-2:444455556666:key/11111111-2222-3333-4444-555555555555" }
    alarm = { sns_topic_arn = "arn:aws:sns:us-west-2:444455556666:platform-alarms" }
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && length(aws_sns_topic.alarms) == 0
    error_message = "With a given key and topic the module creates neither."
  }
  assert {
    condition = alltrue(concat(
      [for c in aws_s3_bucket_server_side_encryption_configuration.this : one(c.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == "arn:aws:kms:us-west-2:444455556666:key/11111111-2222-3333-4444-555555555555"],
      [for f in aws_lambda_function.this : f.kms_key_arn == "arn:aws:kms:us-west-2:444455556666:key/11111111-2222-3333-4444-555555555555"],
      [aws_sqs_queue.upload.kms_master_key_id == "arn:aws:kms:us-west-2:444455556666:key/11111111-2222-3333-4444-555555555555"],
      [aws_dynamodb_table.ledger.server_side_encryption[0].kms_key_arn == "arn:aws:kms:us-west-2:444455556666:key/11111111-2222-3333-4444-555555555555"],
      [aws_sfn_state_machine.this.encryption_configuration[0].kms_key_id == "arn:aws:kms:us-west-2:444455556666:key/11111111-2222-3333-4444-555555555555"],
    ))
    error_message = "The given key must encrypt buckets, functions, queues, the ledger and the state machine."
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.alarm_actions == toset(["arn:aws:sns:us-west-2:444455556666:platform-alarms"])])
    error_message = "Alarms must go to the given topic."
  }
}
