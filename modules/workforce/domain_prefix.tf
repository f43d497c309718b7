# The Cognito domain prefix is kept stable across applies: it is stored in SSM and read back at
# plan time. A parameter path lookup (unlike a single-parameter data source) does not fail when
# nothing is stored yet, so the first apply works; afterwards a different prefix fails the plan
# (see the precondition on aws_cognito_user_pool_domain.this) unless the change is allowed.

locals {
  domain_prefix_parameter = "${local.ssm_prefix}/domain-prefix"

  stored_domain_prefix = local.cognito ? one([
    for index, parameter in data.aws_ssm_parameters_by_path.stored[0].names :
    nonsensitive(data.aws_ssm_parameters_by_path.stored[0].values[index])
    if parameter == local.domain_prefix_parameter
  ]) : null
  stored_domain_prefix_text = local.stored_domain_prefix == null ? "" : local.stored_domain_prefix

  # Prefix domains are unique per region across all accounts, hence the account-derived suffix.
  derived_domain_prefix = "${var.name}-${substr(sha256("${local.account_id}/${local.region}"), 0, 8)}"
  domain_prefix         = coalesce(var.domain_prefix, local.stored_domain_prefix, local.derived_domain_prefix)
}

data "aws_ssm_parameters_by_path" "stored" {
  count = local.cognito ? 1 : 0

  path      = local.ssm_prefix
  recursive = false
}

resource "aws_ssm_parameter" "domain_prefix" {
  count = local.cognito ? 1 : 0

  #checkov:skip=CKV2_AWS_34:Not a secret: the prefix is part of the public sign-in URL; String keeps it readable without kms:Decrypt.
  name        = local.domain_prefix_parameter
  description = "Cognito domain prefix of the ${var.name} labeling workforce; changing it is refused unless allow_domain_prefix_change is set."
  type        = "String"
  value       = aws_cognito_user_pool_domain.this[0].domain
  tags        = var.tags
}
