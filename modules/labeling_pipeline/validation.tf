# Checks that involve more than one input, the data sources or the facts in data/*.json, as preconditions
# evaluated at plan time. The facts are checked here rather than in variable validations because a
# validation may refer to nothing but its own variable before Terraform 1.9 (the module supports 1.6+).

locals {
  # Step Functions' 25,000-event history (data/limits.json and its README): each job may poll up to
  # polls_per_job times at its longest wait, the budget the functions' wait loop keeps to as well.
  polls_per_job = local.limits.step_functions.polls_per_job
  # The longest each job may be waited for: every set of its objects (main.tf).
  longest_job_horizon_seconds = max(local.job_horizon_seconds.labeling, local.job_horizon_seconds.verification)
  shortest_max_wait_seconds   = ceil(local.longest_job_horizon_seconds / local.polls_per_job)
}

resource "terraform_data" "input_checks" {
  input = {
    task_type            = var.task_type
    max_objects_per_job  = local.max_objects_per_job
    verification_enabled = local.verification_enabled
  }

  lifecycle {
    precondition {
      condition     = local.task_type_known
      error_message = "task_type is \"${var.task_type}\"; it must be one of: ${join(", ", keys(local.task_types))}."
    }
    # The checks of the task type's own limits pass for an unknown task_type: the one above reports it.
    precondition {
      condition     = !local.task_type_known || local.max_objects_per_job <= local.task.max_objects_per_job
      error_message = "labeling.max_objects_per_job is ${local.max_objects_per_job}, but a ${var.task_type} labeling job takes at most ${local.task.max_objects_per_job} objects."
    }
    precondition {
      condition     = !local.task_type_known || var.labeling.categories == null || try(length(var.labeling.categories) >= local.task.min_categories && length(var.labeling.categories) <= local.task.max_categories, false)
      error_message = "labeling.categories: ${var.task_type} jobs need ${local.task.min_categories} to ${local.task.max_categories} categories, ${var.labeling.categories == null ? 0 : length(coalesce(var.labeling.categories, []))} given."
    }
    precondition {
      condition     = var.labeling.human_task_ui_arn == null || var.task_type == "named_entity_recognition"
      error_message = "labeling.human_task_ui_arn: AWS provides a built-in worker UI only for named_entity_recognition among these task types; ${var.task_type} needs a worker template (leave all three template inputs unset to use the module's default)."
    }
    precondition {
      condition     = local.labeling_human_task_ui_arn == null || (var.labeling.ui_template == null && var.labeling.ui_template_s3_uri == null)
      error_message = "labeling: ${var.task_type} jobs must use AWS's built-in worker UI (UiConfig.HumanTaskUiArn), which the module sets; remove ui_template and ui_template_s3_uri. Give worker instructions in labeling.instructions."
    }
    precondition {
      condition = var.labeling.human_task_ui_arn == null || var.task_type != "named_entity_recognition" || try(
        var.labeling.human_task_ui_arn == "arn:${local.partition}:sagemaker:${local.region}:${local.human_task_ui_account}:human-task-ui/NamedEntityRecognition",
        false
      )
      error_message = "labeling.human_task_ui_arn must be the built-in named entity recognition UI of this region: arn:${local.partition}:sagemaker:${local.region}:${local.human_task_ui_account}:human-task-ui/NamedEntityRecognition."
    }
    # Ground Truth's job limits (data/limits.json, whose README cites AWS for each).
    precondition {
      condition     = var.labeling.workers_per_object <= local.limits.ground_truth.max_workers_per_object
      error_message = "labeling.workers_per_object is ${var.labeling.workers_per_object}; it must be a whole number from 1 to ${local.limits.ground_truth.max_workers_per_object}."
    }
    precondition {
      condition     = var.labeling.task_time_limit_seconds >= local.limits.ground_truth.min_task_time_limit_seconds && var.labeling.task_time_limit_seconds <= local.limits.ground_truth.max_task_time_limit_seconds
      error_message = "labeling.task_time_limit_seconds is ${var.labeling.task_time_limit_seconds}; it must be from ${local.limits.ground_truth.min_task_time_limit_seconds} to ${local.limits.ground_truth.max_task_time_limit_seconds} seconds (8 hours)."
    }
    precondition {
      condition     = var.labeling.availability_lifetime_seconds >= local.limits.ground_truth.min_availability_lifetime_seconds && var.labeling.availability_lifetime_seconds <= local.limits.ground_truth.max_availability_lifetime_seconds
      error_message = "labeling.availability_lifetime_seconds is ${var.labeling.availability_lifetime_seconds}; it must be from ${local.limits.ground_truth.min_availability_lifetime_seconds} to ${local.limits.ground_truth.max_availability_lifetime_seconds} seconds (30 days, the private workforce maximum)."
    }
    precondition {
      condition     = var.labeling.max_concurrent_task_count <= local.limits.ground_truth.max_concurrent_task_count
      error_message = "labeling.max_concurrent_task_count is ${var.labeling.max_concurrent_task_count}; it must be a whole number from 1 to ${local.limits.ground_truth.max_concurrent_task_count}."
    }
    # try(): var.verification is null when there is no review; || does not short-circuit and the messages
    # are evaluated whether a condition holds or not.
    precondition {
      condition     = !local.verification_enabled || try(var.verification.workers_per_object <= local.limits.ground_truth.max_workers_per_object, false)
      error_message = "verification.workers_per_object is ${try(var.verification.workers_per_object, "")}; it must be a whole number from 1 to ${local.limits.ground_truth.max_workers_per_object}."
    }
    precondition {
      condition     = !local.verification_enabled || try(var.verification.task_time_limit_seconds >= local.limits.ground_truth.min_task_time_limit_seconds && var.verification.task_time_limit_seconds <= local.limits.ground_truth.max_task_time_limit_seconds, false)
      error_message = "verification.task_time_limit_seconds is ${try(var.verification.task_time_limit_seconds, "")}; it must be from ${local.limits.ground_truth.min_task_time_limit_seconds} to ${local.limits.ground_truth.max_task_time_limit_seconds} seconds (8 hours)."
    }
    precondition {
      condition     = !local.verification_enabled || try(var.verification.availability_lifetime_seconds >= local.limits.ground_truth.min_availability_lifetime_seconds && var.verification.availability_lifetime_seconds <= local.limits.ground_truth.max_availability_lifetime_seconds, false)
      error_message = "verification.availability_lifetime_seconds is ${try(var.verification.availability_lifetime_seconds, "")}; it must be from ${local.limits.ground_truth.min_availability_lifetime_seconds} to ${local.limits.ground_truth.max_availability_lifetime_seconds} seconds (30 days)."
    }
    precondition {
      condition     = !local.verification_enabled || try(var.verification.max_concurrent_task_count <= local.limits.ground_truth.max_concurrent_task_count, false)
      error_message = "verification.max_concurrent_task_count is ${try(var.verification.max_concurrent_task_count, "")}; it must be a whole number from 1 to ${local.limits.ground_truth.max_concurrent_task_count}."
    }
    precondition {
      condition     = var.feature_store.concurrency <= local.limits.feature_store.max_concurrency
      error_message = "feature_store.concurrency is ${var.feature_store.concurrency}; it must be a whole number from 1 to ${local.limits.feature_store.max_concurrency} (data/limits.json says why)."
    }
    precondition {
      condition     = var.wait.max_seconds >= local.shortest_max_wait_seconds
      error_message = "wait.max_seconds = ${var.wait.max_seconds} is too short for jobs that may stay open ${local.longest_job_horizon_seconds} s (Ground Truth sends a job's objects in sets of max_concurrent_task_count, each set with its own availability window, up to 30 days per job): polling that often could exceed Step Functions' ${local.limits.step_functions.history_events_max}-event history. Use at least ${local.shortest_max_wait_seconds} s."
    }
    precondition {
      condition     = !local.verification_enabled || try(var.verification.label_attribute_name != var.labeling.label_attribute_name, false)
      error_message = "verification.label_attribute_name must differ from labeling.label_attribute_name (AWS requires a new attribute for a verification job)."
    }
  }
}
