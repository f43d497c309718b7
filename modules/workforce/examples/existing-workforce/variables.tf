variable "region" {
  description = "AWS region of the existing workforce."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of the deployment; names of the resources the module adds derive from it."
  type        = string
  default     = "labeling"
}

variable "existing" {
  description = "The workforce to adopt and the Cognito user pool, app client and domain prefix it uses (SageMaker console: Labeling workforces > Private; Cognito console for the rest)."
  type = object({
    workforce_name = string
    user_pool_id   = string
    client_id      = string
    domain_prefix  = string
    user_pool_tier = optional(string, "ESSENTIALS")
  })
}

variable "lambda_package_dir" {
  description = "Directory with the Lambda packages; null means the repository's build/lambda."
  type        = string
  default     = null
}
