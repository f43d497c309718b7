# Per task type: the right Ground Truth functions for the region, the right worker template, the label
# attribute AWS requires, and the verification (built-in or pass/fail review) wiring.

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { region = "eu-central-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  # Computed ARNs the provider validates as ARNs (random mock strings would not pass).
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-central-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000001", key_id = "0a1b2c3d-0000-4000-8000-000000000001" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/mock-role" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-central-1:111122223333:mock-queue", url = "https://sqs.eu-central-1.amazonaws.com/111122223333/mock-queue" }
  }
  mock_resource "aws_lambda_layer_version" {
    defaults = { arn = "arn:aws:lambda:eu-central-1:111122223333:layer:mock-powertools:1" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:eu-central-1:111122223333:stateMachine:gt-types" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-central-1:111122223333:mock-topic" }
  }
}

override_resource {
  target = aws_cloudwatch_log_group.state_machine
  values = { arn = "arn:aws:logs:eu-central-1:111122223333:log-group:/aws/vendedlogs/states/mock" }
}

variables {
  name               = "gt-types"
  lambda_package_dir = "tests/fixtures/lambda"
  labeling = {
    workteam_arn = "arn:aws:sagemaker:eu-central-1:111122223333:workteam/private-crowd/labelers"
    title        = "Label it"
    description  = "Label every item."
    categories   = ["alpha", "beta"]
  }
  verification = {
    workteam_arn = "arn:aws:sagemaker:eu-central-1:111122223333:workteam/private-crowd/reviewers"
  }
}

run "image_bounding_box" {
  # apply, not plan: Terraform's mock provider leaves computed attributes (ids, ARNs, and so the
  # Lambda environment built from them) unknown in a plan; after this apply the file's later plan
  # runs read them from the mocked state. OpenTofu's mocks know them in a plan already.
  command = apply
  variables {
    task_type = "image_bounding_box"
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:PRE-BoundingBox"
    error_message = "Bounding box labeling must use PRE-BoundingBox of eu-central-1's Ground Truth account."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.consolidation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:ACS-BoundingBox"
    error_message = "Bounding box labeling must use ACS-BoundingBox."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.label_attribute_name == "label"
    error_message = "Bounding box keeps the label attribute as given."
  }
  assert {
    condition     = strcontains(aws_s3_object.worker_ui["labeling_template"].content, "<crowd-bounding-box") && strcontains(aws_s3_object.worker_ui["labeling_template"].content, "name=\"boundingBox\"")
    error_message = "The default bounding box template must use crowd-bounding-box."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:PRE-VerificationBoundingBox"
    error_message = "Bounding boxes are verified with AWS's built-in VerificationBoundingBox."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.consolidation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:ACS-VerificationBoundingBox"
    error_message = "Bounding boxes are verified with ACS-VerificationBoundingBox."
  }
  assert {
    condition = (
      !contains(keys(aws_lambda_function.this), "review-pre-annotation") &&
      !strcontains(aws_iam_role_policy.sagemaker.policy, "lambda:InvokeFunction")
    )
    error_message = "A built-in verification needs no review functions of the module, and the labeling role invokes none."
  }
  assert {
    condition = (
      jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.categories_s3_uri ==
      jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.categories_s3_uri
    )
    error_message = "A built-in verification job must use the labeling categories (AWS requirement)."
  }
  assert {
    condition     = !contains(keys(aws_s3_object.worker_ui), "verification_categories")
    error_message = "No pass/fail category file for built-in verification."
  }
  assert {
    condition = alltrue([
      strcontains(aws_s3_object.worker_ui["verification_template"].content, "<crowd-image-classifier"),
      strcontains(aws_s3_object.worker_ui["verification_template"].content, "\"boundingBox\""),
      strcontains(aws_s3_object.worker_ui["verification_template"].content, "task.input.manifestLine.label.annotations"),
      strcontains(aws_s3_object.worker_ui["verification_template"].content, "categories=\"['pass', 'fail']\""),
    ])
    error_message = "The bounding box verification template must overlay the labeling job's boxes and offer pass/fail."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.label_attribute_name == "verification"
    error_message = "Verification writes under its own attribute."
  }
}

run "image_semantic_segmentation" {
  command = plan
  variables {
    task_type = "image_semantic_segmentation"
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:PRE-SemanticSegmentation"
    error_message = "Segmentation must use PRE-SemanticSegmentation."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.consolidation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:ACS-SemanticSegmentation"
    error_message = "Segmentation must use ACS-SemanticSegmentation."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.label_attribute_name == "label-ref"
    error_message = "Segmentation label attributes must end in -ref (AWS requirement)."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.label_attribute_name == "verification"
    error_message = "VerificationSemanticSegmentation is the exception: its label attribute must not end in -ref."
  }
  assert {
    condition     = strcontains(aws_s3_object.worker_ui["labeling_template"].content, "<crowd-semantic-segmentation")
    error_message = "The default segmentation template must use crowd-semantic-segmentation."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:PRE-VerificationSemanticSegmentation"
    error_message = "Segmentation is verified with AWS's built-in VerificationSemanticSegmentation."
  }
  assert {
    condition = alltrue([
      strcontains(aws_s3_object.worker_ui["verification_template"].content, "\"semanticSegmentation\""),
      strcontains(aws_s3_object.worker_ui["verification_template"].content, "task.input.manifestLine.label-ref-metadata.internal-color-map"),
    ])
    error_message = "The segmentation verification template must overlay the labeling job's mask."
  }
}

run "image_single_label_classification" {
  # apply: the review functions and their policies appear first in this run, and Terraform's mock
  # provider leaves their computed values unknown in a plan (see the first run).
  command = apply
  variables {
    task_type = "image_single_label_classification"
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:PRE-ImageMultiClass"
    error_message = "Single-label image classification must use PRE-ImageMultiClass."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.consolidation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:ACS-ImageMultiClass"
    error_message = "Single-label image classification must use ACS-ImageMultiClass."
  }
  assert {
    condition     = strcontains(aws_s3_object.worker_ui["labeling_template"].content, "<crowd-image-classifier\n")
    error_message = "The default template must use crowd-image-classifier."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:111122223333:function:gt-types-review-pre-annotation"
    error_message = "The review of image labels is a custom task with the module's pre-annotation function (a built-in ImageMultiClass task cannot show the proposed label)."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.consolidation_lambda_arn == "arn:aws:lambda:eu-central-1:111122223333:function:gt-types-review-consolidation"
    error_message = "The review of image labels is consolidated by the module's own function."
  }
  assert {
    condition = (
      aws_lambda_function.this["review-pre-annotation"].handler == "labeling_pipeline.handlers.review_pre_annotation" &&
      aws_lambda_function.this["review-consolidation"].handler == "labeling_pipeline.handlers.review_consolidation"
    )
    error_message = "The review functions must run the package's review handlers."
  }
  assert {
    condition = contains(jsondecode(aws_iam_role_policy.sagemaker.policy).Statement, {
      Sid      = "InvokeReviewFunctions"
      Effect   = "Allow"
      Action   = "lambda:InvokeFunction"
      Resource = ["arn:aws:lambda:eu-central-1:111122223333:function:gt-types-review-pre-annotation", "arn:aws:lambda:eu-central-1:111122223333:function:gt-types-review-consolidation"]
    })
    error_message = "The labeling role must be allowed to invoke exactly the review functions (AWS: Add required permissions to use AWS Lambda with Ground Truth)."
  }
  assert {
    condition = contains(jsondecode(aws_iam_role_policy.lambda["review-consolidation"].policy).Statement, {
      Sid      = "ReadJobFiles"
      Effect   = "Allow"
      Action   = "s3:GetObject"
      Resource = "${aws_s3_bucket.this["output"].arn}/*"
    })
    error_message = "The consolidation function must read the workers' answers in the output bucket."
  }
  assert {
    condition     = jsondecode(aws_s3_object.worker_ui["verification_categories"].content).labels == [{ label = "pass" }, { label = "fail" }]
    error_message = "The review job classifies into exactly pass and fail."
  }
  assert {
    condition = (
      jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.categories_s3_uri ==
      "s3://${aws_s3_bucket.this["output"].bucket}/${aws_s3_object.worker_ui["verification_categories"].key}"
    )
    error_message = "The review job must use the uploaded pass/fail category file."
  }
  assert {
    condition = alltrue([
      strcontains(aws_s3_object.worker_ui["verification_template"].content, "{{ task.input.proposedLabel | escape }}"),
      strcontains(aws_s3_object.worker_ui["verification_template"].content, "<crowd-image-classifier\n    name=\"review\""),
      !strcontains(aws_s3_object.worker_ui["verification_template"].content, "manifestLine"),
    ])
    error_message = "The image review template must show the proposed label our pre-annotation function returns (task.input.proposedLabel) and answer with the classifier named review."
  }
}

run "image_multi_label_classification" {
  command = plan
  variables {
    task_type = "image_multi_label_classification"
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:PRE-ImageMultiClassMultiLabel"
    error_message = "Multi-label image classification must use PRE-ImageMultiClassMultiLabel."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.consolidation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:ACS-ImageMultiClassMultiLabel"
    error_message = "Multi-label image classification must use ACS-ImageMultiClassMultiLabel."
  }
  assert {
    condition     = strcontains(aws_s3_object.worker_ui["labeling_template"].content, "<crowd-image-classifier-multi-select")
    error_message = "The default template must use crowd-image-classifier-multi-select."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:111122223333:function:gt-types-review-pre-annotation"
    error_message = "The review of multi-label image labels is a custom task with the module's pre-annotation function."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.consolidation_lambda_arn == "arn:aws:lambda:eu-central-1:111122223333:function:gt-types-review-consolidation"
    error_message = "The review of multi-label image labels is consolidated by the module's own function."
  }
}

run "text_single_label_classification" {
  command = plan
  variables {
    task_type = "text_single_label_classification"
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:PRE-TextMultiClass"
    error_message = "Single-label text classification must use PRE-TextMultiClass."
  }
  assert {
    condition     = strcontains(aws_s3_object.worker_ui["labeling_template"].content, "<crowd-classifier\n")
    error_message = "The default template must use crowd-classifier."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:111122223333:function:gt-types-review-pre-annotation"
    error_message = "The review of text labels is a custom task with the module's pre-annotation function (a built-in TextMultiClass task cannot show the proposed label)."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.consolidation_lambda_arn == "arn:aws:lambda:eu-central-1:111122223333:function:gt-types-review-consolidation"
    error_message = "The review of text labels is consolidated by the module's own function."
  }
  assert {
    condition = alltrue([
      strcontains(aws_s3_object.worker_ui["verification_template"].content, "{{ task.input.taskObject | escape }}"),
      strcontains(aws_s3_object.worker_ui["verification_template"].content, "{{ task.input.proposedLabel | escape }}"),
      strcontains(aws_s3_object.worker_ui["verification_template"].content, "<crowd-classifier\n    name=\"review\""),
      !strcontains(aws_s3_object.worker_ui["verification_template"].content, "manifestLine"),
    ])
    error_message = "The text review template must show the text and the proposed label our pre-annotation function returns, and answer with the classifier named review."
  }
}

run "text_multi_label_classification" {
  command = plan
  variables {
    task_type = "text_multi_label_classification"
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.consolidation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:ACS-TextMultiClassMultiLabel"
    error_message = "Multi-label text classification must use ACS-TextMultiClassMultiLabel."
  }
  assert {
    condition     = strcontains(aws_s3_object.worker_ui["labeling_template"].content, "<crowd-classifier-multi-select")
    error_message = "The default template must use crowd-classifier-multi-select."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:111122223333:function:gt-types-review-pre-annotation"
    error_message = "The review of multi-label text labels is a custom task with the module's pre-annotation function."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.consolidation_lambda_arn == "arn:aws:lambda:eu-central-1:111122223333:function:gt-types-review-consolidation"
    error_message = "The review of multi-label text labels is consolidated by the module's own function."
  }
}

run "named_entity_recognition" {
  command = plan
  variables {
    task_type = "named_entity_recognition"
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:PRE-NamedEntityRecognition"
    error_message = "NER must use PRE-NamedEntityRecognition."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.consolidation_lambda_arn == "arn:aws:lambda:eu-central-1:203001061592:function:ACS-NamedEntityRecognition"
    error_message = "NER must use ACS-NamedEntityRecognition."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.human_task_ui_arn == "arn:aws:sagemaker:eu-central-1:394669845002:human-task-ui/NamedEntityRecognition"
    error_message = "NER must use AWS's built-in UI of the region (UiConfig.HumanTaskUiArn), as AWS requires."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.ui_template_s3_uri == null && !contains(keys(aws_s3_object.worker_ui), "labeling_template")
    error_message = "With the built-in NER UI no worker template is uploaded or sent."
  }
  assert {
    condition     = can(jsondecode(aws_s3_object.worker_ui["labeling_categories"].content).instructions.shortInstruction) && can(jsondecode(aws_s3_object.worker_ui["labeling_categories"].content).instructions.fullInstruction)
    error_message = "NER category files must carry the worker instructions (AWS requirement)."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.pre_annotation_lambda_arn == "arn:aws:lambda:eu-central-1:111122223333:function:gt-types-review-pre-annotation"
    error_message = "The review of entities is a custom task with the module's pre-annotation function."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.consolidation_lambda_arn == "arn:aws:lambda:eu-central-1:111122223333:function:gt-types-review-consolidation"
    error_message = "The review of entities is consolidated by the module's own function."
  }
}

run "categories_file_format" {
  command = plan
  variables {
    task_type = "image_bounding_box"
  }

  assert {
    condition = jsondecode(aws_s3_object.worker_ui["labeling_categories"].content) == {
      "document-version" = "2018-11-28"
      labels             = [{ label = "alpha" }, { label = "beta" }]
    }
    error_message = "The uploaded category file must be Ground Truth's format with the given labels, in order."
  }
  assert {
    condition     = !can(jsondecode(aws_s3_object.worker_ui["labeling_categories"].content).instructions)
    error_message = "Only NER category files carry instructions."
  }
}

run "own_templates_and_categories_in_s3" {
  command = plan
  variables {
    task_type = "text_single_label_classification"
    labeling = {
      workteam_arn       = "arn:aws:sagemaker:eu-central-1:111122223333:workteam/private-crowd/labelers"
      title              = "Label it"
      description        = "Label every item."
      categories_s3_uri  = "s3://team-config/categories.json"
      ui_template_s3_uri = "s3://team-config/labeling.liquid.html"
    }
    verification = {
      workteam_arn       = "arn:aws:sagemaker:eu-central-1:111122223333:workteam/private-crowd/reviewers"
      ui_template_s3_uri = "s3://team-config/review.liquid.html"
    }
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.categories_s3_uri == "s3://team-config/categories.json"
    error_message = "A given category file is passed through."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.ui_template_s3_uri == "s3://team-config/labeling.liquid.html"
    error_message = "A given template URI is passed through."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).verification.ui_template_s3_uri == "s3://team-config/review.liquid.html"
    error_message = "A given review template URI is passed through."
  }
  assert {
    condition     = join(",", keys(aws_s3_object.worker_ui)) == "verification_categories"
    error_message = "Only the module's pass/fail file is uploaded when the user brings the rest."
  }
}

run "own_template_content_is_uploaded" {
  command = plan
  variables {
    task_type = "image_single_label_classification"
    labeling = {
      workteam_arn = "arn:aws:sagemaker:eu-central-1:111122223333:workteam/private-crowd/labelers"
      title        = "Label it"
      description  = "Label every item."
      categories   = ["alpha", "beta"]
      ui_template  = "<crowd-form><crowd-image-classifier name=\"crowd-image-classifier\"></crowd-image-classifier></crowd-form>"
    }
  }

  assert {
    condition     = aws_s3_object.worker_ui["labeling_template"].content == "<crowd-form><crowd-image-classifier name=\"crowd-image-classifier\"></crowd-image-classifier></crowd-form>"
    error_message = "Template content given by the user is uploaded unchanged."
  }
  assert {
    condition = (
      jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.ui_template_s3_uri ==
      "s3://${aws_s3_bucket.this["output"].bucket}/${aws_s3_object.worker_ui["labeling_template"].key}"
    )
    error_message = "The functions get the URI of the uploaded template."
  }
  assert {
    condition     = aws_s3_object.worker_ui["labeling_template"].server_side_encryption == "aws:kms" && aws_s3_object.worker_ui["labeling_template"].kms_key_id == aws_kms_key.this[0].arn
    error_message = "Uploaded templates are encrypted with the module's key."
  }
}

run "title_with_quotes_is_escaped_in_default_template" {
  command = plan
  variables {
    task_type = "image_bounding_box"
    labeling = {
      workteam_arn = "arn:aws:sagemaker:eu-central-1:111122223333:workteam/private-crowd/labelers"
      title        = "Box the \"big\" <cars> & trucks"
      description  = "Label every item."
      categories   = ["car"]
    }
  }

  assert {
    condition     = strcontains(aws_s3_object.worker_ui["labeling_template"].content, "header=\"Box the &quot;big&quot; &lt;cars> &amp; trucks\"")
    error_message = "The title must be HTML-escaped inside the header attribute."
  }
}

run "other_region_other_account" {
  command = plan
  variables {
    task_type = "image_bounding_box"
  }
  override_data {
    target = data.aws_region.current
    values = { region = "ap-southeast-2" }
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this["start-job"].environment[0].variables.PIPELINE_CONFIG).labeling.pre_annotation_lambda_arn == "arn:aws:lambda:ap-southeast-2:454466003867:function:PRE-BoundingBox"
    error_message = "The Ground Truth account must follow the region."
  }
}

run "no_review_no_review_functions" {
  command = plan
  variables {
    task_type    = "text_single_label_classification"
    verification = null
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this), "review-pre-annotation") && !contains(keys(aws_lambda_function.this), "review-consolidation")
    error_message = "Without a review, the review task's functions are not created."
  }
}
