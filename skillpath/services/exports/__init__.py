"""Exports: staff CSV exports and a learner's download of their own data."""
