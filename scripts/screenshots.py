"""Take the README's screenshots from a running SkillPath: the sign-in page and each role's home page.

    .venv/bin/python scripts/screenshots.py [--base-url http://127.0.0.1:5000]

It signs in through the real form with the demo logins that `flask seed-demo`
creates (`make run` starts the app with them) and saves full-page PNGs, 1280
pixels wide, to docs/screenshots/. It drives Debian's Chromium, as the browser
tests do.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROLES = ("learner", "mentor", "admin")


class ScreenshotError(RuntimeError):
    pass


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000", help="where SkillPath runs (%(default)s)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNGs")
    parser.add_argument("--width", type=int, default=1280, help="page width in CSS pixels (%(default)s)")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium to drive (%(default)s)")
    parser.add_argument("--password", default="skillpath-demo", help="password for every role unless given per role")
    for role in ROLES:
        parser.add_argument(f"--{role}", default=f"demo-{role}", help=f"{role} username (default: %(default)s)")
        parser.add_argument(f"--{role}-password", help=f"{role} password (default: --password)")
    return parser.parse_args(argv)


@contextmanager
def fresh_page(browser: Browser, width: int) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": 800}, reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    for error in errors:
        print(f"  browser error: {error}", file=sys.stderr)


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    if page.url.rstrip("/").endswith("/sign-in") or "/activate" in page.url:
        raise ScreenshotError(f"Could not sign in as {username}: is the demo data loaded (flask seed-demo)?")


def save(page: Page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    heading = page.get_by_role("heading", level=1).first.text_content() or ""
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: “{heading.strip()}” at {page.url}")


def learner_pages(page: Page, base_url: str, out: Path) -> None:
    """The module the mentor returned, the readiness explanation, the module list and where they are signed in."""
    page.locator("main a[href^='/learner/modules/']:not([href$='add-evidence'])").first.click()
    save(page, out / "learner-module.png")
    page.goto(f"{base_url}/learner/readiness")
    save(page, out / "learner-readiness.png")
    page.goto(f"{base_url}/modules/")
    save(page, out / "modules.png")
    page.goto(f"{base_url}/account/sessions")
    save(page, out / "sessions.png")


def take_screenshots(args: argparse.Namespace) -> None:
    base_url = args.base_url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            with fresh_page(browser, args.width) as page:
                page.goto(f"{base_url}/sign-in")
                save(page, args.out / "sign-in.png")
            for role in ROLES:
                password = getattr(args, f"{role}_password") or args.password
                with fresh_page(browser, args.width) as page:
                    sign_in(page, base_url, getattr(args, role), password)
                    save(page, args.out / f"{role}-home.png")
                    if role == "learner":
                        learner_pages(page, base_url, args.out)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"Screenshots of {args.base_url} into {args.out}")
    try:
        take_screenshots(args)
    except ScreenshotError as error:
        print(error, file=sys.stderr)
        return 1
    except PlaywrightError as error:
        print(f"The browser could not finish: {error.message.splitlines()[0]}", file=sys.stderr)
        print(f"Is SkillPath running at {args.base_url}? `make run` starts it with the demo data.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
