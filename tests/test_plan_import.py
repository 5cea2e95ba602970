"""Issue 22 §2: the 2025 reorganisation as one planned operation. The Board loads a plan file (old code → successor
code, share notes for a split), previews every unit's fate and every conflict, and applies it on one effective date,
all or nothing, as one batch; a split moves children, people and open dossiers to the successor that takes over."""

from __future__ import annotations

import datetime
import io
import json
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from danvan.movement.models import Submission
from danvan.onboarding.models import ImportKind, ImportRun, SuccessionKind, UnitSuccession
from danvan.orgs.models import Membership, OrgUnit, Role

ON = date(2025, 7, 1)
# The old tree of Sơn Tịnh before 1/7/2025: a district with three communes, one with a residential area under it.
OLD_TREE = (
    "Mã đơn vị,Tên đầy đủ,Mã đơn vị cấp trên,Cấp,Loại đơn vị,Địa danh\n"
    "HU-SONTINH,Huyện ủy Sơn Tịnh,BDVTU-QNG,huyen,huyen-uy,Sơn Tịnh\n"
    "X-TINHHA,Xã Tịnh Hà,HU-SONTINH,co-so,xa,Tịnh Hà\n"
    "X-TINHSON,Xã Tịnh Sơn,HU-SONTINH,co-so,xa,Tịnh Sơn\n"
    "X-TINHBAC,Xã Tịnh Bắc,HU-SONTINH,co-so,xa,Tịnh Bắc\n"
    "KDC-DONGHOA,Khu dân cư thôn Đông Hòa,X-TINHBAC,co-so,xa,Tịnh Bắc\n"
)
SON_TINH, TINH_KHE = "DVHC-21220", "DVHC-21211"  # Xã Sơn Tịnh, Xã Tịnh Khê of the national registry
HEAD = "Mã đơn vị cũ,Tên đơn vị cũ,Mã đơn vị kế thừa,Tên đơn vị kế thừa,Phần chia tách,Tiếp nhận\n"
PLAN = HEAD + (
    f"X-TINHHA,Xã Tịnh Hà,{SON_TINH},Xã Sơn Tịnh,,\n"
    f"X-TINHSON,Xã Tịnh Sơn,{SON_TINH},Xã Sơn Tịnh,,\n"
    f"X-TINHBAC,Xã Tịnh Bắc,{SON_TINH},Xã Sơn Tịnh,thôn Đông Hòa,\n"
    f"X-TINHBAC,Xã Tịnh Bắc,{TINH_KHE},Xã Tịnh Khê,thôn Tây Hòa,\n"
    "HU-SONTINH,Huyện ủy Sơn Tịnh,,,,\n"
)


def _cli(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _text(resp) -> str:
    return re.sub(r"\s+", " ", resp.content.decode())


@pytest.fixture
def old_tree(demo, tmp_path):
    """Quảng Ngãi's 96 new communes from the registry, Sơn Tịnh's old ones, an officer of Tịnh Bắc and the 2025
    round the Board sent to Tịnh Bắc and Tịnh Hà, still open."""
    from danvan.exemplars.models import Movement
    from danvan.movement import services

    _cli("import-registry", "--province", "Quảng Ngãi", "--under", "BDVTU-QNG")
    f = tmp_path / "cay-cu.csv"
    f.write_text(OLD_TREE, encoding="utf-8")
    assert json.loads(_cli("import-tree", str(f), "--json"))["created"] == 5
    officer = get_user_model().objects.create_user("cb.tinhbac", email="cb.tinhbac@quangngai.gov.vn",
                                                   first_name="Lê Văn Bắc")
    Membership.objects.create(user=officer, unit=OrgUnit.objects.get(code="X-TINHBAC"), role=Role.OFFICER)
    board = OrgUnit.objects.get(code="BDVTU-QNG")
    services.launch_round(
        issuer=board, by=get_user_model().objects.get(username="bdv.quangngai"),
        movement=Movement.objects.get(period_start=2021), year=2025, title="Đăng ký mô hình Dân vận khéo năm 2025",
        deadline=timezone.now() + datetime.timedelta(days=30), target_mode="chosen",
        target_units=OrgUnit.objects.filter(code__in=["X-TINHBAC", "X-TINHHA"]))
    return tmp_path


def _file(text: str, name: str = "ke-hoach-son-tinh.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_the_board_applies_the_whole_plan_from_its_pages_and_a_split_moves_what_it_must(old_tree, login):
    c = login("bdv.quangngai")
    home = _text(c.get("/quan-tri-don-vi/"))
    assert "Kế hoạch sắp xếp đơn vị" in home and 'href="/quan-tri-don-vi/nhap/ke-hoach-sap-xep/"' in home
    template = c.get("/quan-tri-don-vi/mau/ke-hoach-sap-xep.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(template.streaming_content)
                                     if template.streaming else template.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEAD.strip().split(",")

    resp = c.post("/quan-tri-don-vi/nhap/ke-hoach-sap-xep/", {"upload": _file(PLAN), "on": "01/07/2025"})
    assert resp.status_code == 302, _text(resp)
    run = ImportRun.objects.get(kind=ImportKind.PLAN)
    assert run.effective_on == ON
    page = _text(c.get(resp["Location"]))
    assert "Hợp nhất, sáp nhập vào" in page and "Chia tách thành" in page and "Giải thể, kết thúc hoạt động" in page
    assert "Xã Sơn Tịnh (DVHC-21220): thôn Đông Hòa" in page
    # Tịnh Bắc has a residential area, an officer and an open dossier: the preview asks who takes them over.
    assert ("«Xã Tịnh Bắc» còn 1 đơn vị trực thuộc, 1 vai trò người dùng, 1 hồ sơ đang mở: hãy chọn đơn vị kế "
            "thừa tiếp nhận") in page
    assert 'name="apply"' not in page
    assert not UnitSuccession.objects.exists()  # the preview writes nothing

    c.post(resp["Location"], {"refresh": "1", "takes-X-TINHBAC": SON_TINH})
    page = _text(c.get(resp["Location"]))
    assert ("Kế hoạch hợp lệ, hiệu lực từ 01/07/2025: 2 hợp nhất, sáp nhập, 1 chia tách, 1 giải thể; chuyển sang "
            "đơn vị kế thừa 1 đơn vị trực thuộc, 1 vai trò người dùng, 2 hồ sơ đang mở.") in page
    assert f'<option value="{SON_TINH}" selected>' in page
    done = _text(c.post(resp["Location"], {"apply": "1", "takes-X-TINHBAC": SON_TINH}, follow=True))
    assert "Đã áp dụng kế hoạch, hiệu lực từ 01/07/2025" in done
    assert escape("Một bước của kế hoạch «ke-hoach-son-tinh.csv»") in done

    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["HU-SONTINH", "X-TINHHA", "X-TINHSON",
                                                                  "X-TINHBAC", "KDC-DONGHOA", SON_TINH])}
    for code in ("HU-SONTINH", "X-TINHHA", "X-TINHSON", "X-TINHBAC"):
        assert units[code].valid_to == ON
    son_tinh = units[SON_TINH]
    assert OrgUnit.objects.get_parent(units["KDC-DONGHOA"]).code == SON_TINH  # the child moved
    assert units["KDC-DONGHOA"].valid_to is None
    assert Membership.objects.get(user__username="cb.tinhbac").unit.code == SON_TINH  # the people moved
    # The open dossiers of Tịnh Bắc and Tịnh Hà: the first moved, the second (same round, empty) folded into it.
    dossiers = Submission.objects.filter(round__title="Đăng ký mô hình Dân vận khéo năm 2025")
    assert [(s.unit.code, s.unit_path) for s in dossiers] == [(SON_TINH, son_tinh.path)]
    # One batch, who and when, tied to the kept file.
    run.refresh_from_db()
    steps = UnitSuccession.objects.filter(batch=run)
    assert sorted(steps.values_list("predecessor__code", "kind")) == sorted([
        ("HU-SONTINH", SuccessionKind.RETIRE), ("KDC-DONGHOA", SuccessionKind.MOVE),
        ("X-TINHBAC", SuccessionKind.SPLIT), ("X-TINHBAC", SuccessionKind.SPLIT),
        ("X-TINHHA", SuccessionKind.MERGE), ("X-TINHSON", SuccessionKind.MERGE)])
    assert {s.created_by.username for s in steps} == {"bdv.quangngai"}
    assert steps.get(predecessor__code="X-TINHBAC", successor__code=TINH_KHE).note == "thôn Tây Hòa"
    assert run.applied_at and bytes(run.content) == PLAN.encode("utf-8")
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])
    # The ended communes say where they went.
    assert escape("đã hợp nhất vào «Xã Sơn Tịnh» từ 01/07/2025") in _text(c.get("/don-vi/HU-SONTINH/"))

    # The same page posted again, and the same plan uploaded again: nothing changes.
    again = _text(c.post(resp["Location"], {"apply": "1"}, follow=True))
    assert "Tệp này đã được áp dụng; không áp dụng lại." in again
    second = c.post("/quan-tri-don-vi/nhap/ke-hoach-sap-xep/", {"upload": _file(PLAN), "on": "01/07/2025"})
    page = _text(c.get(second["Location"]))
    assert "Kế hoạch không thay đổi gì: cả 4 đơn vị đã được sắp xếp đúng như kế hoạch" in page
    c.post(second["Location"], {"apply": "1"})
    assert UnitSuccession.objects.count() == steps.count()


def test_cli_applies_a_plan_all_or_nothing_and_again_changes_nothing(old_tree):
    f = old_tree / "plan.csv"
    f.write_text(PLAN, encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="chưa áp dụng gì"):
        call_command("import-plan", str(f), "--on", "01/07/2025", stdout=out)
    assert "hãy chọn đơn vị kế thừa tiếp nhận" in out.getvalue()
    dry = json.loads(_cli("import-plan", str(f), "--on", "01/07/2025", "--takes-over", f"X-TINHBAC={TINH_KHE}",
                          "--dry-run", "--json"))
    assert dry["ok"] and not dry["applied"] and (dry["merge"], dry["split"], dry["retire"]) == (2, 1, 1)
    assert not UnitSuccession.objects.exists()
    done = json.loads(_cli("import-plan", str(f), "--on", "01/07/2025", "--takes-over", f"X-TINHBAC={TINH_KHE}",
                           "--json", "--user", "bdv.quangngai"))
    assert done["applied"] and done["successions"] == 6
    run = ImportRun.objects.get(pk=done["run"])
    assert run.kind == ImportKind.PLAN and run.effective_on == ON and bytes(run.content) == PLAN.encode()
    assert OrgUnit.objects.get_parent(OrgUnit.objects.get(code="KDC-DONGHOA")).code == TINH_KHE
    assert Membership.objects.get(user__username="cb.tinhbac").unit.code == TINH_KHE
    again = json.loads(_cli("import-plan", str(f), "--on", "01/07/2025", "--json"))
    assert again["applied"] and again["done"] == 4 and "không thay đổi gì" in again["message"]
    assert UnitSuccession.objects.count() == 6


BAD = [
    (HEAD + "X-NOPE,,DVHC-21220,,,\n", "Dòng 2: Không có đơn vị mã «X-NOPE» trong hệ thống."),
    (HEAD + "X-TINHHA,,DVHC-99999,,,\n", "Dòng 2: Chưa có đơn vị kế thừa mã «DVHC-99999»"),
    (HEAD + f"X-TINHHA,,{SON_TINH},,,\nX-TINHHA,,{TINH_KHE},,,\n",
     "«Xã Tịnh Hà» được chia về 2 đơn vị kế thừa nhưng dòng 2, 3 không ghi phần chia tách."),
    (HEAD + "X-TINHHA,,X-TINHSON,,,\nX-TINHSON,,X-TINHHA,,,\n",
     "Vòng lặp trong kế hoạch: X-TINHHA → X-TINHSON → X-TINHHA."),
    (HEAD + "HU-SONTINH,,,,,\n", "«Huyện ủy Sơn Tịnh» còn 3 đơn vị trực thuộc không có trong kế hoạch"),
    (HEAD + f"X-TINHHA,,{SON_TINH},,,\nX-TINHHA,,{SON_TINH},,,\n", "Dòng 3: Dòng trùng"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_bad_plan_names_the_row_and_applies_nothing(old_tree, text, message):
    f = old_tree / "plan.csv"
    f.write_text(text, encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-plan", str(f), "--on", "01/07/2025", stdout=out)
    assert message in out.getvalue()
    assert not UnitSuccession.objects.exists()
    assert not OrgUnit.objects.filter(valid_to__isnull=False, code__in=["X-TINHHA", "HU-SONTINH"]).exists()


def test_a_plan_dated_before_an_existing_succession_or_in_the_future_is_refused(old_tree, login):
    f = old_tree / "plan.csv"
    f.write_text(HEAD + f"X-TINHSON,,{SON_TINH},,,\n", encoding="utf-8")
    _cli("import-plan", str(f), "--on", "01/08/2025")
    f.write_text(HEAD + "X-TINHHA,,X-TINHSON,,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="chưa áp dụng gì"):
        out = io.StringIO()
        call_command("import-plan", str(f), "--on", "01/07/2025", stdout=out)
    assert ("«Xã Tịnh Sơn» đã có lần sắp xếp ngày 01/08/2025, sau ngày hiệu lực 01/07/2025: không áp dụng kế hoạch "
            "về trước được.") in out.getvalue()
    c = login("bdv.quangngai")
    future = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    resp = c.post("/quan-tri-don-vi/nhap/ke-hoach-sap-xep/", {"upload": _file(PLAN), "on": future})
    page = _text(c.get(resp["Location"]))
    assert f"Ngày hiệu lực {future} chưa tới" in page and 'name="apply"' not in page
    # A file that is not a table at all: refused on the upload page, nothing kept.
    resp = c.post("/quan-tri-don-vi/nhap/ke-hoach-sap-xep/",
                  {"upload": _file("\x00\x01garbage", "ke-hoach.xlsx"), "on": "01/07/2025"})
    page = _text(c.get(resp["Location"]))
    assert "Tệp không nhập được" in page and 'name="apply"' not in page
    assert UnitSuccession.objects.count() == 1


def _cp1258(text: str) -> bytes:
    """As Excel saves Vietnamese in Windows-1258: a letter the code page has whole, else its longest whole start
    followed by combining tone marks."""
    import unicodedata

    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base, marks = d[0], d[1:]
        # "ậ": the code page has "â" whole and the dot below as a combining mark
        for i in range(len(marks)):
            try:
                out += (unicodedata.normalize("NFC", base + marks[i]).encode("cp1258")
                        + (marks[:i] + marks[i + 1:]).encode("cp1258"))
                break
            except UnicodeEncodeError:
                continue
        else:
            out += base.encode("cp1258") + marks.encode("cp1258")
    return out


def test_a_plan_saved_in_windows_1258_reads_as_vietnamese(old_tree, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = login("bdv.quangngai")
    text = HEAD + f"X-TINHHA,Xã Tịnh Hà,{SON_TINH},Xã Sơn Tịnh,,\n"
    upload = SimpleUploadedFile("ke-hoach-1258.csv", _cp1258(text), content_type="text/csv")
    resp = c.post("/quan-tri-don-vi/nhap/ke-hoach-sap-xep/", {"upload": upload, "on": "01/07/2025"})
    page = _text(c.get(resp["Location"]))
    assert "Bảng mã nhận ra: Windows-1258" in page or "1258" in page
    assert "Kế hoạch hợp lệ, hiệu lực từ 01/07/2025: 1 hợp nhất, sáp nhập" in page


def test_only_the_units_a_board_administers_are_in_its_plan(old_tree, login):
    f = old_tree / "plan.csv"
    f.write_text(HEAD + f"CB1-DBSTP-QB,,{SON_TINH},,,\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-plan", str(f), "--on", "01/07/2025", "--user", "bdv.quangngai", stdout=out)
    assert "«Chi bộ 1 Sở Tư pháp» ngoài phạm vi đơn vị bạn quản trị." in out.getvalue()
    c = login("vp.skhcn")
    assert c.get("/quan-tri-don-vi/nhap/ke-hoach-sap-xep/").status_code == 403
