"""Issue 16 item 10 in the browser: on a phone the navigation folds behind a button and a wide table says it
scrolls; at 1366 px the dashboard's rounds chart tells its rounds apart and its table reads in lines."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_phone_width_folds_the_navigation_and_wide_tables_say_they_scroll(personas):
    board = personas("bdv.quangngai", width=390, height=844)
    page = board.go("/don-vi/BDVTU-QNG/thong-ke/")
    nav = page.get_by_role("navigation", name="Chức năng chính")
    menu = page.get_by_role("button", name="Danh mục")
    assert menu.is_visible() and not nav.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    board.shot("s01-phone-dashboard")
    menu.click()
    assert nav.is_visible() and menu.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="Đợt đăng ký").is_visible()
    board.shot("s02-phone-menu-open")
    menu.click()
    assert not nav.is_visible()

    # The rounds table is wider than the phone: its box scrolls, and a line says so above it.
    box = page.locator("#hoan-thanh .scroll")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    hint = page.locator("#hoan-thanh .scroll-hint")
    assert hint.is_visible() and "kéo sang ngang" in hint.inner_text()
    # A table that fits says nothing.
    assert not page.locator("#hinh-thuc .scroll-hint").is_visible()


def test_desktop_width_keeps_the_navigation_and_tells_the_rounds_apart(personas):
    board = personas("bdv.quangngai")
    page = board.go("/don-vi/BDVTU-QNG/thong-ke/")
    assert page.get_by_role("navigation", name="Chức năng chính").is_visible()
    assert not page.get_by_role("button", name="Danh mục").is_visible()
    labels = page.locator("#hoan-thanh svg.chart g > text[text-anchor=end]").evaluate_all("ts => ts.map(t => t.textContent)")
    assert len(labels) >= 2 and len(set(labels)) == len(labels), labels
    assert any("2022" in x for x in labels) and any("2021" in x for x in labels)
    # The table's year is a year (2022), and the round's name is not one word per line.
    row = page.locator("#hoan-thanh tbody tr").first
    assert row.locator("td").first.inner_text() == "2022"
    assert row.locator("th").bounding_box()["width"] > 180
    assert not page.locator("#hoan-thanh .scroll-hint").is_visible()
    board.shot("s03-desktop-dashboard-rounds")
