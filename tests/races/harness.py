"""Simultaneous requests against a live SkillPath server: the double click and the two mentors at once.

A `Browser` is one person's cookies. `burst` sends the same form from N threads that
all wait at a barrier and then send at the same moment, each carrying a copy of
the cookies, as the second and third clicks of an impatient person would.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

from bs4 import BeautifulSoup, Tag

FormData = Sequence[tuple[str, str]]
Senders = Sequence[tuple["Browser", FormData]]


@dataclass(frozen=True)
class Reply:
    status: int
    location: str
    body: str


@dataclass
class Browser:
    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, data: FormData | None = None) -> Reply:
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "User-Agent": "race-harness"}
        body = None
        if data is not None:
            body = urlencode(list(data)).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie: SimpleCookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            return Reply(response.status, response.headers.get("Location", ""), text)
        finally:
            connection.close()

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, data: FormData) -> Reply:
        return self.request("POST", path, data)

    def sign_in(self, username: str, password: str) -> None:
        fields = form_fields(self.get("/sign-in").body, "")
        reply = self.post("/sign-in", fill(fields, {"username": username, "password": password}))
        assert reply.status == 302, f"sign-in as {username} gave {reply.status}"

    def copy(self) -> Browser:
        return Browser(self.base_url, dict(self.cookies))


def _form(html: str, action: str) -> Tag:
    soup = BeautifulSoup(html, "html.parser")
    for form in soup.find_all("form"):
        target = form.get("action") or ""
        if target == action or (not target and action == ""):
            return form
    actions = [form.get("action") for form in soup.find_all("form")]
    raise AssertionError(f"no form posting to {action!r} on the page; forms: {actions}")


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    """What a browser would send from the form posting to `action`, as the page left it."""
    form = _form(html, action)
    fields: list[tuple[str, str]] = []
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "textarea":
            fields.append((name, element.get_text()))
        elif element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            if chosen is not None:
                fields.append((name, str(chosen.get("value", chosen.get_text()))))
        else:
            kind = (element.get("type") or "text").lower()
            if kind in {"radio", "checkbox"}:
                if element.has_attr("checked"):
                    fields.append((name, str(element.get("value", "on"))))
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                fields.append((name, str(element.get("value", ""))))
    return fields


def fill(fields: Sequence[tuple[str, str]], values: Mapping[str, str | Sequence[str]]) -> list[tuple[str, str]]:
    """The form's fields with `values` put in (a list for a field sent several times)."""
    kept = [(name, value) for name, value in fields if name not in values]
    for name, value in values.items():
        kept.extend((name, v) for v in ([value] if isinstance(value, str) else value))
    return kept


def prepare(browsers: Sequence[Browser], page: str, action: str, values: Mapping[str, str | Sequence[str]]) -> Senders:
    """Each browser's own copy of the form on `page` (its own CSRF token), with `values` filled in."""
    return [(browser, fill(form_fields(browser.get(page).body, action), values)) for browser in browsers]


def burst(senders: Senders, path: str, times: int) -> list[Reply]:
    """Send to `path` `times` times at once, taking (browser, form) pairs in turn from `senders`."""
    plan = [(senders[n % len(senders)][0].copy(), senders[n % len(senders)][1]) for n in range(times)]
    start = threading.Barrier(times)
    replies: list[Any] = [None] * times

    def send(n: int) -> None:
        start.wait()
        browser, data = plan[n]
        try:
            replies[n] = browser.post(path, data)
        except Exception as error:  # a dropped connection is a failure to report, not to hide
            replies[n] = error

    threads = [threading.Thread(target=send, args=(n,)) for n in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    failures = [r for r in replies if not isinstance(r, Reply)]
    assert not failures, f"requests failed: {failures[:3]}"
    statuses = sorted(r.status for r in replies)
    # Every request must be understood (no 400 from a stale token) and none may fail on the server.
    assert all(status in (200, 302) for status in statuses), f"statuses: {statuses}"
    return replies


def radio_names(html: str, action: str) -> set[str]:
    """The names of every radios question in the form posting to `action`."""
    return {str(radio["name"]) for radio in _form(html, action).find_all("input", type="radio") if radio.get("name")}
