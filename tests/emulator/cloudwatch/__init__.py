"""Tests of emulator.cloudwatch."""
