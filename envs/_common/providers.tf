provider "aws" {
  region = var.region

  # With `emulator = true` (envs/local) the AWS SDK inside the provider is pointed at the local
  # emulator by AWS_ENDPOINT_URL (set by scripts/env.sh); these settings stop the provider from
  # asking real AWS for things an emulator answers differently (STS validation, instance metadata)
  # and use path-style S3 URLs, since bucket subdomains of 127.0.0.1 do not resolve.
  skip_credentials_validation = var.emulator
  skip_metadata_api_check     = var.emulator
  skip_requesting_account_id  = var.emulator
  s3_use_path_style           = var.emulator

  default_tags {
    tags = merge(var.tags, {
      Environment = var.environment
      Project     = "private-labeling"
      ManagedBy   = "opentofu"
    })
  }
}
