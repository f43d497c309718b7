"""Tests of emulator.stepfunctions."""
