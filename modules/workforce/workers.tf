resource "aws_cognito_user" "worker" {
  for_each = local.cognito ? local.workers : {}

  user_pool_id             = aws_cognito_user_pool.this[0].id
  username                 = each.key
  desired_delivery_mediums = ["EMAIL"]

  # Verified up front so the worker can sign in with the email address (an alias) right away.
  attributes = {
    email          = each.value.email
    email_verified = "true"
  }

  lifecycle {
    precondition {
      condition     = length(local.unknown_worker_teams) == 0
      error_message = "initial_workers refers to teams that are not in var.teams: ${join(", ", local.unknown_worker_teams)}."
    }
  }

  # The invitation must already carry the portal's address when Cognito sends it.
  depends_on = [aws_lambda_invocation.bootstrap]
}

resource "aws_cognito_user_in_group" "worker" {
  for_each = local.cognito ? local.worker_memberships : {}

  user_pool_id = aws_cognito_user_pool.this[0].id
  username     = aws_cognito_user.worker[each.value.username].username
  group_name   = aws_cognito_user_group.team[each.value.team].name
}

# Ground Truth notifies a team through its topic; its initial workers are subscribed by email
# (each confirms from the message SNS sends).
resource "aws_sns_topic_subscription" "worker" {
  for_each = {
    for key, membership in local.worker_memberships : key => membership
    if local.cognito && contains(keys(local.notified_teams), membership.team)
  }

  topic_arn = aws_sns_topic.team[each.value.team].arn
  protocol  = "email"
  endpoint  = local.workers[each.value.username].email
}
