"""Tests of emulator.sagemaker."""
