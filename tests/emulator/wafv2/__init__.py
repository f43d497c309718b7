"""Tests of emulator.wafv2."""
