"""The node's dashboard: numbers equal the data, charts are accessible SVG, tables download as CSV/XLSX, scope."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from danvan.exemplars.models import Exemplar, Movement, Recognition
from danvan.foundation.charts import bar_chart, number
from danvan.movement.models import RegistrationRound
from danvan.movement.selectors import completeness
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def _m2021() -> Movement:
    return Movement.objects.get(period_start=2021)


def _url(code: str, extra: str = "") -> str:
    return f"/don-vi/{code}/thong-ke/?phong_trao={_m2021().pk}&tu=2021&den=2025{extra}"


def _table(resp, slug: str):
    return next(t for t in resp.context["dash"].tables if t.slug == slug)


def _count(code: str, **filters) -> int:
    path = OrgUnit.objects.get(code=code).path
    return Exemplar.objects.alive().filter(unit__path__startswith=path, movement=_m2021(), **filters).count()


def test_board_sees_the_province_numbers_equal_to_the_data(login):
    resp = login("bdv.quangngai").get(_url("BDVTU-QNG"))
    assert resp.status_code == 200
    years = {r[0]: r[1:] for r in _table(resp, "nam").rows}
    # Demo: the three seed-001 exemplars of the Sở KH&CN + Sở Nội vụ's own in 2021; its replica in 2022.
    assert years["2021"] == [3, 1, 4, 0, 3]
    assert years["2022"] == [1, 0, 1, 1, 0]
    assert years["2021"][2] == _count("BDVTU-QNG", year=2021)
    assert years["2022"][3] == _count("BDVTU-QNG", year=2022, origin="replication")
    assert _table(resp, "nam").total[1:4] == [4, 1, 5]
    kinds = {r[0]: r[1] for r in _table(resp, "hinh-thuc").rows}
    assert kinds == {"Mô hình tập thể": _count("BDVTU-QNG", kind="collective"),
                     "Mô hình cá nhân": _count("BDVTU-QNG", kind="individual")} == {"Mô hình tập thể": 4,
                                                                                      "Mô hình cá nhân": 1}
    origins = {r[0]: r[1] for r in _table(resp, "nguon-goc").rows}
    assert origins == {"Xây dựng mới": 4, "Nhân rộng": 1}
    levels = {r[0]: r[3] for r in _table(resp, "cap").rows}
    assert levels == {"Cấp tỉnh": _count("BDVTU-QNG", unit__level__code="tinh"), "Cấp huyện": 0,
                      "Cấp cơ sở": _count("BDVTU-QNG", unit__level__code="co-so")} == {
        "Cấp tỉnh": 2, "Cấp huyện": 0, "Cấp cơ sở": 3}
    cats = {r[0]: r[3] for r in _table(resp, "linh-vuc").rows}
    assert cats == {"Phát triển kinh tế": 1, "Văn hóa - xã hội": 0, "Quốc phòng - an ninh": 1,
                    "Xây dựng hệ thống chính trị": 3}
    recognized = {r[0]: r[3] for r in _table(resp, "cong-nhan").rows}
    assert recognized["2022"] == Recognition.objects.filter(decision_date__year=2022).count() == 1
    assert {r[0]: r[1] for r in _table(resp, "khen-thuong").rows}["Giấy khen"] == 1
    top = _table(resp, "nhan-rong-nhieu").rows
    assert top == [["Thực hiện tiết kiệm điện trong cơ quan", "Văn phòng Sở Khoa học và Công nghệ", "2021", 1, 1]]
    page = resp.content.decode()
    # Every chart is an accessible SVG with its data table next to it.
    assert page.count('role="img"') == len(resp.context["dash"].tables)
    assert "<title>Mô hình đã nhập theo năm</title>" in page
    assert 'aria-label="Mô hình đã nhập theo năm. 2021: 4 mô hình (Tập thể 3, Cá nhân 1)' in page
    assert "Số liệu của biểu đồ “Mô hình theo lĩnh vực”" in page
    assert "<script" not in page.split("<main", 1)[1]


def test_round_completeness_reuses_the_completeness_counts(login):
    resp = login("vp.skhcn").get(_url("SKHCN-QNG"))
    rows = _table(resp, "hoan-thanh").rows
    node = OrgUnit.objects.get(code="SKHCN-QNG")
    for year in (2021, 2022):
        rnd = RegistrationRound.objects.get(issuer__code="BDVTU-QNG", year=year, kind="registration")
        total = completeness(rnd, node).total
        row = next(r for r in rows if r[1] == str(year))
        assert row[2:] == [total["expected"], total["on_time"], total["late"], total["accepted"], total["returned"],
                           total["expected"] - total["submitted"], total["rate"]]
    row2021 = next(r for r in rows if r[1] == "2021")
    assert row2021[2] == 4 and row2021[-1] == 100.0  # the Sở and its three units all sent in 2021


def test_office_dashboard_of_its_department(login):
    resp = login("vp.skhcn").get(_url("SKHCN-QNG"))
    assert resp.status_code == 200
    years = {r[0]: r[3] for r in _table(resp, "nam").rows}
    assert years["2021"] == _count("SKHCN-QNG", year=2021) == 3  # seed 001: three exemplars
    from danvan.movement.models import Submission

    sent = Submission.objects.get(unit__code="SKHCN-QNG", round__year=2021, round__kind="registration")
    assert sent.items.count() == sent.n_total == years["2021"]  # what the Sở sent up in 2021
    assert years["2022"] == 0
    # The Văn phòng's model was replicated by the Sở Nội vụ (outside this subtree): still counted as spread.
    assert _table(resp, "nhan-rong-nhieu").rows[0][3] == 1
    assert sum(r[3] for r in _table(resp, "nhan-rong").rows) == 0
    page = resp.content.decode()
    assert "Sở Nội vụ" not in page.split("<main", 1)[1].split("Tiến độ gửi đăng ký")[0]


def test_csv_and_xlsx_hold_the_rows_shown(login):
    client = login("bdv.quangngai")
    shown = _table(client.get(_url("BDVTU-QNG")), "nam")
    resp = client.get(f"/don-vi/BDVTU-QNG/thong-ke/nam.csv?phong_trao={_m2021().pk}&tu=2021&den=2025")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    assert 'filename="thong-ke-nam-BDVTU-QNG-2021-2025.csv"' in resp["Content-Disposition"]
    text = resp.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Năm", "Tập thể", "Cá nhân", "Tổng số", "Trong đó nhân rộng", "Đã xây dựng"]
    assert rows[1] == ["2021", "3", "1", "4", "0", "3"]
    assert rows[2] == ["2022", "1", "0", "1", "1", "0"]
    assert rows[-1] == ["Tổng cộng", "4", "1", "5", "1", "3"]
    assert len(rows) == 1 + len(shown.rows) + 1

    resp = client.get(f"/don-vi/BDVTU-QNG/thong-ke/linh-vuc.xlsx?phong_trao={_m2021().pk}&tu=2021&den=2025")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    header = values.index(["Lĩnh vực", "Tập thể", "Cá nhân", "Tổng số", "Đã xây dựng", "Tỷ lệ xây dựng (%)"])
    body = {r[0]: r[1:] for r in values[header + 1:]}
    assert body["Xây dựng hệ thống chính trị"] == (3, 0, 3, 1, 33.3) or \
        body["Xây dựng hệ thống chính trị"] == [3, 0, 3, 1, 33.3]
    assert list(body["Tổng cộng"]) == [4, 1, 5, 3, 60.0]
    assert "Ban Dân vận Tỉnh ủy Quảng Ngãi" in str(values[0][0])

    everything = client.get(f"/don-vi/BDVTU-QNG/thong-ke/tat-ca.xlsx?phong_trao={_m2021().pk}&tu=2021&den=2025")
    wb = load_workbook(io.BytesIO(everything.content))
    assert wb.sheetnames[:3] == ["nam", "linh-vuc", "hinh-thuc"] and "nhan-rong-nhieu" in wb.sheetnames
    assert client.get("/don-vi/BDVTU-QNG/thong-ke/khong-co.csv").status_code == 404
    assert client.get("/don-vi/BDVTU-QNG/thong-ke/nam.pdf").status_code == 404


def test_scope_outside_is_404_and_login_is_required(login, client):
    snv = login("vp.snv")
    assert snv.get("/don-vi/SKHCN-QNG/thong-ke/").status_code == 404
    assert snv.get("/don-vi/SKHCN-QNG/thong-ke/nam.csv").status_code == 404
    assert snv.get("/don-vi/BDVTU-QNG/thong-ke/").status_code == 404
    officer = login("tt.skhcn")
    assert officer.get("/don-vi/SKHCN-QNG/thong-ke/").status_code == 404
    assert officer.get("/don-vi/TT-SKHCN-QNG/thong-ke/").status_code == 200
    assert officer.get("/don-vi/KHONG-CO/thong-ke/").status_code == 404
    assert snv.get("/don-vi/SNV-QNG/thong-ke/").status_code == 200
    anonymous = client.get("/don-vi/BDVTU-QNG/thong-ke/")
    assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]
    assert client.get("/don-vi/BDVTU-QNG/thong-ke/nam.csv").status_code == 302


def test_deleted_exemplars_do_not_count_and_bad_years_fall_back(login, reopen):
    from danvan.exemplars.services import delete_exemplar

    board = login("bdv.quangngai")
    ex = Exemplar.objects.get(unit__code="CCTDC-QNG", year=2021)
    reopen(ex)
    delete_exemplar(exemplar=ex, by=ex.created_by)
    years = {r[0]: r[3] for r in _table(board.get(_url("BDVTU-QNG")), "nam").rows}
    assert years["2021"] == 3
    resp = board.get("/don-vi/BDVTU-QNG/thong-ke/?tu=abc&den=99999")
    assert resp.status_code == 200 and "không hợp lệ" in resp.content.decode()
    swapped = board.get("/don-vi/BDVTU-QNG/thong-ke/?tu=2022&den=2021&phong_trao=tat-ca")
    assert swapped.context["dash"].year_from == 2021 and swapped.context["dash"].year_to == 2022
    assert "đã đổi chỗ hai năm" in swapped.content.decode()
    empty = board.get("/don-vi/BDVTU-QNG/thong-ke/?tu=2016&den=2016&phong_trao=tat-ca").content.decode()
    assert "chưa có mô hình nào được nhập" in empty and "Chưa có số liệu." in empty
    assert board.get("/don-vi/BDVTU-QNG/thong-ke/?phong_trao=999999").status_code == 200


def test_tree_and_home_link_to_the_dashboard(login):
    board = login("bdv.quangngai")
    assert 'href="/don-vi/BDVTU-QNG/thong-ke/"' in board.get("/don-vi/BDVTU-QNG/").content.decode()
    assert 'href="/don-vi/SKHCN-QNG/thong-ke/"' in board.get("/don-vi/BDVTU-QNG/").content.decode()
    assert 'href="/don-vi/BDVTU-QNG/thong-ke/"' in board.get("/").content.decode()


def test_vietnamese_numbers_and_empty_chart():
    assert number(1234567) == "1.234.567" and number(1234) == "1.234" and number(12) == "12"
    assert number(12.5) == "12,5" and number(100.0) == "100" and number(1234.5) == "1.234,5" and number(None) == "—"
    svg = bar_chart("Thử", ["A", "B"], [("Số", [1200, 0])], "mô hình")
    assert 'aria-label="Thử. A: 1.200 mô hình; B: 0 mô hình."' in svg and svg.count("<rect") == 1
    empty = bar_chart("Thử <b>", [], [("Số", [])])
    assert "Chưa có số liệu." in empty and "<b>" not in empty and "&lt;b&gt;" in empty


def test_the_dashboard_is_a_fixed_number_of_aggregate_queries(login, django_assert_max_num_queries):
    """No query per exemplar or per unit: adding exemplars does not add queries."""
    from danvan.exemplars.services import create_exemplar

    board = login("bdv.quangngai")
    board.get(_url("BDVTU-QNG"))
    with django_assert_max_num_queries(27) as before:
        board.get(_url("BDVTU-QNG"))
    src = Exemplar.objects.get(unit__code="VP-SKHCN-QNG", year=2021)
    for code in ("CCTDC-QNG", "TT-SKHCN-QNG"):
        unit = OrgUnit.objects.get(code=code)
        create_exemplar(by=src.created_by, unit=unit, year=2023, movement=_m2021(), field=src.field,
                        name=f"Nhân rộng tại {code}", kind="collective", origin="replication", source=src,
                        content_problem="<p>Nhân rộng.</p>")
    with django_assert_max_num_queries(len(before.captured_queries) + 1):  # + one spread generation
        resp = board.get(_url("BDVTU-QNG"))
    assert {r[0]: r[4] for r in _table(resp, "nam").rows}["2023"] == 2
    assert _table(resp, "nhan-rong-nhieu").rows[0][3:] == [3, 3]


def test_dashboard_links_the_child_units_dashboards(login):
    html = login("bdv.quangngai").get("/don-vi/BDVTU-QNG/thong-ke/?phong_trao=tat-ca").content.decode()
    section = html.split("Thống kê của các đơn vị trực thuộc", 1)[1].split("</section>", 1)[0]
    assert "/don-vi/SKHCN-QNG/thong-ke/?phong_trao=tat-ca" in section and "Sở Khoa học và Công nghệ" in section
    assert "/don-vi/SNV-QNG/thong-ke/" in section
    assert "/don-vi/TT-SKHCN-QNG/thong-ke/" not in section  # a grandchild is one level further down


def test_chart_labels_cut_alike_keep_their_ends():
    """Issue 16 §10: two long labels with the same start are not drawn as the same cut text."""
    from danvan.foundation.charts import bar_chart

    a = 'Đăng ký mô hình, điển hình "Dân vận khéo" năm 2022 (Ban Dân vận Tỉnh ủy)'
    b = 'Đăng ký mô hình, điển hình "Dân vận khéo" năm 2021 (Ban Dân vận Tỉnh ủy)'
    svg = str(bar_chart("Tiến độ", [a, b], [("Đã gửi", [2, 5])], "đơn vị"))
    import re

    shown = re.findall(r'text-anchor="end"[^>]*>([^<]*)<', svg)
    assert len(shown) == 2 and shown[0] != shown[1] and all(len(s) <= 30 for s in shown), shown
    assert "2022" in shown[0] and "2021" in shown[1]
