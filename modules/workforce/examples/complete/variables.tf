variable "region" {
  description = "AWS region of the workforce."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of the deployment; resource names derive from it."
  type        = string
  default     = "labeling-example"
}

variable "domain_prefix" {
  description = "Cognito domain prefix (unique per region across AWS); null derives one from name and the account."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Protect the user pool from deletion; off here so the example can be destroyed."
  type        = bool
  default     = false
}

variable "lambda_package_dir" {
  description = "Directory with the Lambda packages; null means the repository's build/lambda."
  type        = string
  default     = null
}

variable "extra_callback_urls" {
  description = "Callback URLs kept next to the portal's own."
  type        = list(string)
  default     = []
}

variable "initial_workers" {
  description = "Workers to create and invite by email, e.g. [{ email = \"ana@example.com\", teams = [\"bounding-boxes\", \"review\"] }]."
  type = list(object({
    email = string
    teams = optional(list(string), [])
  }))
  default = []
}

variable "source_ip_cidrs" {
  description = "Networks allowed to use the labeling portal; empty for any."
  type        = list(string)
  default     = []
}
