"""AWS Step Functions: executions that run, with the payload quota AWS documents."""
