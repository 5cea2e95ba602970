"""Issue 10: onboarding a province — tree and people imports, delegated administration, restructuring, CLI."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from danvan.onboarding import administration, importing, restructuring, tree_import
from danvan.onboarding.models import ImportRun, SuccessionKind, UnitSuccession
from danvan.onboarding.tables import read_table
from danvan.orgs.models import Membership, OrgUnit, Role

TREE_HEAD = "code,name,parent_code,level,kind,header_name,superior_name,doc_suffix,place_name,address,doc_family\n"
NEW_TREE = TREE_HEAD + (
    "HU-TEST,Huyện ủy Sơn Tịnh,BDVTU-QNG,huyen,huyen-uy,HUYỆN ỦY SƠN TỊNH,TỈNH ỦY QUẢNG NGÃI,HU,Sơn Tịnh,,party\n"
    "XA-TEST-1,Đảng ủy xã Tịnh Hà,HU-TEST,co-so,xa,ĐẢNG ỦY XÃ TỊNH HÀ,HUYỆN ỦY SƠN TỊNH,ĐU,Tịnh Hà,,party\n"
    "XA-TEST-2,Đảng ủy xã Tịnh Ấn Tây,HU-TEST,co-so,xa,,,,,\"Thôn 1, xã Tịnh Ấn Tây\",party\n"
)
PEOPLE_HEAD = "username,full_name,email,unit_code,role,title\n"


def _upload(client: Client, kind: str, content: bytes, name: str = "danh-sach.csv"):
    f = io.BytesIO(content)
    f.name = name
    resp = client.post(f"/quan-tri-don-vi/nhap/{kind}/", {"upload": f})
    assert resp.status_code == 302, resp.content.decode()[:500]
    return resp["Location"]


def _text(resp) -> str:
    return resp.content.decode()


def _children_codes(code: str) -> list[str]:
    return [u.code for u in OrgUnit.objects.get_children(OrgUnit.objects.get(code=code)).order_by("path")]


# ---------------------------------------------------------------- 1. tree import / export

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _cp1258(text: str) -> bytes:
    """What Excel writes for "CSV" on a Vietnamese Windows: letters with â/ê/ô/ơ/ư/ă precomposed, tones combining."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONES))
        out.append(base + "".join(p for p in parts if p in TONES))
    return "".join(out).encode("cp1258")


def test_template_downloads_have_the_columns(login):
    c = login("bdv.quangngai")
    resp = c.get("/quan-tri-don-vi/mau/cay-don-vi.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    assert [c.value for c in wb.worksheets[0][1]] == importing.headers(importing.TREE_COLUMNS, importing.TREE_LABELS)
    assert "huyen" in str([r for r in wb["Hướng dẫn"].values])
    csv = c.get("/quan-tri-don-vi/mau/nguoi-dung.csv")
    assert csv.content.decode("utf-8-sig").strip() == ",".join(importing.headers(importing.PEOPLE_COLUMNS,
                                                                                importing.PEOPLE_LABELS))


def test_tree_import_preview_then_confirm_and_second_import_changes_nothing(login):
    c = login("bdv.quangngai")
    page = c.get(_upload(c, "cay-don-vi", NEW_TREE.encode()))
    assert "Tệp hợp lệ: 3 tạo mới, 0 cập nhật, 0 không đổi." in _text(page)
    assert not OrgUnit.objects.filter(code="HU-TEST").exists()  # preview saves nothing
    resp = c.post(page.wsgi_request.path, follow=True)
    assert "Đã lưu: 3 tạo mới" in _text(resp)
    hu = OrgUnit.objects.get(code="HU-TEST")
    assert OrgUnit.objects.get_parent(hu).code == "BDVTU-QNG"
    assert _children_codes("HU-TEST") == ["XA-TEST-1", "XA-TEST-2"]
    assert OrgUnit.objects.get(code="XA-TEST-2").address == "Thôn 1, xã Tịnh Ấn Tây"
    assert hu.doc_family == "party" and hu.place_name == "Sơn Tịnh"
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])
    run = ImportRun.objects.get(pk=page.context["run"].pk)
    assert run.applied_at and run.created_by.username == "bdv.quangngai"
    # The same file again: nothing to do, and it says so.
    total = OrgUnit.objects.count()
    page2 = c.get(_upload(c, "cay-don-vi", NEW_TREE.encode()))
    assert "Tệp không thay đổi gì: cả 3 dòng đã có và giống hệt" in _text(page2)
    done = c.post(page2.wsgi_request.path, follow=True)
    assert "Không có gì được ghi." in _text(done)
    assert OrgUnit.objects.count() == total
    # Confirming an applied run again does nothing either.
    c.post(page.wsgi_request.path)
    assert OrgUnit.objects.count() == total


def test_reimport_updates_by_code(login):
    c = login("bdv.quangngai")
    c.post(_upload(c, "cay-don-vi", NEW_TREE.encode()))
    changed = NEW_TREE.replace("Đảng ủy xã Tịnh Hà", "Đảng ủy xã Tịnh Hà (mới)")
    page = c.get(_upload(c, "cay-don-vi", changed.encode()))
    assert "0 tạo mới, 1 cập nhật, 2 không đổi" in _text(page)
    assert "tên đầy đủ" in _text(page)  # what changes is named
    c.post(page.wsgi_request.path)
    assert OrgUnit.objects.filter(code="XA-TEST-1").count() == 1
    assert OrgUnit.objects.get(code="XA-TEST-1").name == "Đảng ủy xã Tịnh Hà (mới)"


def test_every_problem_is_flagged_per_row_and_nothing_is_saved(login):
    bad = TREE_HEAD + (
        "A1,Đơn vị A1,KHONG-CO,co-so,xa,,,,,,\n"  # unknown parent
        "A2,,BDVTU-QNG,co-so,xa,,,,,,\n"  # missing name
        "A3,Đơn vị A3,BDVTU-QNG,co-so,xa,,,,,,\n"
        "A3,Đơn vị A3 lần hai,BDVTU-QNG,co-so,xa,,,,,,\n"  # duplicate code
        "C1,Vòng 1,C2,co-so,xa,,,,,,\n"
        "C2,Vòng 2,C1,co-so,xa,,,,,,\n"  # cycle
        "H1,Huyện dưới xã,A3,huyen,huyen-uy,,,,,,\n"  # level above its parent's
        "A4,Đơn vị A4,BDVTU-QNG,khong-co,xa,,,,,,party-x\n"  # unknown level, bad family
        "A5,Đơn vị A5,DBSTP-QB,co-so,chi-bo,,,,,,\n"  # outside the Board's subtree
    )
    c = login("bdv.quangngai")
    before = OrgUnit.objects.count()
    page = c.get(_upload(c, "cay-don-vi", bad.encode()))
    html = _text(page)
    for msg in ["Không có đơn vị cấp trên mã «KHONG-CO»", "Thiếu tên đơn vị.", "Mã đơn vị «A3» trùng với dòng 4.",
                "Vòng lặp cấp trên: C1 → C2 → C1.", "Cấp «Cấp huyện» cao hơn cấp của đơn vị cấp trên «Cấp cơ sở».",
                "Cấp «khong-co» không có", "Thể thức «party-x» không hợp lệ",
                "Bạn không có quyền quản trị đơn vị cấp trên «DBSTP-QB»."]:
        assert msg in html, msg
    assert "Có 8 dòng lỗi trong 9 dòng; chưa lưu gì." in html
    resp = c.post(page.wsgi_request.path, follow=True)
    assert "chưa lưu gì" in _text(resp)
    assert OrgUnit.objects.count() == before


def test_existing_unit_cannot_change_parent_through_an_import(login):
    c = login("bdv.quangngai")
    row = "TT-SKHCN-QNG,Thanh tra Sở Khoa học và Công nghệ,SNV-QNG,co-so,phong-don-vi,,,,,,\n"
    page = c.get(_upload(c, "cay-don-vi", (TREE_HEAD + row).encode()))
    assert "đang thuộc «SKHCN-QNG»; muốn đổi cấp trên hãy dùng chức năng Sắp xếp đơn vị" in _text(page)


def test_wrong_columns_and_unreadable_files(login):
    c = login("bdv.quangngai")
    page = c.get(_upload(c, "cay-don-vi", "Mã đơn vị,tên,ghi chú\nX,Y,Z\n".encode()))
    html = _text(page)
    assert "Cột «ghi chú» không nhận ra." in html and "Cột «tên» không nhận ra." in html
    assert "Thiếu cột: Tên đầy đủ, Mã đơn vị cấp trên" in html
    assert "Hãy tải tệp mẫu" in html
    page = c.get(_upload(c, "cay-don-vi", b"\x00\x01\x02 binary", "x.csv"))
    assert "Tệp không phải bảng CSV" in _text(page)
    broken = io.BytesIO(b"PK\x03\x04broken")
    broken.name = "x.xlsx"
    page = c.post("/quan-tri-don-vi/nhap/cay-don-vi/", {"upload": broken})  # refused at upload: nothing kept
    assert page.status_code == 200 and "Tệp Excel bị hỏng" in _text(page)


@pytest.mark.parametrize("encoding,sep,label", [
    ("cp1258", ",", "Windows-1258"), ("utf-16", "\t", "UTF-16"), ("utf-8-sig", ";", "UTF-8 có BOM"),
])
def test_csv_encodings_from_excel_are_detected(login, encoding, sep, label):
    text = NEW_TREE.replace(",", sep) if sep != "," else NEW_TREE
    text = text.replace('"Thôn 1' + sep + ' xã Tịnh Ấn Tây"', '"Thôn 1, xã Tịnh Ấn Tây"')
    data = _cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    c = login("bdv.quangngai")
    page = c.get(_upload(c, "cay-don-vi", data))
    assert label in _text(page) and "3 tạo mới" in _text(page)
    c.post(page.wsgi_request.path)
    # Windows-1258 writes tone marks as combining characters: stored text is NFC, the same as typed.
    assert OrgUnit.objects.get(code="XA-TEST-2").name == "Đảng ủy xã Tịnh Ấn Tây"
    assert OrgUnit.objects.get(code="XA-TEST-2").address == "Thôn 1, xã Tịnh Ấn Tây"


def test_xlsx_import_and_subtree_export_round_trip(login):
    c = login("bdv.quangngai")
    wb = Workbook()
    ws = wb.active
    for line in NEW_TREE.splitlines():
        ws.append(next(iter(__import__("csv").reader([line]))))
    buf = io.BytesIO()
    wb.save(buf)
    c.post(_upload(c, "cay-don-vi", buf.getvalue(), "cay.xlsx"))
    assert _children_codes("HU-TEST") == ["XA-TEST-1", "XA-TEST-2"]
    # Export the Board's subtree in both formats: same rows, and importing them back changes nothing.
    csv_bytes = c.get("/quan-tri-don-vi/xuat/BDVTU-QNG.csv").content
    xlsx = c.get("/quan-tri-don-vi/xuat/BDVTU-QNG.xlsx").content
    rows_csv = read_table(csv_bytes, "a.csv").rows
    rows_xlsx = read_table(xlsx, "a.xlsx").rows
    assert [r for _, r in rows_csv] == [r for _, r in rows_xlsx]
    codes = [r[0] for _, r in rows_csv]
    assert codes[0] == "BDVTU-QNG" and "HU-TEST" in codes and "DBSTP-QB" not in codes
    for data, name in [(csv_bytes, "xuat.csv"), (xlsx, "xuat.xlsx")]:
        page = c.get(_upload(c, "cay-don-vi", data, name))
        assert f"Tệp không thay đổi gì: cả {len(codes)} dòng" in _text(page)
    assert c.get("/quan-tri-don-vi/xuat/BDVTU-QNG.csv").content == csv_bytes
    # Outside the user's scope: 404.
    assert c.get("/quan-tri-don-vi/xuat/DBSTP-QB.csv").status_code == 404


def test_generated_province_tree_round_trips_through_export_and_import(demo):
    """A tree of the generator's shape is exported, imported under new codes and exported again, unchanged."""
    from danvan.tools.synthetic import generate

    generate(provinces=1, exemplars=0, seed=7)  # one province at the generator's default size
    admin = get_user_model().objects.get(username="admin")
    root = OrgUnit.objects.get(code="G7-BDVTW")
    first = tree_import.export_tree(root, "csv")
    renamed = first.decode("utf-8").replace("G7-", "R7-").encode("utf-8")
    result = tree_import.apply_tree(renamed, "r7.csv", by=admin)
    n = OrgUnit.objects.filter(path__startswith=root.path).count()
    assert result.created == n > 1500
    again = tree_import.export_tree(OrgUnit.objects.get(code="R7-BDVTW"), "csv")
    assert again == renamed
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


def test_only_the_board_or_admins_import(login):
    for who in ("vp.skhcn", "tt.skhcn", "ld.skhcn"):
        assert login(who).get("/quan-tri-don-vi/nhap/cay-don-vi/").status_code == 403
    c = login("bdv.quangngai")
    run = ImportRun.objects.create(kind="tree", filename="x.csv", sha256="0", content=b"",
                                   created_by=get_user_model().objects.get(username="admin"))
    assert c.get(f"/quan-tri-don-vi/xem-truoc/{run.pk}/").status_code == 404  # someone else's upload


def test_new_roots_need_a_superuser(login):
    row = "ROOT-X,Tỉnh ủy mới,,tinh,ban-dang,,,,,,party\n"
    c = login("bdv.quangngai")
    assert "Chỉ quản trị hệ thống mới tạo được đơn vị gốc" in _text(c.get(_upload(c, "cay-don-vi",
                                                                                       (TREE_HEAD + row).encode())))
    a = login("admin")
    a.post(_upload(a, "cay-don-vi", (TREE_HEAD + row).encode()))
    assert OrgUnit.objects.get(code="ROOT-X").depth == 1


# ---------------------------------------------------------------- 2. people import, invitations, reset

PEOPLE = PEOPLE_HEAD + (
    "cb.vp1,Nguyễn Thị Hoa,hoa.vp@quangngai.gov.vn,VP-SKHCN-QNG,officer,Chuyên viên\n"
    "cb.tt2,Trần Văn Nam,nam.tt@quangngai.gov.vn,TT-SKHCN-QNG,Cán bộ đơn vị,Thanh tra viên\n"
    "ld.snv,Võ Minh Quân,quan.snv@quangngai.gov.vn,SNV-QNG,leader,Chánh Văn phòng\n"
)


def _link(message) -> str:
    found = re.search(r"https?://[^/]+(/mat-khau/dat/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_people_import_creates_inactive_accounts_and_mails_a_one_time_link(login, settings,
                                                                          django_capture_on_commit_callbacks):
    c = login("bdv.quangngai")
    page = c.get(_upload(c, "nguoi-dung", PEOPLE.encode()))
    assert "Tệp hợp lệ: 3 tạo mới" in _text(page)
    assert not get_user_model().objects.filter(username="cb.vp1").exists()
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(page.wsgi_request.path, follow=True)
    assert "Thư kích hoạt đang được gửi cho 3 người" in _text(resp)
    user = get_user_model().objects.get(username="cb.vp1")
    assert not user.is_active and not user.has_usable_password()
    assert user.get_full_name() == "Nguyễn Thị Hoa"
    m = Membership.objects.get(user=user)
    assert (m.unit.code, m.role, m.title) == ("VP-SKHCN-QNG", Role.OFFICER, "Chuyên viên")
    assert m.history.first().history_user.username == "bdv.quangngai"
    assert Membership.objects.get(user__username="cb.tt2").role == Role.OFFICER  # Vietnamese role label
    assert len(mail.outbox) == 3
    msg = next(x for x in mail.outbox if x.to == ["hoa.vp@quangngai.gov.vn"])
    assert "Kích hoạt tài khoản" in msg.subject and "cb.vp1" in msg.body and "một lần" in msg.body
    assert "DanVan@" not in msg.body and "mật khẩu:" not in msg.body.lower()
    # The person cannot log in yet.
    assert Client().post("/dang-nhap/", {"username": "cb.vp1", "password": "x"}).status_code == 200
    # The link leads to a form; setting the password activates the account.
    anon = Client()
    link = _link(msg)
    form = anon.get(link, follow=True)
    assert "Đặt mật khẩu" in _text(form) and form.context["validlink"]
    done = anon.post(form.redirect_chain[-1][0], {"new_password1": "Khoe@Manh2025", "new_password2": "Khoe@Manh2025"},
                     follow=True)
    assert "Đã đặt mật khẩu" in _text(done)
    user.refresh_from_db()
    assert user.is_active and user.check_password("Khoe@Manh2025")
    assert Client().post("/dang-nhap/", {"username": "cb.vp1", "password": "Khoe@Manh2025"}).status_code == 302
    # One time: the same link no longer works.
    again = Client().get(link, follow=True)
    assert "Liên kết không còn dùng được" in _text(again)
    # A second import of the same file changes nothing and says so.
    page2 = c.get(_upload(c, "nguoi-dung", PEOPLE.encode()))
    assert "Tệp không thay đổi gì: cả 3 dòng" in _text(page2)


def test_invitation_link_expires(login, settings, django_capture_on_commit_callbacks):
    c = login("bdv.quangngai")
    with django_capture_on_commit_callbacks(execute=True):
        c.post(_upload(c, "nguoi-dung", PEOPLE.encode()))
    link = _link(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert "Liên kết không còn dùng được" in _text(Client().get(link, follow=True))


def test_people_file_problems_are_refused_whole(login):
    bad = PEOPLE_HEAD + (
        "moi.1,Người Một,mot@quangngai.gov.vn,VP-SKHCN-QNG,officer,\n"
        "moi.1,Người Một lặp,mot2@quangngai.gov.vn,VP-SKHCN-QNG,officer,\n"  # duplicate username in the file
        "moi.3,Người Ba,mot@quangngai.gov.vn,VP-SKHCN-QNG,officer,\n"  # duplicate e-mail in the file
        "vp.skhcn,Trùng tài khoản,khac@quangngai.gov.vn,VP-SKHCN-QNG,officer,\n"  # username taken, other e-mail
        "moi.5,Người Năm,tt.skhcn@danvan.local,VP-SKHCN-QNG,officer,\n"  # e-mail of another account
        "moi.6,Người Sáu,sau@quangngai.gov.vn,KHONG-CO,officer,\n"  # unknown unit
        "moi.7,Người Bảy,bay@quangngai.gov.vn,VP-SKHCN-QNG,admin,\n"  # above the Board's own role
        "moi.8,Người Tám,tam@quangngai.gov.vn,CB1-DBSTP-QB,officer,\n"  # outside the subtree
        "moi.9,Người Chín,khong-phai-thu,VP-SKHCN-QNG,chu-tich,\n"  # bad e-mail and role
    )
    c = login("bdv.quangngai")
    users = get_user_model().objects.count()
    page = c.get(_upload(c, "nguoi-dung", bad.encode()))
    html = _text(page)
    for msg in ["Tên đăng nhập «moi.1» trùng với dòng 2.", "Thư điện tử «mot@quangngai.gov.vn» trùng với dòng 2.",
                "Tên đăng nhập «vp.skhcn» đã có trong hệ thống với thư điện tử khác.",
                "Thư điện tử «tt.skhcn@danvan.local» đã dùng cho tài khoản «tt.skhcn».",
                "Không có đơn vị mã «KHONG-CO» trong hệ thống.",
                "Bạn không được cấp vai trò «Quản trị» tại «Văn phòng Sở Khoa học và Công nghệ».",
                "Bạn không được cấp vai trò «Cán bộ đơn vị» tại «Chi bộ 1 Sở Tư pháp».",
                "Thư điện tử «khong-phai-thu» không hợp lệ.", "Vai trò «chu-tich» không có"]:
        assert msg in html, msg
    c.post(page.wsgi_request.path)
    assert get_user_model().objects.count() == users
    assert not Membership.objects.filter(user__username__startswith="moi.").exists()


def test_existing_account_gets_an_extra_role_without_a_new_account(login, settings):
    row = PEOPLE_HEAD + "tt.skhcn,Nguyễn Văn Bình,tt.skhcn@danvan.local,CCTDC-QNG,officer,Kiêm nhiệm\n"
    c = login("bdv.quangngai")
    page = c.get(_upload(c, "nguoi-dung", row.encode()))
    assert "1 thêm vai trò cho tài khoản đã có" in _text(page)
    c.post(page.wsgi_request.path)
    assert Membership.objects.filter(user__username="tt.skhcn", unit__code="CCTDC-QNG").exists()
    assert mail.outbox == []


def test_password_reset_from_the_login_page(demo, settings):
    anon = Client()
    assert "/mat-khau/quen/" in _text(anon.get("/dang-nhap/"))
    resp = anon.post("/mat-khau/quen/", {"email": "tt.skhcn@danvan.local"}, follow=True)
    assert "Hãy kiểm tra hộp thư" in _text(resp)
    assert len(mail.outbox) == 1 and "Đặt lại mật khẩu" in mail.outbox[0].subject
    form = anon.get(_link(mail.outbox[0]), follow=True)
    anon.post(form.redirect_chain[-1][0], {"new_password1": "Moi@MatKhau9", "new_password2": "Moi@MatKhau9"})
    assert Client().post("/dang-nhap/", {"username": "tt.skhcn", "password": "Moi@MatKhau9"}).status_code == 302
    # An unknown address gets the same page and no mail.
    anon.post("/mat-khau/quen/", {"email": "ai-do@khong-co.vn"})
    assert len(mail.outbox) == 1


# ---------------------------------------------------------------- 3. delegated administration


def _person(role: str, username: str = "moi.cb", **extra) -> dict:
    return {"action": "person", "p-username": username, "p-full_name": "Lê Thị Mới",
            "p-email": f"{username}@quangngai.gov.vn", "p-role": role, "p-title": "Chuyên viên", **extra}


def test_unit_leader_manages_the_officers_of_their_own_unit(login, django_capture_on_commit_callbacks):
    c = login("ld.tt")  # Chánh Thanh tra, leader of TT-SKHCN-QNG
    page = c.get("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/")
    assert page.status_code == 200
    assert [v for v, _ in page.context["person_form"].fields["role"].choices] == [Role.OFFICER]
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/", _person("officer"), follow=True)
    assert "Đã tạo tài khoản «moi.cb»; thư kích hoạt đang được gửi" in _text(resp)
    assert "Thư kích hoạt đã gửi" in _text(c.get("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/"))
    new = get_user_model().objects.get(username="moi.cb")
    assert not new.is_active and Membership.objects.get(user=new).unit.code == "TT-SKHCN-QNG"
    assert len(mail.outbox) == 1 and "/mat-khau/dat/" in mail.outbox[0].body
    # A leader cannot make anyone a leader (their own role) nor anything above.
    for role in ("leader", "office", "admin"):
        resp = c.post("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/", _person(role, "khac.cb"))
        assert resp.status_code == 200 and "Bạn không được cấp vai trò này tại đơn vị này" in _text(resp)
    assert not get_user_model().objects.filter(username="khac.cb").exists()
    # The officer can be removed by the leader; the leader's own role cannot.
    m = Membership.objects.get(user=new)
    assert "Đã thu hồi" in _text(c.post(f"/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/thanh-vien/{m.pk}/thu-hoi/",
                                        follow=True))
    assert not Membership.objects.filter(pk=m.pk).exists()
    own = Membership.objects.get(user__username="ld.tt")
    assert c.post(f"/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/thanh-vien/{own.pk}/thu-hoi/").status_code == 403
    assert Membership.objects.filter(pk=own.pk).exists()


def test_leader_cannot_manage_another_unit_and_officers_cannot_manage_at_all(login):
    c = login("ld.tt")
    assert c.get("/quan-tri-don-vi/don-vi/SKHCN-QNG/").status_code == 404  # above: not even visible
    assert c.get("/quan-tri-don-vi/don-vi/CCTDC-QNG/").status_code == 404  # a sibling
    skhcn = login("ld.skhcn")  # leader of SKHCN-QNG sees its subtree but manages only its own unit
    resp = skhcn.get("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/")
    assert resp.status_code == 403 and "Bạn không có quyền" in _text(resp)
    vp = Membership.objects.get(user__username="vp.skhcn")
    assert skhcn.post(f"/quan-tri-don-vi/don-vi/SKHCN-QNG/thanh-vien/{vp.pk}/thu-hoi/").status_code == 403
    assert Membership.objects.filter(pk=vp.pk).exists()  # the office role is above a leader's reach
    assert login("tt.skhcn").get("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/").status_code == 403
    # Editing or adding units needs the Board: a leader's POST is refused.
    assert skhcn.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/", {"action": "child", "c-code": "X"}).status_code == 403


def test_board_manages_units_and_roles_of_its_subtree_but_never_above_its_own(login):
    c = login("bdv.quangngai")
    page = c.get("/quan-tri-don-vi/don-vi/SKHCN-QNG/")
    assert [v for v, _ in page.context["person_form"].fields["role"].choices] == [
        Role.OFFICER, Role.LEADER, Role.OFFICE, Role.BOARD]
    resp = c.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/", {**_person("admin", "tt.skhcn")})
    assert "Bạn không được cấp vai trò này tại đơn vị này" in _text(resp)
    assert not Membership.objects.filter(user__username="tt.skhcn", role=Role.ADMIN).exists()
    c.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/", _person("office", "tt.skhcn"))
    assert Membership.objects.filter(user__username="tt.skhcn", unit__code="SKHCN-QNG", role=Role.OFFICE).exists()
    # Outside its subtree: 404.
    assert c.get("/quan-tri-don-vi/don-vi/DBSTP-QB/").status_code == 404
    assert c.post("/quan-tri-don-vi/don-vi/CB1-DBSTP-QB/", _person("officer")).status_code == 404
    # A child unit and an edit, both from the page.
    form = {"action": "child", "c-code": "PHONG-QLKH", "c-name": "Phòng Quản lý khoa học", "c-level": _level("co-so"),
            "c-kind": _kind("phong-don-vi"), "c-doc_family": "state", "c-header_name": "", "c-superior_name": "",
            "c-doc_suffix": "QLKH", "c-place_name": "Quảng Ngãi", "c-address": "", "c-email": ""}
    resp = c.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/", form, follow=True)
    assert "Đã thêm đơn vị «Phòng Quản lý khoa học»" in _text(resp)
    assert OrgUnit.objects.get_parent(OrgUnit.objects.get(code="PHONG-QLKH")).code == "SKHCN-QNG"
    edit = {**{k.replace("c-", "u-"): v for k, v in form.items() if k not in ("c-code", "action")},
            "action": "edit", "u-name": "Phòng Quản lý khoa học và công nghệ", "u-correction": "on"}
    resp = c.post("/quan-tri-don-vi/don-vi/PHONG-QLKH/", edit, follow=True)
    assert "Đã lưu thông tin đơn vị." in _text(resp)
    assert "«Phòng Quản lý khoa học» → «Phòng Quản lý khoa học và công nghệ»" in _text(resp)
    assert "bdv.quangngai: Tạo mới" in _text(resp)
    form["c-code"], form["c-level"] = "PHONG-X", _level("tinh")
    resp = c.post("/quan-tri-don-vi/don-vi/PHONG-QLKH/", form)
    assert "Cấp «Cấp tỉnh» cao hơn cấp của đơn vị cấp trên «Cấp cơ sở»." in _text(resp)
    assert not OrgUnit.objects.filter(code="PHONG-X").exists()


def test_service_rules_refuse_grants_above_or_outside(demo):
    User = get_user_model()
    board, leader = User.objects.get(username="bdv.quangngai"), User.objects.get(username="ld.skhcn")
    units = {u.code: u for u in OrgUnit.objects.all()}
    target = User.objects.get(username="tt.skhcn")
    with pytest.raises(PermissionDenied, match="không được cấp vai trò «Quản trị»"):
        administration.grant_role(by=board, unit=units["SKHCN-QNG"], user=target, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        administration.grant_role(by=board, unit=units["CB1-DBSTP-QB"], user=target, role=Role.OFFICER)
    with pytest.raises(PermissionDenied):
        administration.grant_role(by=leader, unit=units["TT-SKHCN-QNG"], user=target, role=Role.OFFICER)
    with pytest.raises(PermissionDenied):
        administration.grant_role(by=leader, unit=units["SKHCN-QNG"], user=target, role=Role.LEADER)
    administration.grant_role(by=leader, unit=units["SKHCN-QNG"], user=target, role=Role.OFFICER)


def _level(code):
    from danvan.orgs.models import Level

    return Level.objects.get(code=code).pk


def _kind(code):
    from danvan.orgs.models import UnitKind

    return UnitKind.objects.get(code=code).pk


# ---------------------------------------------------------------- 4. restructuring with history


def _registered(client: Client, code: str, year: int) -> int:
    resp = client.get(f"/bao-cao/{code}/{year}/tai-ve/so-lieu.json")
    assert resp.status_code == 200
    return json.loads(resp.content)["totals"]["registered"]["total"]


def test_move_keeps_past_reports_counting_the_tree_as_it_was(login):
    from danvan.exemplars.models import Exemplar

    c = login("bdv.quangngai")
    tt_2021 = Exemplar.objects.alive().filter(unit__code="TT-SKHCN-QNG", year=2021).count()
    assert tt_2021 > 0
    before = {code: _registered(c, code, 2021) for code in ("SKHCN-QNG", "SNV-QNG", "BDVTU-QNG")}
    resp = c.post("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/sap-xep/",
                  {"action": "move", "on": "2025-07-01", "target": "SNV-QNG", "note": "Quyết định 123/QĐ-UBND"},
                  follow=True)
    assert "Đã chuyển «Thanh tra Sở Khoa học và Công nghệ» sang «Sở Nội vụ»." in _text(resp)
    assert "Quyết định 123/QĐ-UBND" in _text(resp) and "bdv.quangngai" in _text(resp)  # the history page
    tt = OrgUnit.objects.get(code="TT-SKHCN-QNG")
    assert OrgUnit.objects.get_parent(tt).code == "SNV-QNG"
    assert Exemplar.objects.filter(unit=tt, year=2021).count() == tt_2021  # exemplars keep their unit
    # 2021 is reported with the 2021 tree; the present tree has moved.
    assert {code: _registered(c, code, 2021) for code in before} == before
    from danvan.onboarding.selectors import units_as_of

    skhcn = OrgUnit.objects.get(code="SKHCN-QNG")
    assert "TT-SKHCN-QNG" in set(units_as_of(skhcn, 2021).values_list("code", flat=True))
    assert "TT-SKHCN-QNG" not in set(units_as_of(skhcn, 2026).values_list("code", flat=True))
    assert UnitSuccession.objects.get(kind=SuccessionKind.MOVE).from_parent.code == "SKHCN-QNG"


def test_merge_into_a_new_unit_carries_the_predecessors_history(login):
    from danvan.exemplars.models import Exemplar

    c = login("bdv.quangngai")
    before = _registered(c, "SKHCN-QNG", 2021)
    form = {"action": "child", "c-code": "TTCC-SKHCN", "c-name": "Thanh tra và Chi cục TĐC (hợp nhất)",
            "c-level": _level("co-so"), "c-kind": _kind("phong-don-vi"), "c-doc_family": "state",
            "c-header_name": "", "c-superior_name": "", "c-doc_suffix": "", "c-place_name": "", "c-address": "",
            "c-email": ""}
    c.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/", form)
    resp = c.post("/quan-tri-don-vi/don-vi/TTCC-SKHCN/sap-xep/",
                  {"action": "merge", "on": "2025-07-01", "merged": "TT-SKHCN-QNG, CCTDC-QNG", "note": "NQ 60"},
                  follow=True)
    assert "Đã hợp nhất 2 đơn vị vào «Thanh tra và Chi cục TĐC (hợp nhất)»." in _text(resp)
    for code in ("TT-SKHCN-QNG", "CCTDC-QNG"):
        old = OrgUnit.objects.get(code=code)
        assert old.valid_to == date(2025, 7, 1)
        assert not Membership.objects.filter(unit=old).exists()
    assert set(Membership.objects.filter(unit__code="TTCC-SKHCN").values_list("user__username", flat=True)) == {
        "tt.skhcn", "ld.tt", "cc.tdc", "ld.cc"}
    # The successor's page lists its predecessors and what they built.
    page = c.get("/don-vi/TTCC-SKHCN/")
    html = _text(page)
    assert "Đơn vị tiền thân" in html and "Thanh tra Sở Khoa học và Công nghệ (TT-SKHCN-QNG" in html
    old_names = list(Exemplar.objects.alive().filter(unit__code__in=["TT-SKHCN-QNG", "CCTDC-QNG"])
                     .values_list("name", flat=True))
    assert old_names and all(escape(n) in html for n in old_names)
    # Its people, now members of the successor, see the same history there.
    assert all(escape(n) in _text(login("ld.tt").get("/don-vi/TTCC-SKHCN/")) for n in old_names)
    # The past year's report is unchanged; the predecessors still carry their own exemplars.
    assert _registered(c, "SKHCN-QNG", 2021) == before
    assert Exemplar.objects.filter(unit__code="TTCC-SKHCN").count() == 0
    hist = _text(c.get("/quan-tri-don-vi/lich-su-sap-xep/"))
    assert hist.count("Hợp nhất, sáp nhập") == 2 and "NQ 60" in hist


def test_restructurings_that_would_make_a_cycle_or_orphan_are_refused(login):
    c = login("bdv.quangngai")
    resp = c.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/sap-xep/",
                  {"action": "move", "on": "2025-07-01", "target": "VP-SKHCN-QNG"})
    assert "nằm trong chính nó (vòng lặp)" in _text(resp)
    resp = c.post("/quan-tri-don-vi/don-vi/VP-SKHCN-QNG/sap-xep/",
                  {"action": "merge", "on": "2025-07-01", "merged": "SKHCN-QNG"})
    assert "hợp nhất như vậy tạo vòng lặp" in _text(resp)
    resp = c.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/sap-xep/", {"action": "retire", "on": "2025-07-01"})
    assert "còn 3 đơn vị trực thuộc đang hoạt động" in _text(resp)
    resp = c.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/sap-xep/",
                  {"action": "move", "on": "2025-07-01", "target": "DBSTP-QB"})
    assert "Không có đơn vị mã «DBSTP-QB» trong phạm vi bạn quản trị." in _text(resp)
    assert not UnitSuccession.objects.exists()
    assert OrgUnit.objects.get(code="SKHCN-QNG").path.startswith(OrgUnit.objects.get(code="BDVTU-QNG").path)
    assert login("ld.skhcn").get("/quan-tri-don-vi/don-vi/SKHCN-QNG/sap-xep/").status_code == 403
    # Retiring a leaf is recorded.
    c.post("/quan-tri-don-vi/don-vi/VP-SKHCN-QNG/sap-xep/", {"action": "retire", "on": "2025-07-01", "note": "x"})
    assert UnitSuccession.objects.get().kind == SuccessionKind.RETIRE
    assert OrgUnit.objects.get(code="VP-SKHCN-QNG").valid_to == date(2025, 7, 1)


def test_split_into_existing_units_gives_each_the_history(login):
    from danvan.exemplars.models import Exemplar

    c = login("bdv.quangngai")
    form = {"action": "child", "c-level": _level("co-so"), "c-kind": _kind("phong-don-vi"), "c-doc_family": "state",
            "c-header_name": "", "c-superior_name": "", "c-doc_suffix": "", "c-place_name": "", "c-address": "",
            "c-email": ""}
    for code, name in [("TT-A", "Thanh tra hành chính"), ("TT-B", "Thanh tra chuyên ngành")]:
        c.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/", {**form, "c-code": code, "c-name": name})
    resp = c.post("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/sap-xep/",
                  {"action": "split", "on": "2025-07-01", "successors": "TT-A, TT-SKHCN-QNG"})
    assert "nằm trong «Thanh tra Sở Khoa học và Công nghệ»: chia tách như vậy tạo vòng lặp" in _text(resp)
    resp = c.post("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/sap-xep/",
                  {"action": "split", "on": "2025-07-01", "successors": "TT-A, TT-B"}, follow=True)
    assert "Đã chia tách «Thanh tra Sở Khoa học và Công nghệ» thành 2 đơn vị." in _text(resp)
    assert OrgUnit.objects.get(code="TT-SKHCN-QNG").valid_to == date(2025, 7, 1)
    name = Exemplar.objects.alive().filter(unit__code="TT-SKHCN-QNG").values_list("name", flat=True).first()
    for code in ("TT-A", "TT-B"):
        assert escape(name) in _text(c.get(f"/don-vi/{code}/"))
    assert UnitSuccession.objects.filter(kind=SuccessionKind.SPLIT).count() == 2


def test_merge_into_a_new_unit_by_the_service_moves_active_children(demo):
    admin = get_user_model().objects.get(username="admin")
    units = {u.code: u for u in OrgUnit.objects.all()}
    new = restructuring.merge_units(
        by=admin, units=[units["DBSTP-QB"]], on=date(2025, 7, 1),
        new={"code": "DBSTP-QT", "name": "Đảng bộ Sở Tư pháp Quảng Trị", "parent": units["BDVTU-QNG"],
             "level": units["DBSTP-QB"].level, "kind": units["DBSTP-QB"].kind, "place_name": "Đông Hà"})
    assert new.valid_from == date(2025, 7, 1) and new.place_name == "Đông Hà"
    assert _children_codes("DBSTP-QT") == ["CB1-DBSTP-QB", "CB2-DBSTP-QB"]
    assert UnitSuccession.objects.filter(kind=SuccessionKind.MOVE).count() == 2
    from danvan.onboarding.selectors import predecessors

    assert [u.code for u in predecessors(new)] == ["DBSTP-QB"]
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


# ---------------------------------------------------------------- 5. CLI


def _cli(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_cli_import_tree_dry_run_apply_and_export(demo, tmp_path):
    f = tmp_path / "cay.csv"
    f.write_bytes(NEW_TREE.encode("utf-16"))
    dry = json.loads(_cli("import-tree", str(f), "--dry-run", "--json"))
    assert dry["ok"] and dry["create"] == 3 and not dry["applied"] and dry["encoding"].startswith("UTF-16")
    assert not OrgUnit.objects.filter(code="HU-TEST").exists()
    done = json.loads(_cli("import-tree", str(f), "--json"))
    assert done["applied"] and done["created"] == 3
    assert ImportRun.objects.get(pk=done["run"]).created_by.username == "admin"
    again = json.loads(_cli("import-tree", str(f), "--json", "--user", "bdv.quangngai"))
    assert again["unchanged"] == 3 and "không thay đổi gì" in again["message"]
    out = tmp_path / "xuat.xlsx"
    assert "Đã xuất" in _cli("export-tree", "--unit", "BDVTU-QNG", "-o", str(out))
    assert "HU-TEST" in [r[0] for _, r in read_table(out.read_bytes(), "xuat.xlsx").rows]
    bad = tmp_path / "loi.csv"
    bad.write_text(TREE_HEAD + "Z1,,KHONG-CO,co-so,xa,,,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="chưa lưu gì"):
        _cli("import-tree", str(bad), "--json")
    with pytest.raises(CommandError, match="Không có đơn vị mã «NOPE»"):
        _cli("export-tree", "--unit", "NOPE", "-o", str(out))
    with pytest.raises(CommandError, match="Không có tệp"):
        _cli("import-tree", str(tmp_path / "khong-co.csv"))


def test_cli_import_users(demo, tmp_path, django_capture_on_commit_callbacks):
    f = tmp_path / "nguoi.csv"
    f.write_text(PEOPLE, encoding="utf-8")
    dry = json.loads(_cli("import-users", str(f), "--dry-run", "--json"))
    assert dry["ok"] and dry["create"] == 3 and not get_user_model().objects.filter(username="cb.vp1").exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = json.loads(_cli("import-users", str(f), "--json"))
    assert done["created"] == 3 and done["invited"] == 3 and len(mail.outbox) == 3
    dup = tmp_path / "trung.csv"
    dup.write_text(PEOPLE_HEAD + "cb.vp1,Khác,khac@x.vn,VP-SKHCN-QNG,officer,\n", encoding="utf-8")
    with pytest.raises(CommandError):
        _cli("import-users", str(dup), "--json")


def test_people_columns_as_the_readme_writes_them(demo, tmp_path):
    """The README names the columns "tên đăng nhập, họ tên, thư điện tử, mã đơn vị, vai trò, chức danh"."""
    f = tmp_path / "nguoi.csv"
    f.write_text("tên đăng nhập,họ tên,thư điện tử,mã đơn vị,vai trò,chức danh\n"
                 "nv.moi,Nguyễn Văn Mới,moi@example.vn,VP-SKHCN-QNG,officer,Chuyên viên\n", encoding="utf-8")
    dry = json.loads(_cli("import-users", str(f), "--dry-run", "--json"))
    assert dry["ok"] and dry["create"] == 1


# ---------------------------------------------------------------- 6. bench (small size here; 50,000/100,000 by hand)


def test_onboarding_bench_runs_small(demo):
    from danvan.tools.bench.onboarding import bench_onboarding

    result = bench_onboarding(units=400, people=300)
    assert result["units"] == 400 and result["people"] == 300
    assert result["reimport_changes"] == 0 and result["round_trip_equal"] is True


def test_pages_render_for_the_board(login):
    c = login("bdv.quangngai")
    home = c.get("/")
    assert 'href="/quan-tri-don-vi/"' in _text(home)
    page = c.get("/quan-tri-don-vi/")
    assert page.status_code == 200 and "Ban Dân vận Tỉnh ủy Quảng Ngãi" in _text(page)
    assert c.get("/quan-tri-don-vi/nhap/nguoi-dung/").status_code == 200
    assert c.get("/quan-tri-don-vi/nhap/khac/").status_code == 404
    assert c.get("/quan-tri-don-vi/don-vi/SKHCN-QNG/sap-xep/").status_code == 200
    assert c.get("/quan-tri-don-vi/lich-su-sap-xep/").status_code == 200
    assert "Quản trị đơn vị, thành viên" in _text(c.get("/don-vi/SKHCN-QNG/"))
    assert 'href="/quan-tri-don-vi/"' not in _text(login("tt.skhcn").get("/"))
    run_page = c.get(_upload(c, "cay-don-vi", NEW_TREE.encode()))
    c.post(run_page.wsgi_request.path)
    assert "Đã áp dụng lúc" in _text(c.get(run_page.wsgi_request.path))
    assert "Đã lưu: 3 tạo mới" in _text(c.get("/quan-tri-don-vi/"))


def test_past_year_branches_follow_the_tree_as_it_was(login):
    """After the Thanh tra moves to the Sở Nội vụ (2025), the 2021 branch table still puts its models under
    the Sở KH&CN, lists it as a branch of the Sở, and every table still adds up to the 2021 total."""
    from danvan.exemplars.models import Exemplar, Movement
    from danvan.reports import stats

    movement = Movement.objects.get(period_start=2021)
    root, skhcn, snv = (OrgUnit.objects.get(code=c) for c in ("BDVTU-QNG", "SKHCN-QNG", "SNV-QNG"))
    tt_2021 = Exemplar.objects.alive().filter(unit__code="TT-SKHCN-QNG", year=2021, movement=movement).count()
    assert tt_2021 > 0

    def branches(node):
        rows, total = stats.by_branch(OrgUnit.objects.get(pk=node.pk), movement, 2021)
        return {(r.unit.code if r.unit else "-"): r.registered for r in rows}, total.registered

    before_root, before_skhcn = branches(root), branches(skhcn)
    resp = login("bdv.quangngai").post("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/sap-xep/",
                                       {"action": "move", "on": "2025-07-01", "target": "SNV-QNG"}, follow=True)
    assert resp.status_code == 200 and OrgUnit.objects.get_parent(OrgUnit.objects.get(code="TT-SKHCN-QNG")) == snv
    assert branches(root) == before_root  # the Sở KH&CN branch keeps the Thanh tra's 2021 models
    assert branches(skhcn) == before_skhcn and before_skhcn[0]["TT-SKHCN-QNG"] == tt_2021
    assert "TT-SKHCN-QNG" not in branches(snv)[0] and branches(snv)[1] == before_root[0]["SNV-QNG"]
    for node in (root, skhcn):
        rows, total = branches(node)
        assert sum(rows.values()) == total == stats.compute(node, movement, 2021).registered.total
    # The present year sees the present tree: the Thanh tra is a branch of the Sở Nội vụ now.
    rows, _ = stats.by_branch(snv, movement, 2026)
    assert "TT-SKHCN-QNG" in {r.unit.code for r in rows if r.unit}
