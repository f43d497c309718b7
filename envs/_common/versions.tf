terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Exact: environments deploy one known provider build (see README, "Lock files").
      version = "6.47.1"
    }
  }
}
