provider "aws" {
  region = var.region
}

# A bounding-box pipeline with every option set: categories and instructions given as content (the module
# uploads them), a review by a second team, an upload filter, a 5-minute schedule in a local time zone,
# the online store, email alarms and a shorter log retention.
module "labeling_pipeline" {
  source = "../.."

  name      = var.name
  task_type = "image_bounding_box"

  labeling = {
    workteam_arn = var.workteam_arn
    title        = "Draw a box around every vehicle"
    description  = "Draw one tight box around each car, truck and bicycle in the image."
    keywords     = ["Images", "vehicles", "bounding boxes"]
    categories   = ["car", "truck", "bicycle"]
    instructions = {
      short = "<p>Box every car, truck and bicycle, also when partly hidden.</p>"
      full  = "<ol><li>Choose the label.</li><li>Draw a tight box around each vehicle of that kind.</li><li>Include parked vehicles; skip reflections.</li></ol>"
    }
    workers_per_object            = 1
    task_time_limit_seconds       = 600
    availability_lifetime_seconds = 3 * 24 * 3600
    max_concurrent_task_count     = 100
    max_objects_per_job           = 500
  }

  verification = {
    workteam_arn                  = coalesce(var.verification_workteam_arn, var.workteam_arn)
    workers_per_object            = 1
    task_time_limit_seconds       = 300
    availability_lifetime_seconds = 2 * 24 * 3600
  }

  schedule = {
    expression = "rate(5 minutes)"
    timezone   = "Europe/Berlin"
  }

  upload_filter = {
    prefix   = "incoming/"
    suffixes = [".jpg", ".jpeg", ".png"]
  }

  max_attempts = 3
  wait = {
    min_seconds = 60
    max_seconds = 1800
  }

  feature_store = {
    enable_online_store = true
    concurrency         = 8
  }

  alarm = {
    email_addresses = var.alarm_email == null ? [] : [var.alarm_email]
  }

  log_retention_in_days = 400
  lambda_package_dir    = var.lambda_package_dir
  ssm_prefix            = "/${var.name}/pipeline"
  deletion_protection   = !var.force_destroy
  force_destroy         = var.force_destroy

  tags = {
    project = "private-labeling"
    example = "complete"
  }
}
