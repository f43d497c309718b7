# What each task type needs from Ground Truth (its built-in PRE-<name> and ACS-<name> functions, the ones
# used for verification, its worker UI and the limits AWS documents for it), the Feature Group's features
# and the limits the functions enforce too. They are written once, in data/ (its README names each value's
# source), and read here and by lambda/labeling_pipeline/facts.py.
locals {
  task_facts    = jsondecode(file("${path.module}/data/task_types.json"))
  feature_facts = jsondecode(file("${path.module}/data/features.json"))
  limits        = jsondecode(file("${path.module}/data/limits.json"))

  task_types = local.task_facts.task_types
  # Account that owns the PRE-* / ACS-* functions in each region (the same account for both).
  ground_truth_function_accounts = local.task_facts.ground_truth_function_accounts
  # AWS's built-in worker UIs (UiConfig.HumanTaskUiArn), owned by the same account in every region: named
  # entity recognition must use its own; the other task types take a worker template (UiTemplateS3Uri).
  human_task_ui_account = local.task_facts.human_task_ui_account
  builtin_worker_uis    = { for name, task in local.task_types : name => task.builtin_worker_ui if task.builtin_worker_ui != null }

  features = { for feature in local.feature_facts.features : feature.name => feature.type }
}
