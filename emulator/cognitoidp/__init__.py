"""Amazon Cognito user pools as AWS behaves."""
