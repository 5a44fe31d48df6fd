# SkillPath: the two commands from the README.
#   make run   set up everything and run the app on http://127.0.0.1:5000 with demo data
#   make test  set up everything and run the whole test suite (browser tests included)

SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup run test lint benchmark

help:
	@echo "make run    set up and run SkillPath on http://127.0.0.1:5000 with demo logins"
	@echo "make test   set up and run the whole test suite"
	@echo "make lint   ruff, mypy and the layer contracts"

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

test: setup
	@bash scripts/test.sh

lint: setup
	.venv/bin/ruff check skillpath tests scripts config.py
	.venv/bin/ruff format --check skillpath tests scripts config.py
	.venv/bin/mypy
	.venv/bin/lint-imports
