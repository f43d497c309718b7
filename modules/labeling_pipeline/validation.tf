# Checks that involve more than one input. Variable validation blocks may only refer to their own variable
# in Terraform < 1.9, so these are preconditions, evaluated at plan time.

locals {
  # Events one wait iteration adds to the execution history (Wait entered/exited, the check-job task's
  # entered/scheduled/started/succeeded/exited, a Choice entered/exited, with some slack).
  history_events_per_wait = 10
  # Step Functions' limit is 25,000 events (Step Functions Developer Guide, "Step Functions service quotas",
  # https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html); keep 5,000 for everything
  # that is not waiting.
  history_events_for_waits = 20000
  # The longest the execution waits for its jobs: every set of objects of both jobs (main.tf).
  longest_job_wait_seconds = local.job_horizon_seconds.labeling + local.job_horizon_seconds.verification
  longest_wait_iterations  = ceil(local.longest_job_wait_seconds / var.wait.max_seconds)
}

resource "terraform_data" "input_checks" {
  input = {
    task_type            = var.task_type
    max_objects_per_job  = local.max_objects_per_job
    verification_enabled = local.verification_enabled
  }

  lifecycle {
    precondition {
      condition     = local.max_objects_per_job <= local.task.max_objects_per_job
      error_message = "labeling.max_objects_per_job is ${local.max_objects_per_job}, but a ${var.task_type} labeling job takes at most ${local.task.max_objects_per_job} objects."
    }
    precondition {
      condition     = var.labeling.categories == null || try(length(var.labeling.categories) >= local.task.min_categories && length(var.labeling.categories) <= local.task.max_categories, false)
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
    precondition {
      condition     = local.longest_wait_iterations * local.history_events_per_wait <= local.history_events_for_waits
      error_message = "wait.max_seconds = ${var.wait.max_seconds} is too short for jobs that may stay open ${local.longest_job_wait_seconds} s (Ground Truth sends a job's objects in sets of max_concurrent_task_count, each set with its own availability window, up to 30 days per job): the execution could exceed Step Functions' 25,000-event history. Use at least ${ceil(local.longest_job_wait_seconds * local.history_events_per_wait / local.history_events_for_waits)} s."
    }
    precondition {
      condition     = !local.verification_enabled || try(var.verification.label_attribute_name != var.labeling.label_attribute_name, false)
      error_message = "verification.label_attribute_name must differ from labeling.label_attribute_name (AWS requires a new attribute for a verification job)."
    }
  }
}
