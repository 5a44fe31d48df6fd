"""Browsing the skill modules."""
