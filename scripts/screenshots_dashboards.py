"""Take the README's mentor screenshots from a running SkillPath with the demo data.

    .venv/bin/python scripts/screenshots_dashboards.py [--base-url http://127.0.0.1:5000]

Signs in through the real form (as `scripts/screenshots.py` does) and saves, 1280 pixels wide:
docs/screenshots/mentor-dashboard.png (a cohort's dashboard, to the readiness-over-time chart),
establishment.png (the head of education's view of every cohort), national.png (an administrator's
view of every establishment) and learner-record.png (a learner's record as their mentor sees it).
Each is cut after a chosen element, so the charts show without a page-long image.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import CHROMIUM_ARGS, ROOT, ScreenshotError, fresh_page, sign_in

# (file, login, the links to follow from the home page, the element the picture ends with)
SHOTS = (
    ("mentor-dashboard.png", "demo-mentor", ["Digital skills – autumn 2026"], "#chart-weekly"),
    ("establishment.png", "demo-head", ["Establishment"], "#chart-distribution"),
    ("national.png", "demo-admin", ["Dashboards"], "#table-establishments"),
    (
        "learner-record.png",
        "demo-mentor",
        ["Digital skills – autumn 2026", "Darius Popescu"],
        "#modules + table",
    ),
)


def shoot(page: Page, path: Path, follow: list[str], until: str) -> None:
    for step in follow:
        page.get_by_role("link", name=step).first.click()
        page.wait_for_load_state("networkidle")
    page.wait_for_function("[...document.querySelectorAll('[data-chart-payload]')].every(c => c.dataset.chartDrawn)")
    box = page.locator(until).first.bounding_box()
    if box is None:
        raise ScreenshotError(f"{until} is not on {page.url}")
    height = box["y"] + box["height"] + 24
    page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": height})
    print(f"  {path.relative_to(ROOT)}: {page.url}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--password", default="skillpath-demo")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    base_url = args.base_url.rstrip("/")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True)
            for name, username, follow, until in SHOTS:
                with fresh_page(browser, 1280) as page:
                    sign_in(page, base_url, username, args.password)
                    shoot(page, args.out / name, follow, until)
            browser.close()
    except (ScreenshotError, PlaywrightError) as error:
        print(f"Could not take the screenshots: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
