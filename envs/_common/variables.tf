variable "environment" {
  description = "Environment name: local, dev, staging or prod. Part of every resource name and SSM path."
  type        = string

  validation {
    condition     = contains(["local", "dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of local, dev, staging, prod."
  }
}

variable "region" {
  description = "AWS region of the environment. One private workforce exists per account and region, so two environments in one account need two regions (or share one workforce)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region code such as us-east-1."
  }
}

variable "emulator" {
  description = "Deploy to the local AWS emulator (envs/local) instead of a real account."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource (on top of Environment, Project and ManagedBy)."
  type        = map(string)
  default     = {}
}

variable "log_retention_in_days" {
  description = "Retention of every CloudWatch log group in the environment."
  type        = number
  default     = 365
}

variable "deletion_protection" {
  description = "Protect the user pool, the ledger table and the buckets' contents from deletion (on for prod)."
  type        = bool
  default     = true
}

variable "lambda_package_dir" {
  description = "Directory of the Lambda packages built by `make package`, relative to the environment directory."
  type        = string
  default     = "../../build/lambda"
}

variable "workforce" {
  description = <<-EOT
    The private workforce: Cognito domain prefix (null: derived and then kept in SSM), user pool tier and
    threat protection, the SES identity that sends invitations (`email`; null: Cognito's default
    sender, at most 50 emails a day per account), WAF allow-list, portal source CIDRs, work teams (by
    name) and the first workers.
  EOT
  type = object({
    domain_prefix          = optional(string)
    tier                   = optional(string, "ESSENTIALS")
    advanced_security_mode = optional(string, "OFF")
    waf_enabled            = optional(bool, true)
    waf_allowed_cidrs      = optional(list(string), [])
    source_ip_cidrs        = optional(list(string), [])
    email = optional(object({
      source_arn             = string
      from_email_address     = string
      reply_to_email_address = optional(string)
      configuration_set      = optional(string)
    }))
    teams = map(object({
      description   = string
      notifications = optional(bool, false)
    }))
    initial_workers = optional(list(object({
      email = string
      teams = list(string)
    })), [])
  })

  validation {
    condition     = length(var.workforce.teams) > 0
    error_message = "workforce.teams must name at least one work team."
  }
}

variable "pipelines" {
  description = <<-EOT
    Labeling pipelines by name (lowercase letters and digits, at most 12 characters): each has its own
    buckets, queue, state machine and Feature Group. `team` and `verification_team` name teams of
    `workforce.teams`; no `verification_team`, no review step. `max_objects_per_job` unset: the most one
    job of the task type takes, so each run sends the whole queue. `job_poll_seconds`: how often a running
    labeling job is checked (the first wait, growing to the longest).
  EOT
  type = map(object({
    task_type                     = string
    team                          = string
    verification_team             = optional(string)
    title                         = string
    description                   = string
    categories                    = list(string)
    schedule                      = optional(string, "cron(0 12 * * ? *)")
    max_objects_per_job           = optional(number)
    availability_lifetime_seconds = optional(number, 864000)
    max_attempts                  = optional(number, 3)
    online_store                  = optional(bool, false)
    alarm_emails                  = optional(list(string), [])
    job_poll_seconds = optional(object({
      min = optional(number, 60)
      max = optional(number, 3600)
    }), {})
  }))
  default = {}

  validation {
    condition     = alltrue([for key in keys(var.pipelines) : can(regex("^[a-z][a-z0-9]{0,11}$", key))])
    error_message = "pipeline names must be 1 to 12 lowercase letters and digits, starting with a letter."
  }
  validation {
    condition = alltrue(flatten([
      for p in values(var.pipelines) : [
        contains(keys(var.workforce.teams), p.team),
        p.verification_team == null || contains(keys(var.workforce.teams), coalesce(p.verification_team, "-")),
      ]
    ]))
    error_message = "every pipeline's team and verification_team must be a key of workforce.teams."
  }
}
