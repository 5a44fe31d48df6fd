"""Administrators register the staff API's machine clients, see them, and revoke them."""
