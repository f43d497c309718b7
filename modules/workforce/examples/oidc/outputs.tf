output "labeling_portal_url" {
  description = "Address workers sign in to; register <this>/oauth2/idpresponse as a redirect URI at your identity provider."
  value       = module.workforce.labeling_portal_url
}

output "workteam_arns" {
  description = "Work team ARNs by team name, for labeling jobs."
  value       = module.workforce.workteam_arns
}
