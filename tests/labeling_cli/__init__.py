"""Tests of the operator commands (labeling_cli)."""
