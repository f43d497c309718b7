"""Building blocks of the Ground Truth and Feature Store extensions: model-driven request validation,
the simulated labelers and their output formats, minimal image handling, SageMaker tag lookup."""
