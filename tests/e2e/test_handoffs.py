"""Issue 16 item 1 in the browser: each persona opens danvan and finds, first, the work that has just arrived."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _in(days: int) -> str:
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%d/%m/%Y 17:00")


def _todo(persona):
    """The persona's home page, and its "Việc cần làm" section."""
    page = persona.go("/")
    page.on("dialog", lambda d: d.accept())  # steps that others will see ask for confirmation
    return page, page.locator("section.todo")


def _flash(page) -> str:
    return page.locator(".messages").inner_text()


def test_each_hand_off_reaches_the_next_person(personas):
    from django.contrib.auth.models import User

    from danvan.exemplars.models import Field, Movement
    from danvan.exemplars.services import create_exemplar
    from danvan.movement.models import RegistrationRound, Submission
    from danvan.orgs.models import OrgUnit

    # The Board launches 2023.
    board = personas("bdv.quangngai")
    page = board.go("/dot-dang-ky/phat-dong/")
    page.get_by_label("Tiêu đề").fill('Đăng ký mô hình, điển hình "Dân vận khéo" năm 2023')
    page.get_by_label("Năm").fill("2023")
    page.get_by_label("Hạn gửi (dd/mm/yyyy hh:mm)").fill(_in(30))
    page.get_by_role("button", name="Phát động").click()
    assert "Đã phát động" in _flash(page)
    rnd = RegistrationRound.objects.get(year=2023, issuer__code="BDVTU-QNG")

    # The Sở's office finds it on its home page, to relay and to answer, and relays from there.
    office = personas("vp.skhcn")
    page, todo = _todo(office)
    assert "Chuyển tiếp cho đơn vị trực thuộc" in todo.inner_text()
    office.shot("h01-office-home-launch-arrived")
    todo.get_by_role("link", name="Sở Khoa học và Công nghệ").first.click()
    page.get_by_label("Hạn nội bộ (dd/mm/yyyy hh:mm)").fill(_in(10))
    page.get_by_role("button", name="Chuyển tiếp").click()
    assert "Đã chuyển tiếp" in _flash(page)
    relay = RegistrationRound.objects.get(parent_round=rnd)
    sub = Submission.objects.get(round=relay, unit__code="TT-SKHCN-QNG")

    # The Thanh tra officer sees the round its unit must answer, first thing, and opens the dossier from it.
    officer = personas("tt.skhcn")
    page, todo = _todo(officer)
    assert "Đơn vị cần đăng ký" in todo.inner_text() and "Thanh tra Sở Khoa học và Công nghệ" in todo.inner_text()
    assert page.locator("section.todo").bounding_box()["y"] < page.locator("table.grid").first.bounding_box()["y"]
    officer.shot("h02-officer-home-round-to-answer")
    create_exemplar(by=User.objects.get(username="tt.skhcn"), unit=OrgUnit.objects.get(code="TT-SKHCN-QNG"),
                    year=2023, movement=Movement.objects.get(period_start=2021),
                    field=Field.objects.get(name="Lĩnh vực thanh tra"), name="Tiếp công dân lưu động năm 2023",
                    kind="collective", address="202A, đường Trường Chinh", content_problem="Nội dung", origin="new")
    todo.get_by_role("link", name="Thanh tra Sở Khoa học và Công nghệ").first.click()
    page.wait_for_url(f"**/ho-so/{sub.pk}/")
    page.get_by_label("Tiếp công dân lưu động năm 2023").check()
    page.get_by_role("button", name="Thêm vào hồ sơ").click()
    page.get_by_role("button", name="Trình lãnh đạo phê duyệt").click()
    assert "Đã trình lãnh đạo đơn vị phê duyệt" in _flash(page)

    # The leader finds the dossier awaiting approval and sends it from there.
    leader = personas("ld.tt")
    page, todo = _todo(leader)
    assert "Chờ bạn phê duyệt" in todo.inner_text() and "Nguyễn Văn Bình trình lúc" in todo.inner_text()
    leader.shot("h03-leader-home-approval-waiting")
    todo.get_by_role("link", name="Thanh tra Sở Khoa học và Công nghệ").first.click()
    page.get_by_role("button", name="Phê duyệt và gửi lên cấp trên").click()
    assert "Đã gửi đăng ký" in _flash(page)
    assert "Chờ bạn phê duyệt" not in _todo(leader)[1].inner_text()

    # The office finds it to review and returns it with a reason.
    page, todo = _todo(office)
    assert "Hồ sơ gửi đến, chờ xem xét" in todo.inner_text()
    office.shot("h04-office-home-submission-arrived")
    todo.get_by_role("link", name="Thanh tra Sở Khoa học và Công nghệ — ").first.click()
    page.get_by_label("Lý do trả lại").fill("Bổ sung dự kiến kết quả mô hình đem lại.")
    page.get_by_role("button", name="Trả lại để bổ sung").click()
    assert "Đã trả lại" in _flash(page)
    assert "Hồ sơ gửi đến, chờ xem xét" not in _todo(office)[1].inner_text()

    # The officer sees the returned dossier with its reason, and on the dossier the reason comes first.
    page, todo = _todo(officer)
    text = todo.inner_text()
    assert "Bị trả lại, cần bổ sung" in text and "Lý do: Bổ sung dự kiến kết quả mô hình đem lại." in text
    assert "Lê Đức Tuấn trả lại lúc" in text
    officer.shot("h05-officer-home-returned-with-reason")
    todo.get_by_role("link", name="Thanh tra Sở Khoa học và Công nghệ").first.click()
    banner = page.get_by_role("alert").filter(has_text="Hồ sơ bị trả lại để bổ sung")
    assert "Bổ sung dự kiến kết quả mô hình đem lại." in banner.inner_text() and "Lê Đức Tuấn" in banner.inner_text()
    assert banner.bounding_box()["y"] < page.locator("h1").bounding_box()["y"]
    officer.shot("h06-officer-dossier-reason-first")

    # Sent again and accepted, the Sở's leader sends the consolidated dossier up: the Board sees what arrived.
    page = leader.go(f"/ho-so/{sub.pk}/")
    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Phê duyệt và gửi lên cấp trên").click()
    page = office.go(f"/ho-so/{sub.pk}/")
    page.get_by_role("button", name="Tiếp nhận").click()
    assert "Đã tiếp nhận" in _flash(page)
    page = personas("ld.skhcn").go(f"/ho-so/{Submission.objects.get(round=rnd, unit__code='SKHCN-QNG').pk}/")
    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Phê duyệt và gửi lên cấp trên").click()
    assert "Đã gửi đăng ký" in _flash(page)
    page, todo = _todo(board)
    assert "Hồ sơ gửi đến, chờ xem xét: Sở Khoa học và Công nghệ" in todo.inner_text()
    assert "đã gửi hồ sơ tổng hợp" in page.locator("main").inner_text()  # the unread notification, on the home page
    board.shot("h07-board-home-consolidated-arrived")
    # The officer learned of the acceptance too.
    page = officer.go("/thong-bao/")
    assert "đã tiếp nhận hồ sơ" in page.locator("main").inner_text()
