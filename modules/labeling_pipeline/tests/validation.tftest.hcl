# Every input is validated at plan time with a message a user understands; these runs feed bad values
# one at a time and expect exactly that input (or cross-input precondition) to fail. Plan only, mocked AWS.

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
    defaults = { arn = "arn:aws:states:us-east-1:111122223333:stateMachine:gt-test" }
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
  name               = "gt-test"
  task_type          = "image_bounding_box"
  lambda_package_dir = "tests/fixtures/lambda"
  labeling = {
    workteam_arn = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
    title        = "Draw boxes"
    description  = "Draw a box around every vehicle."
    categories   = ["car", "truck"]
  }
}

run "defaults_are_valid" {
  command = plan
}

run "unknown_task_type" {
  command = plan
  variables {
    task_type = "image_classification"
  }
  expect_failures = [terraform_data.input_checks]
}

run "name_with_uppercase" {
  command = plan
  variables {
    name = "Labeling_Pipeline"
  }
  expect_failures = [var.name]
}

run "public_workteam_arn" {
  command = plan
  variables {
    labeling = {
      workteam_arn = "arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default"
      title        = "Draw boxes"
      description  = "Draw a box around every vehicle."
      categories   = ["car"]
    }
  }
  expect_failures = [var.labeling]
}

run "workteam_arn_not_an_arn" {
  command = plan
  variables {
    labeling = {
      workteam_arn = "labelers"
      title        = "Draw boxes"
      description  = "Draw a box around every vehicle."
      categories   = ["car"]
    }
  }
  expect_failures = [var.labeling]
}

run "ten_workers_per_object" {
  command = plan
  variables {
    labeling = {
      workteam_arn       = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title              = "Draw boxes"
      description        = "Draw a box around every vehicle."
      categories         = ["car"]
      workers_per_object = 10
    }
  }
  expect_failures = [terraform_data.input_checks]
}

run "task_time_limit_over_eight_hours" {
  command = plan
  variables {
    labeling = {
      workteam_arn            = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title                   = "Draw boxes"
      description             = "Draw a box around every vehicle."
      categories              = ["car"]
      task_time_limit_seconds = 28801
    }
  }
  expect_failures = [terraform_data.input_checks]
}

run "availability_over_thirty_days" {
  command = plan
  variables {
    labeling = {
      workteam_arn                  = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title                         = "Draw boxes"
      description                   = "Draw a box around every vehicle."
      categories                    = ["car"]
      availability_lifetime_seconds = 2592001
    }
  }
  expect_failures = [terraform_data.input_checks]
}

run "task_longer_than_its_availability" {
  command = plan
  variables {
    labeling = {
      workteam_arn                  = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title                         = "Draw boxes"
      description                   = "Draw a box around every vehicle."
      categories                    = ["car"]
      task_time_limit_seconds       = 3600
      availability_lifetime_seconds = 600
    }
  }
  expect_failures = [var.labeling]
}

run "categories_given_twice" {
  command = plan
  variables {
    labeling = {
      workteam_arn      = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title             = "Draw boxes"
      description       = "Draw a box around every vehicle."
      categories        = ["car"]
      categories_s3_uri = "s3://my-bucket/categories.json"
    }
  }
  expect_failures = [var.labeling]
}

run "categories_missing" {
  command = plan
  variables {
    labeling = {
      workteam_arn = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title        = "Draw boxes"
      description  = "Draw a box around every vehicle."
    }
  }
  expect_failures = [var.labeling]
}

run "duplicate_categories" {
  command = plan
  variables {
    labeling = {
      workteam_arn = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title        = "Draw boxes"
      description  = "Draw a box around every vehicle."
      categories   = ["car", "car"]
    }
  }
  expect_failures = [var.labeling]
}

run "two_worker_templates" {
  command = plan
  variables {
    labeling = {
      workteam_arn       = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title              = "Draw boxes"
      description        = "Draw a box around every vehicle."
      categories         = ["car"]
      ui_template        = "<crowd-form></crowd-form>"
      ui_template_s3_uri = "s3://my-bucket/template.liquid.html"
    }
  }
  expect_failures = [var.labeling]
}

run "too_many_keywords" {
  command = plan
  variables {
    labeling = {
      workteam_arn = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title        = "Draw boxes"
      description  = "Draw a box around every vehicle."
      categories   = ["car"]
      keywords     = ["a", "b", "c", "d", "e", "f"]
    }
  }
  expect_failures = [var.labeling]
}

run "title_too_long" {
  command = plan
  variables {
    labeling = {
      workteam_arn = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title        = join("", [for i in range(129) : "x"])
      description  = "Draw a box around every vehicle."
      categories   = ["car"]
    }
  }
  expect_failures = [var.labeling]
}

run "label_attribute_with_ref_suffix" {
  command = plan
  variables {
    labeling = {
      workteam_arn         = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title                = "Draw boxes"
      description          = "Draw a box around every vehicle."
      categories           = ["car"]
      label_attribute_name = "boxes-ref"
    }
  }
  expect_failures = [var.labeling]
}

run "semantic_segmentation_over_20000_objects" {
  command = plan
  variables {
    task_type = "image_semantic_segmentation"
    labeling = {
      workteam_arn        = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title               = "Paint vehicles"
      description         = "Paint every vehicle."
      categories          = ["car"]
      max_objects_per_job = 20001
    }
  }
  expect_failures = [terraform_data.input_checks]
}

run "semantic_segmentation_at_20000_objects" {
  # apply, not plan: Terraform's mock provider leaves computed attributes (ids, ARNs, and so the
  # Lambda environment built from them) unknown in a plan; after this apply the file's later plan
  # runs read them from the mocked state. OpenTofu's mocks know them in a plan already.
  command = apply
  variables {
    task_type = "image_semantic_segmentation"
    labeling = {
      workteam_arn        = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title               = "Paint vehicles"
      description         = "Paint every vehicle."
      categories          = ["car"]
      max_objects_per_job = 20000
    }
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.max_objects_per_job == 20000
    error_message = "20000 objects is the semantic segmentation limit and must be accepted."
  }
}

run "semantic_segmentation_default_job_size_is_its_limit" {
  command = plan
  variables {
    task_type = "image_semantic_segmentation"
    labeling = {
      workteam_arn = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title        = "Paint vehicles"
      description  = "Paint every vehicle."
      categories   = ["car"]
    }
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.max_objects_per_job == 20000
    error_message = "Unset, max_objects_per_job must be the most one semantic segmentation job takes (20000)."
  }
}

run "default_job_size_is_the_ground_truth_limit" {
  command = plan
  variables {
    labeling = {
      workteam_arn = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title        = "Draw boxes"
      description  = "Draw a box around every vehicle."
      categories   = ["car"]
    }
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.max_objects_per_job == 100000
    error_message = "Unset, max_objects_per_job must be the most one job takes (100000), so a backlog goes out in one run."
  }
}

run "fractional_job_size" {
  command = plan
  variables {
    labeling = {
      workteam_arn        = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title               = "Draw boxes"
      description         = "Draw a box around every vehicle."
      categories          = ["car"]
      max_objects_per_job = 10.5
    }
  }
  expect_failures = [var.labeling]
}

run "bounding_box_over_20000_objects" {
  command = plan
  variables {
    labeling = {
      workteam_arn        = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title               = "Draw boxes"
      description         = "Draw a box around every vehicle."
      categories          = ["car"]
      max_objects_per_job = 100000
    }
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.max_objects_per_job == 100000
    error_message = "The 20000 limit applies to semantic segmentation only."
  }
}

run "over_100000_objects" {
  command = plan
  variables {
    labeling = {
      workteam_arn        = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title               = "Draw boxes"
      description         = "Draw a box around every vehicle."
      categories          = ["car"]
      max_objects_per_job = 100001
    }
  }
  expect_failures = [terraform_data.input_checks]
}

run "single_label_classification_with_one_category" {
  command = plan
  variables {
    task_type = "image_single_label_classification"
    labeling = {
      workteam_arn = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title        = "Classify"
      description  = "Choose the label."
      categories   = ["cat"]
    }
  }
  expect_failures = [terraform_data.input_checks]
}

run "single_label_image_classification_with_eleven_categories" {
  command = plan
  variables {
    task_type = "image_single_label_classification"
    labeling = {
      workteam_arn = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title        = "Classify"
      description  = "Choose the label."
      categories   = [for i in range(11) : "class${i}"]
    }
  }
  expect_failures = [terraform_data.input_checks]
}

run "named_entity_recognition_with_builtin_ui" {
  command = plan
  variables {
    task_type = "named_entity_recognition"
    labeling = {
      workteam_arn      = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title             = "Find names"
      description       = "Mark people and places."
      categories        = ["PERSON", "LOCATION"]
      human_task_ui_arn = "arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/NamedEntityRecognition"
    }
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.human_task_ui_arn == "arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/NamedEntityRecognition"
    error_message = "The built-in NER UI must reach the functions."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.ui_template_s3_uri == null && !contains(keys(aws_s3_object.worker_ui), "labeling_template")
    error_message = "With the built-in UI no worker template is uploaded or passed."
  }
}

run "named_entity_recognition_with_a_worker_template" {
  command = plan
  variables {
    task_type = "named_entity_recognition"
    labeling = {
      workteam_arn       = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title              = "Find names"
      description        = "Mark people and places."
      categories         = ["PERSON", "LOCATION"]
      ui_template_s3_uri = "s3://my-bucket/entities.liquid.html"
    }
  }
  expect_failures = [terraform_data.input_checks]
}

run "builtin_ui_for_bounding_box" {
  command = plan
  variables {
    labeling = {
      workteam_arn      = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title             = "Draw boxes"
      description       = "Draw a box around every vehicle."
      categories        = ["car"]
      human_task_ui_arn = "arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/BoundingBox"
    }
  }
  expect_failures = [terraform_data.input_checks]
}

run "named_entity_recognition_with_foreign_ui" {
  command = plan
  variables {
    task_type = "named_entity_recognition"
    labeling = {
      workteam_arn      = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title             = "Find names"
      description       = "Mark people and places."
      categories        = ["PERSON"]
      human_task_ui_arn = "arn:aws:sagemaker:us-east-1:111122223333:human-task-ui/MyOwnUi"
    }
  }
  expect_failures = [terraform_data.input_checks]
}

run "wait_too_short_for_thirty_day_jobs" {
  command = plan
  variables {
    labeling = {
      workteam_arn                  = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title                         = "Draw boxes"
      description                   = "Draw a box around every vehicle."
      categories                    = ["car"]
      availability_lifetime_seconds = 2592000
    }
    wait = { min_seconds = 30, max_seconds = 600 }
  }
  expect_failures = [terraform_data.input_checks]
}

run "wait_too_short_for_a_job_of_several_sets" {
  command = plan
  variables {
    labeling = {
      workteam_arn                  = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title                         = "Draw boxes"
      description                   = "Draw a box around every vehicle."
      categories                    = ["car"]
      availability_lifetime_seconds = 864000
      max_objects_per_job           = 3000
    }
    wait = { min_seconds = 60, max_seconds = 600 }
  }
  expect_failures = [terraform_data.input_checks]
}

run "thirty_day_jobs_with_default_wait" {
  command = plan
  variables {
    labeling = {
      workteam_arn                  = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title                         = "Draw boxes"
      description                   = "Draw a box around every vehicle."
      categories                    = ["car"]
      availability_lifetime_seconds = 2592000
    }
    verification = {
      workteam_arn                  = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/reviewers"
      availability_lifetime_seconds = 2592000
    }
  }
  assert {
    condition     = terraform_data.input_checks.input.verification_enabled
    error_message = "Two 30-day jobs fit the history budget with the default hourly wait."
  }
}

run "feature_store_concurrency_above_the_shared_limit" {
  command = plan
  variables {
    # One above data/limits.json's bound, which the functions enforce too (tests/pipeline/test_facts.py).
    feature_store = { concurrency = jsondecode(file("data/limits.json")).feature_store.max_concurrency + 1 }
  }
  expect_failures = [terraform_data.input_checks]
}

run "review_wait_too_short_for_its_sets" {
  command = plan
  variables {
    labeling = {
      workteam_arn        = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/labelers"
      title               = "Draw boxes"
      description         = "Draw a box around every vehicle."
      categories          = ["car"]
      max_objects_per_job = 760
    }
    # 19 sets of 40 objects, a day each: 1,643,880 s, more than 1,000 polls at 1,200 s.
    verification = {
      workteam_arn                  = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/reviewers"
      availability_lifetime_seconds = 86400
      task_time_limit_seconds       = 120
      max_concurrent_task_count     = 40
    }
    wait = { min_seconds = 45, max_seconds = 1200 }
  }
  expect_failures = [terraform_data.input_checks]
}

run "wait_min_above_max" {
  command = plan
  variables {
    wait = { min_seconds = 600, max_seconds = 60 }
  }
  expect_failures = [var.wait]
}

run "verification_with_same_label_attribute" {
  command = plan
  variables {
    verification = {
      workteam_arn         = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/reviewers"
      label_attribute_name = "label"
    }
  }
  expect_failures = [terraform_data.input_checks]
}

run "verification_with_bad_workteam" {
  command = plan
  variables {
    verification = {
      workteam_arn = "arn:aws:sagemaker:us-east-1:111122223333:workteam/vendor-crowd/reviewers"
    }
  }
  expect_failures = [var.verification]
}

run "verification_with_ten_workers" {
  command = plan
  variables {
    verification = {
      workteam_arn       = "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/reviewers"
      workers_per_object = 10
    }
  }
  expect_failures = [terraform_data.input_checks]
}

run "unsupported_region" {
  command = plan
  override_data {
    target = data.aws_region.current
    values = { region = "eu-north-1" }
  }
  expect_failures = [data.aws_region.current]
}

run "schedule_expression_not_cron_or_rate" {
  command = plan
  variables {
    schedule = { expression = "every 5 minutes" }
  }
  expect_failures = [var.schedule]
}

run "upload_filter_with_wildcard" {
  command = plan
  variables {
    upload_filter = { prefix = "incoming/*" }
  }
  expect_failures = [var.upload_filter]
}

run "alarm_emails_with_own_topic" {
  command = plan
  variables {
    alarm = {
      sns_topic_arn   = "arn:aws:sns:us-east-1:111122223333:ops"
      email_addresses = ["ops@example.com"]
    }
  }
  expect_failures = [var.alarm]
}

run "alarm_email_not_an_email" {
  command = plan
  variables {
    alarm = { email_addresses = ["ops"] }
  }
  expect_failures = [var.alarm]
}

run "package_dir_without_package" {
  command = plan
  variables {
    lambda_package_dir = "tests"
  }
  expect_failures = [var.lambda_package_dir]
}

run "kms_alias_instead_of_key_arn" {
  command = plan
  variables {
    kms = { key_arn = "alias/my-key" }
  }
  expect_failures = [var.kms]
}

run "zero_attempts" {
  command = plan
  variables {
    max_attempts = 0
  }
  expect_failures = [var.max_attempts]
}

run "log_retention_not_accepted_by_cloudwatch" {
  command = plan
  variables {
    log_retention_in_days = 10
  }
  expect_failures = [var.log_retention_in_days]
}

run "renamed_log_retention_days_is_refused_with_its_new_name" {
  command = plan
  variables {
    log_retention_days = 30
  }
  expect_failures = [var.log_retention_days]
}

run "ssm_prefix_with_trailing_slash" {
  command = plan
  variables {
    ssm_prefix = "/labeling/dev/"
  }
  expect_failures = [var.ssm_prefix]
}

run "feature_store_concurrency_zero" {
  command = plan
  variables {
    feature_store = { concurrency = 0 }
  }
  expect_failures = [var.feature_store]
}
