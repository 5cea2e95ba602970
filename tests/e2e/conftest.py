"""Browser journeys: Debian's headless Chromium driven by Playwright against the live server.

Screenshots of key pages go to test-artifacts/screenshots/; axe-core (from the npm registry,
installed by `make e2e`) checks accessibility on the main pages. Every page a persona opens is read for English
(`english.py`): a journey that meets any fails at its end, naming the page and the text.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from . import english

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parents[2] / "var" / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("DANVAN_CHROMIUM", "/usr/bin/chromium")
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
               "--disable-background-networking", "--disable-component-update"]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Không thấy Chromium tại {CHROMIUM}: chạy `make e2e` để cài gói chromium.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        yield b
        b.close()


class Persona:
    """One logged-in browser context for a seed persona."""

    def __init__(self, browser, base_url: str, username: str, width: int = 1366, height: int = 768):
        from danvan.ops.demo import DEMO_PASSWORD

        self.username = username
        self.base = base_url
        self.ctx = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                       accept_downloads=True, bypass_csp=True)  # lets axe-core be injected; pages keep their CSP
        # What the user read on each page (english.COLLECTOR), checked for English when the journey ends.
        self.read: list[tuple[str, list[str]]] = []
        self.ctx.expose_binding("__danvanEnglish", lambda _src, url, texts: self.read.append((url, texts)))
        self.ctx.add_init_script(english.COLLECTOR)
        self.page = self.ctx.new_page()
        # Steps others will see ask first (data-confirm): the persona answers yes, and the questions are kept.
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.accept()))
        self.page.goto(f"{base_url}/dang-nhap/")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.page.wait_for_url(f"{base_url}/")

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self) -> list[dict]:
        """Serious and critical accessibility violations on the current page."""
        if not AXE.exists():
            pytest.fail("Thiếu axe-core: chạy `make e2e` (cài axe-core từ npm vào var/e2e).")
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")
        ]

    def english(self) -> None:
        """Raise if a page this persona opened showed English."""
        english.check(self.read)

    def close(self):
        self.ctx.close()


@pytest.fixture
def personas(browser, live_server, transactional_db, settings):
    from danvan.ops.demo import load_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo()
    opened: list[Persona] = []

    def open_as(username: str, **kw) -> Persona:
        p = Persona(browser, live_server.url, username, **kw)
        opened.append(p)
        return p

    yield open_as
    for p in opened:
        p.close()
    english.check(pair for p in opened for pair in p.read)
