"""Issue 16 §2 and §3 in a real browser: from the dossier to the form and back with the model attached, and a
deadline extended for one late unit, whose leader then sends on time (each step that others see asks first)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "Số hóa hồ sơ kiểm định đo lường năm 2022"


def _flash(page) -> str:
    return page.locator(".messages").inner_text()


def test_dossier_to_form_and_back_then_an_extension_and_an_on_time_send(personas):
    from danvan.movement.models import Submission

    sub = Submission.objects.get(unit__code="CCTDC-QNG", round__year=2022)
    assert sub.round.deadline < timezone.now()

    # The Chi cục's officer registers a new model from its dossier and comes back to it.
    officer = personas("cc.tdc")
    page = officer.go(f"/ho-so/{sub.pk}/")
    page.get_by_role("link", name="+ Đăng ký mô hình mới cho Chi cục", exact=False).click()
    assert page.get_by_label("Năm đăng ký").input_value() == "2022"
    page.get_by_label("Lĩnh vực").select_option(label="Lĩnh vực Tiêu chuẩn Đo lường Chất lượng")
    page.get_by_label("Tên mô hình, điển hình").fill(NAME)
    page.get_by_label("Mô hình tập thể").check()
    page.get_by_label("Nội dung cụ thể: mô hình giải quyết vấn đề gì, giải pháp").fill(
        "Scan và lưu trữ hồ sơ kiểm định trên phần mềm.")
    page.get_by_label("Xây dựng mới").check()
    officer.shot("16-01-officer-registers-from-dossier")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_url(f"**/ho-so/{sub.pk}/")
    assert "Đã thêm mô hình, điển hình vào hồ sơ" in _flash(page)
    assert NAME in page.content() and "Chờ lãnh đạo đơn vị phê duyệt và gửi." in page.content()
    officer.shot("16-02-back-on-the-dossier")

    # The Sở's office gives the Chi cục a week more, confirming the dialog.
    office = personas("vp.skhcn")
    page = office.go(f"/ho-so/{sub.pk}/")
    page.get_by_text("Gia hạn cho riêng Chi cục", exact=False).click()
    until = (timezone.localtime() + datetime.timedelta(days=7)).strftime("%d/%m/%Y 17:00")
    page.get_by_label("Gia hạn đến (dd/mm/yyyy hh:mm)").fill(until)
    page.get_by_label("Lý do gia hạn").fill("Chi cục đang kiện toàn nhân sự")
    page.get_by_role("button", name="Gia hạn", exact=True).click()
    page.wait_for_load_state()
    assert office.dialogs and "Gia hạn cho Chi cục" in office.dialogs[-1]
    assert "Đã gia hạn cho Chi cục" in _flash(page) and "được gia hạn" in page.content()
    office.shot("16-03-extended-for-one-unit")

    # The leader approves and sends (asked first): on time within the extension.
    leader = personas("ld.cc")
    page = leader.go(f"/ho-so/{sub.pk}/")
    page.get_by_role("button", name="Phê duyệt và gửi lên cấp trên").click()
    page.wait_for_load_state()
    assert leader.dialogs and "Phê duyệt và gửi hồ sơ lên" in leader.dialogs[-1]
    assert "Đã gửi đăng ký lên cấp trên" in _flash(page)
    sub.refresh_from_db()
    assert sub.status == "submitted" and sub.is_late is False
    page = office.go(f"/dot-dang-ky/{sub.round_id}/?don_vi=SKHCN-QNG")
    assert "Đã gửi đúng hạn" in page.content()
    office.shot("16-04-completeness-on-time")
