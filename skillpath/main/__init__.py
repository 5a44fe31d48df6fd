"""The front door: the home redirect and the health check."""
