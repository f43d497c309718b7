output "labeling_portal_url" {
  description = "Address workers sign in to."
  value       = module.workforce.labeling_portal_url
}

output "user_pool_id" {
  description = "The workforce's Cognito user pool."
  value       = module.workforce.user_pool_id
}

output "user_pool_client_id" {
  description = "The workforce's app client."
  value       = module.workforce.user_pool_client_id
}

output "workteam_arns" {
  description = "Work team ARNs by team name, for labeling jobs."
  value       = module.workforce.workteam_arns
}

output "initial_worker_usernames" {
  description = "Cognito user name of each invited worker."
  value       = module.workforce.initial_worker_usernames
}

output "ssm_prefix" {
  description = "Where the identifiers are published in SSM."
  value       = module.workforce.ssm_prefix
}
