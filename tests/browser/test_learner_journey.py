"""A new learner, from their activation code to a module ready for sign-off, in a real browser."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from skillpath.extensions import db
from skillpath.models import SkillLevel
from skillpath.services.learners.accounts import create_learner
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _new_learner_with_module(live_server: LiveServer) -> tuple[str, str]:
    """A learner who has never signed in, and a two-part module for the one job on offer."""
    with live_server.app.app_context():
        from sqlalchemy import select

        from skillpath.models import Cohort, RoleLevel, Skill

        cohort = db.session.scalar(select(Cohort).where(Cohort.name == live_server.cohort_name))
        skill = db.session.scalar(select(Skill).where(Skill.name == "Technical understanding"))
        job = db.session.scalar(select(RoleLevel).where(RoleLevel.plain_title == live_server.job_title))
        assert cohort and skill and job
        factories.make_module(
            code="JRN-01", title="Answer a help request", units=2, skills={skill: SkillLevel.AWARENESS}
        )
        account = create_learner(
            username="journey-learner", preferred_name="Jo Journey", cohort=cohort, created_by=None, activation_days=14
        )
        db.session.commit()
        return account.user.username, account.activation_code


def test_a_learner_goes_from_activation_code_to_a_module_ready_for_sign_off(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    username, code = _new_learner_with_module(live_server)

    # First sign-in, with the code the mentor handed over.
    page.goto(f"{live_server.url}/sign-in")
    check_accessibility(page)
    page.get_by_role("link", name="set up your account with your code").click()
    expect_heading(page, "Set up your account")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Activation code").fill(code.lower().replace("-", ""))
    page.get_by_role("button", name="Continue").click()
    expect_heading(page, "Choose your password")
    check_accessibility(page)
    page.get_by_label("Choose a password").fill("blue kettle morning walk")
    page.get_by_label("Type the password again").fill("blue kettle morning walk")
    page.get_by_role("button", name="Save password").click()

    # Choosing the job to work towards.
    expect_heading(page, "What job would you like to work towards?")
    check_accessibility(page)
    page.get_by_label(live_server.job_title).check()
    page.get_by_role("button", name="Save my choice").click()
    expect_heading(page, "My learning")
    check_accessibility(page)
    expect(page.get_by_text(live_server.job_title).first).to_be_visible()

    # Finding and starting a module.
    page.get_by_role("button", name="Find a module").click()
    expect_heading(page, "Modules")
    check_accessibility(page)
    page.get_by_role("link", name="Answer a help request").click()
    expect_heading(page, "Answer a help request")
    check_accessibility(page)
    page.get_by_role("button", name="Start this module").click()

    # Completing both parts, and undoing a mistake on the way.
    expect_heading(page, "Answer a help request")
    page.get_by_role("button", name="Mark part 1 as done").click()
    page.get_by_role("button", name="Mark part 1 as not done").click()
    page.get_by_role("button", name="Mark part 1 as done").click()
    page.get_by_role("button", name="Mark part 2 as done").click()
    expect(page.get_by_text("2 of 2 parts done")).to_be_visible()
    check_accessibility(page)

    # Evidence: a refused file keeps what was typed; a PNG is accepted.
    page.get_by_role("button", name="Add evidence").click()
    expect_heading(page, "Add evidence")
    check_accessibility(page)
    page.get_by_label("What did you do, and what did you learn?").fill("I helped a user reset their password.")
    fake = tmp_path / "cv.pdf"
    fake.write_bytes(b"MZ\x90\x00 not really a pdf")
    page.get_by_label("Add a file (optional)").set_input_files(str(fake))
    page.get_by_role("button", name="Save evidence").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_label("What did you do, and what did you learn?")).to_have_value(
        "I helped a user reset their password."
    )
    check_accessibility(page)
    screenshot = tmp_path / "screen.png"
    screenshot.write_bytes(PNG)
    page.get_by_label("Add a file (optional)").set_input_files(str(screenshot))
    page.get_by_role("button", name="Save evidence").click()

    expect_heading(page, "Answer a help request")
    expect(page.locator(".govuk-tag").first).to_have_text("Ready for sign-off")
    expect(page.get_by_role("link", name="Download screen.png")).to_be_visible()
    check_accessibility(page)

    # The readiness page explains the score.
    page.get_by_role("link", name="How ready am I").click()
    expect_heading(page, "How ready I am for work")
    check_accessibility(page)
