environment         = "prod"
region              = "us-east-1"
deletion_protection = true
log_retention_days  = 365

workforce = {
  tier                   = "PLUS"
  advanced_security_mode = "ENFORCED"
  teams = {
    labelers  = { description = "Label data", notifications = true }
    reviewers = { description = "Review proposed labels", notifications = true }
  }
}

pipelines = {
  images = {
    task_type         = "image_bounding_box"
    team              = "labelers"
    verification_team = "reviewers"
    title             = "Draw a box around each vehicle"
    description       = "Draw one tight box around every vehicle in the picture."
    categories        = ["car", "truck", "bus", "bicycle"]
    schedule          = "cron(0 12 * * ? *)"
    online_store      = true
    alarm_emails      = []
  }
}
