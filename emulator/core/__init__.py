"""The pieces every emulated service shares: the control API and its faults, the clock, request
validation against botocore's models, IAM evaluation of what a service may do, and the server's fast paths."""
