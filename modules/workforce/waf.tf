locals {
  create_web_acl     = local.cognito && var.waf.enabled && var.waf.web_acl_arn == null
  associate_web_acl  = local.cognito && var.waf.enabled
  web_acl_arn        = local.associate_web_acl ? coalesce(var.waf.web_acl_arn, try(aws_wafv2_web_acl.this[0].arn, null)) : null
  waf_log_group_name = "aws-waf-logs-${var.name}-workforce"
  restrict_sign_in   = local.create_web_acl && length(var.waf.allowed_cidrs) > 0
}

resource "aws_wafv2_ip_set" "allowed" {
  count = local.restrict_sign_in ? 1 : 0

  name               = "${var.name}-workforce-allowed"
  description        = "Networks allowed to sign in to the ${var.name} labeling workforce"
  scope              = "REGIONAL"
  ip_address_version = "IPV4"
  addresses          = var.waf.allowed_cidrs
  tags               = var.tags
}

resource "aws_wafv2_web_acl" "this" {
  count = local.create_web_acl ? 1 : 0

  name        = "${var.name}-workforce"
  description = "Protects the sign-in endpoints of the ${var.name} labeling workforce user pool"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  dynamic "rule" {
    for_each = local.restrict_sign_in ? [1] : []

    content {
      name     = "block-outside-allowed-networks"
      priority = 0

      action {
        block {}
      }

      statement {
        and_statement {
          statement {
            not_statement {
              statement {
                ip_set_reference_statement {
                  arn = aws_wafv2_ip_set.allowed[0].arn
                }
              }
            }
          }

          # The labeling portal's servers redeem the sign-in code here, from AWS addresses.
          statement {
            not_statement {
              statement {
                byte_match_statement {
                  search_string         = "/oauth2/token"
                  positional_constraint = "STARTS_WITH"

                  field_to_match {
                    uri_path {}
                  }

                  text_transformation {
                    priority = 0
                    type     = "LOWERCASE"
                  }
                }
              }
            }
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name}-workforce-outside-allowed-networks"
        sampled_requests_enabled   = true
      }
    }
  }

  # AWS managed rule groups. (The account takeover group, ATP, cannot protect a user pool.)
  rule {
    name     = "AWSManagedRulesAmazonIpReputationList"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAmazonIpReputationList"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-workforce-AWSManagedRulesAmazonIpReputationList"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-workforce-AWSManagedRulesCommonRuleSet"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = 30

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-workforce-AWSManagedRulesKnownBadInputsRuleSet"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 40

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.waf.rate_limit
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-workforce-rate-limit"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-workforce"
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "waf" {
  count = local.create_web_acl ? 1 : 0

  # WAF only logs to groups whose name starts with aws-waf-logs-.
  name              = local.waf_log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count = local.create_web_acl ? 1 : 0

  resource_arn            = aws_wafv2_web_acl.this[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.waf[0].arn]

  # The token endpoint's Authorization header carries the app client secret.
  redacted_fields {
    single_header {
      name = "authorization"
    }
  }

  redacted_fields {
    single_header {
      name = "cookie"
    }
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  count = local.associate_web_acl ? 1 : 0

  resource_arn = aws_cognito_user_pool.this[0].arn
  web_acl_arn  = local.web_acl_arn
}
