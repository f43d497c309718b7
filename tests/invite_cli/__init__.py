"""Tests of the labeler onboarding CLI."""
