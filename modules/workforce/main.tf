data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  cognito = var.identity == "cognito"
  oidc    = var.identity == "oidc"

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  workforce_name = coalesce(var.workforce_name, var.name)
  ssm_prefix     = coalesce(var.ssm_prefix, "/${var.name}/workforce")

  notified_teams = { for key, team in var.teams : key => team if team.notifications }

  # Workers sign in with their email (an alias), so nobody types the user name: it is opaque, keeps
  # the address out of CloudTrail and logs, and is the one scripts/invite.py derives for the email.
  workers = {
    for worker in var.initial_workers :
    coalesce(worker.username, "w-${substr(sha256("private-labeling-worker:${lower(trimspace(worker.email))}"), 0, 24)}") => {
      email = lower(trimspace(worker.email))
      teams = worker.teams
    }
  }
  worker_memberships = {
    for pair in flatten([
      for username, worker in local.workers : [for team in worker.teams : { username = username, team = team }]
    ]) : "${pair.username}/${pair.team}" => pair
  }
  unknown_worker_teams = distinct([for pair in values(local.worker_memberships) : pair.team if !contains(keys(var.teams), pair.team)])

  # The pool and app client the workforce signs in with. cognito_config cannot change in place, but
  # the AWS provider (6.47) plans a change of its client_id or user_pool as an in-place update that
  # leaves the workforce on the old client; a change of this value replaces the workforce instead.
  cognito_binding = {
    user_pool = local.cognito ? aws_cognito_user_pool.this[0].id : null
    client_id = local.cognito ? aws_cognito_user_pool_client.this[0].id : null
  }

  # Work teams must be rebuilt whenever the identity they are bound to changes: a replaced workforce,
  # or an OIDC configuration, which SageMaker accepts only while no team is attached. Replacing the
  # teams through this value also orders their deletion before the workforce's replacement or update.
  identity_binding = {
    workforce_name = local.workforce_name
    cognito        = local.cognito_binding
    # The client secret counts: rotating it is an OIDC configuration change too. Only a one-way hash
    # of it is kept, unmarked: a sensitive value here would differ from the stored one on every plan
    # and replace the teams each time.
    oidc = local.oidc && var.oidc != null ? nonsensitive(sha256(jsonencode([var.oidc, var.oidc_client_secret]))) : null
  }
}
