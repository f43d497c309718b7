"""Tests of emulator.core."""
