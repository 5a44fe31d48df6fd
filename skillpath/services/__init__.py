"""The rules of SkillPath as plain functions. Nothing here reads flask.request."""
