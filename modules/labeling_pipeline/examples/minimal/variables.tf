variable "region" {
  description = "Region to deploy to (one with Ground Truth's built-in task functions)."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of the pipeline."
  type        = string
  default     = "gt-minimal"
}

variable "workteam_arn" {
  description = "Private work team that labels (for example the output of modules/workforce, or any team ARN)."
  type        = string
}

variable "lambda_package_dir" {
  description = "Directory with the packages of `make package`."
  type        = string
  default     = "../../../../build/lambda"
}

variable "force_destroy" {
  description = "Let destroy remove non-empty buckets and the ledger table (throwaway environments only)."
  type        = bool
  default     = false
}
