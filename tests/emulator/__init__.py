"""Tests of the local AWS emulator (scripts/moto_ext) against a running server."""
