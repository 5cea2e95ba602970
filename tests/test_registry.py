"""Issue 22 §1: the province's commune-level units from the national registry (package vietnam-provinces),
through the onboarding pages and `danvan import-registry`; re-running changes nothing."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from danvan.orgs.models import OrgUnit


def _under(code: str) -> list[OrgUnit]:
    parent = OrgUnit.objects.get(code=code)
    return list(OrgUnit.objects.get_children(parent).filter(code__startswith="DVHC-").select_related("kind", "level"))


def _kinds(units: list[OrgUnit]) -> Counter:
    return Counter(u.kind.name for u in units)


def test_the_board_brings_in_quang_ngais_96_communes_from_its_home_page(login):
    c = login("bdv.quangngai")
    home = c.get("/quan-tri-don-vi/").content.decode()
    assert 'href="/quan-tri-don-vi/nhap/danh-muc-quoc-gia/"' in home
    page = c.get("/quan-tri-don-vi/nhap/danh-muc-quoc-gia/").content.decode()
    assert "Tỉnh Quảng Ngãi" in page and "Ban Dân vận Tỉnh ủy Quảng Ngãi (BDVTU-QNG)" in page
    # Units of another province's tree are not offered to this board.
    assert "DBSTP-QB" not in page
    resp = c.post("/quan-tri-don-vi/nhap/danh-muc-quoc-gia/", {"province": "51", "under": "BDVTU-QNG"})
    assert resp.status_code == 302
    preview = c.get(resp["Location"]).content.decode()
    assert "Tệp hợp lệ: 96 tạo mới, 0 cập nhật, 0 không đổi." in preview
    assert not _under("BDVTU-QNG")  # the preview saves nothing
    done = c.post(resp["Location"], follow=True).content.decode()
    assert "Đã lưu: 96 tạo mới" in done
    units = _under("BDVTU-QNG")
    # Resolution 202/2025/QH15: Quảng Ngãi (with Kon Tum) has 86 xã, 9 phường and 1 đặc khu.
    assert len(units) == 96 == OrgUnit.objects.filter(code__startswith="DVHC-").count()
    assert _kinds(units) == {"Xã": 86, "Phường": 9, "Đặc khu": 1}
    assert {u.level.code for u in units} == {"co-so"}
    cam_thanh = OrgUnit.objects.get(code="DVHC-21025")
    assert (cam_thanh.name, cam_thanh.place_name) == ("Phường Cẩm Thành", "Cẩm Thành")
    assert cam_thanh.address == "Phường Cẩm Thành, tỉnh Quảng Ngãi"
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])
    # Again: every unit found by its official code, nothing changes.
    again = c.post("/quan-tri-don-vi/nhap/danh-muc-quoc-gia/", {"province": "51", "under": "BDVTU-QNG"})
    assert "Tệp không thay đổi gì: cả 96 dòng đã có và giống hệt" in c.get(again["Location"]).content.decode()


def test_what_the_office_set_on_an_imported_commune_survives_a_second_import(login):
    call_command("import-registry", "--province", "Quảng Ngãi", "--under", "BDVTU-QNG", stdout=io.StringIO())
    OrgUnit.objects.filter(code="DVHC-21025").update(header_name="ĐẢNG ỦY PHƯỜNG CẨM THÀNH", doc_suffix="ĐU")
    out = io.StringIO()
    call_command("import-registry", "--province", "quang ngai", "--under", "BDVTU-QNG", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["create"], result["update"], result["unchanged"]) == (0, 0, 96)
    u = OrgUnit.objects.get(code="DVHC-21025")
    assert (u.header_name, u.doc_suffix) == ("ĐẢNG ỦY PHƯỜNG CẨM THÀNH", "ĐU")


def test_the_cli_dry_run_writes_nothing_and_the_run_is_idempotent(demo):
    before = OrgUnit.objects.count()
    out = io.StringIO()
    call_command("import-registry", "--province", "51", "--under", "BDVTU-QNG", "--dry-run", "--json", stdout=out)
    dry = json.loads(out.getvalue())
    assert (dry["create"], dry["applied"]) == (96, False)
    assert OrgUnit.objects.count() == before
    call_command("import-registry", "--province", "Tỉnh Quảng Ngãi", "--under", "BDVTU-QNG", stdout=io.StringIO())
    assert OrgUnit.objects.count() == before + 96
    out = io.StringIO()
    call_command("import-registry", "--province", "Quảng Ngãi", "--under", "BDVTU-QNG", stdout=out)
    assert "không thay đổi gì" in out.getvalue()
    assert OrgUnit.objects.count() == before + 96


@pytest.mark.parametrize(("args", "message"), [
    (["--province", "Kon Tum", "--under", "BDVTU-QNG"], "Không có tỉnh, thành phố «Kon Tum» trong danh mục"),
    (["--province", "Quảng Ngãi", "--under", "KHONG-CO"], "Không có đơn vị mã «KHONG-CO»."),
    (["--province", "Quảng Ngãi", "--under", "BDVTU-QNG", "--level", "xa"], "Không có cấp mã «xa»."),
])
def test_bad_input_is_named_in_vietnamese_and_nothing_is_written(demo, args, message):
    before = OrgUnit.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("import-registry", *args, stdout=io.StringIO())
    assert OrgUnit.objects.count() == before


def test_only_an_administrator_of_the_unit_may_import_under_it(login):
    office = login("vp.skhcn")
    assert office.get("/quan-tri-don-vi/nhap/danh-muc-quoc-gia/").status_code in (403, 404)
    board = login("bdv.quangngai")
    page = board.post("/quan-tri-don-vi/nhap/danh-muc-quoc-gia/", {"province": "44", "under": "DBSTP-QB"})
    assert page.status_code == 200 and list(page.context["form"].errors) == ["under"]
    assert page.context["form"].errors["under"][0] in page.content.decode()
    assert not OrgUnit.objects.filter(code__startswith="DVHC-").exists()


def test_a_kind_named_as_the_pages_show_it_is_that_kind_even_when_it_folds_to_another_kinds_code(login):
    """"Xã" is the registry's kind named Xã, not the demo's kind whose code is "xa" ("Xã, phường, thị trấn")."""
    c = login("bdv.quangngai")
    f = io.BytesIO(("Mã đơn vị,Tên đầy đủ,Mã đơn vị cấp trên,Cấp,Loại đơn vị\n"
                    "XA-THU,Xã Thử,BDVTU-QNG,Cấp cơ sở,Xã\n"
                    "XA-THU-2,Xã Thử Hai,BDVTU-QNG,co-so,xa\n").encode())
    f.name = "xa.csv"
    resp = c.post("/quan-tri-don-vi/nhap/cay-don-vi/", {"upload": f})
    done = c.post(resp["Location"], follow=True).content.decode()
    assert "Đã lưu: 2 tạo mới" in done
    assert OrgUnit.objects.get(code="XA-THU").kind.code == "dvhc-xa"
    assert OrgUnit.objects.get(code="XA-THU-2").kind.code == "xa"
