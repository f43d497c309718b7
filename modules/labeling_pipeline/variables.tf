variable "name" {
  description = "Name of this pipeline. Every resource name is derived from it (buckets: `<name>-<purpose>-<account id>`). 3 to 32 characters: lowercase letters, digits and hyphens, starting with a letter."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be 3 to 32 characters of lowercase letters, digits and single hyphens, start with a letter and end with a letter or digit (it becomes part of S3 bucket, IAM role and Lambda function names)."
  }
}

variable "tags" {
  description = "Tags added to every resource that supports tags."
  type        = map(string)
  default     = {}
}

variable "task_type" {
  description = "The Ground Truth task type this pipeline labels: `image_bounding_box`, `image_semantic_segmentation`, `image_single_label_classification`, `image_multi_label_classification`, `text_single_label_classification`, `text_multi_label_classification` or `named_entity_recognition`."
  type        = string
}

variable "labeling" {
  description = <<-EOT
    How the labeling jobs are configured (one object, validated as a whole):
    - `workteam_arn`: the private work team that labels (`arn:aws:sagemaker:<region>:<account>:workteam/private-crowd/<team>`).
    - `title` (1-128 characters) and `description` (1-255) shown to workers; `keywords` (up to 5, letters/digits/spaces, 30 characters each; default per task type).
    - Categories: exactly one of `categories` (list of label names; the module uploads the Ground Truth category file) or `categories_s3_uri` (your own file).
    - Worker UI: at most one of `ui_template` (Liquid HTML content; the module uploads it) or `ui_template_s3_uri` (your own file). None: the module's default template for the task type. `named_entity_recognition` always uses AWS's built-in UI (`arn:aws:sagemaker:<region>:394669845002:human-task-ui/NamedEntityRecognition`, as AWS requires) and takes no template; `human_task_ui_arn` may name that ARN and nothing else.
    - `instructions`: `short` and `full` HTML shown in the default template; for named entity recognition they are written into the category file the module uploads (the built-in UI reads them there; with your own `categories_s3_uri`, put `"instructions": {"shortInstruction": ..., "fullInstruction": ...}` in that file).
    - `label_attribute_name`: key of the label in the output manifest (default `label`; the module appends `-ref` for semantic segmentation as AWS requires).
    - `workers_per_object` 1-9, `task_time_limit_seconds` 30-28800, `availability_lifetime_seconds` 60-2592000 (30 days, the private workforce maximum), `max_concurrent_task_count` 1-5000, `max_objects_per_job` 1-100000 (20000 for semantic segmentation; default: that maximum, so one scheduled run puts the whole backlog into one job; see "Backlog and job size").
    - Ground Truth sends a job's objects in sets of `max_concurrent_task_count`, each set with its own availability window: the state machine's timeout covers `ceil(max_objects_per_job / max_concurrent_task_count)` windows, up to the 30 days AWS gives a job (see "How long an execution runs").
  EOT
  type = object({
    workteam_arn       = string
    title              = string
    description        = string
    keywords           = optional(list(string), [])
    categories         = optional(list(string))
    categories_s3_uri  = optional(string)
    ui_template        = optional(string)
    ui_template_s3_uri = optional(string)
    human_task_ui_arn  = optional(string)
    instructions = optional(object({
      short = string
      full  = string
    }))
    label_attribute_name          = optional(string, "label")
    workers_per_object            = optional(number, 1)
    task_time_limit_seconds       = optional(number, 300)
    availability_lifetime_seconds = optional(number, 864000)
    max_concurrent_task_count     = optional(number, 1000)
    max_objects_per_job           = optional(number)
  })

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:workteam/private-crowd/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.labeling.workteam_arn))
    error_message = "labeling.workteam_arn must be the ARN of a private work team: arn:aws:sagemaker:<region>:<12-digit account>:workteam/private-crowd/<team name>."
  }
  validation {
    condition     = length(trimspace(var.labeling.title)) >= 1 && length(var.labeling.title) <= 128
    error_message = "labeling.title must be 1 to 128 characters (Ground Truth's TaskTitle limit)."
  }
  validation {
    condition     = length(trimspace(var.labeling.description)) >= 1 && length(var.labeling.description) <= 255
    error_message = "labeling.description must be 1 to 255 characters (Ground Truth's TaskDescription limit)."
  }
  validation {
    condition     = length(var.labeling.keywords) <= 5 && alltrue([for k in var.labeling.keywords : can(regex("^[A-Za-z0-9]+( [A-Za-z0-9]+)*$", k)) && length(k) <= 30])
    error_message = "labeling.keywords: at most 5 keywords, each 1 to 30 letters, digits and single spaces (Ground Truth's TaskKeywords rules)."
  }
  validation {
    condition     = (var.labeling.categories == null) != (var.labeling.categories_s3_uri == null)
    error_message = "labeling: give exactly one of categories (a list of label names the module uploads) or categories_s3_uri (your own Ground Truth category file)."
  }
  validation {
    condition = var.labeling.categories == null ? true : (
      length(var.labeling.categories) >= 1 &&
      length(distinct(var.labeling.categories)) == length(var.labeling.categories) &&
      alltrue([for c in var.labeling.categories : length(trimspace(c)) > 0 && length(c) <= 256])
    )
    error_message = "labeling.categories must be a non-empty list of unique, non-blank label names of at most 256 characters."
  }
  validation {
    condition     = var.labeling.categories_s3_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+", var.labeling.categories_s3_uri))
    error_message = "labeling.categories_s3_uri must be an S3 URI of a file: s3://<bucket>/<key>."
  }
  validation {
    condition     = length([for v in [var.labeling.ui_template, var.labeling.ui_template_s3_uri, var.labeling.human_task_ui_arn] : v if v != null]) <= 1
    error_message = "labeling: give at most one of ui_template (template content), ui_template_s3_uri (your template in S3) or human_task_ui_arn (built-in UI, named_entity_recognition only); none selects the module's default for the task type."
  }
  validation {
    condition     = var.labeling.ui_template == null || length(trimspace(coalesce(var.labeling.ui_template, " "))) > 0
    error_message = "labeling.ui_template must not be blank."
  }
  validation {
    condition     = var.labeling.ui_template_s3_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+", var.labeling.ui_template_s3_uri))
    error_message = "labeling.ui_template_s3_uri must be an S3 URI of a file: s3://<bucket>/<key>."
  }
  validation {
    condition     = var.labeling.human_task_ui_arn == null || can(regex("^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:human-task-ui/[A-Za-z0-9-]+$", var.labeling.human_task_ui_arn))
    error_message = "labeling.human_task_ui_arn must be a human task UI ARN: arn:aws:sagemaker:<region>:<account>:human-task-ui/<name>."
  }
  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}$", var.labeling.label_attribute_name)) && !endswith(var.labeling.label_attribute_name, "-ref") && !endswith(var.labeling.label_attribute_name, "-metadata")
    error_message = "labeling.label_attribute_name must be 1 to 120 letters, digits and hyphens, must not end with -ref (the module appends it for semantic segmentation) or -metadata."
  }
  # The upper bounds of these counts and times come from data/limits.json and data/task_types.json; they
  # are checked by preconditions in validation.tf, because a variable validation may refer to nothing but
  # its own variable before Terraform 1.9.
  validation {
    condition     = var.labeling.workers_per_object == floor(var.labeling.workers_per_object) && var.labeling.workers_per_object >= 1
    error_message = "labeling.workers_per_object must be a whole number of at least 1."
  }
  validation {
    condition     = var.labeling.task_time_limit_seconds == floor(var.labeling.task_time_limit_seconds)
    error_message = "labeling.task_time_limit_seconds must be a whole number of seconds."
  }
  validation {
    condition     = var.labeling.availability_lifetime_seconds == floor(var.labeling.availability_lifetime_seconds)
    error_message = "labeling.availability_lifetime_seconds must be a whole number of seconds."
  }
  validation {
    condition     = var.labeling.task_time_limit_seconds <= var.labeling.availability_lifetime_seconds
    error_message = "labeling.task_time_limit_seconds must not exceed labeling.availability_lifetime_seconds: a task must fit in the time it is offered."
  }
  validation {
    condition     = var.labeling.max_concurrent_task_count == floor(var.labeling.max_concurrent_task_count) && var.labeling.max_concurrent_task_count >= 1
    error_message = "labeling.max_concurrent_task_count must be a whole number of at least 1."
  }
  validation {
    condition     = var.labeling.max_objects_per_job == null || try(var.labeling.max_objects_per_job == floor(var.labeling.max_objects_per_job) && var.labeling.max_objects_per_job >= 1, false)
    error_message = "labeling.max_objects_per_job must be a whole number of at least 1, or unset for the most one job of the task type takes (100000; 20000 for image_semantic_segmentation)."
  }
}

variable "verification" {
  description = <<-EOT
    Optional second pass by another (or the same) work team. Bounding boxes and semantic segmentation use
    AWS's built-in verification task types; the other five task types get a pass/fail review of the proposed
    label: a Ground Truth custom task whose pre-annotation and consolidation functions are this module's own.
    Its template receives `task.input.taskObject` (the image URI or the text), `task.input.proposedLabel` and
    `task.input.labels` (`pass`, `fail`), and must answer with a classifier named `review` (a template of
    your own through `ui_template`/`ui_template_s3_uri` must do the same). Only items that pass are written
    to the Feature Store; the others go back to the queue. `null` (default): no verification.
    Fields as in `labeling` (no categories: they are fixed); `title`/`description` default to a review
    wording of the labeling ones; `label_attribute_name` defaults to `verification`.
  EOT
  type = object({
    workteam_arn       = string
    title              = optional(string)
    description        = optional(string)
    keywords           = optional(list(string), [])
    ui_template        = optional(string)
    ui_template_s3_uri = optional(string)
    instructions = optional(object({
      short = string
      full  = string
    }))
    label_attribute_name          = optional(string, "verification")
    workers_per_object            = optional(number, 1)
    task_time_limit_seconds       = optional(number, 300)
    availability_lifetime_seconds = optional(number, 864000)
    max_concurrent_task_count     = optional(number, 1000)
  })
  default = null

  validation {
    condition     = var.verification == null || can(regex("^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:workteam/private-crowd/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", try(var.verification.workteam_arn, "")))
    error_message = "verification.workteam_arn must be the ARN of a private work team: arn:aws:sagemaker:<region>:<12-digit account>:workteam/private-crowd/<team name>."
  }
  validation {
    condition     = var.verification == null || try(var.verification.title, null) == null || (length(trimspace(coalesce(try(var.verification.title, null), " "))) >= 1 && length(coalesce(try(var.verification.title, null), " ")) <= 128)
    error_message = "verification.title must be 1 to 128 characters."
  }
  validation {
    condition     = var.verification == null || try(var.verification.description, null) == null || (length(trimspace(coalesce(try(var.verification.description, null), " "))) >= 1 && length(coalesce(try(var.verification.description, null), " ")) <= 255)
    error_message = "verification.description must be 1 to 255 characters."
  }
  validation {
    condition     = var.verification == null || (length(try(var.verification.keywords, [])) <= 5 && alltrue([for k in try(var.verification.keywords, []) : can(regex("^[A-Za-z0-9]+( [A-Za-z0-9]+)*$", k)) && length(k) <= 30]))
    error_message = "verification.keywords: at most 5 keywords, each 1 to 30 letters, digits and single spaces."
  }
  validation {
    condition     = var.verification == null || !(try(var.verification.ui_template, null) != null && try(var.verification.ui_template_s3_uri, null) != null)
    error_message = "verification: give at most one of ui_template and ui_template_s3_uri; none selects the module's default verification template."
  }
  validation {
    condition     = var.verification == null || try(var.verification.ui_template_s3_uri, null) == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+", try(var.verification.ui_template_s3_uri, "")))
    error_message = "verification.ui_template_s3_uri must be an S3 URI of a file: s3://<bucket>/<key>."
  }
  validation {
    condition     = var.verification == null || (can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}$", try(var.verification.label_attribute_name, ""))) && !endswith(try(var.verification.label_attribute_name, ""), "-ref") && !endswith(try(var.verification.label_attribute_name, ""), "-metadata"))
    error_message = "verification.label_attribute_name must be 1 to 120 letters, digits and hyphens and must not end with -ref or -metadata."
  }
  # As in labeling, the upper bounds from data/limits.json are preconditions in validation.tf.
  validation {
    condition     = var.verification == null || try(var.verification.workers_per_object == floor(var.verification.workers_per_object) && var.verification.workers_per_object >= 1, false)
    error_message = "verification.workers_per_object must be a whole number of at least 1."
  }
  validation {
    condition     = var.verification == null || try(var.verification.task_time_limit_seconds == floor(var.verification.task_time_limit_seconds), false)
    error_message = "verification.task_time_limit_seconds must be a whole number of seconds."
  }
  validation {
    condition     = var.verification == null || try(var.verification.availability_lifetime_seconds == floor(var.verification.availability_lifetime_seconds), false)
    error_message = "verification.availability_lifetime_seconds must be a whole number of seconds."
  }
  validation {
    condition     = var.verification == null || try(var.verification.task_time_limit_seconds <= var.verification.availability_lifetime_seconds, false)
    error_message = "verification.task_time_limit_seconds must not exceed verification.availability_lifetime_seconds."
  }
  validation {
    condition     = var.verification == null || try(var.verification.max_concurrent_task_count == floor(var.verification.max_concurrent_task_count) && var.verification.max_concurrent_task_count >= 1, false)
    error_message = "verification.max_concurrent_task_count must be a whole number of at least 1."
  }
}

variable "schedule" {
  description = "When the pipeline runs: an EventBridge Scheduler `expression` (`cron(...)` or `rate(...)`, default daily at 12:00), its IANA `timezone` (default UTC) and whether it is `enabled`. A disabled schedule keeps everything in place; start executions by hand."
  type = object({
    expression = optional(string, "cron(0 12 * * ? *)")
    timezone   = optional(string, "UTC")
    enabled    = optional(bool, true)
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^(cron\\([^()]+\\)|rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\))$", var.schedule.expression))
    error_message = "schedule.expression must be cron(<six fields>) or rate(<n> minute(s)|hour(s)|day(s)), for example cron(0 12 * * ? *) or rate(5 minutes)."
  }
  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_+/-]{1,63}$", var.schedule.timezone))
    error_message = "schedule.timezone must be an IANA time zone name such as UTC or Europe/Berlin."
  }
}

variable "upload_filter" {
  description = "Optional filter on the uploaded object keys: a key `prefix` and/or a list of `suffixes` (an object matches the prefix and any one suffix). Only letters, digits and `/ . _ -` are allowed so the filter matches whatever key encoding S3 uses in its events."
  type = object({
    prefix   = optional(string, "")
    suffixes = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^[A-Za-z0-9/._-]*$", var.upload_filter.prefix)) && length(var.upload_filter.prefix) <= 512
    error_message = "upload_filter.prefix may contain only letters, digits and / . _ - (at most 512 characters)."
  }
  validation {
    condition     = length(var.upload_filter.suffixes) <= 10 && alltrue([for s in var.upload_filter.suffixes : can(regex("^[A-Za-z0-9/._-]{1,64}$", s))])
    error_message = "upload_filter.suffixes: at most 10 suffixes of 1 to 64 letters, digits and / . _ - each."
  }
}

variable "max_attempts" {
  description = "How many times an item may go through a labeling job (counting the first) before it is moved to the dead-letter queue with every reason it failed."
  type        = number
  default     = 3

  validation {
    condition     = var.max_attempts == floor(var.max_attempts) && var.max_attempts >= 1 && var.max_attempts <= 100
    error_message = "max_attempts must be a whole number from 1 to 100."
  }
}

variable "wait" {
  description = "Polling of a running labeling job: the first wait is `min_seconds`, then it grows up to `max_seconds`. The module checks that the longest job cannot exceed Step Functions' 25,000-event history with these values."
  type = object({
    min_seconds = optional(number, 60)
    max_seconds = optional(number, 3600)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.wait.min_seconds == floor(var.wait.min_seconds) && var.wait.max_seconds == floor(var.wait.max_seconds) && var.wait.min_seconds >= 10 && var.wait.min_seconds <= var.wait.max_seconds && var.wait.max_seconds <= 86400
    error_message = "wait: min_seconds and max_seconds must be whole numbers with 10 <= min_seconds <= max_seconds <= 86400."
  }
}

variable "feature_store" {
  description = "Feature Group options: `enable_online_store` (default false; encrypted with the module's key when on) and `concurrency`, the number of parallel PutRecord calls of the write step (1-32)."
  type = object({
    enable_online_store = optional(bool, false)
    concurrency         = optional(number, 16)
  })
  default  = {}
  nullable = false

  # Its upper bound, shared with the functions (data/limits.json), is a precondition in validation.tf.
  validation {
    condition     = var.feature_store.concurrency == floor(var.feature_store.concurrency) && var.feature_store.concurrency >= 1
    error_message = "feature_store.concurrency must be a whole number of at least 1."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the module's CloudWatch log groups (Lambda functions, state machine)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_level" {
  description = "Log level of the Lambda functions (Powertools `LOG_LEVEL`)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "alarm" {
  description = "Where alarms go: an existing SNS topic (`sns_topic_arn`) or, when null, a topic the module creates (encrypted with the module's key) with optional `email_addresses` subscriptions (each must be confirmed by its owner). `oldest_message_age_seconds`: alarm when an upload has waited this long in the queue (default 3 days; SQS drops messages after 14 days)."
  type = object({
    sns_topic_arn              = optional(string)
    email_addresses            = optional(list(string), [])
    oldest_message_age_seconds = optional(number, 259200)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.alarm.sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", coalesce(var.alarm.sns_topic_arn, "-")))
    error_message = "alarm.sns_topic_arn must be an SNS topic ARN: arn:aws:sns:<region>:<account>:<topic>."
  }
  validation {
    condition     = alltrue([for e in var.alarm.email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm.email_addresses must contain email addresses only."
  }
  validation {
    condition     = !(var.alarm.sns_topic_arn != null && length(var.alarm.email_addresses) > 0)
    error_message = "alarm.email_addresses only apply to the topic the module creates; subscribe them to your own topic (alarm.sns_topic_arn) yourself."
  }
  validation {
    condition     = var.alarm.oldest_message_age_seconds >= 300 && var.alarm.oldest_message_age_seconds <= 1209600
    error_message = "alarm.oldest_message_age_seconds must be from 300 to 1209600 (14 days, the queue's retention)."
  }
}

variable "dashboard" {
  description = "The pipeline's CloudWatch dashboard (queues, items per run, runs and their duration, alarms): `enabled` (default true) and `period_seconds`, the period of its graphs (default 300; a multiple of 60). Its URL is the output `dashboard_url` and the SSM parameter `dashboard-url`."
  type = object({
    enabled        = optional(bool, true)
    period_seconds = optional(number, 300)
  })
  default  = {}
  nullable = false

  # The metrics shown have standard (one-minute) resolution, for which CloudWatch accepts a period of
  # a multiple of 60 seconds (CloudWatch API Reference, MetricStat, Period,
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricStat.html).
  validation {
    condition     = var.dashboard.period_seconds == floor(var.dashboard.period_seconds) && var.dashboard.period_seconds >= 60 && var.dashboard.period_seconds % 60 == 0
    error_message = "dashboard.period_seconds must be a whole multiple of 60 seconds (60, 300, 3600, ...)."
  }
}

variable "lambda_package_dir" {
  description = "Directory holding the Lambda packages built by `make package`: `labeling_pipeline.zip` and, unless `powertools_layer_arn` is set, `powertools-layer.zip`."
  type        = string

  validation {
    condition     = fileexists("${var.lambda_package_dir}/labeling_pipeline.zip")
    error_message = "lambda_package_dir must contain labeling_pipeline.zip: run `make package` first (it writes build/lambda/)."
  }
}

variable "powertools_layer_arn" {
  description = "ARN of an existing Lambda layer version with aws-lambda-powertools for Python 3.13. Null (default): the module publishes one from `powertools-layer.zip`."
  type        = string
  default     = null

  validation {
    condition     = var.powertools_layer_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", coalesce(var.powertools_layer_arn, "-")))
    error_message = "powertools_layer_arn must be a layer version ARN: arn:aws:lambda:<region>:<account>:layer:<name>:<version>."
  }
}

variable "ssm_prefix" {
  description = "SSM parameter path under which the module publishes `upload-bucket-name`, `output-bucket-name`, `feature-group-name`, `state-machine-arn`, `upload-queue-url` and, with the dashboard on, `dashboard-url`. Null (default): `/<name>/pipeline`."
  type        = string
  default     = null

  validation {
    condition     = var.ssm_prefix == null || can(regex("^(/[A-Za-z0-9_.-]+)+$", coalesce(var.ssm_prefix, "-")))
    error_message = "ssm_prefix must be a path like /private-labeling/dev/pipeline: starts with /, no trailing /, letters, digits and _ . - in each part."
  }
}

variable "kms" {
  description = "Encryption key. Null `key_arn` (default): the module creates a customer-managed key with rotation and a key policy for the services that need it. With your own key, merge the statements of the output `kms_key_policy_json` into its policy. `deletion_window_in_days` applies to the module's key."
  type = object({
    key_arn                 = optional(string)
    deletion_window_in_days = optional(number, 30)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.kms.key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", coalesce(var.kms.key_arn, "-")))
    error_message = "kms.key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
  validation {
    condition     = var.kms.deletion_window_in_days == floor(var.kms.deletion_window_in_days) && var.kms.deletion_window_in_days >= 7 && var.kms.deletion_window_in_days <= 30
    error_message = "kms.deletion_window_in_days must be a whole number from 7 to 30."
  }
}

variable "access_logging" {
  description = "S3 server access logging of the module's buckets. `enabled` (default true) with `target_bucket` null: the module creates an access-log bucket (SSE-S3: S3 cannot deliver access logs to an SSE-KMS bucket) whose logs expire after `expiration_days`. With `target_bucket`: logs go to your existing central log bucket."
  type = object({
    enabled         = optional(bool, true)
    target_bucket   = optional(string)
    expiration_days = optional(number, 365)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.access_logging.target_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.access_logging.target_bucket, "-")))
    error_message = "access_logging.target_bucket must be an S3 bucket name."
  }
  validation {
    condition     = var.access_logging.expiration_days == floor(var.access_logging.expiration_days) && var.access_logging.expiration_days >= 1
    error_message = "access_logging.expiration_days must be a whole number of at least 1."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which replaced (noncurrent) object versions expire in the upload, output and feature store buckets. Keep it longer than your longest labeling + verification time: a job reads the version that was uploaded."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days == floor(var.noncurrent_version_expiration_days) && var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be a whole number of at least 1."
  }
}

variable "deletion_protection" {
  description = "Deletion protection of the ledger table (the record of every item in flight). Turn it off only to destroy the pipeline."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete the buckets with their objects. Keep false outside throwaway environments."
  type        = bool
  default     = false
}

variable "iam_permissions_boundary_arn" {
  description = "ARN of a permissions boundary policy attached to every IAM role the module creates (for accounts that require one)."
  type        = string
  default     = null

  validation {
    condition     = var.iam_permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", coalesce(var.iam_permissions_boundary_arn, "-")))
    error_message = "iam_permissions_boundary_arn must be an IAM policy ARN: arn:aws:iam::<account>:policy/<name>."
  }
}

# Inputs renamed in 0.2.0, when both modules took one vocabulary (CHANGELOG.md). Each is kept only so that
# a configuration still setting it fails with the new name instead of "argument not expected".
# Nothing reads them but their own validation, hence the tflint-ignore.

# tflint-ignore: terraform_unused_declarations
variable "log_retention_days" {
  description = "Renamed to `log_retention_in_days` in 0.2.0 (the AWS provider's attribute name); must stay unset."
  type        = number
  default     = null

  validation {
    condition     = var.log_retention_days == null
    error_message = "log_retention_days was renamed to log_retention_in_days in 0.2.0; see CHANGELOG.md."
  }
}
