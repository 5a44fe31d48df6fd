"""Certificates: the learner's own list and downloads, and staff withdrawing and confirming readiness."""
