# Adopting a private workforce that already exists (an account has one per region): import it,
# together with the Cognito resources it signs in with, instead of creating new ones.

provider "aws" {
  region = var.region
}

import {
  to = module.workforce.aws_sagemaker_workforce.this
  id = var.existing.workforce_name
}

import {
  to = module.workforce.aws_cognito_user_pool.this[0]
  id = var.existing.user_pool_id
}

import {
  to = module.workforce.aws_cognito_user_pool_client.this[0]
  id = "${var.existing.user_pool_id}/${var.existing.client_id}"
}

import {
  to = module.workforce.aws_cognito_user_pool_domain.this[0]
  id = var.existing.domain_prefix
}

module "workforce" {
  source = "../.."

  name               = var.name
  workforce_name     = var.existing.workforce_name
  domain_prefix      = var.existing.domain_prefix
  lambda_package_dir = coalesce(var.lambda_package_dir, "${path.module}/../../../../build/lambda")

  # Match the imported pool where a difference would replace it (and with it the workforce).
  user_pool = {
    tier = var.existing.user_pool_tier
  }

  teams = {
    review = { description = "Reviews labels" }
  }

  tags = {
    project = "private-labeling"
    example = "existing-workforce"
  }
}
