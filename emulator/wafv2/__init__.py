"""AWS WAF (v2): web ACLs that protect Cognito user pools."""
