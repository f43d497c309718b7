"""Tests of emulator.sqs."""
