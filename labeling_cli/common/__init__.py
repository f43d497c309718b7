"""What every operator command shares: argument parsing with one-line usage errors, AWS sessions and
regions, the environment's SSM parameters, output (tables, JSON, progress), errors and exit codes."""
