"""Issue 16 §8: merged and retired units are marked as such wherever they are listed and never offered as targets
(round targets, restructuring targets and successors, people import units); the restructuring form takes dates
as dd/mm/yyyy and its units from a list, not typed codes."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone

from danvan.exemplars.models import Movement
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _text(resp) -> str:
    return resp.content.decode()


def _restructure(client: Client, code: str, **data):
    return client.post(f"/quan-tri-don-vi/don-vi/{code}/sap-xep/", data, follow=True)


@pytest.fixture
def ended(login):
    """As the Board, from the pages: the Chi cục retires today and the Thanh tra merges into the Văn phòng."""
    board = login("bdv.quangngai")
    day = TODAY.strftime("%d/%m/%Y")
    done = _restructure(board, "CCTDC-QNG", action="retire", on=day, note="Quyết định 12/QĐ-UBND")
    assert "kết thúc hoạt động từ " + day in _text(done)
    done = _restructure(board, "VP-SKHCN-QNG", action="merge", on=day, merged="TT-SKHCN-QNG")
    assert "Đã hợp nhất 1 đơn vị" in _text(done)
    return board


def test_the_restructuring_form_takes_dd_mm_yyyy_and_offers_units_from_a_list(login):
    board = login("bdv.quangngai")
    page = _text(board.get("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/sap-xep/"))
    assert 'type="date"' not in page
    assert f'value="{TODAY:%d/%m/%Y}"' in page and "dd/mm/yyyy" in page
    assert '<datalist id="restructure-units">' in page and 'value="Văn phòng Sở Khoa học và Công nghệ (VP-SKHCN-QNG)"' in page
    assert 'type="checkbox" name="merged" value="CCTDC-QNG"' in page and 'data-filter="pick-successors"' in page
    # The target as the list shows it ("name (code)") is understood.
    moved = _restructure(board, "TT-SKHCN-QNG", action="move", on=TODAY.strftime("%d/%m/%Y"),
                         target="Văn phòng Sở Khoa học và Công nghệ (VP-SKHCN-QNG)")
    assert "Đã chuyển «Thanh tra Sở Khoa học và Công nghệ» sang «Văn phòng Sở Khoa học và Công nghệ»" in _text(moved)
    bad = _restructure(board, "CCTDC-QNG", action="retire", on="31/02/2025")
    assert "Nhập một ngày hợp lệ." in _text(bad)
    assert OrgUnit.objects.get(code="CCTDC-QNG").valid_to is None


def test_ended_units_are_marked_where_they_are_listed(ended):
    day = f"{TODAY:%d/%m/%Y}"
    tree = _text(ended.get("/don-vi/SKHCN-QNG/"))
    assert "đã kết thúc hoạt động từ " + day in tree
    assert "đã hợp nhất vào «Văn phòng Sở Khoa học và Công nghệ» từ " + day in tree
    assert "đã hợp nhất vào" in _text(ended.get("/don-vi/TT-SKHCN-QNG/"))
    unit_page = _text(ended.get("/quan-tri-don-vi/don-vi/SKHCN-QNG/"))
    assert "đã kết thúc hoạt động từ " + day in unit_page


def test_an_ended_unit_is_no_round_target_and_posting_it_is_refused(ended, login, units):
    office = login("vp.skhcn")
    page = office.get("/dot-dang-ky/phat-dong/")
    offered = {u.pk for u in page.context["form"].fields["target_units"].queryset}
    assert units["CCTDC-QNG"].pk not in offered and units["TT-SKHCN-QNG"].pk not in offered
    assert units["VP-SKHCN-QNG"].pk in offered
    resp = office.post("/dot-dang-ky/phat-dong/", {
        "issuer": units["SKHCN-QNG"].pk, "movement": Movement.objects.get(period_start=2021).pk, "year": 2023,
        "title": "Đăng ký mô hình năm 2023", "deadline": (TODAY + datetime.timedelta(days=30)).strftime("%d/%m/%Y"),
        "target_mode": "chosen", "target_units": [units["CCTDC-QNG"].pk], "min_total": 1, "min_collective": 0,
        "min_individual": 0})
    assert "đã hợp nhất, chia tách hay kết thúc hoạt động" in _text(resp)
    from danvan.movement.models import RegistrationRound

    assert not RegistrationRound.objects.filter(title="Đăng ký mô hình năm 2023").exists()


def test_an_ended_unit_is_no_restructuring_target_and_posting_it_is_refused(ended):
    page = _text(ended.get("/quan-tri-don-vi/don-vi/SNV-QNG/sap-xep/"))
    assert "(CCTDC-QNG)" not in page and 'value="CCTDC-QNG"' not in page and "(TT-SKHCN-QNG)" not in page
    moved = _restructure(ended, "SNV-QNG", action="move", on=TODAY.strftime("%d/%m/%Y"), target="CCTDC-QNG")
    assert "đã hợp nhất, chia tách hoặc kết thúc hoạt động từ" in _text(moved)
    assert "không chọn làm đơn vị cấp trên mới được" in _text(moved)
    split = _restructure(ended, "SNV-QNG", action="split", on=TODAY.strftime("%d/%m/%Y"),
                         successors=["CCTDC-QNG", "VP-SKHCN-QNG"])
    assert "«Chi cục Tiêu chuẩn Đo lường Chất lượng» đã hợp nhất, chia tách hoặc kết thúc hoạt động" in _text(split)
    assert OrgUnit.objects.get(code="SNV-QNG").valid_to is None


def test_the_people_import_refuses_an_ended_unit(ended):
    f = io.BytesIO(("username,full_name,email,unit_code,role,title\n"
                    "cb.cc9,Trần Văn Chín,chin@quangngai.gov.vn,CCTDC-QNG,officer,Chuyên viên\n").encode())
    f.name = "nguoi.csv"
    resp = ended.post("/quan-tri-don-vi/nhap/nguoi-dung/", {"upload": f}, follow=True)
    assert "đã hợp nhất, chia tách hoặc kết thúc hoạt động từ" in _text(resp)
    assert "không thêm người vào được" in _text(resp)


def test_unit_pickers_mark_an_ended_unit(ended, login):
    day = f"{TODAY:%d/%m/%Y}"
    form = _text(login("admin").get("/mo-hinh/them/"))
    assert "Chi cục Tiêu chuẩn Đo lường Chất lượng — đã hợp nhất hoặc kết thúc hoạt động từ " + day in form
    assert "Văn phòng Sở Khoa học và Công nghệ — đã" not in form


def test_an_ended_unit_takes_no_new_people_and_no_new_units(ended):
    """The unit page of a retired unit still shows its forms' refusals in Vietnamese; nothing is saved."""
    from django.contrib.auth.models import User

    before_users, before_units = User.objects.count(), OrgUnit.objects.count()
    page = _text(ended.post("/quan-tri-don-vi/don-vi/CCTDC-QNG/", {
        "action": "person", "p-username": "moi.cctdc", "p-full_name": "Người Mới", "p-email": "moi@example.vn",
        "p-role": "officer"}, follow=True))
    assert "đã hợp nhất, chia tách hoặc kết thúc hoạt động từ" in page and "không thêm người vào đơn vị này được" in page
    page = _text(ended.post("/quan-tri-don-vi/don-vi/CCTDC-QNG/", {
        "action": "person", "p-username": "cc.tdc", "p-role": "officer"}, follow=True))
    assert "không cấp vai trò tại đơn vị này được" in page
    from danvan.orgs.models import Level, UnitKind

    page = _text(ended.post("/quan-tri-don-vi/don-vi/CCTDC-QNG/", {
        "action": "child", "c-code": "PHONG-MOI", "c-name": "Phòng mới", "c-level": Level.objects.get(code="co-so").pk,
        "c-kind": UnitKind.objects.get(code="phong-don-vi").pk, "c-doc_family": "state"}, follow=True))
    assert "không thêm đơn vị trực thuộc được" in page
    assert (User.objects.count(), OrgUnit.objects.count()) == (before_users, before_units)
