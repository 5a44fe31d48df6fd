"""The learner's own data: everything SkillPath holds about them, to read or download."""
