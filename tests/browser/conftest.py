"""Browser tests: the dashboard in headless Chromium (Debian's `chromium`, driven by
Playwright's client, which never downloads a browser of its own), against one running stack
per module and one browser per session. Screenshots go to `artifacts/screenshots/`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

import bootstrap
from emulators import gcloud
from tests.browser.stack import DashboardStack, dashboard_stack
from tests.conftest import PROJECT

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
UNLABELLED_CONTROLS = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter((el) => el.type !== "hidden" && !el.labels.length && !el.getAttribute("aria-label"))
  .map((el) => el.name || el.id)"""
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll("body *")]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 8).map((el) => `${el.tagName.toLowerCase()}.${el.className}`)"""


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def stack(
    firestore_emulator: gcloud.RunningEmulator,
    pubsub_emulator: gcloud.RunningEmulator,
    mail_capture: str,
) -> Iterator[DashboardStack]:
    gcloud.reset_firestore(firestore_emulator.host_port, PROJECT)
    bootstrap.reset()
    with dashboard_stack(mail_capture, pubsub_emulator.host_port) as running:
        yield running
    bootstrap.reset()


@pytest.fixture
def page(browser: Browser, stack: DashboardStack) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the stack, at desktop size."""
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


def shoot(page: Page, name: str) -> None:
    """Screenshots of the page at desktop and phone width. Every form control has a label, and
    at phone width nothing is wider than the screen (no sideways scrolling of the page)."""
    unlabelled = page.evaluate(UNLABELLED_CONTROLS)
    assert unlabelled == [], f"{name}: form controls without a label: {unlabelled}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    too_wide = page.evaluate(WIDER_THAN_SCREEN) if overflow > 0 else []
    page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    assert overflow <= 0, f"{name}: {overflow}px wider than a phone screen: {too_wide}"
