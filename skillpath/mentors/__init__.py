"""Mentors: their cohorts, their learners, and adding learner accounts."""
