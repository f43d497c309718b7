"""Tests of emulator.awslambda."""
