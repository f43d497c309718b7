"""The pieces behind `labeling-invite` (scripts/invite.py): configuration, input, Cognito, actions, output."""
