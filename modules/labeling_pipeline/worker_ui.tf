# Category files and worker templates. Whatever the user gives as content (or the module's defaults) is
# uploaded to the output bucket, so a deployment needs no manual S3 preparation.

locals {
  config_prefix = "pipeline-config"

  default_instructions = {
    image_bounding_box = {
      short = "<p>Draw a tight box around every object of each label. Boxes may overlap; include the whole visible object.</p>"
      full  = "<ol><li>Choose a label.</li><li>Draw a rectangle around each instance of it, touching its visible edges.</li><li>Draw one box per object, also when objects overlap.</li><li>Submit when every object has a box; submit without boxes if there is none.</li></ol>"
    }
    image_semantic_segmentation = {
      short = "<p>Paint every pixel that belongs to an object of each label. Leave the background unpainted.</p>"
      full  = "<ol><li>Choose a label.</li><li>Use the polygon or brush tool to cover each object of that label completely.</li><li>Zoom in at edges: paint the object, not its shadow.</li><li>Submit when every object is painted.</li></ol>"
    }
    image_single_label_classification = {
      short = "<p>Choose the one label that best describes the image.</p>"
      full  = "<ol><li>Look at the whole image.</li><li>Choose the label that describes it best; when two seem to fit, choose the one that describes the main subject.</li></ol>"
    }
    image_multi_label_classification = {
      short = "<p>Choose every label that applies to the image.</p>"
      full  = "<ol><li>Look at the whole image.</li><li>Select each label that applies; select none when nothing applies.</li></ol>"
    }
    text_single_label_classification = {
      short = "<p>Read the text and choose the one label that fits it best.</p>"
      full  = "<ol><li>Read the whole text.</li><li>Choose the label that describes it best; when two seem to fit, choose the one that describes its main point.</li></ol>"
    }
    text_multi_label_classification = {
      short = "<p>Read the text and choose every label that applies.</p>"
      full  = "<ol><li>Read the whole text.</li><li>Select each label that applies; select none when nothing applies.</li></ol>"
    }
    named_entity_recognition = {
      short = "<p>Highlight each entity in the text and give it its label.</p>"
      full  = "<ol><li>Read the whole text.</li><li>Select the words of an entity and choose its label.</li><li>Label every occurrence; do not include surrounding spaces or punctuation.</li><li>To remove a label, choose the X on the highlighted text.</li></ol>"
    }
  }

  default_review_instructions = {
    short = "<p>Check the proposed label. Choose <strong>pass</strong> if it is correct and complete, <strong>fail</strong> otherwise.</p>"
    full  = "<ol><li>Look at the item and the proposed label.</li><li>Choose pass only if the label is correct and nothing is missing.</li><li>Choose fail if anything is wrong or missing: the item goes back to be labeled again.</li></ol>"
  }

  labeling_instructions = var.labeling.instructions != null ? var.labeling.instructions : local.default_instructions[local.task_type]
  verification_instructions = local.verification_enabled ? (
    var.verification.instructions != null ? var.verification.instructions : local.default_review_instructions
  ) : null

  # --- categories -------------------------------------------------------------------------------------
  upload_labeling_categories = var.labeling.categories != null
  labeling_categories_key    = "${local.config_prefix}/labeling/categories.json"
  labeling_categories_document = local.upload_labeling_categories ? jsonencode(merge(
    {
      "document-version" = "2018-11-28"
      labels             = [for category in var.labeling.categories : { label = category }]
    },
    # The built-in UI (named entity recognition) takes its worker instructions from the category file:
    # "instructions": {"shortInstruction", "fullInstruction"} (CreateLabelingJob, LabelCategoryConfigS3Uri).
    local.labeling_human_task_ui_arn != null ? {
      instructions = {
        shortInstruction = local.labeling_instructions.short
        fullInstruction  = local.labeling_instructions.full
      }
    } : {}
  )) : null
  labeling_categories_s3_uri = local.upload_labeling_categories ? "s3://${aws_s3_bucket.this["output"].bucket}/${local.labeling_categories_key}" : var.labeling.categories_s3_uri

  # Bounding box and segmentation verification must use the labeling categories (AWS requirement); the
  # pass/fail choice is in their template. The review jobs of the other types classify into pass/fail.
  upload_review_categories = local.verification_enabled && !local.task.builtin_verification
  review_categories_key    = "${local.config_prefix}/verification/categories.json"
  review_categories_document = jsonencode({
    "document-version" = "2018-11-28"
    labels             = [{ label = "pass" }, { label = "fail" }]
  })
  verification_categories_s3_uri = local.verification_enabled ? (
    local.task.builtin_verification ? local.labeling_categories_s3_uri : "s3://${aws_s3_bucket.this["output"].bucket}/${local.review_categories_key}"
  ) : null

  # --- worker templates ---------------------------------------------------------------------------------
  # Text placed into an HTML attribute by the default templates.
  labeling_header     = replace(replace(replace(var.labeling.title, "&", "&amp;"), "\"", "&quot;"), "<", "&lt;")
  verification_header = local.verification_enabled ? replace(replace(replace(local.verification_title, "&", "&amp;"), "\"", "&quot;"), "<", "&lt;") : null

  # A task type with a built-in UI always uses it (validation.tf refuses a template for it); with it, the
  # worker instructions travel in the category file (see labeling_categories_document).
  labeling_human_task_ui_arn = (
    contains(keys(local.builtin_worker_uis), var.task_type)
    ? "arn:${local.partition}:sagemaker:${local.region}:${local.human_task_ui_account}:human-task-ui/${local.builtin_worker_uis[var.task_type]}"
    : null
  )
  upload_labeling_template = var.labeling.ui_template_s3_uri == null && local.labeling_human_task_ui_arn == null
  labeling_template_key    = "${local.config_prefix}/labeling/worker-template.liquid.html"
  labeling_template_content = local.upload_labeling_template ? coalesce(
    var.labeling.ui_template,
    templatefile("${path.module}/templates/ui/${local.task_type}.liquid.html", {
      header             = local.labeling_header
      short_instructions = local.labeling_instructions.short
      full_instructions  = local.labeling_instructions.full
    })
  ) : null
  labeling_ui_template_s3_uri = (
    local.labeling_human_task_ui_arn != null ? null :
    var.labeling.ui_template_s3_uri != null ? var.labeling.ui_template_s3_uri :
    "s3://${aws_s3_bucket.this["output"].bucket}/${local.labeling_template_key}"
  )

  upload_verification_template = local.verification_enabled && try(var.verification.ui_template_s3_uri, null) == null
  verification_template_key    = "${local.config_prefix}/verification/worker-template.liquid.html"
  verification_template_content = local.upload_verification_template ? coalesce(
    var.verification.ui_template,
    templatefile("${path.module}/templates/ui/${local.task.review_template}.liquid.html", {
      header               = local.verification_header
      short_instructions   = local.verification_instructions.short
      full_instructions    = local.verification_instructions.full
      label_attribute_name = local.label_attribute_name
    })
  ) : null
  verification_ui_template_s3_uri = local.verification_enabled ? (
    var.verification.ui_template_s3_uri != null ? var.verification.ui_template_s3_uri :
    "s3://${aws_s3_bucket.this["output"].bucket}/${local.verification_template_key}"
  ) : null

  worker_ui_objects = merge(
    local.upload_labeling_categories ? {
      labeling_categories = { key = local.labeling_categories_key, content = local.labeling_categories_document, content_type = "application/json" }
    } : {},
    local.upload_labeling_template ? {
      labeling_template = { key = local.labeling_template_key, content = local.labeling_template_content, content_type = "text/html" }
    } : {},
    local.upload_review_categories ? {
      verification_categories = { key = local.review_categories_key, content = local.review_categories_document, content_type = "application/json" }
    } : {},
    local.upload_verification_template ? {
      verification_template = { key = local.verification_template_key, content = local.verification_template_content, content_type = "text/html" }
    } : {},
  )
}

resource "aws_s3_object" "worker_ui" {
  for_each = local.worker_ui_objects

  bucket                 = aws_s3_bucket.this["output"].id
  key                    = each.value.key
  content                = each.value.content
  content_type           = each.value.content_type
  server_side_encryption = "aws:kms"
  kms_key_id             = local.kms_key_arn
  tags                   = var.tags

  # The bucket's encryption and policy must be in place before the first object lands.
  depends_on = [
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_s3_bucket_policy.this,
  ]
}
