terraform {
  # 1.9: variable validations read the limits shared with the functions (local.limits, data/*.json), which
  # Terraform allows from 1.9; OpenTofu is proven on 1.12 (README, "Supported versions"). Checks across
  # inputs are preconditions in validation.tf.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.0: data.aws_region exposes `region`; everything else used here predates it.
      version = ">= 6.0, < 7.0"
    }
  }
}
