"""Readiness for work: the readiness rule, its history over time, next steps, barriers, work status and the
dashboards built on them.
"""
