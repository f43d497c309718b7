# Inputs renamed in 0.2.0, when both modules took one vocabulary (CHANGELOG.md). Each is kept only so that
# a configuration still setting it fails with the new name instead of "argument not expected".

variable "kms_key_arn" {
  description = "Replaced by `kms = { key_arn = ... }` in 0.2.0; must stay unset."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null
    error_message = "kms_key_arn was replaced by kms = { key_arn = \"...\" } in 0.2.0 (the same shape in both modules); see CHANGELOG.md."
  }
}

variable "activity_logs_enabled" {
  description = "Replaced by `activity_logging = { enabled = ... }` in 0.2.0; must stay unset."
  type        = bool
  default     = null

  validation {
    condition     = var.activity_logs_enabled == null
    error_message = "activity_logs_enabled was replaced by activity_logging = { enabled = ... } in 0.2.0; see CHANGELOG.md."
  }
}
