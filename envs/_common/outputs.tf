output "labeling_portal_url" {
  description = "Where workers sign in and label."
  value       = module.workforce.labeling_portal_url
}

output "user_pool_id" {
  description = "The workforce's Cognito user pool (scripts/invite.py finds it through SSM too)."
  value       = module.workforce.user_pool_id
}

output "workteam_arns" {
  description = "Work team ARNs by team name."
  value       = module.workforce.workteam_arns
}

output "pipelines" {
  description = "Per pipeline: where to upload, where labels land, what runs it, and its dashboard."
  value = {
    for key, p in module.pipeline : key => {
      upload_bucket_name = p.upload_bucket_name
      output_bucket_name = p.output_bucket_name
      feature_group_name = p.feature_group_name
      state_machine_arn  = p.state_machine_arn
      upload_queue_url   = p.upload_queue_url
      dashboard_name     = p.dashboard_name
      dashboard_url      = p.dashboard_url
    }
  }
}

output "ssm_prefix" {
  description = "SSM Parameter Store path under which the environment's identifiers are published."
  value       = local.ssm_prefix
}
