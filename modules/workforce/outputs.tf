locals {
  labeling_portal_url = "https://${aws_sagemaker_workforce.this.subdomain}"
  user_pool_domain = !local.cognito ? null : (
    var.custom_domain != null
    ? var.custom_domain.domain_name
    : "${aws_cognito_user_pool_domain.this[0].domain}.auth.${local.region}.amazoncognito.com"
  )
}

output "user_pool_id" {
  description = "ID of the workforce's Cognito user pool (null with the OIDC identity)."
  value       = local.cognito ? aws_cognito_user_pool.this[0].id : null
}

output "user_pool_arn" {
  description = "ARN of the workforce's Cognito user pool (null with the OIDC identity)."
  value       = local.cognito ? aws_cognito_user_pool.this[0].arn : null
}

output "user_pool_client_id" {
  description = "ID of the Cognito app client the workforce signs in with (null with the OIDC identity)."
  value       = local.cognito ? aws_cognito_user_pool_client.this[0].id : null
}

output "user_pool_domain" {
  description = "Host name of the Cognito sign-in pages: the custom domain when set, else `<prefix>.auth.<region>.amazoncognito.com` (null with the OIDC identity)."
  value       = local.user_pool_domain
}

output "user_pool_domain_prefix" {
  description = "The Cognito domain prefix in use, as stored in SSM (null with the OIDC identity)."
  value       = local.cognito ? aws_cognito_user_pool_domain.this[0].domain : null
}

output "custom_domain_cloudfront_distribution" {
  description = "CloudFront host name to point the custom domain's DNS alias at (null without a custom domain)."
  value       = try(aws_cognito_user_pool_domain.custom[0].cloudfront_distribution, null)
}

output "workforce_name" {
  description = "Name of the private workforce."
  value       = aws_sagemaker_workforce.this.workforce_name
}

output "workforce_arn" {
  description = "ARN of the private workforce."
  value       = aws_sagemaker_workforce.this.arn
}

output "workforce_subdomain" {
  description = "Subdomain of the labeling portal, as SageMaker assigned it."
  value       = aws_sagemaker_workforce.this.subdomain
}

output "labeling_portal_url" {
  description = "Address of the labeling portal workers sign in to."
  value       = local.labeling_portal_url
}

output "workteam_arns" {
  description = "ARN of each work team, by team name (the keys of var.teams)."
  value       = { for key, team in aws_sagemaker_workteam.this : key => team.arn }
}

output "workteams" {
  description = "Each work team by name: its ARN, Cognito user group (null with OIDC) and notification topic ARN (null without notifications); the same document as the `workteams` SSM parameter."
  value       = local.workteams_document
}

output "web_acl_arn" {
  description = "ARN of the WAF web ACL associated with the user pool (created or brought), or null."
  value       = local.web_acl_arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the module's log groups, topics and Lambda environment (null when nothing needs one)."
  value       = local.kms_key_arn
}

output "bootstrap_function_name" {
  description = "Name of the bootstrap Lambda function (null with the OIDC identity); invoke it to re-apply the portal URLs after a manual change."
  value       = local.cognito ? aws_lambda_function.bootstrap[0].function_name : null
}

output "initial_worker_usernames" {
  description = "Cognito user name of each initial worker, by email address."
  value       = { for username, worker in local.workers : worker.email => username if local.cognito }
}

output "ssm_prefix" {
  description = "SSM Parameter Store path under which the module's identifiers are published."
  value       = local.ssm_prefix
}

output "ssm_parameter_names" {
  description = "Name of each published SSM parameter, by key (user-pool-id, workforce-arn, labeling-portal-url, workteams, ...)."
  value       = { for key, parameter in aws_ssm_parameter.published : key => parameter.name }
}
