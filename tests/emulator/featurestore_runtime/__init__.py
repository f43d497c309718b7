"""Tests of emulator.featurestore_runtime."""
