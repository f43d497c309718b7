variable "region" {
  description = "AWS region of the workforce."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of the deployment; resource names derive from it."
  type        = string
  default     = "labeling-oidc"
}

variable "oidc_base_url" {
  description = "Base https URL of your identity provider (its endpoints follow the usual /oauth2/v1 layout here; adjust main.tf to yours)."
  type        = string
  default     = "https://idp.example.com"
}

variable "oidc_client_id" {
  description = "Client id registered for the workforce at your identity provider."
  type        = string
  default     = "sagemaker-labeling"
}

variable "oidc_client_secret" {
  description = "Client secret of that client (pass it with TF_VAR_oidc_client_secret)."
  type        = string
  sensitive   = true
}

variable "source_ip_cidrs" {
  description = "Networks allowed to use the labeling portal; empty for any."
  type        = list(string)
  default     = []
}
