"""The learner's skills-based CV, built from their record and their own words."""
