"""Tests of emulator.cognitoidp."""
