"""Benchmarks of the labeling pipeline against the local emulator (``make bench``).

Each section measures our code path and a naive counterpart in the same run, on the same emulator, so
that the noise of a shared machine hits both: draining the upload queue (``drain``), writing labels to
the Feature Store (``features``), cold start and package size (``coldstart``) and the infrastructure's
plan/apply times (``infra``). ``run.py`` runs them, prints one table and writes the figures as JSON.
"""
