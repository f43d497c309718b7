environment           = "dev"
region                = "us-east-1"
deletion_protection   = false
log_retention_in_days = 30

workforce = {
  teams = {
    labelers  = { description = "Label data", notifications = true }
    reviewers = { description = "Review proposed labels" }
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
    schedule          = "rate(1 hour)"
  }
}
