"""Amazon S3: event notifications to EventBridge, bucket settings read back, URL-encoded listings."""
