variable "name" {
  description = "Name of this deployment; every resource name is derived from it (for example `private-labeling-dev`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen (it prefixes Lambda, IAM and work team names, which have length limits)."
  }
}

variable "tags" {
  description = "Tags added to every resource that supports tags."
  type        = map(string)
  default     = {}
}

variable "identity" {
  description = "Where workers sign in: `cognito` (a dedicated Cognito user pool created by this module) or `oidc` (your own OpenID Connect identity provider; no Cognito resource is created)."
  type        = string
  default     = "cognito"

  validation {
    condition     = contains(["cognito", "oidc"], var.identity)
    error_message = "identity must be \"cognito\" or \"oidc\"."
  }
}

variable "workforce_name" {
  description = "Name of the private workforce. Defaults to `name`. An account has one private workforce per region: to manage an existing one, set its name and import it (see examples/existing-workforce)."
  type        = string
  default     = null

  validation {
    condition     = var.workforce_name == null ? true : can(regex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$", var.workforce_name))
    error_message = "workforce_name must be 1-63 letters, digits or hyphens and start with a letter or digit."
  }
}

variable "domain_prefix" {
  description = "Prefix of the Cognito hosted sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`); unique per region across all AWS accounts. When null, the value stored in SSM by an earlier apply is reused, or on the first apply one is derived from `name` and the account. Once stored, a different value is refused unless `allow_domain_prefix_change` is true."
  type        = string
  default     = null

  validation {
    condition     = var.domain_prefix == null ? true : can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.domain_prefix))
    error_message = "domain_prefix must be 1-63 lowercase letters, digits and hyphens, and must not start or end with a hyphen."
  }

  validation {
    condition     = var.domain_prefix == null ? true : length(regexall("aws|amazon|cognito", var.domain_prefix)) == 0
    error_message = "domain_prefix must not contain \"aws\", \"amazon\" or \"cognito\": Cognito refuses such prefixes."
  }
}

variable "allow_domain_prefix_change" {
  description = "Allow the Cognito domain prefix to differ from the one stored by an earlier apply. Changing it deletes the old sign-in domain and creates a new one; links in invitations already sent stop working."
  type        = bool
  default     = false
}

variable "custom_domain" {
  description = "Optional custom sign-in domain for the user pool, in addition to the prefix domain. The ACM certificate must be ISSUED and in us-east-1; you create the DNS alias to the `custom_domain_cloudfront_distribution` output."
  type = object({
    domain_name     = string
    certificate_arn = string
  })
  default = null

  validation {
    condition     = var.custom_domain == null ? true : can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/", var.custom_domain.certificate_arn))
    error_message = "custom_domain.certificate_arn must be an ACM certificate ARN in us-east-1 (Cognito custom domains use CloudFront)."
  }

  validation {
    condition     = var.custom_domain == null ? true : can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.custom_domain.domain_name))
    error_message = "custom_domain.domain_name must be a fully qualified lowercase domain name such as auth.example.com."
  }
}

variable "user_pool" {
  description = <<-EOT
    Cognito user pool settings. Users are created by administrators only, sign in with their user
    name or verified email, and must use an authenticator app (TOTP) as second factor.
    `tier`: LITE, ESSENTIALS or PLUS. `advanced_security_mode` (threat protection): OFF, AUDIT or
    ENFORCED; anything but OFF needs the PLUS tier. (Deletion protection is the module's
    `deletion_protection` input since 0.2.0.) `email`: send from your verified SES identity (`source_arn`, an
    `arn:aws:ses:<region>:<account>:identity/...`) instead of Cognito's default sender, which emails
    at most 50 messages a day per AWS account.
  EOT
  type = object({
    tier                   = optional(string, "ESSENTIALS")
    advanced_security_mode = optional(string, "OFF")
    deletion_protection    = optional(bool) # moved to var.deletion_protection in 0.2.0 (validation below)
    password_policy = optional(object({
      minimum_length                   = optional(number, 14)
      require_lowercase                = optional(bool, true)
      require_uppercase                = optional(bool, true)
      require_numbers                  = optional(bool, true)
      require_symbols                  = optional(bool, true)
      temporary_password_validity_days = optional(number, 7)
      password_history_size            = optional(number, 0)
    }), {})
    email = optional(object({
      source_arn             = string
      from_email_address     = string
      reply_to_email_address = optional(string)
      configuration_set      = optional(string)
    }))
  })
  default = {}

  validation {
    condition     = var.user_pool.deletion_protection == null
    error_message = "user_pool.deletion_protection moved to the module input deletion_protection in 0.2.0 (the same name in both modules); see CHANGELOG.md."
  }

  validation {
    condition     = contains(["LITE", "ESSENTIALS", "PLUS"], var.user_pool.tier)
    error_message = "user_pool.tier must be LITE, ESSENTIALS or PLUS."
  }

  validation {
    condition     = contains(["OFF", "AUDIT", "ENFORCED"], var.user_pool.advanced_security_mode)
    error_message = "user_pool.advanced_security_mode must be OFF, AUDIT or ENFORCED."
  }

  validation {
    condition     = var.user_pool.advanced_security_mode == "OFF" || var.user_pool.tier == "PLUS"
    error_message = "user_pool.advanced_security_mode other than OFF (threat protection) needs user_pool.tier = \"PLUS\"; Cognito refuses it on other tiers (FeatureUnavailableInTierException)."
  }

  validation {
    condition     = var.user_pool.password_policy.minimum_length >= 8 && var.user_pool.password_policy.minimum_length <= 99
    error_message = "user_pool.password_policy.minimum_length must be between 8 and 99."
  }

  validation {
    condition     = var.user_pool.password_policy.temporary_password_validity_days >= 1 && var.user_pool.password_policy.temporary_password_validity_days <= 365
    error_message = "user_pool.password_policy.temporary_password_validity_days must be between 1 and 365."
  }

  validation {
    condition     = var.user_pool.password_policy.password_history_size >= 0 && var.user_pool.password_policy.password_history_size <= 24
    error_message = "user_pool.password_policy.password_history_size must be between 0 and 24."
  }

  validation {
    condition     = var.user_pool.email == null ? true : can(regex("^arn:aws[a-z-]*:ses:", var.user_pool.email.source_arn))
    error_message = "user_pool.email.source_arn must be the ARN of a verified SES identity."
  }
}

variable "warn_on_default_email_sender" {
  description = "Warn at plan time (a `check`) while the user pool sends invitations from Cognito's default sender, which emails at most 50 messages a day per AWS account, instead of your SES identity (`user_pool.email`). Turn it off where that is enough, such as a local emulator."
  type        = bool
  default     = true
}

variable "app_client" {
  description = "The workforce's Cognito app client: token lifetimes, and extra callback/logout URLs kept next to the labeling portal's own (which the bootstrap sets)."
  type = object({
    access_token_validity_minutes = optional(number, 60)
    id_token_validity_minutes     = optional(number, 60)
    refresh_token_validity_days   = optional(number, 1)
    extra_callback_urls           = optional(list(string), [])
    extra_logout_urls             = optional(list(string), [])
  })
  default = {}

  validation {
    condition = alltrue([
      for minutes in [var.app_client.access_token_validity_minutes, var.app_client.id_token_validity_minutes] :
      minutes >= 5 && minutes <= 1440
    ])
    error_message = "app_client access and ID token validity must be between 5 and 1440 minutes."
  }

  validation {
    condition     = var.app_client.refresh_token_validity_days >= 1 && var.app_client.refresh_token_validity_days <= 3650
    error_message = "app_client.refresh_token_validity_days must be between 1 and 3650."
  }

  validation {
    condition = alltrue([
      for url in concat(var.app_client.extra_callback_urls, var.app_client.extra_logout_urls) :
      can(regex("^(https://[^/#\\s]+|http://localhost(:[0-9]+)?)(/[^#\\s]*)?$", url))
    ])
    error_message = "app_client extra URLs must be https:// URLs (or http://localhost) without a fragment."
  }

  validation {
    condition     = length(var.app_client.extra_callback_urls) <= 99 && length(var.app_client.extra_logout_urls) <= 99
    error_message = "Cognito allows 100 callback and 100 logout URLs per client; the portal's own takes one of each."
  }
}

variable "invitation" {
  description = "Invitation email. `body` must contain `{username}` and `{####}` (filled in by Cognito) and `{portal_url}` (filled in by the bootstrap with the labeling portal's address); HTML is allowed. Null fields get a default text."
  type = object({
    subject = optional(string)
    body    = optional(string)
  })
  default = {}

  validation {
    condition = var.invitation.body == null ? true : alltrue([
      for field in ["{username}", "{####}", "{portal_url}"] : strcontains(var.invitation.body, field)
    ])
    error_message = "invitation.body must contain {username}, {####} and {portal_url}."
  }

  validation {
    condition     = var.invitation.subject == null ? true : length(var.invitation.subject) >= 1 && length(var.invitation.subject) <= 100
    error_message = "invitation.subject must be 1-100 characters (Cognito allows 140 after the portal URL is filled in)."
  }

  validation {
    condition     = var.invitation.body == null ? true : length(var.invitation.body) <= 19000
    error_message = "invitation.body must be at most 19000 characters (Cognito allows 20000 after the portal URL is filled in)."
  }
}

variable "activity_logging" {
  description = "Delivery of the user pool's logs to a CloudWatch log group (`enabled`, default true): message delivery errors on every tier, and user activity (sign-ins, risk decisions) when threat protection is on (PLUS tier). The group is not encrypted with the module's KMS key: Cognito refuses a KMS-encrypted log group."
  type = object({
    enabled = optional(bool, true)
  })
  default  = {}
  nullable = false
}

variable "log_retention_in_days" {
  description = "Retention of the module's CloudWatch log groups (bootstrap function, WAF, user pool activity)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "waf" {
  description = <<-EOT
    AWS WAF in front of the user pool's sign-in endpoints (Cognito identity only). By default a web
    ACL is created with the AWS managed rule groups for common threats, known bad inputs and IP
    reputation, a per-IP rate limit (`rate_limit` requests per 5 minutes), logging to CloudWatch,
    and, when `allowed_cidrs` is set, a rule blocking sign-in from anywhere else (the token
    endpoint stays reachable, since the portal's servers call it). Set `web_acl_arn` to associate
    your own regional web ACL instead, or `enabled = false` for none.
  EOT
  type = object({
    enabled       = optional(bool, true)
    web_acl_arn   = optional(string)
    rate_limit    = optional(number, 300)
    allowed_cidrs = optional(list(string), [])
  })
  default = {}

  validation {
    condition     = var.waf.web_acl_arn == null ? true : can(regex("^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/", var.waf.web_acl_arn))
    error_message = "waf.web_acl_arn must be the ARN of a regional WAFv2 web ACL (arn:aws:wafv2:<region>:<account>:regional/webacl/...)."
  }

  validation {
    condition     = var.waf.rate_limit >= 10 && var.waf.rate_limit <= 2000000000
    error_message = "waf.rate_limit must be between 10 and 2000000000 requests per 5 minutes."
  }

  validation {
    condition     = alltrue([for cidr in var.waf.allowed_cidrs : can(cidrnetmask(cidr))])
    error_message = "waf.allowed_cidrs must be IPv4 CIDR blocks such as 203.0.113.0/24."
  }
}

variable "source_ip_cidrs" {
  description = "IPv4 CIDR blocks from which workers may use the labeling portal (at most 10, AWS's limit). Empty: no restriction."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.source_ip_cidrs) <= 10
    error_message = "source_ip_cidrs takes at most 10 CIDR blocks (a SageMaker workforce limit)."
  }

  validation {
    condition     = alltrue([for cidr in var.source_ip_cidrs : can(cidrnetmask(cidr))])
    error_message = "source_ip_cidrs must be IPv4 CIDR blocks such as 203.0.113.0/24."
  }
}

variable "vpc_config" {
  description = "Optional VPC for the workforce (private worker portal): the VPC, 1-16 subnets and 1-5 security groups."
  type = object({
    vpc_id             = string
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null

  validation {
    condition     = var.vpc_config == null ? true : length(var.vpc_config.subnet_ids) >= 1 && length(var.vpc_config.subnet_ids) <= 16 && length(var.vpc_config.security_group_ids) >= 1 && length(var.vpc_config.security_group_ids) <= 5
    error_message = "vpc_config needs 1-16 subnet_ids and 1-5 security_group_ids."
  }
}

variable "oidc" {
  description = "Your OpenID Connect identity provider, when `identity = \"oidc\"`: the issuer and endpoints (all https) and the client id registered for the workforce. The client secret is `oidc_client_secret`. Register `<labeling_portal_url>/oauth2/idpresponse` as a redirect URI at your provider after the first apply."
  type = object({
    issuer                              = optional(string)
    client_id                           = optional(string)
    authorization_endpoint              = optional(string)
    token_endpoint                      = optional(string)
    user_info_endpoint                  = optional(string)
    logout_endpoint                     = optional(string)
    jwks_uri                            = optional(string)
    scope                               = optional(string)
    authentication_request_extra_params = optional(map(string))
  })
  default = null

  validation {
    condition = var.oidc == null ? true : alltrue([
      for field in ["issuer", "client_id", "authorization_endpoint", "token_endpoint", "user_info_endpoint", "logout_endpoint", "jwks_uri"] :
      try(length(var.oidc[field]) > 0, false)
    ])
    error_message = "oidc needs issuer, client_id, authorization_endpoint, token_endpoint, user_info_endpoint, logout_endpoint and jwks_uri."
  }

  validation {
    condition = var.oidc == null ? true : alltrue([
      for field in ["issuer", "authorization_endpoint", "token_endpoint", "user_info_endpoint", "logout_endpoint", "jwks_uri"] :
      can(regex("^https://", var.oidc[field]))
    ])
    error_message = "oidc issuer and endpoints must be https:// URLs."
  }
}

variable "oidc_client_secret" {
  description = "Client secret of the workforce's client at your OIDC identity provider (`identity = \"oidc\"` only)."
  type        = string
  default     = null
  sensitive   = true
}

variable "teams" {
  description = "Private work teams by name (lowercase letters, digits, hyphens; the work team is named `<name>-<key>`). With Cognito each team gets its own user group; with OIDC list the identity provider's groups in `oidc_groups` (1-10). `notifications = true` creates a KMS-encrypted SNS topic that tells the team's workers when tasks arrive."
  type = map(object({
    description   = string
    notifications = optional(bool, false)
    oidc_groups   = optional(list(string), [])
  }))
  default = {}

  validation {
    condition     = alltrue([for key in keys(var.teams) : can(regex("^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$", key))])
    error_message = "teams keys must be 1-22 lowercase letters, digits and hyphens, not starting or ending with a hyphen."
  }

  validation {
    condition     = length(var.teams) <= 25
    error_message = "An account can have at most 25 work teams per region."
  }

  validation {
    condition     = alltrue([for team in values(var.teams) : length(team.description) >= 1 && length(team.description) <= 200])
    error_message = "Every team needs a description of 1-200 characters."
  }

  validation {
    condition     = alltrue([for team in values(var.teams) : length(team.oidc_groups) <= 10])
    error_message = "A work team takes at most 10 OIDC groups."
  }
}

variable "initial_workers" {
  description = "Workers created as Cognito users and invited by email (Cognito identity only), each with the teams they join. They sign in with their email (a verified alias); the user name defaults to the opaque `w-<24 hex digits>` that scripts/invite.py derives from the email, so the script recognises them. Add later workers with scripts/invite.py."
  type = list(object({
    email    = string
    teams    = optional(list(string), [])
    username = optional(string)
  }))
  default = []

  validation {
    condition     = alltrue([for worker in var.initial_workers : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", worker.email))])
    error_message = "Every initial worker needs a valid email address."
  }

  validation {
    condition     = length(distinct([for worker in var.initial_workers : lower(worker.email)])) == length(var.initial_workers)
    error_message = "initial_workers lists an email address twice."
  }

  validation {
    condition = alltrue([
      for worker in var.initial_workers :
      worker.username == null ? true : can(regex("^[^@\\s]{1,128}$", worker.username))
    ])
    error_message = "An initial worker's username must be 1-128 characters without spaces or \"@\" (the email is a sign-in alias, so a user name cannot look like one)."
  }
}

variable "ssm_prefix" {
  description = "SSM parameter path under which the module publishes `user-pool-id`, `workforce-arn`, `labeling-portal-url`, `workteams` and the other identifiers. Null (default): `/<name>/workforce`."
  type        = string
  default     = null

  validation {
    condition     = var.ssm_prefix == null || can(regex("^(/[A-Za-z0-9_.-]+)+$", coalesce(var.ssm_prefix, "-")))
    error_message = "ssm_prefix must be a path like /private-labeling/dev/workforce: starts with /, no trailing /, letters, digits and _ . - in each part."
  }
}

variable "kms" {
  description = "Encryption key of the log groups, SNS topics and Lambda environment. Null `key_arn` (default): the module creates a customer-managed key with rotation and a key policy for the services that need it. A key you bring must let CloudWatch Logs and SageMaker use it (see the README). `deletion_window_in_days` applies to the module's key."
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

variable "deletion_protection" {
  description = "Deletion protection of the Cognito user pool (the workers' accounts). Turn it off only to destroy the workforce."
  type        = bool
  default     = true
}

variable "lambda_package_dir" {
  description = "Directory holding the Lambda packages built by `make package`: `workforce_bootstrap.zip` and, unless `powertools_layer_arn` is set, `powertools-layer.zip`. Required with the Cognito identity."
  type        = string
  default     = null
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

# Inputs renamed in 0.2.0, when both modules took one vocabulary (CHANGELOG.md). Each is kept only so that
# a configuration still setting it fails with the new name instead of "argument not expected".
# Nothing reads them but their own validation, hence the tflint-ignore.

# tflint-ignore: terraform_unused_declarations
variable "kms_key_arn" {
  description = "Replaced by `kms = { key_arn = ... }` in 0.2.0; must stay unset."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null
    error_message = "kms_key_arn was replaced by kms = { key_arn = \"...\" } in 0.2.0 (the same shape in both modules); see CHANGELOG.md."
  }
}

# tflint-ignore: terraform_unused_declarations
variable "activity_logs_enabled" {
  description = "Replaced by `activity_logging = { enabled = ... }` in 0.2.0; must stay unset."
  type        = bool
  default     = null

  validation {
    condition     = var.activity_logs_enabled == null
    error_message = "activity_logs_enabled was replaced by activity_logging = { enabled = ... } in 0.2.0; see CHANGELOG.md."
  }
}
