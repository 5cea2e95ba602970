"""Issue 16 §5 in a real browser: a unit officer records a replication through the source picker — the search box
answers as they type and on Enter (which never submits the half-filled form), choosing a source marks the model as a
replication, and the saved model names its source; the source's page counts the new replica."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "Tiết kiệm điện tại Chi cục Tiêu chuẩn Đo lường Chất lượng"
SOURCE = "Thực hiện tiết kiệm điện trong cơ quan"  # Văn phòng Sở's model, recognized by the Board (demo)


def test_unit_officer_records_a_replication_with_the_picker(personas):
    from danvan.exemplars.models import Exemplar

    officer = personas("cc.tdc")
    page = officer.page
    page.get_by_role("link", name="Mô hình, điển hình", exact=True).click()
    page.get_by_role("link", name="+ Thêm mô hình").click()
    page.get_by_label("Lĩnh vực").select_option(label="Lĩnh vực Tiêu chuẩn Đo lường Chất lượng")
    page.get_by_label("Tên mô hình, điển hình").fill(NAME)
    page.get_by_label("Mô hình tập thể").check()
    page.get_by_label("Nội dung cụ thể: mô hình giải quyết vấn đề gì, giải pháp").fill(
        "Tắt điện, điều hòa khi ra khỏi phòng; thay bóng đèn tiết kiệm điện.")
    page.get_by_label("Xây dựng mới").check()

    # Enter in the search box searches at once and does not send the form.
    box = page.get_by_label("Nhân rộng từ mô hình (tìm theo tên hoặc đơn vị)")
    box.fill("tiết kiệm điện")
    box.press("Enter")
    choice = page.locator("#source-results").get_by_label(SOURCE, exact=False)
    choice.wait_for()
    assert "/mo-hinh/them/" in page.url and not Exemplar.objects.filter(name=NAME).exists()
    assert page.locator(".errors, .error").count() == 0

    choice.check()
    assert page.get_by_label("Nhân rộng", exact=True).is_checked()
    assert not page.get_by_label("Xây dựng mới").is_checked()
    officer.shot("16-05-officer-picks-a-source")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".errors, .error").all_inner_texts() == []
    page.wait_for_url(re.compile(r"/mo-hinh/\d+/$"))

    replica = Exemplar.objects.get(name=NAME)
    assert replica.origin == "replication" and replica.source.name == SOURCE and replica.year == 2025
    assert f"từ mô hình {SOURCE}" in " ".join(page.locator("dd").all_inner_texts())
    # The source belongs to a sibling unit the officer does not see: it is named, and leads at most to its public page.
    assert page.locator(f"article a[href='/mo-hinh/{replica.source_id}/']").count() == 0

    # The source's own office sees the new replica counted on its page.
    office = personas("vp.skhcn")
    page = office.go(f"/mo-hinh/{replica.source_id}/")
    spread = page.locator("#nhan-rong").inner_text()
    assert "Đã được nhân rộng tại" in spread and NAME in spread
