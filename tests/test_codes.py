"""Codes are identifiers (issue 21 §4): one safe pattern at every door, old bad codes repairable from the UI,
download names that cannot break or inject into the header, and query parameters that are never a 500."""

from __future__ import annotations

import io
from html import escape
from urllib.parse import unquote

import pytest
from django.urls import reverse

from danvan.foundation import downloads
from danvan.onboarding.models import UnitChange
from danvan.orgs import codes
from danvan.orgs.models import Level, OrgUnit, UnitKind

TREE_HEAD = "code,name,parent_code,level,kind,header_name,superior_name,doc_suffix,place_name,address,doc_family\n"
BAD_CODES = ["a/b", "TT\nX", 'X"; filename=evil.exe', "ma co dau cach", "Mã-có-dấu", "-dau-gach", "x" * 65]


def _legacy_child(parent_code: str, code: str, name: str = "Tổ công tác cũ") -> OrgUnit:
    """A unit as an old import made it: the code was never checked."""
    parent = OrgUnit.objects.get(code=parent_code)
    child = OrgUnit.objects.add_child(parent, create_kwargs={
        "code": "TAM-THOI", "name": name, "level": Level.objects.get(code="co-so"),
        "kind": UnitKind.objects.get(code="phong-don-vi")})
    OrgUnit.objects.filter(pk=child.pk).update(code=code)
    child.refresh_from_db()
    return child


def _upload(client, content: str, name: str = "cay.csv") -> str:
    f = io.BytesIO(content.encode())
    f.name = name
    resp = client.post("/quan-tri-don-vi/nhap/cay-don-vi/", {"upload": f})
    assert resp.status_code == 302
    return resp["Location"]


# ---------------------------------------------------------------- the rule, and what the seeds use


def test_the_rule_and_the_seed_codes(demo):
    for code in ["SKHCN-QNG", "TT-SKHCN-QNG", "G7-P000-BDV", "co-so", "A.B_1", "k"]:
        assert codes.is_valid(code)
    for code in BAD_CODES + ["", "ABC\n"]:
        assert not codes.is_valid(code), code
    assert not codes.bad_units().exists()
    for model in (OrgUnit, Level, UnitKind):
        assert all(codes.is_valid(c) for c in model.objects.values_list("code", flat=True))


# ---------------------------------------------------------------- every door refuses a bad code


@pytest.mark.parametrize("bad", ["a/b", 'Q"X', "ma co dau cach", "Mã-mới"])
def test_unit_admin_page_refuses_a_bad_child_code(login, bad):
    c = login("bdv.quangngai")
    page = c.post("/quan-tri-don-vi/don-vi/BDVTU-QNG/", {
        "action": "child", "c-code": bad, "c-name": "Phòng mới", "c-level": Level.objects.get(code="co-so").pk,
        "c-kind": UnitKind.objects.get(code="phong-don-vi").pk, "c-doc_family": "state"})
    assert page.status_code == 200
    assert "không hợp lệ" in page.content.decode()
    assert not OrgUnit.objects.filter(name="Phòng mới").exists()


def test_the_service_refuses_a_bad_code_whatever_the_door(demo):
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from danvan.onboarding import administration

    board = get_user_model().objects.get(username="bdv.quangngai")
    parent = OrgUnit.objects.get(code="BDVTU-QNG")
    with pytest.raises(ValidationError, match="không hợp lệ"):
        administration.create_unit(by=board, parent=parent, code="a/b", name="X", level=parent.level, kind=parent.kind)
    with pytest.raises(ValidationError, match="không hợp lệ"):
        administration.update_unit(by=board, unit=OrgUnit.objects.get(code="SNV-QNG"), code="SNV\nQNG")
    assert OrgUnit.objects.filter(code="SNV-QNG").exists()


def test_tree_import_gives_each_bad_code_row_a_vietnamese_reason(login):
    c = login("bdv.quangngai")
    rows = "".join(f'"{bad.replace(chr(34), chr(34) * 2)}",Đơn vị {i},BDVTU-QNG,co-so,xa,,,,,,\n'
                   for i, bad in enumerate(BAD_CODES))
    rows += "OK-1,Đơn vị tốt,BDVTU-QNG,co-so,xa,,,,,,\nOK-2,Con của mã xấu,a/b,co-so,xa,,,,,,\n"
    location = _upload(c, TREE_HEAD + rows)
    html = c.get(location).content.decode()
    assert html.count("không hợp lệ: chỉ gồm chữ cái không dấu") == len(BAD_CODES) + 1  # + the bad parent code
    assert "Mã đơn vị «a/b» không hợp lệ" in html and "Mã đơn vị «TT\\nX» không hợp lệ" in html
    assert "Mã đơn vị cấp trên «a/b» không hợp lệ" in html
    assert c.post(location).status_code == 302  # apply refused as a whole
    assert not OrgUnit.objects.filter(code__in=["OK-1", "OK-2", *BAD_CODES]).exists()


def test_django_admin_forms_refuse_a_bad_code(login):
    c = login("admin")
    resp = c.post("/quan-tri/orgs/level/add/", {"code": "cap/moi", "name": "Cấp mới", "rank": 3})
    assert resp.status_code == 200 and "không hợp lệ" in resp.content.decode()
    resp = c.post("/quan-tri/orgs/unitkind/add/", {"code": "loai moi", "name": "Loại mới"})
    assert resp.status_code == 200 and "không hợp lệ" in resp.content.decode()
    assert not Level.objects.filter(name="Cấp mới").exists() and not UnitKind.objects.filter(name="Loại mới").exists()
    unit = OrgUnit.objects.get(code="SNV-QNG")
    form = c.get(f"/quan-tri/orgs/orgunit/{unit.pk}/change/").context["adminform"].form
    data = {k: ("" if v is None else getattr(v, "pk", v)) for k, v in form.initial.items()}
    data.update(code="SNV/QNG", _ref_node_id=form.initial.get("_ref_node_id") or "", _position="sorted-child")
    resp = c.post(f"/quan-tri/orgs/orgunit/{unit.pk}/change/", data)
    assert resp.status_code == 200 and "không hợp lệ" in resp.content.decode()
    assert OrgUnit.objects.filter(code="SNV-QNG").exists()


def test_no_url_takes_a_bad_code(login, api):
    c = login("bdv.quangngai")
    _legacy_child("BDVTU-QNG", "a b")
    for url in ["/don-vi/a%20b/", "/quan-tri-don-vi/don-vi/a%20b/", "/don-vi/a%20b/thong-ke/",
                "/bao-cao/a%20b/2022/", "/quan-tri-don-vi/xuat/a%20b.csv", "/don-vi/-x/"]:
        assert c.get(url).status_code == 404, url
    token = api("bdv.quangngai")
    for url in ["/api/units/a%20b", "/api/units/a%20b/children", "/api/units/a%20b/dashboard",
                "/api/reports/a%20b/2022/statistics"]:
        resp = token.get(url)
        assert resp.status_code == 404 and resp.json()["code"] == "not_found", url
    assert token.get("/api/units/SKHCN-QNG").status_code == 200
    assert reverse("tree_node", args=["SKHCN-QNG"]) == "/don-vi/SKHCN-QNG/"


# ---------------------------------------------------------------- old bad codes: pages keep working, repair in the UI


@pytest.mark.parametrize("bad", ["TT/CU", "TT\nCU", 'TT"CU'])
def test_a_bad_child_code_breaks_no_page_and_is_repaired_from_the_ui(login, bad):
    child = _legacy_child("SKHCN-QNG", bad)
    board, office, leader = login("bdv.quangngai"), login("vp.skhcn"), login("ld.skhcn")
    for c in (board, office, leader):
        for url in ["/don-vi/", "/don-vi/SKHCN-QNG/", "/don-vi/SKHCN-QNG/thong-ke/", "/bao-cao/",
                    "/bao-cao/SKHCN-QNG/2021/", "/mo-hinh/", "/mo-hinh/?unit=SKHCN-QNG&subtree=1"]:
            assert c.get(url).status_code == 200, url
    for url in ["/don-vi/BDVTU-QNG/", "/don-vi/BDVTU-QNG/thong-ke/", "/bao-cao/BDVTU-QNG/2021/",
                "/quan-tri-don-vi/", "/quan-tri-don-vi/don-vi/BDVTU-QNG/", "/quan-tri-don-vi/lich-su-sap-xep/"]:
        assert board.get(url).status_code == 200, url
    assert board.get("/quan-tri-don-vi/don-vi/SKHCN-QNG/").status_code == 200
    assert login("admin").get("/quan-tri/orgs/orgunit/").status_code == 200
    tree = board.get("/don-vi/SKHCN-QNG/").content.decode()
    repair = reverse("onboarding:unit_by_pk", args=[child.pk])
    assert f'href="{repair}">mã không hợp lệ — sửa</a>' in tree
    assert "mã không hợp lệ (báo quản trị viên sửa)" in office.get("/don-vi/SKHCN-QNG/").content.decode()
    assert any(f"#{child.pk}:" in w.msg for w in codes.check_codes(databases=["default"]))

    assert office.get(repair).status_code == 403  # the office sees the unit but does not administer it
    assert office.post(repair, {"action": "edit", "u-code": "HIJACK"}).status_code == 403
    page = board.get(repair)
    assert page.status_code == 200 and "không hợp lệ (tạo từ trước khi có quy tắc mã)" in page.content.decode()
    form = page.context["unit_form"]
    data = {f"u-{k}": ("" if v is None else getattr(v, "pk", v)) for k, v in form.initial.items()}
    data.update({"action": "edit", "u-code": "TT-CU-QNG"})
    resp = board.post(repair, data)
    assert resp.status_code == 302 and resp["Location"] == "/quan-tri-don-vi/don-vi/TT-CU-QNG/"
    change = UnitChange.objects.filter(unit=child).latest("created_at")
    assert change.created_by.username == "bdv.quangngai" and change.changes["code"] == [bad, "TT-CU-QNG"]
    assert f"«{escape(bad)}» → «TT-CU-QNG»" in board.get("/quan-tri-don-vi/don-vi/TT-CU-QNG/").content.decode()
    assert not codes.bad_units().exists()
    assert board.get(repair).status_code == 302  # a good code: back to the page by code


# ---------------------------------------------------------------- download names


def test_content_disposition_is_safe_and_keeps_the_vietnamese_name():
    header = downloads.content_disposition('Báo cáo "Sở"\r\nX-Evil: 1; đợt 2.docx')
    assert "\n" not in header and "\r" not in header
    ascii_part, star = header.split("; filename*=UTF-8''")
    assert ascii_part == 'attachment; filename="Bao cao So X-Evil 1 dot 2.docx"'
    assert unquote(star) == "Báo cáo Sở X-Evil 1 đợt 2.docx"
    assert downloads.content_disposition("a/b\\c.csv").startswith('attachment; filename="a b c.csv"')


def test_a_unit_whose_own_code_is_bad_keeps_its_dossier_pages_and_downloads(login):
    """The whole Sở renamed by an old import to a code with a quote and a newline: its people still open their
    dossier and download every file; the header has no line break and no injected parameter."""
    from danvan.movement.models import Submission

    bad = 'SKHCN"\nQNG; filename=x.exe'
    OrgUnit.objects.filter(code="SKHCN-QNG").update(code=bad)
    sub = Submission.objects.get(unit__code=bad, round__year=2021)
    office, board = login("vp.skhcn"), login("bdv.quangngai")
    assert office.get(f"/ho-so/{sub.pk}/").status_code == 200
    assert board.get(f"/dot-dang-ky/{sub.round_id}/").status_code == 200
    downloads_seen = [office.get(f"/ho-so/{sub.pk}/van-ban/{which}") for which in ("dang-ky.docx", "dang-ky.xlsx")]
    downloads_seen.append(board.get(f"/dot-dang-ky/{sub.round.root_id or sub.round_id}/tien-do.xlsx",
                                    {"don_vi": bad}))
    for resp in downloads_seen:
        assert resp.status_code == 200
        header = resp["Content-Disposition"]
        assert "\n" not in header and header.count('"') == 2 and header.count(";") == 2, header
        assert unquote(header.split("filename*=UTF-8''")[1]).startswith(("dang-ky-SKHCN QNG", "tien-do-dot-"))


def test_every_download_of_a_unit_with_a_bad_code_works(login):
    child = _legacy_child("SKHCN-QNG", 'X"\nY')
    c = login("bdv.quangngai")
    # The tree export of the parent lists the child; the completeness export names the node.
    resp = c.get("/quan-tri-don-vi/xuat/SKHCN-QNG.csv")
    assert resp.status_code == 200 and child.name in resp.content.decode("utf-8-sig")
    resp = c.get("/don-vi/SKHCN-QNG/thong-ke/tat-ca.xlsx")
    assert resp.status_code == 200
    assert resp["Content-Disposition"].startswith('attachment; filename="') and "filename*=UTF-8''" in resp[
        "Content-Disposition"]
    from danvan.movement.views import round_export  # noqa: F401  (the completeness export uses the same helper)

    # A name built from the bad code itself: no header break, no injected parameter.
    header = downloads.content_disposition(f"cay-don-vi-{child.code}.csv")
    assert header.count(";") == 2 and "\n" not in header and header.count('"') == 2


# ---------------------------------------------------------------- query parameters


@pytest.mark.parametrize("value", ["9" * 30, "-1", "1e9", "abc", "٣", "0x10"])
def test_int_query_parameters_are_never_a_500(login, value):
    c = login("vp.skhcn")
    for param in ["field", "year", "page", "movement", "unit_field"]:
        resp = c.get(f"/mo-hinh/?{param}={value}")
        assert resp.status_code in (200, 404), (param, resp.status_code)


def test_report_home_with_a_bad_unit_code(login):
    c = login("vp.skhcn")
    resp = c.get("/bao-cao/?don_vi=a/b&nam=2022")
    assert resp.status_code == 200 and "Mã đơn vị «a/b» không hợp lệ" in resp.content.decode()
    resp = c.get("/bao-cao/?don_vi=SKHCN-QNG&nam=" + "9" * 30)
    assert resp.status_code == 200 and "Năm báo cáo không hợp lệ." in resp.content.decode()
    assert c.get("/bao-cao/?don_vi=SKHCN-QNG&nam=2022")["Location"] == "/bao-cao/SKHCN-QNG/2022/"
