"""The journeys' English check fails on a known English string (issue 16, Done when), in Python and in a page."""

from __future__ import annotations

import pytest

from .english import check, english_in


@pytest.mark.parametrize("text", [
    "Submit", "Lưu Save", "Page 1 of 3", "---------", "This field is required.", "Trang chủ · Logout",
    "Nhập mật khẩu. Your password must contain at least 8 characters.", "Không tìm thấy (Not Found)",
])
def test_known_english_is_found(text):
    assert english_in([text])
    with pytest.raises(AssertionError, match="tiếng Anh"):
        check([("/trang/", [text])])


@pytest.mark.parametrize("text", [
    "Đăng ký mô hình, điển hình “Dân vận khéo” năm 2023", "Thanh tra Sở Khoa học và Công nghệ",
    "In công văn (DOCX, PDF)", "vp.skhcn@danvan.local · SKHCN-QNG · /api/docs", "Tải tệp mau-dang-ky.xlsx",
    "Ban Dân vận Tỉnh ủy Quảng Ngãi", "to an no cho can ban in", "Chi cục Tiêu chuẩn Đo lường Chất lượng",
])
def test_vietnamese_passes(text):
    assert english_in([text]) == []
    check([("/trang/", [text])])


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_page_showing_english_fails_the_journey(personas, live_server):
    """A real page of the app, with one English button added by the server's answer, read by the same hook."""
    officer = personas("tt.skhcn")
    officer.english()  # the home page after login reads in Vietnamese
    officer.read.clear()

    def english_button(route):
        resp = route.fetch()
        route.fulfill(response=resp, body=resp.text().replace("</main>", '<button type="button">Save</button></main>'))

    officer.page.route(f"{live_server.url}/mo-hinh/", english_button)
    officer.go("/mo-hinh/")
    officer.page.wait_for_load_state("load")
    with pytest.raises(AssertionError, match="“Save”"):
        officer.english()
    officer.read.clear()  # the fixture's own check at the end would fail the same way
