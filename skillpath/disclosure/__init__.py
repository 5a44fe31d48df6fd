"""The learner's private disclosure statement: guidance, writing, downloading, and an encrypted draft."""
