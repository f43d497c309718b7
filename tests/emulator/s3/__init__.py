"""Tests of emulator.s3."""
