"""Administration: establishments, cohorts and staff accounts."""
