# The bootstrap closes the loop Terraform alone cannot: the app client needs the portal's URL,
# which exists only once the workforce (which needs the app client) has been created. It runs on
# create, again whenever its input changes (new client, pool, workforce subdomain, extra URLs,
# invitation text, code), and does nothing on delete.

locals {
  bootstrap_name           = "${var.name}-workforce-bootstrap"
  bootstrap_log_group_name = "/aws/lambda/${local.bootstrap_name}"
  # Checked by the preconditions below, so a missing package is reported plainly.
  bootstrap_package        = "${coalesce(var.lambda_package_dir, ".")}/workforce_bootstrap.zip"
  powertools_layer_package = "${coalesce(var.lambda_package_dir, ".")}/powertools-layer.zip"
  bootstrap_package_found  = var.lambda_package_dir != null && fileexists(local.bootstrap_package)
  layer_package_found      = var.lambda_package_dir != null && fileexists(local.powertools_layer_package)
  package_message          = "identity = \"cognito\" needs lambda_package_dir: a directory holding workforce_bootstrap.zip and (unless powertools_layer_arn is set) powertools-layer.zip; `make package` writes them to build/lambda. Looked in: ${coalesce(var.lambda_package_dir, "(lambda_package_dir not set)")}."
  create_powertools_layer  = local.cognito && var.powertools_layer_arn == null
  powertools_layer_arn     = local.create_powertools_layer ? aws_lambda_layer_version.powertools[0].arn : var.powertools_layer_arn
}

resource "aws_cloudwatch_log_group" "bootstrap" {
  count = local.cognito ? 1 : 0

  name              = local.bootstrap_log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "bootstrap_assume" {
  count = local.cognito ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    # The trust policy AWS documents for a Lambda execution role has no condition (AWS Lambda Developer Guide,
    # "Defining Lambda function permissions with an execution role"); passing the role to Lambda needs
    # iam:PassRole, which cannot cross accounts.
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "bootstrap" {
  count = local.cognito ? 1 : 0

  name               = local.bootstrap_name
  description        = "Points the ${var.name} workforce app client and invitation at the labeling portal"
  assume_role_policy = data.aws_iam_policy_document.bootstrap_assume[0].json
  tags               = var.tags
}

data "aws_iam_policy_document" "bootstrap" {
  count = local.cognito ? 1 : 0

  statement {
    sid = "ReadAndRewriteThisPoolAndItsClient"
    actions = [
      "cognito-idp:DescribeUserPool",
      "cognito-idp:UpdateUserPool",
      "cognito-idp:DescribeUserPoolClient",
      "cognito-idp:UpdateUserPoolClient",
    ]
    resources = [aws_cognito_user_pool.this[0].arn]
  }

  statement {
    sid       = "ReadThisWorkforce"
    actions   = ["sagemaker:DescribeWorkforce"]
    resources = [aws_sagemaker_workforce.this.arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.bootstrap[0].arn}:*"]
  }

  #checkov:skip=CKV_AWS_356:X-Ray trace submission has no resource-level permissions; "*" is the only valid resource.
  statement {
    sid       = "SendTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  statement {
    sid       = "DecryptOwnEnvironment"
    actions   = ["kms:Decrypt"]
    resources = [local.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "bootstrap" {
  count = local.cognito ? 1 : 0

  name   = "bootstrap"
  role   = aws_iam_role.bootstrap[0].id
  policy = data.aws_iam_policy_document.bootstrap[0].json
}

resource "aws_lambda_layer_version" "powertools" {
  count = local.create_powertools_layer ? 1 : 0

  layer_name               = "${var.name}-workforce-powertools"
  description              = "AWS Lambda Powertools for Python"
  filename                 = local.powertools_layer_package
  source_code_hash         = local.layer_package_found ? filebase64sha256(local.powertools_layer_package) : null
  compatible_runtimes      = ["python3.13"]
  compatible_architectures = ["x86_64"]

  lifecycle {
    precondition {
      condition     = local.layer_package_found
      error_message = local.package_message
    }
  }
}

resource "aws_lambda_function" "bootstrap" {
  count = local.cognito ? 1 : 0

  #checkov:skip=CKV_AWS_117:Calls only public AWS APIs (Cognito, SageMaker) and is invoked by Terraform; a VPC adds cost and no protection.
  #checkov:skip=CKV_AWS_116:Invoked synchronously by Terraform, which reports any failure; a dead-letter queue would never receive anything.
  #checkov:skip=CKV_AWS_115:Runs once per apply; reserving concurrency would only take capacity from the account.
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile the project does not have; the package is built and hashed by the same pipeline that deploys it.
  function_name    = local.bootstrap_name
  description      = "Points the ${var.name} workforce app client and invitation email at the labeling portal"
  role             = aws_iam_role.bootstrap[0].arn
  handler          = "workforce_bootstrap.handlers.handler"
  runtime          = "python3.13"
  filename         = local.bootstrap_package
  source_code_hash = local.bootstrap_package_found ? filebase64sha256(local.bootstrap_package) : null
  layers           = [local.powertools_layer_arn]
  timeout          = 300
  memory_size      = 256
  kms_key_arn      = local.kms_key_arn

  environment {
    variables = {
      POWERTOOLS_SERVICE_NAME = "workforce-bootstrap"
      LOG_LEVEL               = "INFO"
    }
  }

  tracing_config {
    mode = "Active"
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.bootstrap_package_found
      error_message = local.package_message
    }
  }

  depends_on = [aws_cloudwatch_log_group.bootstrap, aws_iam_role_policy.bootstrap]
}

resource "aws_lambda_invocation" "bootstrap" {
  count = local.cognito ? 1 : 0

  function_name   = aws_lambda_function.bootstrap[0].function_name
  lifecycle_scope = "CRUD"

  input = jsonencode({
    workforce_name      = aws_sagemaker_workforce.this.workforce_name
    user_pool_id        = aws_cognito_user_pool.this[0].id
    client_id           = aws_cognito_user_pool_client.this[0].id
    extra_callback_urls = var.app_client.extra_callback_urls
    extra_logout_urls   = var.app_client.extra_logout_urls
    invitation          = local.invitation
  })

  # A replaced workforce has a new subdomain; new code may write differently: run again.
  triggers = {
    workforce_subdomain = aws_sagemaker_workforce.this.subdomain
    code                = aws_lambda_function.bootstrap[0].source_code_hash
  }

  depends_on = [aws_iam_role_policy.bootstrap]
}
