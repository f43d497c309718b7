output "upload_bucket_name" {
  description = "Upload images under incoming/ here."
  value       = module.labeling_pipeline.upload_bucket_name
}

output "state_machine_arn" {
  description = "The labeling state machine."
  value       = module.labeling_pipeline.state_machine_arn
}

output "feature_group_name" {
  description = "Where the labels land."
  value       = module.labeling_pipeline.feature_group_name
}

output "dead_letter_queue_url" {
  description = "Items that could not be labeled."
  value       = module.labeling_pipeline.dead_letter_queue_url
}

output "alarm_topic_arn" {
  description = "Alarm topic."
  value       = module.labeling_pipeline.alarm_topic_arn
}
