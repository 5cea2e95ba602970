"""Issue 9 journeys, grown as features land: the yearly cycle in a real browser with the seed personas."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from docx import Document

from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _in(days: int) -> str:
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%d/%m/%Y 17:00")


def _flash(page) -> str:
    return page.locator(".messages").inner_text()


def _thanh_tra_form() -> bytes:
    """The form as the Thanh tra fills it: the seed's Thanh tra group and its model, in Word."""
    from danvan.tools._seed001 import SEED001_PAGES
    from danvan.tools.intake_samples import _seed_row, build_docx, header_rows

    rows = [r for page in SEED001_PAGES for r in page]
    start = next(i for i, r in enumerate(rows) if r[1] == "Lĩnh vực thanh tra")
    end = next((i for i in range(start + 1, len(rows)) if rows[i][0] and not rows[i][0].isdigit()), len(rows))
    return build_docx(["Biểu số 2", header_rows() + [_seed_row(r, 0) for r in rows[start:end]]])


def test_launch_relay_register_submit_return_accept_consolidate(personas, tmp_path):
    from danvan.movement.models import RegistrationRound, Status, Submission

    # The Board launches the 2023 round for its units.
    board = personas("bdv.quangngai")
    page = board.go("/dot-dang-ky/phat-dong/")
    page.get_by_label("Tiêu đề").fill('Đăng ký mô hình, điển hình "Dân vận khéo" năm 2023')
    page.get_by_label("Năm").fill("2023")
    page.get_by_label("Căn cứ (kế hoạch, hướng dẫn)").fill("Hướng dẫn số 08-HD/BDVTU ngày 19/4/2021")
    page.get_by_label("Hạn gửi (dd/mm/yyyy hh:mm)").fill(_in(30))
    board.shot("01-board-launch-form")
    page.get_by_role("button", name="Phát động").click()
    assert "Đã phát động" in _flash(page)
    board.shot("02-board-round-launched")
    rnd = RegistrationRound.objects.get(year=2023, issuer__code="BDVTU-QNG")

    # The Sở relays it to its units with an earlier internal deadline.
    office = personas("vp.skhcn")
    page = office.go(f"/dot-dang-ky/{rnd.pk}/")
    page.get_by_role("link", name="Chuyển tiếp cho các đơn vị thuộc Sở Khoa học và Công nghệ").click()
    page.get_by_label("Hạn nội bộ (dd/mm/yyyy hh:mm)").fill(_in(10))
    page.get_by_role("button", name="Chuyển tiếp").click()
    assert "Đã chuyển tiếp" in _flash(page)
    relay = RegistrationRound.objects.get(parent_round=rnd)
    office.shot("03-so-relayed-completeness")

    # The Văn phòng officer registers a model through the form, laid out like the paper form.
    page = office.go("/mo-hinh/them/?unit=VP-SKHCN-QNG")
    page.get_by_label("Năm đăng ký").fill("2023")
    page.get_by_label("Lĩnh vực").select_option(label="Lĩnh vực Tài chính, Văn phòng")
    assert "tiết kiệm điện" not in page.locator("#similar-results").inner_text()
    page.get_by_label("Tên mô hình, điển hình").fill("Thực hiện tiết kiệm điện trong cơ quan năm 2023")
    # While typing, the form points out last years' look-alike model (htmx panel, no click needed).
    page.get_by_label("Tên mô hình, điển hình").press("End")
    similar = page.locator("#similar-results")
    similar.get_by_text("Thực hiện tiết kiệm điện trong cơ quan", exact=False).first.wait_for(timeout=10_000)
    assert "2021" in similar.inner_text()
    page.get_by_label("Mô hình tập thể").check()
    page.get_by_label("Địa chỉ").fill("202A, đường Trường Chinh, Thành phố Quảng Ngãi, tỉnh Quảng Ngãi")
    page.get_by_label("Nội dung cụ thể: mô hình giải quyết vấn đề gì, giải pháp").fill(
        "Tắt thiết bị điện khi không sử dụng.\n\nThay đèn tiết kiệm năng lượng.")
    page.get_by_label("Tổ chức, cá nhân thực hiện").fill("Công chức, người lao động Khối Văn phòng Sở")
    page.get_by_label("Xây dựng mới").check()
    office.shot("04-officer-registers-form")
    page.get_by_role("button", name="Lưu").click()
    assert "Đã thêm mô hình" in _flash(page)

    # It goes into the Văn phòng's registration; its leader submits.
    vp_sub = Submission.objects.get(round=relay, unit__code="VP-SKHCN-QNG")
    page = office.go(f"/ho-so/{vp_sub.pk}/")
    page.get_by_label("Thực hiện tiết kiệm điện trong cơ quan năm 2023").check()
    page.get_by_role("button", name="Thêm vào hồ sơ").click()
    assert "Đã thêm 1 mô hình" in _flash(page)
    leader = personas("ld.vp")
    page = leader.go(f"/ho-so/{vp_sub.pk}/")
    page.get_by_role("button", name="Phê duyệt và gửi lên cấp trên").click()
    assert "Đã gửi đăng ký" in _flash(page)
    leader.shot("05-leader-submitted")

    # The Sở returns it with a comment, the leader resubmits, the Sở accepts.
    page = office.go(f"/ho-so/{vp_sub.pk}/")
    page.get_by_label("Lý do trả lại").fill("Bổ sung dự kiến kết quả mô hình đem lại.")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Trả lại để bổ sung").click()
    assert "Đã trả lại" in _flash(page)
    page = leader.go(f"/ho-so/{vp_sub.pk}/")
    assert "Bổ sung dự kiến kết quả" in page.content()
    page.get_by_role("button", name="Phê duyệt và gửi lên cấp trên").click()
    page = office.go(f"/ho-so/{vp_sub.pk}/")
    page.get_by_role("button", name="Tiếp nhận").click()
    assert "Đã tiếp nhận" in _flash(page)
    office.shot("06-so-accepted")

    # The Thanh tra officer fills the Word form offline and uploads it; the preview is confirmed.
    tt_sub = Submission.objects.get(round=relay, unit__code="TT-SKHCN-QNG")
    form_file = tmp_path / "bieu-mau-thanh-tra.docx"
    form_file.write_bytes(_thanh_tra_form())
    inspector = personas("tt.skhcn")
    page = inspector.go(f"/ho-so/{tt_sub.pk}/")
    page.get_by_role("link", name="Nhập từ biểu mẫu Word/Excel đã điền").click()
    page.get_by_label("Tệp biểu mẫu (Word .docx hoặc Excel .xlsx; chọn được nhiều tệp)").set_input_files(
        str(form_file))
    page.get_by_role("button", name="Đọc biểu mẫu").click()
    assert "Đã đọc 1 mô hình" in _flash(page)
    assert "tiếp công dân" in page.locator("textarea").first.input_value()
    inspector.shot("06b-thanh-tra-import-preview")
    page.get_by_label("Xây dựng mới").check()
    page.get_by_role("button", name="Xác nhận và lưu tất cả").click()
    assert "Đã nhập 1 mô hình, điển hình." in _flash(page)
    assert tt_sub.items.count() == 1
    page = personas("ld.tt").go(f"/ho-so/{tt_sub.pk}/")
    page.get_by_role("button", name="Phê duyệt và gửi lên cấp trên").click()
    assert "Đã gửi đăng ký" in _flash(page)
    page = office.go(f"/ho-so/{tt_sub.pk}/")
    page.get_by_role("button", name="Tiếp nhận").click()
    assert "Đã tiếp nhận" in _flash(page)

    # The Chi cục is late: the Sở picks it on the completeness page and reminds it.
    cc_sub = Submission.objects.get(round=relay, unit__code="CCTDC-QNG")
    page = office.go(f"/dot-dang-ky/{relay.pk}/?don_vi=SKHCN-QNG")
    page.get_by_label("Chọn Chi cục Tiêu chuẩn Đo lường Chất lượng").check()
    page.get_by_role("button", name="Nhắc các đơn vị đã chọn").click()
    assert "Đã nhắc: Chi cục Tiêu chuẩn Đo lường Chất lượng" in _flash(page)
    chicuc = personas("cc.tdc")
    page = chicuc.go("/thong-bao/")
    assert "khẩn trương hoàn thành đăng ký" in page.content()
    chicuc.shot("07-chicuc-reminded")
    assert cc_sub.reminders.count() == 1

    # The Sở's leader sends the consolidated registration up; the Board accepts it.
    sk_sub = Submission.objects.get(round=rnd, unit__code="SKHCN-QNG")
    sk_leader = personas("ld.skhcn")
    page = sk_leader.go(f"/ho-so/{sk_sub.pk}/")
    page.get_by_role("button", name="Phê duyệt và gửi lên cấp trên").click()
    assert "Đã gửi đăng ký" in _flash(page)
    # The Sở's office downloads what it sent: the cover letter + Biểu số 2, as Word.
    page = office.go(f"/ho-so/{sk_sub.pk}/")
    with page.expect_download() as info:
        page.locator(f"a[href='/ho-so/{sk_sub.pk}/van-ban/dang-ky.docx']").click()
    texts = [p.text for p in Document(info.value.path()).paragraphs]
    cells = [c.text for t in Document(info.value.path()).tables for r in t.rows for c in r.cells]
    assert "Kính gửi: Ban Dân vận Tỉnh ủy" in texts and "Biểu số 2" in texts
    assert "Thực hiện tiết kiệm điện trong cơ quan năm 2023" in cells
    assert any("tiếp công dân" in c for c in cells)
    office.shot("07b-so-downloaded-bieu-so-2")

    page = board.go(f"/ho-so/{sk_sub.pk}/")
    assert "Thực hiện tiết kiệm điện trong cơ quan năm 2023" in page.content()
    page.get_by_role("button", name="Tiếp nhận").click()
    board.shot("08-board-accepted-consolidated")
    sk_sub.refresh_from_db()
    assert sk_sub.status == Status.ACCEPTED and sk_sub.n_total == 2


def test_progress_recognition_and_the_annual_report(personas, tmp_path, browser, live_server):
    """Issue 6 in the browser: evidence, assessment, recognition, then the report written, downloaded and sent."""
    from docx import Document

    from danvan.exemplars.models import Exemplar
    from danvan.movement.models import Submission

    ex = Exemplar.objects.get(unit__code="TT-SKHCN-QNG", year=2021)
    evidence = tmp_path / "bien-ban-tiep-cong-dan.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    officer = personas("tt.skhcn")
    page = officer.go(f"/mo-hinh/{ex.pk}/")
    page.get_by_label("Ngày (dd/mm/yyyy)").fill("15/12/2021")
    page.get_by_label("Đã thực hiện").fill("Giải quyết dứt điểm 02 vụ khiếu nại kéo dài.")
    page.get_by_label("Minh chứng (ảnh JPG/PNG, PDF, Word; tối đa 10 MB mỗi tệp)").set_input_files(str(evidence))
    page.get_by_role("button", name="Ghi cập nhật").click()
    assert "Đã ghi cập nhật tiến độ" in _flash(page)
    assert page.get_by_role("link", name="bien-ban-tiep-cong-dan.pdf").count() == 1

    leader = personas("ld.tt")
    page = leader.go(f"/mo-hinh/{ex.pk}/")
    page.get_by_label("Đạt", exact=True).check()
    page.get_by_role("button", name="Ghi đánh giá").click()
    assert "Đã đánh giá: Đã đánh giá đạt" in _flash(page)

    board = personas("bdv.quangngai")
    page = board.go(f"/mo-hinh/{ex.pk}/")
    form = page.locator("form", has=page.get_by_role("button", name="Ghi công nhận"))
    form.get_by_label("Số quyết định").fill("140-QĐ/BDVTU")
    form.get_by_label("Ngày quyết định (dd/mm/yyyy)").fill("20/09/2022")
    form.get_by_role("button", name="Ghi công nhận").click()
    assert "Đã ghi quyết định công nhận 140-QĐ/BDVTU" in _flash(page)
    board.shot("10-board-recognized-timeline")

    # A reader without login does not find it in the public showcase until the Board publishes it.
    reader = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN", bypass_csp=True)
    anon = reader.new_page()
    anon.goto(f"{live_server.url}/cong-khai/?q=ti%E1%BA%BFp+c%C3%B4ng+d%C3%A2n")
    assert anon.get_by_role("link", name=re.compile("tiếp công dân")).count() == 0
    page.get_by_role("button", name="Công khai mô hình").click()
    assert "Đã công khai mô hình" in _flash(page)
    anon.goto(f"{live_server.url}/cong-khai/")
    anon.get_by_role("searchbox", name="Tìm").fill("tiep cong dan")
    anon.get_by_role("button", name="Tìm").click()
    anon.get_by_role("link", name=re.compile("tiếp công dân")).first.click()
    shown = anon.content()
    assert "140-QĐ/BDVTU" in shown and "Thanh tra Sở Khoa học và Công nghệ" in shown
    assert "Ban Dân vận Tỉnh ủy Quảng Ngãi, Quyết định số 140-QĐ/BDVTU" in shown, shown[shown.find("Công nhận<"):][:300]
    assert "Đăng xuất" not in shown and "Giải quyết dứt điểm 02 vụ khiếu nại" not in shown  # no progress notes
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    anon.screenshot(path=str(ARTIFACTS / "12-public-showcase.png"), full_page=True)
    reader.close()

    office = personas("vp.skhcn")
    page = office.go("/bao-cao/SKHCN-QNG/2022/")
    page.get_by_label("Ưu điểm").fill("Cán bộ, công chức hưởng ứng tích cực; mô hình được nhân rộng.")
    page.get_by_role("button", name="Lưu báo cáo").click()
    assert "Đã lưu báo cáo" in _flash(page)
    office.shot("11-office-annual-report")
    with page.expect_download() as info:
        page.get_by_role("link", name="Báo cáo (Word)").click()
    path = tmp_path / "bao-cao.docx"
    info.value.save_as(path)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "Cán bộ, công chức hưởng ứng tích cực" in text and "Số mô hình đã được công nhận trong năm 2022: 2" in text

    sender = personas("ld.skhcn")
    page = sender.go("/bao-cao/SKHCN-QNG/2022/")
    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Phê duyệt và gửi báo cáo").click()
    assert "Đã gửi" in _flash(page)
    assert Submission.objects.get(round__kind="report", unit__code="SKHCN-QNG").status == "submitted"


@pytest.mark.parametrize("width,height,label", [(1366, 768, "office"), (390, 844, "phone")])
def test_main_pages_accessible_and_usable(personas, width, height, label):
    """axe-core finds no serious or critical violations on the main pages, at office and phone width."""
    from danvan.exemplars.models import Exemplar
    from danvan.movement.models import RegistrationRound

    user = personas("vp.skhcn", width=width, height=height)
    r22 = RegistrationRound.objects.get(year=2022, issuer__code="SKHCN-QNG")
    ex = Exemplar.objects.get(name="Thực hiện tiết kiệm điện trong cơ quan", unit__code="VP-SKHCN-QNG")
    pages = {
        "home": "/", "tree": "/don-vi/SKHCN-QNG/", "list": "/mo-hinh/", "detail": f"/mo-hinh/{ex.pk}/",
        "form": "/mo-hinh/them/", "rounds": "/dot-dang-ky/", "completeness": f"/dot-dang-ky/{r22.pk}/?don_vi=SKHCN-QNG",
        "submission": f"/ho-so/{r22.submissions.get(unit__code='VP-SKHCN-QNG').pk}/",
        "reports": "/bao-cao/", "annual-report": "/bao-cao/SKHCN-QNG/2022/",
        "dashboard": "/don-vi/SKHCN-QNG/thong-ke/", "import": "/nhap-bieu-mau/",
        "showcase": "/cong-khai/?q=tiet+kiem+dien",
        "showcase-detail": f"/cong-khai/{Exemplar.objects.filter(recognitions__published=True).first().pk}/",
    }
    report = {}
    for name, path in pages.items():
        page = user.go(path)
        assert page.locator("h1").count() >= 1, path
        # Nothing wider than the screen at phone width.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        report[name] = user.axe()
        user.shot(f"a11y-{label}-{name}")
        if label == "phone":
            assert overflow <= 2, (name, overflow)
    bad = {k: v for k, v in report.items() if v}
    assert not bad, bad


def test_administration_pages_accessible(personas):
    """The Board's onboarding and restructuring pages pass axe-core too (office width)."""
    board = personas("bdv.quangngai")
    report = {}
    for name, path in {"onboarding": "/quan-tri-don-vi/", "unit-admin": "/quan-tri-don-vi/don-vi/SKHCN-QNG/",
                       "restructure": "/quan-tri-don-vi/don-vi/SKHCN-QNG/sap-xep/",
                       "restructure-history": "/quan-tri-don-vi/lich-su-sap-xep/",
                       "people-import": "/quan-tri-don-vi/nhap/nguoi-dung/"}.items():
        page = board.go(path)
        assert page.locator("h1").count() >= 1, path
        report[name] = board.axe()
        board.shot(f"a11y-board-{name}")
    bad = {k: v for k, v in report.items() if v}
    assert not bad, bad


def test_anonymous_sees_vietnamese_login_and_error_pages(personas, live_server, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(live_server.url + "/mo-hinh/")
    assert page.url.startswith(live_server.url + "/dang-nhap/")
    assert page.get_by_role("heading", name="Đăng nhập").is_visible()
    resp = page.goto(live_server.url + "/khong-co-trang-nay/")
    assert resp.status == 404 and "Không tìm thấy trang" in page.content()
    ctx.close()
