# The root configuration every environment shares: envs/<env>/*.tf link here, and only
# terraform.tfvars and the backend differ between environments.

locals {
  name       = "labeling-${var.environment}"
  ssm_prefix = "/private-labeling/${var.environment}"
}

module "workforce" {
  source = "../../modules/workforce"

  name                  = local.name
  domain_prefix         = var.workforce.domain_prefix
  source_ip_cidrs       = var.workforce.source_ip_cidrs
  teams                 = var.workforce.teams
  initial_workers       = var.workforce.initial_workers
  log_retention_in_days = var.log_retention_in_days
  deletion_protection   = var.deletion_protection
  ssm_prefix            = "${local.ssm_prefix}/workforce"
  lambda_package_dir    = abspath(var.lambda_package_dir)
  tags                  = var.tags

  user_pool = {
    tier                   = var.workforce.tier
    advanced_security_mode = var.workforce.advanced_security_mode
    email                  = var.workforce.email
  }
  # Every environment but the emulator invites real people: warn while it uses Cognito's default
  # sender (50 emails a day per account) instead of an SES identity.
  warn_on_default_email_sender = var.environment != "local"
  waf = {
    enabled       = var.workforce.waf_enabled
    allowed_cidrs = var.workforce.waf_allowed_cidrs
  }
}

module "pipeline" {
  source   = "../../modules/labeling_pipeline"
  for_each = var.pipelines

  name                  = "${local.name}-${each.key}"
  task_type             = each.value.task_type
  max_attempts          = each.value.max_attempts
  log_retention_in_days = var.log_retention_in_days
  ssm_prefix            = "${local.ssm_prefix}/pipeline/${each.key}"
  lambda_package_dir    = abspath(var.lambda_package_dir)
  force_destroy         = !var.deletion_protection
  deletion_protection   = var.deletion_protection
  tags                  = var.tags

  labeling = {
    workteam_arn                  = module.workforce.workteam_arns[each.value.team]
    title                         = each.value.title
    description                   = each.value.description
    categories                    = each.value.categories
    max_objects_per_job           = each.value.max_objects_per_job
    availability_lifetime_seconds = each.value.availability_lifetime_seconds
  }
  verification = each.value.verification_team == null ? null : {
    workteam_arn                  = module.workforce.workteam_arns[each.value.verification_team]
    availability_lifetime_seconds = each.value.availability_lifetime_seconds
  }
  wait          = { min_seconds = each.value.job_poll_seconds.min, max_seconds = each.value.job_poll_seconds.max }
  schedule      = { expression = each.value.schedule }
  feature_store = { enable_online_store = each.value.online_store }
  alarm         = { email_addresses = each.value.alarm_emails }
}
