"""SageMaker Feature Store: the runtime API (records) and the feature group lifecycle around it."""
