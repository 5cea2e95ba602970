"""Issue 8: security — every role tries every other unit's objects through pages, API and downloads;
CSP without inline script; login lockout; uploads checked by content; the admins' audit log."""

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from danvan.exemplars.models import Exemplar
from danvan.movement.models import Submission
from danvan.ops.demo import DEMO_PASSWORD
from danvan.orgs.models import Membership, OrgUnit, Role

pytestmark = pytest.mark.django_db

PERSONAS = ["bdv.quangngai", "vp.skhcn", "ld.skhcn", "tt.skhcn", "cc.tdc", "dangbo.stp", "ld.vp", "ld.tt",
            "ld.cc", "vp.snv"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _home_paths(username: str) -> list[str]:
    return list(Membership.objects.filter(user__username=username).values_list("unit__path", flat=True))


def _outside(username: str, paths) -> bool:
    return not any(p.startswith(h) for h in _home_paths(username) for p in [paths])


@pytest.fixture
def quang_binh(demo):
    """Give Đảng bộ Sở Tư pháp Quảng Bình a party cell, a round and an exemplar, so the Board too has
    another branch's objects to try."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from danvan.exemplars.models import Field, FieldCategory, Movement
    from danvan.exemplars.services import create_exemplar
    from danvan.movement.services import launch_round

    dangbo = OrgUnit.objects.get(code="DBSTP-QB")
    OrgUnit.objects.add_child(dangbo, create_kwargs={"code": "CB-VP-STP-QB", "name": "Chi bộ Văn phòng Sở Tư pháp",
                                                     "level": dangbo.level, "kind": dangbo.kind})
    field = Field.objects.create(owner=dangbo, name="Lĩnh vực tư pháp", category=FieldCategory.objects.first())
    movement = Movement.objects.get(period_start=2021)
    create_exemplar(by=get_user_model().objects.get(username="dangbo.stp"), unit=dangbo, year=2021,
                    movement=movement, field=field, name="Trợ giúp pháp lý lưu động", kind="collective",
                    content_problem="Nội dung", origin="new")
    launch_round(issuer=OrgUnit.objects.get(code="DBSTP-QB"), by=get_user_model().objects.get(username="admin"),
                 movement=movement, year=2021, title="Đăng ký của Đảng bộ", min_total=2, min_collective=1,
                 min_individual=1, deadline=timezone.now() + datetime.timedelta(days=5))


@pytest.fixture
def dossiers(quang_binh, settings, tmp_path):
    """A signed scan on every submission, so downloads can be tried too."""
    settings.MEDIA_ROOT = tmp_path
    for sub in Submission.objects.all():
        sub.signed_scan.save(f"ban-ky-{sub.pk}.pdf", ContentFile(PDF))
    return Submission.objects.all()


@pytest.mark.parametrize("username", PERSONAS)
def test_other_units_exemplars_are_404_on_every_door(login, api, quang_binh, username):
    page, token = login(username), api(username)
    outside = [e for e in Exemplar.objects.select_related("unit") if _outside(username, e.unit.path)]
    assert outside, "each persona must have something outside its scope to try"
    for ex in outside:
        assert page.get(f"/mo-hinh/{ex.pk}/").status_code == 404
        assert page.get(f"/mo-hinh/{ex.pk}/sua/").status_code == 404
        assert page.post(f"/mo-hinh/{ex.pk}/xoa/").status_code == 404
        assert token.get(f"/api/exemplars/{ex.pk}").status_code == 404
        patch = token.patch(f"/api/exemplars/{ex.pk}", json.dumps({"version": ex.version, "name": "x"}),
                            content_type="application/json")
        assert patch.status_code == 404
        assert token.delete(f"/api/exemplars/{ex.pk}").status_code == 404
        listed = {e["id"] for e in token.get(f"/api/exemplars?unit={ex.unit.code}&limit=200").json()["items"]}
        assert ex.pk not in listed
    assert not Exemplar.objects.filter(name="x").exists() and not Exemplar.objects.deleted().exists()


@pytest.mark.parametrize("username", PERSONAS)
def test_other_units_submissions_and_files_are_404_on_every_door(login, api, dossiers, username):
    page, token = login(username), api(username)
    outside = [s for s in dossiers.select_related("unit") if _outside(username, s.unit_path)]
    assert outside
    before = {s.pk: (s.status, s.version) for s in Submission.objects.all()}
    for sub in outside:
        assert page.get(f"/ho-so/{sub.pk}/").status_code == 404
        assert page.get(f"/ho-so/{sub.pk}/tep/ban-ky/").status_code == 404
        for action in ("gui", "tiep-nhan", "tong-hop"):
            assert page.post(f"/ho-so/{sub.pk}/{action}/").status_code == 404
        assert page.post(f"/ho-so/{sub.pk}/tra-lai/", {"comment": "x"}).status_code == 404
        assert token.get(f"/api/submissions/{sub.pk}").status_code == 404
        for action in ("submit", "accept", "consolidate"):
            body = json.dumps({"version": sub.version} if action == "submit" else {})
            assert token.post(f"/api/submissions/{sub.pk}/{action}", body, content_type="application/json").status_code == 404
        assert token.get(f"/api/submissions?unit={sub.unit.code}").json()["items"] == []
    assert before == {s.pk: (s.status, s.version) for s in Submission.objects.all()}


def test_own_download_is_an_attachment_with_the_checked_type(login, dossiers):
    sub = dossiers.get(unit__code="TT-SKHCN-QNG", round__year=2022)
    resp = login("tt.skhcn").get(f"/ho-so/{sub.pk}/tep/ban-ky/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"].startswith("attachment") and resp["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name, body, accepted", [
    ("ban-ky.pdf", PDF, True),
    ("ban-ky.pdf", b"<html><script>alert(1)</script></html>", False),
    ("cong-van.docx", b"PK\x03\x04 not really a docx", False),
    ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, True),
    ("anh.jpg", b"MZ\x90\x00 an exe", False),
    ("trang.html", b"<html></html>", False),
])
def test_uploads_are_checked_by_content(login, demo, settings, tmp_path, name, body, accepted):
    settings.MEDIA_ROOT = tmp_path
    sub = Submission.objects.get(unit__code="CCTDC-QNG", round__year=2022)
    resp = login("cc.tdc").post(f"/ho-so/{sub.pk}/ho-so-kem-theo/", {
        "signed_scan": SimpleUploadedFile(name, body), "version": sub.version}, follow=True)
    sub.refresh_from_db()
    assert bool(sub.signed_scan) is accepted
    if not accepted:
        html = resp.content.decode()
        assert "không đúng với phần mở rộng" in html or "Chỉ nhận tệp" in html


def test_real_docx_upload_is_accepted(login, demo, settings, tmp_path):
    from docx import Document

    settings.MEDIA_ROOT = tmp_path
    buf = io.BytesIO()
    Document().save(buf)
    sub = Submission.objects.get(unit__code="CCTDC-QNG", round__year=2022)
    login("cc.tdc").post(f"/ho-so/{sub.pk}/ho-so-kem-theo/", {
        "letter_file": SimpleUploadedFile("cong-van.docx", buf.getvalue()), "version": sub.version})
    sub.refresh_from_db()
    assert sub.letter_file.name.endswith(".docx")


# ---- CSP and inline script ---------------------------------------------------------------------

def test_csp_is_strict_and_pages_have_no_inline_handlers(login, seed_exemplars, reopen):
    client = login("vp.skhcn")
    ex = seed_exemplars["Thực hiện tiết kiệm điện trong cơ quan"]
    reopen(ex)  # so the page offers the delete button
    sub = Submission.objects.get(unit__code="VP-SKHCN-QNG", round__year=2022)
    for url in ("/", f"/mo-hinh/{ex.pk}/", f"/ho-so/{sub.pk}/", "/tai-khoan/", "/api/docs"):
        resp = client.get(url)
        csp = resp["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        html = resp.content.decode()
        assert " onsubmit=" not in html and " onclick=" not in html
        for chunk in html.split("<script")[1:]:
            assert chunk.lstrip().startswith(("src=", 'type="application/json"')), chunk[:80]
    assert 'data-confirm="Xóa mô hình này?' in client.get(f"/mo-hinh/{ex.pk}/").content.decode()
    from django.contrib.staticfiles import finders

    assert "data-confirm" in open(finders.find("danvan/app.js"), encoding="utf-8").read()


# ---- login throttling --------------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_login(demo):
    client = Client()
    for _ in range(5):
        resp = client.post("/dang-nhap/", {"username": "tt.skhcn", "password": "sai-mật-khẩu"})
    resp = client.post("/dang-nhap/", {"username": "tt.skhcn", "password": DEMO_PASSWORD})
    assert resp.status_code == 429
    assert "Tạm khóa đăng nhập" in resp.content.decode()
    # A forged X-Forwarded-For does not give a fresh address when no proxy is configured.
    forged = client.post("/dang-nhap/", {"username": "tt.skhcn", "password": DEMO_PASSWORD},
                         HTTP_X_FORWARDED_FOR="8.8.4.4")
    assert forged.status_code == 429
    # Another account from the same address is not locked.
    assert Client().post("/dang-nhap/", {"username": "cc.tdc", "password": DEMO_PASSWORD}).status_code == 302


def test_behind_a_proxy_each_real_address_is_throttled_on_its_own(demo, settings):
    settings.PROXY_COUNT = 1
    attacker = {"HTTP_X_FORWARDED_FOR": "8.8.4.4, 198.51.100.7"}  # nginx appended the real address last
    for _ in range(5):
        Client().post("/dang-nhap/", {"username": "tt.skhcn", "password": "sai"}, **attacker)
    assert Client().post("/dang-nhap/", {"username": "tt.skhcn", "password": DEMO_PASSWORD},
                         **attacker).status_code == 429
    # The officer at another address still logs in: the attacker cannot lock them out.
    assert Client().post("/dang-nhap/", {"username": "tt.skhcn", "password": DEMO_PASSWORD},
                         HTTP_X_FORWARDED_FOR="203.0.113.20").status_code == 302


# ---- audit log ---------------------------------------------------------------------------------

def test_audit_log_is_for_admins_and_scoped_to_their_subtree(login, api, demo, reopen):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    # Lê Đức Tuấn becomes the Sở's system admin (recorded in the membership history).
    Membership.objects.create(user=User.objects.get(username="vp.skhcn"), unit=OrgUnit.objects.get(code="SKHCN-QNG"),
                              role=Role.ADMIN)
    token = api("tt.skhcn")
    ex = Exemplar.objects.get(unit__code="TT-SKHCN-QNG")
    reopen(ex)
    token.patch(f"/api/exemplars/{ex.pk}", json.dumps({"version": ex.version, "name": "Tiếp dân (sửa qua API)"}),
                content_type="application/json")
    assert login("tt.skhcn").get("/quan-tri-he-thong/nhat-ky/").status_code == 403
    admin = login("vp.skhcn")
    html = admin.get("/quan-tri-he-thong/nhat-ky/").content.decode()
    assert "Tiếp dân (sửa qua API)" in html and "Nguyễn Văn Bình" in html
    assert "Quản trị" in html and "Thành viên đơn vị" in html  # the new admin membership
    assert "Sở Nội vụ" not in html and "Tư pháp" not in html  # outside the Sở
    html = admin.get("/quan-tri-he-thong/nhat-ky/?kind=submission&username=ld.tt").content.decode()
    assert "Hồ sơ đăng ký" in html and "Tiếp dân (sửa qua API)" not in html
    html = admin.get("/quan-tri-he-thong/nhat-ky/?date_from=01/01/2099").content.decode()
    assert "Không có thay đổi nào" in html
    assert "Sở Nội vụ" in login("admin").get("/quan-tri-he-thong/nhat-ky/").content.decode()


def test_audit_log_shows_restructurings_unit_edits_and_duplicate_flags(login, demo):
    """Onboarding and similar-model actions are in the admins' log too, with who and when."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    Membership.objects.create(user=User.objects.get(username="vp.skhcn"), unit=OrgUnit.objects.get(code="SKHCN-QNG"),
                              role=Role.ADMIN)
    board = login("bdv.quangngai")
    board.post("/quan-tri-don-vi/don-vi/CCTDC-QNG/sap-xep/",
               {"action": "move", "on": "2025-07-01", "target": "SNV-QNG", "note": "Quyết định 45/QĐ-UBND"})
    vp, tt = (Exemplar.objects.filter(unit__code=c, year=2021).first() for c in ("VP-SKHCN-QNG", "TT-SKHCN-QNG"))
    office = login("vp.skhcn")
    office.post(f"/mo-hinh/{vp.pk}/danh-dau-trung/{tt.pk}/")
    html = office.get("/quan-tri-he-thong/nhat-ky/?kind=duplicate").content.decode()
    assert "Đánh dấu có thể trùng" in html and vp.name in html and "Lê Đức Tuấn" in html
    html = login("admin").get("/quan-tri-he-thong/nhat-ky/?kind=unit").content.decode()
    assert "Chi cục Tiêu chuẩn Đo lường Chất lượng" in html and "Quyết định 45/QĐ-UBND" in html
    assert "Phạm Thị Thu" in html  # the Board member who moved it
    # The Sở's admin does not see flags outside the Sở.
    snv = Exemplar.objects.filter(unit__code="SNV-QNG").first()
    login("admin").post(f"/mo-hinh/{snv.pk}/danh-dau-trung/{vp.pk}/")
    assert f"/mo-hinh/{snv.pk}/" in login("admin").get("/quan-tri-he-thong/nhat-ky/?kind=duplicate").content.decode()
    assert f"/mo-hinh/{snv.pk}/" not in office.get("/quan-tri-he-thong/nhat-ky/?kind=duplicate").content.decode()
