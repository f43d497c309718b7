"""Tests of the local AWS emulator (the emulator package), mostly against a running server."""
