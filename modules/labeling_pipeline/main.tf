data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {
  lifecycle {
    postcondition {
      condition     = contains(keys(local.ground_truth_function_accounts), self.region)
      error_message = "Region ${self.region} has no Ground Truth pre-annotation and consolidation functions for built-in task types. Supported regions: ${join(", ", sort(keys(local.ground_truth_function_accounts)))}."
    }
  }
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  # An unknown task_type fails a precondition of terraform_data.input_checks (validation.tf), which names
  # the task types; until then the first one stands in, so that no lookup fails first with a vaguer error.
  task_type_known = contains(keys(local.task_types), var.task_type)
  task_type       = local.task_type_known ? var.task_type : keys(local.task_types)[0]
  task            = local.task_types[local.task_type]

  # Names derived from var.name. Bucket names carry the account id because S3 names are global.
  bucket_names = {
    upload        = "${var.name}-upload-${local.account_id}"
    output        = "${var.name}-output-${local.account_id}"
    feature_store = "${var.name}-features-${local.account_id}"
  }
  access_log_bucket_name = "${var.name}-access-logs-${local.account_id}"
  state_machine_name     = var.name
  feature_group_name     = "${var.name}-labels"
  ledger_table_name      = "${var.name}-ledger"
  ssm_prefix             = coalesce(var.ssm_prefix, "/${var.name}/pipeline")

  # Known before the state machine exists, so IAM policies and the key policy can name it without a cycle.
  state_machine_arn                   = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${local.state_machine_name}"
  state_machine_execution_arn_pattern = "arn:${local.partition}:states:${local.region}:${local.account_id}:execution:${local.state_machine_name}:*"

  # Labeling jobs are created by the start-job function with names starting with "<name>-" (IAM scope).
  labeling_job_arn_pattern = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:labeling-job/${var.name}-*"

  create_kms_key = var.kms.key_arn == null
  kms_key_arn    = local.create_kms_key ? aws_kms_key.this[0].arn : var.kms.key_arn

  # Ground Truth's functions for this region; an unsupported region fails the postcondition of
  # data.aws_region.current above instead of producing an invalid ARN.
  ground_truth_account   = lookup(local.ground_truth_function_accounts, local.region, "000000000000")
  ground_truth_functions = "arn:${local.partition}:lambda:${local.region}:${local.ground_truth_account}:function"

  pre_annotation_lambda_arn = "${local.ground_truth_functions}:PRE-${local.task.ground_truth_name}"
  consolidation_lambda_arn  = "${local.ground_truth_functions}:ACS-${local.task.ground_truth_name}"
  verification_enabled      = var.verification != null
  # The review of a type without built-in verification is a custom task with the module's own functions.
  custom_review = local.verification_enabled && !local.task.builtin_verification
  verification_pre_annotation_lambda_arn = (
    local.task.builtin_verification ? "${local.ground_truth_functions}:PRE-${local.task.verification_name}" :
    lookup(local.function_arns, "review-pre-annotation", null)
  )
  verification_consolidation_lambda_arn = (
    local.task.builtin_verification ? "${local.ground_truth_functions}:ACS-${local.task.verification_name}" :
    lookup(local.function_arns, "review-consolidation", null)
  )

  label_attribute_name = "${var.labeling.label_attribute_name}${local.task.label_suffix}"
  # No suffix for verification: VerificationSemanticSegmentation is AWS's one exception to the "-ref" rule.
  verification_attribute_name = local.verification_enabled ? var.verification.label_attribute_name : null

  labeling_keywords = length(var.labeling.keywords) > 0 ? var.labeling.keywords : local.task.default_keywords
  verification_keywords = local.verification_enabled ? (
    length(var.verification.keywords) > 0 ? var.verification.keywords : concat(slice(local.task.default_keywords, 0, min(length(local.task.default_keywords), 4)), ["verification"])
  ) : []
  verification_title       = local.verification_enabled ? coalesce(var.verification.title, substr("Review: ${var.labeling.title}", 0, 128)) : null
  verification_description = local.verification_enabled ? coalesce(var.verification.description, substr("Check the proposed label and choose pass if it is correct, fail otherwise. ${var.labeling.description}", 0, 255)) : null

  # How long a job can stay open, per stage. Ground Truth sends a batch job's objects to the workers in sets
  # of MaxConcurrentTaskCount, the next set once the workers are done with one (SageMaker Developer Guide,
  # "Control the flow of data objects sent to workers",
  # https://docs.aws.amazon.com/sagemaker/latest/dg/sms-batching.html), and each set can take its tasks'
  # availability (TaskAvailabilityLifetimeInSeconds, "the length of time that a task remains available")
  # plus one worker's task time on a task accepted at the last moment. A job of
  # ceil(max_objects_per_job / max_concurrent_task_count) sets can therefore stay open that many windows,
  # until AWS fails it: "Labeling jobs fail after 30 days with an appropriate client error message" (API
  # reference, LabelingJobStoppingConditions,
  # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_LabelingJobStoppingConditions.html).
  # A review job reviews at most what one labeling job labeled. The wait loop's poll budget uses the same
  # bound (lambda/labeling_pipeline/jobs.py, job_horizon_seconds).
  max_job_seconds = local.limits.ground_truth.max_job_seconds
  # Unset: the most one job of the task type takes (task_types.tf), so a backlog reaches the workers in one
  # run; Ground Truth still offers it in sets of max_concurrent_task_count.
  max_objects_per_job = coalesce(var.labeling.max_objects_per_job, local.task.max_objects_per_job)
  job_horizon_seconds = {
    labeling = min(
      ceil(local.max_objects_per_job / var.labeling.max_concurrent_task_count) * (var.labeling.availability_lifetime_seconds + var.labeling.task_time_limit_seconds),
      local.max_job_seconds,
    )
    verification = local.verification_enabled ? min(
      ceil(local.max_objects_per_job / var.verification.max_concurrent_task_count) * (var.verification.availability_lifetime_seconds + var.verification.task_time_limit_seconds),
      local.max_job_seconds,
    ) : 0
  }

  # An execution must outlive its jobs: if it timed out while a job runs, the job's labels would never be
  # read (the next run's sweep stops such a job before it returns its items). So the timeout is both jobs'
  # horizons plus two days for the Lambda steps, the last (longest) wait and retries: at most 62 days,
  # well below the 1-year maximum of a standard workflow execution (Step Functions Developer Guide,
  # "Step Functions service quotas", https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
  state_machine_timeout_seconds = local.job_horizon_seconds.labeling + local.job_horizon_seconds.verification + 172800

  # Every configured field reaches the functions through this one object (PIPELINE_CONFIG); the tests
  # check that nothing accepted by the inputs is left out.
  pipeline_config = {
    name                      = var.name
    task_type                 = var.task_type
    upload_bucket             = aws_s3_bucket.this["upload"].bucket
    upload_queue_url          = aws_sqs_queue.upload.url
    dead_letter_queue_url     = aws_sqs_queue.dead_letter.url
    output_bucket             = aws_s3_bucket.this["output"].bucket
    ledger_table              = aws_dynamodb_table.ledger.name
    feature_group_name        = aws_sagemaker_feature_group.this.feature_group_name
    kms_key_arn               = local.kms_key_arn
    sagemaker_role_arn        = aws_iam_role.sagemaker.arn
    max_attempts              = var.max_attempts
    min_wait_seconds          = var.wait.min_seconds
    max_wait_seconds          = var.wait.max_seconds
    feature_store_concurrency = var.feature_store.concurrency
    labeling = {
      workteam_arn                  = var.labeling.workteam_arn
      title                         = var.labeling.title
      description                   = var.labeling.description
      keywords                      = local.labeling_keywords
      label_attribute_name          = local.label_attribute_name
      categories_s3_uri             = local.labeling_categories_s3_uri
      ui_template_s3_uri            = local.labeling_ui_template_s3_uri
      human_task_ui_arn             = local.labeling_human_task_ui_arn
      pre_annotation_lambda_arn     = local.pre_annotation_lambda_arn
      consolidation_lambda_arn      = local.consolidation_lambda_arn
      workers_per_object            = var.labeling.workers_per_object
      task_time_limit_seconds       = var.labeling.task_time_limit_seconds
      availability_lifetime_seconds = var.labeling.availability_lifetime_seconds
      max_concurrent_task_count     = var.labeling.max_concurrent_task_count
      max_objects_per_job           = local.max_objects_per_job
    }
    verification = local.verification_enabled ? {
      workteam_arn                  = var.verification.workteam_arn
      title                         = local.verification_title
      description                   = local.verification_description
      keywords                      = local.verification_keywords
      label_attribute_name          = local.verification_attribute_name
      categories_s3_uri             = local.verification_categories_s3_uri
      ui_template_s3_uri            = local.verification_ui_template_s3_uri
      human_task_ui_arn             = null
      pre_annotation_lambda_arn     = local.verification_pre_annotation_lambda_arn
      consolidation_lambda_arn      = local.verification_consolidation_lambda_arn
      workers_per_object            = var.verification.workers_per_object
      task_time_limit_seconds       = var.verification.task_time_limit_seconds
      availability_lifetime_seconds = var.verification.availability_lifetime_seconds
      max_concurrent_task_count     = var.verification.max_concurrent_task_count
      # A verification job reviews what one labeling job produced.
      max_objects_per_job = local.max_objects_per_job
    } : null
  }
}
