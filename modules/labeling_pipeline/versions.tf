terraform {
  # Compatible with Terraform >= 1.6 and OpenTofu >= 1.8: no cross-variable validation blocks (1.9+);
  # checks across inputs are preconditions in validation.tf.
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.0: data.aws_region exposes `region`; everything else used here predates it.
      version = ">= 6.0, < 7.0"
    }
  }
}
