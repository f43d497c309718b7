"""The operator commands of the private labeling platform (`labelers`, and `labeling-invite`, its older form).

`labeling_cli.common` holds what every command shares (finding an environment's resources through its
SSM parameters, AWS access, output, errors and exit codes); each command is a package beside it.
"""
