"""Tests of the emulator's DynamoDB."""
