terraform {
  # Partial configuration: the bucket and region come from backend.hcl (copy backend.hcl.example).
  # S3-native locking (use_lockfile) needs no DynamoDB table.
  backend "s3" {
    key          = "private-labeling/dev/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
