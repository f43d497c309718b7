# Staging mirrors prod's settings in its own account (or region): one private workforce per
# account and region.
environment           = "staging"
region                = "us-east-1"
deletion_protection   = true
log_retention_in_days = 90

workforce = {
  tier = "ESSENTIALS"
  # Invitations go out from your Amazon SES identity: Cognito's default sender emails at most 50
  # messages a day per AWS account, and the plan warns while it is in use. Verify the identity first
  # (README, "Deploying to a real AWS account"), then replace null with, for example:
  #   email = {
  #     source_arn         = "arn:aws:ses:us-east-1:111122223333:identity/labeling@example.com"
  #     from_email_address = "Labeling <labeling@example.com>"
  #   }
  email = null
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
  }
}
