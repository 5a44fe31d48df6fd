"""Helpers for browser tests: how Chromium is launched here, signing in, and axe checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# axe impacts that fail a test. "minor" findings are best-practice notes, left to review.
FAILING_IMPACTS = frozenset({"moderate", "serious", "critical"})

_axe = Axe()


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    display_name: str = ""


@dataclass(frozen=True)
class LiveServer:
    url: str
    admin: Login
    mentor: Login
    spare_mentor: Login
    learner: Login
    unlucky_learner: Login  # for wrong passwords, so that no other account gets locked
    new_learner: Login  # password is the activation code
    establishment_name: str
    cohort_name: str
    job_title: str  # the one job a learner can choose
    app: Flask = field(repr=False, compare=False)  # to add data a test needs, in an app context


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Sign in through the real form; the caller checks where it lands."""
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _describe(violation: dict[str, Any]) -> str:
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
    lines = [f"{violation['id']} ({violation['impact']}): {violation['help']} – {violation['helpUrl']}"]
    lines += [f"    {target}" for target in targets[:10]]
    if len(targets) > 10:
        lines.append(f"    … and {len(targets) - 10} more")
    return "\n".join(lines)


def check_accessibility(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on moderate, serious or critical violations."""
    page.wait_for_load_state()
    results = _axe.run(page)
    failing = [v for v in results.response["violations"] if v["impact"] in FAILING_IMPACTS]
    if failing:
        pytest.fail(
            f"axe found accessibility problems on {page.url}:\n" + "\n".join(_describe(v) for v in failing),
            pytrace=False,
        )


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)
