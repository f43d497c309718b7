# One role per Lambda function with only what its step needs (the contract's table), plus the roles of the
# services: SageMaker (labeling jobs), Feature Store (offline store), Step Functions and EventBridge Scheduler.

locals {
  upload_bucket_arn        = aws_s3_bucket.this["upload"].arn
  output_bucket_arn        = aws_s3_bucket.this["output"].arn
  feature_store_bucket_arn = aws_s3_bucket.this["feature_store"].arn
  feature_group_arn        = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:feature-group/${local.feature_group_name}"

  kms_use = {
    Sid      = "UseModuleKey"
    Effect   = "Allow"
    Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
    Resource = local.kms_key_arn
  }
  # The functions tell "no such file" (an expected case) from an error by S3's NoSuchKey, which S3 only
  # returns to callers allowed to list the bucket (403 otherwise).
  list_output_bucket = {
    Sid      = "DistinguishMissingJobFiles"
    Effect   = "Allow"
    Action   = "s3:ListBucket"
    Resource = local.output_bucket_arn
  }
  read_output_objects = {
    Sid      = "ReadJobFiles"
    Effect   = "Allow"
    Action   = "s3:GetObject"
    Resource = "${local.output_bucket_arn}/*"
  }
  ledger_read_update = {
    Sid      = "UpdateLedger"
    Effect   = "Allow"
    Action   = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"]
    Resource = aws_dynamodb_table.ledger.arn
  }

  # Statements per function, on this module's resources only, matching the calls each handler makes.
  lambda_statements = {
    "claim-batch" = [
      {
        Sid      = "ConsumeUploadQueue"
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
        Resource = aws_sqs_queue.upload.arn
      },
      {
        # Dead-letter queue: unusable messages. Upload queue: the rest of a text file that did not fit in
        # the current job, as a continuation message.
        Sid      = "SendToQueues"
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = [aws_sqs_queue.dead_letter.arn, aws_sqs_queue.upload.arn]
      },
      {
        Sid      = "ClaimItemsInLedger"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"]
        Resource = aws_dynamodb_table.ledger.arn
      },
      {
        Sid      = "ReadUploads"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjectVersion"]
        Resource = "${local.upload_bucket_arn}/*"
      },
      {
        # An object deleted since its upload must read as NoSuchKey (a reason for the DLQ), not 403.
        Sid      = "DistinguishDeletedUploads"
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = local.upload_bucket_arn
      },
      {
        Sid      = "WriteManifests"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:AbortMultipartUpload"]
        Resource = "${local.output_bucket_arn}/*"
      },
      local.kms_use,
    ]
    "start-job" = [
      {
        Sid      = "CreateLabelingJobs"
        Effect   = "Allow"
        Action   = ["sagemaker:CreateLabelingJob", "sagemaker:AddTags"]
        Resource = local.labeling_job_arn_pattern
      },
      {
        Sid      = "PassLabelingRole"
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = aws_iam_role.sagemaker.arn
        Condition = {
          StringEquals = { "iam:PassedToService" = "sagemaker.amazonaws.com" }
        }
      },
      {
        Sid      = "ReadBatch"
        Effect   = "Allow"
        Action   = "dynamodb:GetItem"
        Resource = aws_dynamodb_table.ledger.arn
      },
      # The job's output is encrypted with the module's key (OutputConfig.KmsKeyId).
      local.kms_use,
    ]
    "check-job" = [
      {
        Sid      = "DescribeLabelingJobs"
        Effect   = "Allow"
        Action   = "sagemaker:DescribeLabelingJob"
        Resource = local.labeling_job_arn_pattern
      },
    ]
    "collect-results" = [
      {
        Sid      = "ReadAndWriteJobFiles"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
        Resource = "${local.output_bucket_arn}/*"
      },
      local.list_output_bucket,
      local.kms_use,
    ]
    "write-features" = [
      {
        Sid      = "PutFeatureRecords"
        Effect   = "Allow"
        Action   = "sagemaker:PutRecord"
        Resource = local.feature_group_arn
      },
      local.ledger_read_update,
      local.read_output_objects,
      local.list_output_bucket,
      local.kms_use,
    ]
    # Called by Ground Truth: the pre-annotation function needs nothing beyond its logs; the consolidation
    # function reads the workers' answers, which the job writes to the output bucket with the module's key.
    "review-pre-annotation" = []
    "review-consolidation" = [
      local.read_output_objects,
      local.list_output_bucket,
      local.kms_use,
    ]
    "return-items" = [
      {
        Sid      = "RequeueOrBury"
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = [aws_sqs_queue.upload.arn, aws_sqs_queue.dead_letter.arn]
      },
      local.ledger_read_update,
      {
        # The sweep at the start of every run returns the items of executions that timed out or were
        # stopped (no Catch runs for those).
        Sid      = "FindAbandonedExecutions"
        Effect   = "Allow"
        Action   = "states:DescribeExecution"
        Resource = local.state_machine_execution_arn_pattern
      },
      {
        # No item goes back while a job of its batch still runs: return-items looks at the batch's jobs
        # and stops one that outlived its execution (jobs.stop_batch_jobs).
        Sid      = "StopJobsOfEndedBatches"
        Effect   = "Allow"
        Action   = ["sagemaker:DescribeLabelingJob", "sagemaker:StopLabelingJob"]
        Resource = local.labeling_job_arn_pattern
      },
      local.read_output_objects,
      local.list_output_bucket,
      local.kms_use,
    ]
  }

  # Every function reads its own (KMS-encrypted) environment, writes to its own log group and sends
  # X-Ray traces.
  lambda_common_statements = {
    for key, name in local.function_names : key => [
      {
        Sid       = "DecryptOwnEnvironment"
        Effect    = "Allow"
        Action    = "kms:Decrypt"
        Resource  = local.kms_key_arn
        Condition = { StringEquals = { "kms:EncryptionContext:aws:lambda:FunctionArn" = local.function_arns[key] } }
      },
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.lambda[key].arn}:*"
      },
      {
        # X-Ray's write actions have no resource-level permissions.
        Sid      = "SendTraces"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
        Resource = "*"
      },
    ]
  }

  # Each trust policy takes the form its service documents: a condition on a key the service does not send
  # would stop it from assuming the role (README, "Service principals").
  trust_conditions = {
    # AWS Lambda Developer Guide, "Defining Lambda function permissions with an execution role": the
    # documented trust policy has no condition. Passing a role to Lambda needs iam:PassRole, which cannot
    # cross accounts.
    lambda = {}
    # Amazon SageMaker AI Developer Guide, "Cross-service confused deputy prevention": Ground Truth and the
    # Feature Store are not among the features that send aws:SourceArn/aws:SourceAccount, so SageMaker
    # could not assume a role that requires them (CreateLabelingJob, CreateFeatureGroup fail). The callers
    # need iam:PassRole (start-job: only this role, only to SageMaker).
    sagemaker = {}
    # AWS Step Functions Developer Guide, "Creating an IAM role for your state machine in Step Functions"
    # (confused deputy prevention): aws:SourceAccount,
    # https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html
    states = { Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } } }
    # Amazon EventBridge Scheduler User Guide, "Set up the execution role": aws:SourceAccount,
    # https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
    scheduler = { Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } } }
  }
  assume_role = {
    for service, condition in local.trust_conditions : service => jsonencode({
      Version = "2012-10-17"
      Statement = [merge({
        Effect    = "Allow"
        Principal = { Service = "${service}.amazonaws.com" }
        Action    = "sts:AssumeRole"
      }, condition)]
    })
  }
}

# --- Lambda functions -----------------------------------------------------------------------------------
resource "aws_iam_role" "lambda" {
  for_each = local.function_names

  name                 = each.value
  description          = "Labeling pipeline ${var.name}: ${local.functions[each.key].description}"
  assume_role_policy   = local.assume_role["lambda"]
  permissions_boundary = var.iam_permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy" "lambda" {
  for_each = local.function_names

  #checkov:skip=CKV_AWS_290:The only unconstrained write actions are X-Ray's PutTraceSegments/PutTelemetryRecords, which have no resource-level permissions.
  #checkov:skip=CKV_AWS_355:Resource "*" is used only for the X-Ray actions, which support no other resource.
  name = "least-privilege"
  role = aws_iam_role.lambda[each.key].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat(local.lambda_statements[each.key], local.lambda_common_statements[each.key])
  })
}

# --- SageMaker: the role labeling jobs run with ----------------------------------------------------------
resource "aws_iam_role" "sagemaker" {
  name                 = "${var.name}-sagemaker-labeling"
  description          = "Labeling pipeline ${var.name}: Ground Truth labeling and verification jobs"
  assume_role_policy   = local.assume_role["sagemaker"]
  permissions_boundary = var.iam_permissions_boundary_arn
  tags                 = var.tags
}

locals {
  # AWS: Amazon SageMaker Developer Guide, "Add required permissions to use AWS Lambda with Ground Truth",
  # https://docs.aws.amazon.com/sagemaker/latest/dg/sms-custom-templates-step3-lambda-permissions.html: the
  # labeling job's execution role needs lambda:InvokeFunction on a custom task's pre-annotation and
  # post-annotation functions (the AmazonSageMakerGroundTruthExecution managed policy would allow only
  # functions whose names contain GtRecipe, SageMaker, Sagemaker, sagemaker or LabelingFunction, and this
  # role does not use it).
  invoke_review_functions = local.custom_review ? [{
    Sid      = "InvokeReviewFunctions"
    Effect   = "Allow"
    Action   = "lambda:InvokeFunction"
    Resource = [local.function_arns["review-pre-annotation"], local.function_arns["review-consolidation"]]
  }] : []
}

resource "aws_iam_role_policy" "sagemaker" {
  #checkov:skip=CKV_AWS_290:cloudwatch:PutMetricData has no resource-level permissions; it is constrained to the AWS/SageMaker namespace by condition.
  #checkov:skip=CKV_AWS_355:Resource "*" is used only for cloudwatch:PutMetricData (namespace-restricted by condition).
  name = "labeling-jobs"
  role = aws_iam_role.sagemaker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        # Workers' browsers load the uploaded objects through URLs presigned with this role.
        Sid      = "ReadUploads"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjectVersion"]
        Resource = "${local.upload_bucket_arn}/*"
      },
      {
        # Manifests, worker templates and category files in; annotations and output manifests out. AWS lists
        # s3:AbortMultipartUpload beside them for the output (SageMaker Developer Guide, "Create a SageMaker AI
        # Execution Role for a Ground Truth Labeling Job",
        # https://docs.aws.amazon.com/sagemaker/latest/dg/sms-security-permission-execution-role.html).
        Sid      = "ReadAndWriteJobFiles"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
        Resource = "${local.output_bucket_arn}/*"
      },
      {
        Sid      = "ListBuckets"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
        Resource = [local.upload_bucket_arn, local.output_bucket_arn]
      },
      {
        # What AWS documents for the execution role when a customer managed key encrypts the job's output
        # (SageMaker Developer Guide, "Encrypt Output Data and Storage Volume with AWS KMS",
        # https://docs.aws.amazon.com/sagemaker/latest/dg/sms-security-kms-permissions.html). AWS shows it
        # in the key policy; the module's key policy leaves the key's use to IAM (kms.tf), so it is here. A
        # key given in var.kms.key_arn must allow the same to this role.
        Sid      = "UseModuleKey"
        Effect   = "Allow"
        Action   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource = local.kms_key_arn
      },
      {
        Sid      = "LabelingJobLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = ["${local.log_group_arn_prefix}:/aws/sagemaker/LabelingJobs", "${local.log_group_arn_prefix}:/aws/sagemaker/LabelingJobs:*"]
      },
      {
        Sid       = "LabelingJobMetrics"
        Effect    = "Allow"
        Action    = "cloudwatch:PutMetricData"
        Resource  = "*"
        Condition = { StringEquals = { "cloudwatch:namespace" = "AWS/SageMaker" } }
      },
    ], local.invoke_review_functions)
  })
}

# --- Feature Store: the role that writes the offline store -----------------------------------------------
resource "aws_iam_role" "feature_store" {
  name                 = "${var.name}-feature-store"
  description          = "Labeling pipeline ${var.name}: Feature Store offline store writes"
  assume_role_policy   = local.assume_role["sagemaker"]
  permissions_boundary = var.iam_permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy" "feature_store" {
  name = "offline-store"
  role = aws_iam_role.feature_store.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WriteOfflineStore"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:GetObject", "s3:PutObjectAcl"]
        Resource = "${local.feature_store_bucket_arn}/*"
      },
      {
        Sid      = "CheckOfflineStoreBucket"
        Effect   = "Allow"
        Action   = ["s3:GetBucketAcl", "s3:ListBucket"]
        Resource = local.feature_store_bucket_arn
      },
      {
        Sid      = "UseModuleKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
        Resource = local.kms_key_arn
      },
    ]
  })
}

# --- Step Functions ----------------------------------------------------------------------------------------
resource "aws_iam_role" "state_machine" {
  name                 = "${var.name}-state-machine"
  description          = "Labeling pipeline ${var.name}: state machine"
  assume_role_policy   = local.assume_role["states"]
  permissions_boundary = var.iam_permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy" "state_machine" {
  #checkov:skip=CKV_AWS_290:CloudWatch Logs vended-delivery actions and X-Ray writes have no resource-level permissions (Step Functions logging and tracing requirements).
  #checkov:skip=CKV_AWS_355:Resource "*" is used only for the log-delivery and X-Ray actions, which support no other resource.
  name = "orchestrate"
  role = aws_iam_role.state_machine.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "InvokeStepFunctions"
        Effect   = "Allow"
        Action   = "lambda:InvokeFunction"
        Resource = concat(values(local.function_arns), [for arn in values(local.function_arns) : "${arn}:*"])
      },
      {
        Sid    = "DeliverExecutionLogs"
        Effect = "Allow"
        Action = [
          "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
          "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
        ]
        Resource = "*"
      },
      {
        Sid      = "SendTraces"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
        Resource = "*"
      },
      {
        # The state machine's definition and execution history are encrypted with the module's key.
        Sid      = "UseModuleKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = local.kms_key_arn
      },
    ]
  })
}

# --- EventBridge Scheduler -----------------------------------------------------------------------------
resource "aws_iam_role" "scheduler" {
  name                 = "${var.name}-scheduler"
  description          = "Labeling pipeline ${var.name}: starts the state machine on schedule"
  assume_role_policy   = local.assume_role["scheduler"]
  permissions_boundary = var.iam_permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  name = "start-pipeline"
  role = aws_iam_role.scheduler.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "StartPipeline"
        Effect   = "Allow"
        Action   = "states:StartExecution"
        Resource = local.state_machine_arn
      },
      {
        # The schedule and the state machine are encrypted with the module's key.
        Sid      = "UseModuleKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = local.kms_key_arn
      },
    ]
  })
}
