"""A learner's own plans: goals and steps, the printable plan, the CV builder and the disclosure statement."""
