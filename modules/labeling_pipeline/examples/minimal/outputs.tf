output "upload_bucket_name" {
  description = "Upload images here."
  value       = module.labeling_pipeline.upload_bucket_name
}

output "state_machine_arn" {
  description = "The labeling state machine (its schedule starts it daily; start an execution to run it now)."
  value       = module.labeling_pipeline.state_machine_arn
}

output "feature_group_name" {
  description = "Where the labels land."
  value       = module.labeling_pipeline.feature_group_name
}
