terraform {
  # OpenTofu >= 1.8 also satisfies this. Checks against the limits shared with the functions (data/*.json)
  # and across inputs are preconditions in validation.tf: a variable validation that reads them would need
  # Terraform 1.9.
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.0: data.aws_region exposes `region`; everything else used here predates it.
      version = ">= 6.0, < 7.0"
    }
  }
}
