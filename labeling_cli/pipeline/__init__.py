"""`labeling`: see an environment's labeling pipelines at work and send dead-lettered items back."""
