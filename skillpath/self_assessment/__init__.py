"""The learner rates their own confidence in the skills for their job and for work."""
