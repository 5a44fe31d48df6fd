"""Learning progress: module progress and sign-off, evidence, self-assessment, mentor assessments and the
learner's timeline.
"""
