# The local AWS emulator (make demo / make apply ENV=local): everything deletable, small and fast.
environment           = "local"
region                = "us-east-1"
emulator              = true
deletion_protection   = false
log_retention_in_days = 1

workforce = {
  domain_prefix = "labeling-local-demo"
  teams = {
    labelers  = { description = "Label images and texts" }
    reviewers = { description = "Review proposed labels" }
  }
}

pipelines = {
  images = {
    task_type         = "image_single_label_classification"
    team              = "labelers"
    verification_team = "reviewers"
    title             = "What fruit is this?"
    description       = "Pick the fruit shown in the picture."
    categories        = ["apple", "pear", "berry", "other"]
    schedule          = "rate(5 minutes)"
    online_store      = true
    # The emulator's labelers answer in seconds: short tasks, frequent checks. Jobs of one set (at most
    # 1,000 objects, the demo has a handful) keep a job's horizon, and so the longest check, that short.
    max_objects_per_job           = 1000
    availability_lifetime_seconds = 3600
    job_poll_seconds              = { min = 10, max = 60 }
  }
  reviews = {
    task_type                     = "text_single_label_classification"
    team                          = "labelers"
    title                         = "Sentiment of a review"
    description                   = "Is this product review positive, negative or neutral?"
    categories                    = ["positive", "negative", "neutral"]
    schedule                      = "rate(5 minutes)"
    online_store                  = true
    max_objects_per_job           = 1000
    availability_lifetime_seconds = 3600
    job_poll_seconds              = { min = 10, max = 60 }
  }
}
