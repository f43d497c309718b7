"""Tests of emulator.scheduler."""
