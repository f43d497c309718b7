# Inputs renamed in 0.2.0, when both modules took one vocabulary (CHANGELOG.md). Each is kept only so that
# a configuration still setting it fails with the new name instead of "argument not expected".

variable "log_retention_days" {
  description = "Renamed to `log_retention_in_days` in 0.2.0 (the AWS provider's attribute name); must stay unset."
  type        = number
  default     = null

  validation {
    condition     = var.log_retention_days == null
    error_message = "log_retention_days was renamed to log_retention_in_days in 0.2.0; see CHANGELOG.md."
  }
}
