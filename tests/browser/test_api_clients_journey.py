"""An administrator registers a staff API client, sees its secret once, and the client gets a token with it and
reads its learners; the admin then revokes it and the token stops working. Every page passes axe."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from playwright.sync_api import Page

from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in


def _token(base: str, client_id: str, secret: str) -> dict:
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(
        f"{base}/api/v1/oauth/token",
        data=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
        headers={"Authorization": f"Basic {credentials}", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _get(base: str, path: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_admin_registers_a_client_which_then_reads_its_learners(page: Page, live_server: LiveServer):
    base = live_server.url
    sign_in(page, base, live_server.admin.username, live_server.admin.password)
    page.goto(f"{base}/admin/api-clients/")
    expect_heading(page, "API clients")
    check_accessibility(page)
    page.get_by_role("button", name="Register a client").click()
    expect_heading(page, "Register an API client")
    page.get_by_role("button", name="Register the client").click()  # nothing filled in
    assert "Enter a name for the client" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)

    page.get_by_label("Name of the client").fill("Education records (browser test)")
    page.get_by_label("See the learners in those cohorts", exact=False).check()
    page.get_by_label(live_server.establishment_name).check()
    page.get_by_role("button", name="Register the client").click()
    expect_heading(page, "API client registered")
    check_accessibility(page)
    client_id = page.locator("[data-client-id]").inner_text().strip()
    secret = page.locator("[data-client-secret]").inner_text().strip()

    issued = _token(base, client_id, secret)
    assert issued["token_type"] == "Bearer" and issued["scope"] == "learners:read"
    status, body = _get(base, "/api/v1/learners", issued["access_token"])
    assert status == 200
    names = {item["displayName"] for item in body["items"]}
    assert live_server.learner.display_name in names
    assert all("prisonNumber" not in item for item in body["items"])

    page.get_by_role("link", name="Go to the client").click()
    expect_heading(page, "Education records (browser test)")
    assert secret not in page.content()
    check_accessibility(page)
    page.get_by_role("button", name="Revoke the client").click()
    assert "is revoked" in page.locator(".govuk-notification-banner").inner_text()
    check_accessibility(page)
    status, body = _get(base, "/api/v1/learners", issued["access_token"])
    assert status == 401 and body["type"].endswith("/invalid-token")
