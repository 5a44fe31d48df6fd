"""The learner's plan on one printable page: goals, modules and certificates."""
