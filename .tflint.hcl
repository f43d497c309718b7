# tflint's own rules for Terraform language hygiene. The AWS ruleset plugin is downloaded from
# GitHub at `tflint --init`, which this project's offline build cannot do; checkov covers AWS.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

rule "terraform_naming_convention" {
  enabled = true
}

rule "terraform_documented_variables" {
  enabled = true
}

rule "terraform_documented_outputs" {
  enabled = true
}

rule "terraform_standard_module_structure" {
  enabled = true
}
