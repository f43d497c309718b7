terraform {
  # OpenTofu >= 1.8 also satisfies this.
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.5 added aws_cognito_log_delivery_configuration.
      version = ">= 6.5, < 7.0"
    }
  }
}
