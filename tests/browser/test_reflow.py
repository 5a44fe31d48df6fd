"""Nothing scrolls sideways at 320 px (WCAG 1.4.10 Reflow), on every page each role can reach.

Each role's pages are found the way a person finds them: from their home page, following the
links on every page (same site, no downloads, no sign-out), breadth first. Every page is opened
at 320 CSS pixels wide and must not be wider than the window. A wide table may scroll inside its
own box (WCAG allows that for data tables); the page itself may not.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import LiveServer, sign_in

WIDTH = 320
MAX_PAGES = 60
# Links that end the session, download a file, or repeat a page with another filter.
SKIPPED = ("/sign-out", "/pdf", "/credential", "/export", ".csv", ".json", ".jwt", "/file", "/download", "/assets/")

ROLES = ["anonymous", "learner", "mentor", "admin"]


def _pages(page: Page, base_url: str, start: str) -> list[str]:
    seen: set[str] = set()
    queue = deque([start])
    found: list[str] = []
    too_wide: list[str] = []
    while queue and len(found) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(base_url + path)
        if response is None or response.status >= 400 or not page.url.startswith(base_url):
            continue
        found.append(path)
        width = page.evaluate("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        if width > WIDTH:
            too_wide.append(f"{path} is {width} px wide")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(urljoin(base_url + path, href))
            if target.netloc != urlsplit(base_url).netloc or any(part in target.path for part in SKIPPED):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if target.query and "page=" not in target.query:
                link = target.path  # filters of a page already visited: the page itself is enough
            if link not in seen:
                queue.append(link)
    assert not too_wide, "Pages scroll sideways at 320 px:\n  " + "\n  ".join(too_wide)
    return found


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_at_320_pixels(page: Page, live_server: LiveServer, role: str) -> None:
    page.set_viewport_size({"width": WIDTH, "height": 700})
    if role == "anonymous":
        start = "/sign-in"
    else:
        login = getattr(live_server, role)
        sign_in(page, live_server.url, login.username, login.password)
        start = urlsplit(page.url).path
    visited = _pages(page, live_server.url, start)
    assert len(visited) >= 3, f"only {visited} were reachable as {role}"
