provider "aws" {
  region = var.region
}

# The fewest inputs a pipeline needs: a name, a task type, the team that labels and its categories, and
# the Lambda packages. Everything else takes the module's defaults: no review, a daily schedule at 12:00
# UTC, three attempts per item, a customer-managed KMS key, access logging, alarms to a new SNS topic.
module "labeling_pipeline" {
  source = "../.."

  name      = var.name
  task_type = "image_single_label_classification"

  labeling = {
    workteam_arn = var.workteam_arn
    title        = "What animal is this?"
    description  = "Choose the animal the image shows."
    categories   = ["cat", "dog", "bird"]
  }

  lambda_package_dir = var.lambda_package_dir

  # Only for throwaway deployments, such as a trial on the local emulator.
  deletion_protection = !var.force_destroy
  force_destroy       = var.force_destroy
}
