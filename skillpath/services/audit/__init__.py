"""The audit trail: what staff did and read, as typed events."""
