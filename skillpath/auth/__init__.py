"""Signing in, activation, passwords and the access policy."""
