"""Amazon SQS: queue attributes, redrive and message lifetimes as AWS has them."""
