"""`labelers`: bring labelers into and out of an environment's private Ground Truth workforce."""
