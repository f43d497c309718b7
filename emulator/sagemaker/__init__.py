"""Amazon SageMaker Ground Truth: private workforces, work teams and labeling jobs with simulated
labelers and their output formats, minimal image handling, SageMaker tag lookup."""
