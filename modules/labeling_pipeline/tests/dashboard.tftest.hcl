# The pipeline's CloudWatch dashboard: on by default, it graphs this pipeline's own queues, state machine and
# the metrics its functions emit (names read from the handlers' source); off, nothing is created and the URL
# output is null.

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { region = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  # Computed ARNs the provider validates as ARNs (random mock strings would not pass).
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000001", key_id = "0a1b2c3d-0000-4000-8000-000000000001" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/mock-role" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:111122223333:mock-queue", url = "https://sqs.eu-west-1.amazonaws.com/111122223333/mock-queue" }
  }
  mock_resource "aws_lambda_layer_version" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:111122223333:layer:mock-powertools:1" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:eu-west-1:111122223333:stateMachine:gt-dash" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:111122223333:mock-topic" }
  }
}

override_resource {
  target = aws_cloudwatch_log_group.state_machine
  values = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vendedlogs/states/mock" }
}

variables {
  name               = "gt-dash"
  task_type          = "image_single_label_classification"
  lambda_package_dir = "tests/fixtures/lambda"
  labeling = {
    workteam_arn = "arn:aws:sagemaker:eu-west-1:111122223333:workteam/private-crowd/labelers"
    title        = "What fruit is this?"
    description  = "Pick the fruit shown."
    categories   = ["apple", "pear"]
  }
}

run "dashboard_graphs_this_pipelines_resources_and_metrics" {
  # apply, not plan: Terraform's mock provider leaves computed attributes unknown in a plan.
  command = apply

  assert {
    condition     = length(aws_cloudwatch_dashboard.this) == 1 && aws_cloudwatch_dashboard.this[0].dashboard_name == "gt-dash" && output.dashboard_name == "gt-dash"
    error_message = "The dashboard is on by default and named after the pipeline."
  }
  assert {
    condition = toset([
      for m in flatten([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [for m in w.properties.metrics : { namespace = m[0], name = m[1], dimension = m[2], value = m[3] }] if w.type == "metric"]) :
      "${m.dimension}=${m.value}" if m.namespace == "AWS/SQS"
    ]) == toset(["QueueName=gt-dash-uploads", "QueueName=gt-dash-dead-letter"])
    error_message = "The SQS graphs must name the pipeline's upload and dead-letter queues by QueueName."
  }
  assert {
    condition = toset([
      for m in flatten([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [for m in w.properties.metrics : { namespace = m[0], name = m[1], dimension = m[2], value = m[3] }] if w.type == "metric"]) :
      m.name if m.namespace == "AWS/SQS"
    ]) == toset(["ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible", "ApproximateAgeOfOldestMessage"])
    error_message = "Queue depth, in flight and oldest age are the SQS metrics shown."
  }
  assert {
    condition = toset([
      for m in flatten([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [for m in w.properties.metrics : { namespace = m[0], name = m[1], dimension = m[2], value = m[3] }] if w.type == "metric"]) :
      "${m.name}:${m.dimension}=${m.value}" if m.namespace == "AWS/States"
      ]) == toset([for metric in ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted", "ExecutionTime"] :
      "${metric}:StateMachineArn=${aws_sfn_state_machine.this.arn}"
    ])
    error_message = "The run graphs must show every execution outcome and the duration of the pipeline's state machine."
  }
  # The functions' own metrics: the names every add_metric call of the handlers emits, under the namespace
  # and service the functions get, so the graphs cannot drift from what is published.
  assert {
    condition = toset([
      for m in flatten([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [for m in w.properties.metrics : { namespace = m[0], name = m[1], dimension = m[2], value = m[3] }] if w.type == "metric"]) :
      m.name if m.namespace == aws_lambda_function.this["claim-batch"].environment[0].variables.POWERTOOLS_METRICS_NAMESPACE && m.dimension == "service" && m.value == aws_lambda_function.this["claim-batch"].environment[0].variables.POWERTOOLS_SERVICE_NAME
    ]) == toset(flatten(regexall("add_metric\\(name=\"([A-Za-z]+)\"", file("${path.module}/../../lambda/labeling_pipeline/handlers.py"))))
    error_message = "The item graphs must show every metric the handlers emit, with the functions' namespace and service."
  }
  assert {
    condition     = aws_lambda_function.this["claim-batch"].environment[0].variables.POWERTOOLS_SERVICE_NAME == "gt-dash"
    error_message = "The functions' metrics carry the pipeline's name, so two pipelines in one region stay apart."
  }
  assert {
    condition = one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w.properties.alarms if w.type == "alarm"]) == [
      for alarm in aws_cloudwatch_metric_alarm.this : alarm.arn
    ]
    error_message = "The alarm widget must show every alarm of the pipeline."
  }
  assert {
    condition     = alltrue([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w.properties.region == "eu-west-1" && w.properties.period == 300 if w.type == "metric"])
    error_message = "Every graph reads the pipeline's region, with a 5-minute period by default."
  }
  assert {
    condition     = output.dashboard_url == "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/gt-dash"
    error_message = "dashboard_url must open the dashboard in the pipeline's region."
  }
  assert {
    condition     = aws_ssm_parameter.this["dashboard-url"].name == "/gt-dash/pipeline/dashboard-url" && aws_ssm_parameter.this["dashboard-url"].value == output.dashboard_url
    error_message = "The dashboard URL is published in SSM beside the other parameters."
  }
}

run "dashboard_off" {
  command = apply
  variables {
    dashboard = { enabled = false }
  }

  assert {
    condition     = length(aws_cloudwatch_dashboard.this) == 0
    error_message = "dashboard.enabled = false creates no dashboard."
  }
  assert {
    condition     = output.dashboard_url == null && output.dashboard_name == null
    error_message = "Without a dashboard its name and URL outputs are null."
  }
  assert {
    condition     = !contains(keys(aws_ssm_parameter.this), "dashboard-url") && length(aws_ssm_parameter.this) == 5
    error_message = "Without a dashboard no dashboard-url parameter is published; the other five stay."
  }
}

run "period_must_be_a_multiple_of_60" {
  command = plan
  variables {
    dashboard = { period_seconds = 90 }
  }
  expect_failures = [var.dashboard]
}

run "period_below_a_minute" {
  command = plan
  variables {
    dashboard = { period_seconds = 0 }
  }
  expect_failures = [var.dashboard]
}
