"""Issue 16 §8: the tree and people templates speak Vietnamese (column headers, the help sheet), and an import
takes the labels the pages show — level, kind, text family, role — as well as the codes. Downloaded over HTTP,
filled with seed content, uploaded back through the pages, applied."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import Workbook, load_workbook

from danvan.orgs.models import DocFamily, Membership, OrgUnit, Role

pytestmark = pytest.mark.django_db


def _text(resp) -> str:
    return resp.content.decode()


def _filled(template: bytes, rows: list[list[str]]) -> bytes:
    """The downloaded workbook with rows typed under its header, as a person fills it in Excel."""
    src = load_workbook(io.BytesIO(template))
    wb = Workbook()
    ws = wb.active
    first = src.worksheets[0]
    ws.title = first.title
    ws.append([c.value for c in next(first.iter_rows(max_row=1))])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload_and_apply(client, kind: str, data: bytes) -> str:
    f = io.BytesIO(data)
    f.name = "da-dien.xlsx"
    preview = client.post(f"/quan-tri-don-vi/nhap/{kind}/", {"upload": f}, follow=True)
    assert "Tệp hợp lệ" in _text(preview), _text(preview)[:3000]
    return _text(client.post(preview.wsgi_request.path, follow=True))


def test_the_tree_template_is_vietnamese_and_takes_the_labels_the_pages_show(login):
    board = login("bdv.quangngai")
    resp = board.get("/quan-tri-don-vi/mau/cay-don-vi.xlsx")
    wb = load_workbook(io.BytesIO(resp.content))
    head = [c.value for c in next(wb.worksheets[0].iter_rows(max_row=1))]
    assert head[:5] == ["Mã đơn vị", "Tên đầy đủ", "Mã đơn vị cấp trên", "Cấp", "Loại đơn vị"]
    assert "code" not in head and "parent_code" not in head
    notes = {r[0].value: r[1].value for r in wb["Hướng dẫn"].iter_rows(min_row=2)}
    assert "Cấp tỉnh (tinh)" in notes["Cấp"] and "Văn bản của Đảng (party)" in notes["Thể thức văn bản"]
    csv = board.get("/quan-tri-don-vi/mau/cay-don-vi.csv").content.decode("utf-8-sig")
    assert csv.startswith("Mã đơn vị,Tên đầy đủ,Mã đơn vị cấp trên,Cấp,Loại đơn vị")
    # Seed 004's "Phòng TH-DT&TG, BDV Tỉnh ủy": level, kind and family as the pages name them; one row by codes.
    data = _filled(resp.content, [
        ["PTHDTTG-BDVTU", "Phòng Tổng hợp - Dân tộc và Tôn giáo", "BDVTU-QNG", "Cấp huyện",
         "Cơ quan tham mưu, giúp việc Tỉnh ủy", "PHÒNG TH-DT&TG", "BAN DÂN VẬN TỈNH ỦY", "TH-DT&TG", "Quảng Ngãi",
         "", "Văn bản của Đảng"],
        ["PTCTC-BDVTU", "Phòng Tổ chức - Cán bộ", "BDVTU-QNG", "huyen", "ban-dang", "", "", "", "", "", ""],
    ])
    done = _upload_and_apply(board, "cay-don-vi", data)
    assert "Đã" in done
    unit = OrgUnit.objects.select_related("level", "kind").get(code="PTHDTTG-BDVTU")
    assert (unit.level.name, unit.kind.name, unit.doc_family) == ("Cấp huyện", "Cơ quan tham mưu, giúp việc Tỉnh ủy",
                                                                   DocFamily.PARTY)
    assert OrgUnit.objects.get(code="PTCTC-BDVTU").kind.code == "ban-dang"


def test_the_people_template_is_vietnamese_and_takes_role_labels(login, django_capture_on_commit_callbacks):
    board = login("bdv.quangngai")
    resp = board.get("/quan-tri-don-vi/mau/nguoi-dung.xlsx")
    head = [c.value for c in next(load_workbook(io.BytesIO(resp.content)).worksheets[0].iter_rows(max_row=1))]
    assert head == ["Tên đăng nhập", "Họ và tên", "Thư điện tử", "Mã đơn vị", "Vai trò", "Chức danh"]
    data = _filled(resp.content, [
        ["cv.vp2", "Nguyễn Thị Hoa", "hoa.vp@quangngai.gov.vn", "VP-SKHCN-QNG", "Cán bộ đơn vị", "Chuyên viên"],
        ["ld.tt2", "Đặng Văn Minh", "minh.tt@quangngai.gov.vn", "TT-SKHCN-QNG", "leader", "Phó Chánh Thanh tra"],
    ])
    with django_capture_on_commit_callbacks(execute=True):
        done = _upload_and_apply(board, "nguoi-dung", data)
    assert "Thư kích hoạt đang được gửi cho 2 người" in done
    roles = dict(Membership.objects.filter(user__username__in=["cv.vp2", "ld.tt2"])
                 .values_list("user__username", "role"))
    assert roles == {"cv.vp2": Role.OFFICER, "ld.tt2": Role.LEADER}
    assert get_user_model().objects.get(username="cv.vp2").get_full_name() == "Nguyễn Thị Hoa"


def test_an_unknown_level_is_refused_naming_the_levels_as_the_pages_do(login):
    board = login("bdv.quangngai")
    data = _filled(board.get("/quan-tri-don-vi/mau/cay-don-vi.xlsx").content, [
        ["X-BDVTU", "Phòng thử", "BDVTU-QNG", "Cấp thôn", "Cơ quan tham mưu, giúp việc Tỉnh ủy"]])
    f = io.BytesIO(data)
    f.name = "sai.xlsx"
    page = _text(board.post("/quan-tri-don-vi/nhap/cay-don-vi/", {"upload": f}, follow=True))
    assert "Cấp «Cấp thôn» không có; các cấp: Cấp tỉnh (tinh)" in page
    assert not OrgUnit.objects.filter(code="X-BDVTU").exists()
