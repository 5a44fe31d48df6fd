"""Signing in, activating an account, adding a learner and finding the way around, in a real browser.

Each page a journey passes through is checked with axe; the harness fails any
test whose pages log a browser error, such as a Content-Security-Policy violation.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in

HOMES = [
    ("learner", "/learner/", "My learning"),
    ("mentor", "/mentor/", "My cohorts"),
    ("admin", "/admin/", "Establishments"),
]


@pytest.mark.parametrize(("role", "path", "heading"), HOMES, ids=[role for role, _, _ in HOMES])
def test_each_role_signs_in_through_the_form_and_lands_on_its_home(
    page: Page, live_server: LiveServer, role: str, path: str, heading: str
) -> None:
    login = getattr(live_server, role)
    page.goto("/sign-in")
    expect_heading(page, "Sign in to SkillPath")
    check_accessibility(page)

    sign_in(page, live_server.url, login.username, login.password)

    expect(page).to_have_url(live_server.url + path)
    expect_heading(page, heading)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    check_accessibility(page)


def test_a_wrong_password_shows_the_error_summary_with_focus_on_it(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.url, live_server.unlucky_learner.username, "not the right password")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend's JavaScript moves focus to the summary
    expect(summary).to_contain_text("The username or password is wrong")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    # The summary's link goes to the field that needs fixing.
    summary.get_by_role("link", name=re.compile("username or password is wrong")).click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    check_accessibility(page)


def test_a_new_learner_activates_their_account_with_the_code_typed_loosely(page: Page, live_server: LiveServer) -> None:
    learner = live_server.new_learner
    page.goto("/sign-in")
    page.get_by_role("link", name="set up your account with your code").click()

    expect_heading(page, "Set up your account")
    check_accessibility(page)
    page.get_by_label("Username").fill(learner.username.upper())
    page.get_by_label("Activation code").fill(learner.password.replace("-", "").lower())
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Choose your password")
    check_accessibility(page)
    page.get_by_label("Choose a password").fill("purple kettle harbour")
    page.get_by_label("Type the password again").fill("purple kettle harbour")
    page.get_by_role("button", name="Save password").click()

    # A learner with no job to work towards chooses one before anything else.
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Your password is saved")
    expect_heading(page, "What job would you like to work towards?")
    check_accessibility(page)
    jobs = page.get_by_role("group", name="What job would you like to work towards?")
    jobs.get_by_label(live_server.job_title).check()
    page.get_by_role("button", name="Save my choice").click()

    expect_heading(page, "My learning")
    expect(page.get_by_role("alert", name="Success")).to_contain_text(live_server.job_title)
    check_accessibility(page)


def test_a_mentor_adds_a_learner_and_sees_the_activation_code(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.url, live_server.mentor.username, live_server.mentor.password)
    page.get_by_role("link", name=live_server.cohort_name).click()

    expect_heading(page, live_server.cohort_name)
    check_accessibility(page)
    page.get_by_role("button", name="Add a learner").click()

    expect_heading(page, "Add a learner")
    check_accessibility(page)
    page.get_by_label("Name the learner wants to be called").fill("Ola Okafor")
    page.get_by_label("Username").fill("ookafor")
    page.get_by_label("Prison number (optional)").fill("a4321bc")
    page.get_by_label("Day").fill("27")
    page.get_by_role("button", name="Continue").click()

    # A date with only a day is an error, shown in the summary and beside the date.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("must include a day, month and year")
    check_accessibility(page)
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Check your answers")
    page.get_by_role("button", name="Add learner").click()

    expect_heading(page, "Activation code for Ola Okafor")
    expect(page.locator(".sp-code")).to_have_text(re.compile(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$"))
    check_accessibility(page)


def test_the_first_tab_reaches_the_skip_link_and_it_moves_focus_to_main(page: Page) -> None:
    page.goto("/sign-in")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # visually hidden until focused
    page.keyboard.press("Enter")

    expect(page.locator("main#main-content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Username")).to_be_focused()


def test_signing_in_works_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = new_context(java_script_enabled=False).new_page()

    sign_in(page, live_server.url, live_server.learner.username, live_server.learner.password)

    expect_heading(page, "My learning")
    expect(page.locator("body")).not_to_contain_class("govuk-frontend-supported")


def test_sign_out_returns_to_the_sign_in_page_and_ends_the_session(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.url, live_server.mentor.username, live_server.mentor.password)
    expect_heading(page, "My cohorts")

    page.get_by_role("navigation", name="Menu").get_by_role("button", name="Sign out").click()

    expect_heading(page, "Sign in to SkillPath")
    expect(page.get_by_role("alert", name="Success")).to_contain_text("You have signed out")
    check_accessibility(page)
    page.goto("/mentor/")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_every_admin_page_reachable_from_the_admin_home_is_accessible(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.url, live_server.admin.username, live_server.admin.password)
    expect_heading(page, "Establishments")
    home = page.url

    page.get_by_role("link", name=live_server.establishment_name).click()
    expect_heading(page, live_server.establishment_name)
    check_accessibility(page)

    page.get_by_role("button", name="Add a cohort").click()
    expect_heading(page, "Add a cohort")
    check_accessibility(page)
    page.go_back()

    page.get_by_role("link", name=live_server.cohort_name).click()
    expect_heading(page, live_server.cohort_name)
    expect(page.get_by_label("Mentor")).to_be_visible()  # a mentor in the establishment is free to assign
    check_accessibility(page)

    page.goto(home)
    page.get_by_role("button", name="Add an establishment").click()
    expect_heading(page, "Add an establishment")
    check_accessibility(page)

    page.get_by_role("link", name="Staff accounts").click()
    expect_heading(page, "Staff accounts")
    check_accessibility(page)

    page.get_by_role("button", name="Create a staff account").click()
    expect_heading(page, "Create a staff account")
    check_accessibility(page)

    # The error state: radios, a select and a checkbox with messages.
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_accessibility(page)

    page.get_by_label("Full name").fill("Pat Porter")
    page.get_by_label("Username").fill("pporter")
    page.get_by_label("Mentor – works with learners in their cohorts").check()
    page.get_by_label("Establishment", exact=True).select_option(label=live_server.establishment_name)
    page.get_by_role("button", name="Create account").click()
    expect_heading(page, "Account created")
    check_accessibility(page)


REFLOW = [
    pytest.param({"width": 320, "height": 480}, None, id="320px-wide"),
    pytest.param({"width": 640, "height": 480}, "2", id="640px-at-200-percent-zoom"),
]


@pytest.mark.parametrize(("viewport", "zoom"), REFLOW)
def test_the_sign_in_page_reflows_without_horizontal_scrolling(
    new_context: Callable[..., BrowserContext], viewport: dict[str, int], zoom: str | None
) -> None:
    page = new_context(viewport=viewport).new_page()
    page.goto("/sign-in")
    if zoom:
        page.evaluate("zoom => { document.body.style.zoom = zoom }", zoom)

    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"] + 1, widths
    check_accessibility(page)


def test_on_a_narrow_screen_the_menu_button_opens_the_navigation(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    sign_in(page, live_server.url, live_server.learner.username, live_server.learner.password)
    expect_heading(page, "My learning")

    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(sign_out).to_be_visible()
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"] + 1, widths
    check_accessibility(page)


UNNAMED_FIELDSETS = """() => [...document.querySelectorAll("main fieldset")]
    .filter(fieldset => !fieldset.querySelector(":scope > legend")?.textContent.trim())
    .map(fieldset => fieldset.querySelector("input")?.name)"""

FORM_PAGES = [
    pytest.param("mentor", "Add a learner", id="mentor-add-a-learner"),
    pytest.param("admin", "Add an establishment", id="admin-add-an-establishment"),
    pytest.param("admin", "Create a staff account", id="admin-create-a-staff-account"),
]


@pytest.mark.parametrize(("role", "button"), FORM_PAGES)
def test_every_group_of_fields_has_a_legend(page: Page, live_server: LiveServer, role: str, button: str) -> None:
    # axe does not check this: a fieldset without a legend leaves "Day", "Month" and "Year" with no question.
    login = getattr(live_server, role)
    sign_in(page, live_server.url, login.username, login.password)
    if role == "mentor":
        page.get_by_role("link", name=live_server.cohort_name).click()
    elif button == "Create a staff account":
        page.get_by_role("link", name="Staff accounts").click()
    page.get_by_role("button", name=button).click()
    expect_heading(page, button)

    assert page.evaluate(UNNAMED_FIELDSETS) == []
