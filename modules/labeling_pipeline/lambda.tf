# The state machine's steps that need code: one function per step, all from the package
# lambda/labeling_pipeline (built by `make package`), each with its own role (iam.tf) and log group. With a
# review of a type that has no built-in verification, also the review task's two functions, which Ground Truth
# invokes itself.

locals {
  package_path = "${var.lambda_package_dir}/labeling_pipeline.zip"

  # AWS: Amazon SageMaker Developer Guide, "Using pre-annotation and post-annotation Lambda functions",
  # https://docs.aws.amazon.com/sagemaker/latest/dg/sms-custom-templates-step3-lambda-requirements.html: the
  # pre-annotation function runs once per data object, the consolidation function over the workers' answers.
  review_functions = {
    "review-pre-annotation" = {
      handler     = "labeling_pipeline.handlers.review_pre_annotation"
      description = "Ground Truth pre-annotation of review tasks: what the reviewer's template shows"
      timeout     = 60
      memory_size = 256
    }
    "review-consolidation" = {
      handler     = "labeling_pipeline.handlers.review_consolidation"
      description = "Ground Truth consolidation of review answers: pass or fail per item"
      timeout     = 300
      memory_size = 512
    }
  }

  functions = merge(local.custom_review ? local.review_functions : {}, {
    "claim-batch" = {
      handler     = "labeling_pipeline.handlers.claim_batch"
      description = "Moves uploads from the queue into the ledger and builds the input manifest"
      timeout     = 900
      memory_size = 1024
    }
    "start-job" = {
      handler     = "labeling_pipeline.handlers.start_job"
      description = "Creates the labeling or verification job"
      timeout     = 300
      memory_size = 512
    }
    "check-job" = {
      handler     = "labeling_pipeline.handlers.check_job"
      description = "Reports a job's status and the next wait"
      timeout     = 60
      memory_size = 256
    }
    "collect-results" = {
      handler     = "labeling_pipeline.handlers.collect_results"
      description = "Splits a job's output manifest into labeled, unlabeled and rejected items"
      timeout     = 900
      memory_size = 1024
    }
    "write-features" = {
      handler     = "labeling_pipeline.handlers.write_features"
      description = "Writes accepted labels to the Feature Group"
      timeout     = 900
      memory_size = 1024
    }
    "return-items" = {
      handler     = "labeling_pipeline.handlers.return_items"
      description = "Returns items to the queue, or to the dead-letter queue after max_attempts"
      timeout     = 900
      memory_size = 512
    }
  })

  function_names = { for key, _ in local.functions : key => "${var.name}-${key}" }
  function_arns  = { for key, name in local.function_names : key => "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${name}" }

  powertools_layer_arn = var.powertools_layer_arn != null ? var.powertools_layer_arn : aws_lambda_layer_version.powertools[0].arn

  lambda_environment = {
    PIPELINE_CONFIG = jsonencode(local.pipeline_config)
    # The service name is the one dimension Powertools gives every metric: the pipeline's name keeps the
    # metrics of two pipelines in one account and region apart (dashboard.tf reads them per pipeline).
    POWERTOOLS_SERVICE_NAME      = var.name
    POWERTOOLS_METRICS_NAMESPACE = "PrivateLabeling"
    LOG_LEVEL                    = var.log_level
  }
}

resource "aws_lambda_layer_version" "powertools" {
  count = var.powertools_layer_arn == null ? 1 : 0

  layer_name               = "${var.name}-powertools"
  description              = "aws-lambda-powertools (Logger, Metrics) for the labeling pipeline functions"
  filename                 = "${var.lambda_package_dir}/powertools-layer.zip"
  source_code_hash         = filebase64sha256("${var.lambda_package_dir}/powertools-layer.zip")
  compatible_runtimes      = ["python3.13"]
  compatible_architectures = ["x86_64"]
}

resource "aws_cloudwatch_log_group" "lambda" {
  for_each = local.function_names

  name              = "/aws/lambda/${each.value}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  for_each = local.functions

  #checkov:skip=CKV_AWS_116:Invoked synchronously only (by Step Functions, or by Ground Truth for the review functions, which retries or fails the object); an async DLQ would never receive anything.
  #checkov:skip=CKV_AWS_117:The functions call AWS APIs only (S3, SQS, DynamoDB, SageMaker); a VPC would add seven interface endpoints and protect nothing.
  #checkov:skip=CKV_AWS_115:Concurrency is bounded by the state machine (one execution per schedule tick, sequential steps) and, for the review functions, by the review job's MaxConcurrentTaskCount; a reserved limit would only add throttling failures.
  #checkov:skip=CKV_AWS_272:Code signing needs an AWS Signer profile outside this module; the package is built and hashed (source_code_hash) by the deployment pipeline.
  function_name    = local.function_names[each.key]
  description      = each.value.description
  role             = aws_iam_role.lambda[each.key].arn
  handler          = each.value.handler
  runtime          = "python3.13"
  architectures    = ["x86_64"]
  filename         = local.package_path
  source_code_hash = filebase64sha256(local.package_path)
  timeout          = each.value.timeout
  memory_size      = each.value.memory_size
  layers           = [local.powertools_layer_arn]
  kms_key_arn      = local.kms_key_arn

  environment {
    variables = local.lambda_environment
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.lambda[each.key].name
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(jsonencode(local.lambda_environment)) <= 4096
      error_message = "The functions' environment (PIPELINE_CONFIG) exceeds Lambda's 4 KB limit: shorten the labeling/verification titles, descriptions or keywords."
    }
  }

  depends_on = [aws_iam_role_policy.lambda]
}
