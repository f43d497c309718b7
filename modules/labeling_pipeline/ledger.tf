# The ledger: one row per item (an image object version, or one line of a text file) from the moment it is
# claimed from the queue until it is written to the Feature Store, returned to the queue or declared dead.
# Its `state` says where the item is; conditional writes make a second claim of the same item a no-op, so
# overlapping executions and duplicate events cannot put an item in two jobs. Rows expire through the TTL
# attribute `expires_at` once the pipeline is done with them.
resource "aws_dynamodb_table" "ledger" {
  name                        = local.ledger_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "item_id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "item_id"
    type = "S"
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = local.kms_key_arn
  }

  point_in_time_recovery {
    enabled = true
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  tags = var.tags
}
