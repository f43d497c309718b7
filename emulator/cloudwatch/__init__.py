"""Amazon CloudWatch: the Smithy RPC v2 CBOR protocol current SDKs speak to it."""
