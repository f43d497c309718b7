# A private workforce that signs workers in through your own OpenID Connect identity provider.
# No Cognito resource, bootstrap function or WAF is created: sign-in is your provider's business.

provider "aws" {
  region = var.region
}

module "workforce" {
  source = "../.."

  name     = var.name
  identity = "oidc"

  oidc = {
    issuer                 = "${var.oidc_base_url}/"
    client_id              = var.oidc_client_id
    authorization_endpoint = "${var.oidc_base_url}/oauth2/v1/authorize"
    token_endpoint         = "${var.oidc_base_url}/oauth2/v1/token"
    user_info_endpoint     = "${var.oidc_base_url}/oauth2/v1/userinfo"
    logout_endpoint        = "${var.oidc_base_url}/oauth2/v1/logout"
    jwks_uri               = "${var.oidc_base_url}/oauth2/v1/keys"
    scope                  = "openid email profile groups"
  }
  oidc_client_secret = var.oidc_client_secret

  # Teams are groups of your identity provider (the `sagemaker:groups` claim).
  teams = {
    bounding-boxes = {
      description   = "Draws bounding boxes around vehicles"
      oidc_groups   = ["labelers-vehicles"]
      notifications = true
    }
  }

  source_ip_cidrs = var.source_ip_cidrs

  tags = {
    project = "private-labeling"
    example = "oidc"
  }
}
