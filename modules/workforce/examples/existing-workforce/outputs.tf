output "labeling_portal_url" {
  description = "Address workers sign in to (unchanged by the adoption)."
  value       = module.workforce.labeling_portal_url
}

output "workteam_arns" {
  description = "Work team ARNs by team name."
  value       = module.workforce.workteam_arns
}
