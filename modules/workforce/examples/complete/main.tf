# A private workforce with its own Cognito user pool, two work teams and two invited workers.

provider "aws" {
  region = var.region
}

locals {
  # `make package` builds the Lambda packages here.
  lambda_package_dir = coalesce(var.lambda_package_dir, "${path.module}/../../../../build/lambda")
}

module "workforce" {
  source = "../.."

  name                = var.name
  domain_prefix       = var.domain_prefix
  lambda_package_dir  = local.lambda_package_dir
  deletion_protection = var.deletion_protection

  user_pool = {
    tier = "ESSENTIALS"
  }

  app_client = {
    extra_callback_urls = var.extra_callback_urls
  }

  invitation = {
    subject = "Your account for the ${var.name} labeling portal"
    body    = "<p>Hello {username},</p><p>Sign in at <a href=\"{portal_url}\">{portal_url}</a> with the temporary password <b>{####}</b>, then set up an authenticator app.</p>"
  }

  teams = {
    bounding-boxes = {
      description   = "Draws bounding boxes around vehicles"
      notifications = true
    }
    review = {
      description = "Reviews the boxes drawn by others"
    }
  }

  initial_workers = var.initial_workers
  source_ip_cidrs = var.source_ip_cidrs

  waf = {
    rate_limit = 300
  }

  tags = {
    project = "private-labeling"
    example = "complete"
  }
}
