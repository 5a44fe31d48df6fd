"""Success messages are seen: after marking a part of a long module as done, the green banner is on screen."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from skillpath.extensions import db
from tests import factories
from tests.browser.helpers import LiveServer, sign_in


def test_the_banner_after_mark_as_done_is_on_screen(page: Page, live_server: LiveServer) -> None:
    with live_server.app.app_context():
        module = factories.make_module(code="LONG-01", title="A module with many parts", units=9)
        db.session.commit()
        code = module.code
    page.set_viewport_size({"width": 1280, "height": 700})
    sign_in(page, live_server.url, live_server.learner.username, live_server.learner.password)
    page.goto(f"/modules/{code}")
    page.get_by_role("button", name="Start this module").click()
    button = page.get_by_role("button", name="Mark part 8 as done")
    button.scroll_into_view_if_needed()
    button.click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("is marked as done")
    expect(banner).to_be_in_viewport()


def test_the_banner_is_on_screen_without_javascript_too(browser, live_server: LiveServer) -> None:
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 1280, "height": 700}
    )
    try:
        page = context.new_page()
        with live_server.app.app_context():
            module = factories.make_module(code="LONG-02", title="Another module with many parts", units=9)
            db.session.commit()
            code = module.code
        sign_in(page, live_server.url, live_server.learner.username, live_server.learner.password)
        page.goto(f"/modules/{code}")
        page.get_by_role("button", name="Start this module").click()
        page.get_by_role("button", name="Mark part 8 as done").click()
        banner = page.locator(".govuk-notification-banner--success")
        expect(banner).to_contain_text("is marked as done")
        expect(banner).to_be_in_viewport()
    finally:
        context.close()
