# What each task type needs from Ground Truth: the name of its built-in pre-annotation (PRE-<name>) and
# annotation-consolidation (ACS-<name>) functions, the one used for verification, and the limits AWS
# documents for it.
#
# Source: CreateLabelingJob API reference, HumanTaskConfig.PreHumanTaskLambdaArn and
# AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn (lists per region and task type), and
# "Start a label verification or adjustment job (API)" for the Verification* functions. AWS offers built-in
# verification only for bounding boxes and semantic segmentation (verification_name); the other types are
# reviewed by a pass/fail custom task with the module's own functions (lambda.tf, review-*): a built-in
# classification task would give the reviewer's template only task.input.taskObject, never the label under
# review (AWS: "Using pre-annotation and post-annotation Lambda functions",
# https://docs.aws.amazon.com/sagemaker/latest/dg/sms-custom-templates-step3-lambda-requirements.html).
locals {
  task_types = {
    image_bounding_box = {
      ground_truth_name    = "BoundingBox"
      verification_name    = "VerificationBoundingBox"
      builtin_verification = true
      media                = "image"
      min_categories       = 1
      max_categories       = 50 # "up to 50 labels" (Ground Truth bounding box task type page)
      max_objects_per_job  = 100000
      label_suffix         = ""
      default_keywords     = ["Images", "bounding boxes", "object detection"]
      review_template      = "verification_image_bounding_box"
    }
    image_semantic_segmentation = {
      ground_truth_name    = "SemanticSegmentation"
      verification_name    = "VerificationSemanticSegmentation"
      builtin_verification = true
      media                = "image"
      min_categories       = 1
      max_categories       = 50
      max_objects_per_job  = 20000  # the one task type with a lower per-job limit
      label_suffix         = "-ref" # required for SemanticSegmentation labeling jobs (not for their verification)
      default_keywords     = ["Images", "segmentation"]
      review_template      = "verification_image_semantic_segmentation"
    }
    image_single_label_classification = {
      ground_truth_name    = "ImageMultiClass"
      verification_name    = null
      builtin_verification = false
      media                = "image"
      min_categories       = 2
      max_categories       = 10 # crowd-image-classifier accepts up to 10 categories
      max_objects_per_job  = 100000
      label_suffix         = ""
      default_keywords     = ["Images", "classification"]
      review_template      = "review_image"
    }
    image_multi_label_classification = {
      ground_truth_name    = "ImageMultiClassMultiLabel"
      verification_name    = null
      builtin_verification = false
      media                = "image"
      min_categories       = 2
      max_categories       = 50
      max_objects_per_job  = 100000
      label_suffix         = ""
      default_keywords     = ["Images", "classification", "multi label"]
      review_template      = "review_image"
    }
    text_single_label_classification = {
      ground_truth_name    = "TextMultiClass"
      verification_name    = null
      builtin_verification = false
      media                = "text"
      min_categories       = 2
      max_categories       = 50
      max_objects_per_job  = 100000
      label_suffix         = ""
      default_keywords     = ["Text", "classification"]
      review_template      = "review_text"
    }
    text_multi_label_classification = {
      ground_truth_name    = "TextMultiClassMultiLabel"
      verification_name    = null
      builtin_verification = false
      media                = "text"
      min_categories       = 2
      max_categories       = 50
      max_objects_per_job  = 100000
      label_suffix         = ""
      default_keywords     = ["Text", "classification", "multi label"]
      review_template      = "review_text"
    }
    named_entity_recognition = {
      ground_truth_name    = "NamedEntityRecognition"
      verification_name    = null
      builtin_verification = false
      media                = "text"
      min_categories       = 1
      max_categories       = 50
      max_objects_per_job  = 100000
      label_suffix         = ""
      default_keywords     = ["Text", "named entity recognition"]
      review_template      = "review_text"
    }
  }

  # Account that owns the PRE-* / ACS-* functions in each region (the same account for both).
  # Source: CreateLabelingJob API reference (PreHumanTaskLambdaArn / AnnotationConsolidationLambdaArn lists).
  ground_truth_function_accounts = {
    "us-east-1"      = "432418664414"
    "us-east-2"      = "266458841044"
    "us-west-2"      = "081040173940"
    "ca-central-1"   = "918755190332"
    "eu-west-1"      = "568282634449"
    "eu-west-2"      = "487402164563"
    "eu-central-1"   = "203001061592"
    "ap-northeast-1" = "477331159723"
    "ap-northeast-2" = "845288260483"
    "ap-south-1"     = "565803892007"
    "ap-southeast-1" = "377565633583"
    "ap-southeast-2" = "454466003867"
  }

  # AWS's built-in worker UIs (UiConfig.HumanTaskUiArn): named entity recognition must use its own,
  # arn:aws:sagemaker:<region>:394669845002:human-task-ui/NamedEntityRecognition, whose account is the same in
  # every region; the other task types here take a worker template (UiTemplateS3Uri).
  # Source: CreateLabelingJob API reference, UiConfig
  # (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UiConfig.html), and the Ground Truth
  # "Named Entity Recognition" task type page
  # (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-named-entity-recg.html).
  human_task_ui_account = "394669845002"
  builtin_worker_uis    = { named_entity_recognition = "NamedEntityRecognition" }
}
