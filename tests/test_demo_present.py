"""Issue 22 §5: `danvan loaddemo` brings the seeds' story to December 2026 — the Board renamed from 03/02/2025,
Sở TT&TT merged into Sở KH&CN, Kon Tum merged into Quảng Ngãi and Sơn Tịnh's district abolished through the plan
import, the 2026–2030 period and the renamed Board's 2026 round under way — through the pages of each persona."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from danvan.movement.models import RegistrationRound
from danvan.onboarding.models import ImportKind, ImportRun, UnitSuccession
from danvan.ops.demo import DEMO_PASSWORD
from danvan.orgs.models import OrgUnit

from .test_office_letters import _docx_text

pytestmark = pytest.mark.django_db


def _text(resp) -> str:
    return re.sub(r"\s+", " ", resp.content.decode())


def _as(username: str) -> Client:
    c = Client()
    resp = c.post("/dang-nhap/", {"username": username, "password": DEMO_PASSWORD})
    assert resp.status_code == 302, resp.content.decode()[:500]
    return c


def test_loaddemo_tells_the_story_up_to_2026_and_again_changes_nothing():
    call_command("loaddemo", stdout=io.StringIO())
    steps = UnitSuccession.objects.count()
    call_command("loaddemo", stdout=io.StringIO())
    assert UnitSuccession.objects.count() == steps == 9
    assert OrgUnit.objects.count() == 9 + 8 + 96 + 3
    assert UnitSuccession.objects.filter(batch__isnull=False).count() == 9  # every step from a plan
    _the_board_sees_its_2026_tree_and_its_round_counts_the_same_units()
    _letters_print_the_names_of_their_own_dates()
    _the_departments_and_the_new_commune_see_the_present()
    _the_communes_front_board_launches_for_its_residential_areas()
    _the_final_review_counts_each_year_on_its_own_tree()


def _the_board_sees_its_2026_tree_and_its_round_counts_the_same_units():
    board = _as("bdv.quangngai")
    home = _text(board.get("/"))
    assert "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi" in home
    page = _text(board.get("/don-vi/BDVTU-QNG/"))
    assert "BTGDVTU" in page and escape("Ban Dân vận Tỉnh ủy Kon Tum (BDVTU-KT, đến 01/07/2025)") in page
    assert escape("đã hợp nhất vào «Sở Khoa học và Công nghệ» từ 01/03/2025") in page
    rnd = RegistrationRound.objects.get(issuer__code="BDVTU-QNG", year=2026)
    working = OrgUnit.objects.get_children(OrgUnit.objects.get(code="BDVTU-QNG")).filter(valid_to__isnull=True)
    assert rnd.submissions.count() == working.count() == 98  # two departments and the 96 communes
    # The tree page counts the same 98 working units, the two that ended apart.
    tree = _text(board.get("/don-vi/"))
    assert "98 <span class=\"muted\">(và 2 đã kết thúc)</span>" in tree
    assert rnd.movement.period_start == 2026 and rnd.movement.period_end == 2030
    history = _text(board.get("/quan-tri-don-vi/lich-su-sap-xep/"))
    assert escape("Một bước của kế hoạch «ke-hoach-sap-xep-01-07-2025.csv»") in history
    assert ImportRun.objects.filter(kind=ImportKind.PLAN, applied_at__isnull=False).count() == 2


def _letters_print_the_names_of_their_own_dates():
    board = _as("bdv.quangngai")
    launch_2021 = RegistrationRound.objects.get(issuer__code="BDVTU-QNG", year=2021, kind="registration")
    text = _docx_text(board.get(f"/dot-dang-ky/{launch_2021.pk}/van-ban/phat-dong.docx"))
    assert "BAN DÂN VẬN" in text and "TUYÊN GIÁO" not in text
    rnd = RegistrationRound.objects.get(issuer__code="BDVTU-QNG", year=2026)
    text = _docx_text(board.get(f"/dot-dang-ky/{rnd.pk}/van-ban/phat-dong.docx"))
    assert "BAN TUYÊN GIÁO VÀ DÂN VẬN" in text and "BTGDVTU" in text


def _the_departments_and_the_new_commune_see_the_present():
    snv = _text(_as("vp.snv").get("/"))
    assert escape('Đăng ký mô hình, điển hình "Dân vận khéo" năm 2026') in snv or \
        'Đăng ký mô hình, điển hình &quot;Dân vận khéo&quot; năm 2026' in snv
    son_tinh = _text(_as("bdv.quangngai").get("/don-vi/DVHC-21220/"))
    assert "Xã Tịnh Hà (X-TINHHA, đến 01/07/2025)" in son_tinh
    assert "Dân vận khéo trong vận động nhân dân hiến đất làm đường giao thông nông thôn" in son_tinh
    assert "Khu dân cư thôn Đông Hòa" in son_tinh  # the split's residential area went to Sơn Tịnh


def _the_communes_front_board_launches_for_its_residential_areas():
    """Law 97/2025/QH15: the commune Front's standing board tracks the residential areas' models, as any issuer."""
    from danvan.exemplars.models import Movement

    front = _as("mt.sontinh")
    unit = OrgUnit.objects.get(code="MTTQ-SONTINH")
    assert unit.kind.name == "Ban Thường trực Ủy ban Mặt trận Tổ quốc cấp xã"
    form = _text(front.get("/dot-dang-ky/phat-dong/"))
    assert "Ban Thường trực Ủy ban MTTQ Việt Nam xã Sơn Tịnh" in form
    resp = front.post("/dot-dang-ky/phat-dong/", {
        "issuer": unit.pk, "movement": Movement.objects.get(period_start=2026).pk, "year": 2026,
        "title": "Đăng ký mô hình \"Dân vận khéo\" ở khu dân cư năm 2026", "guidance": "", "deadline": "20/12/2099",
        "target_mode": "children", "min_total": 1, "min_collective": 0, "min_individual": 0})
    assert resp.status_code == 302, _text(resp)[:2000]
    rnd = RegistrationRound.objects.get(issuer=unit)
    assert sorted(rnd.submissions.values_list("unit__code", flat=True)) == ["KDC-HUNGNHON", "KDC-TRUNGSON"]
    page = _text(front.get(resp["Location"]))
    assert "Khu dân cư thôn Trung Sơn" in page and "Khu dân cư thôn Hưng Nhơn" in page


def _the_final_review_counts_each_year_on_its_own_tree():
    """The 2021–2025 final review (tổng kết) across the reorganisation: the whole period is the sum of its years, and
    2024 counts Tịnh Hà's model on the tree of 2024 (under the district abolished since)."""
    from openpyxl import load_workbook

    from danvan.exemplars.models import Exemplar, Movement
    from danvan.movement.models import SubmissionItem

    m2021 = Movement.objects.get(period_start=2021)
    board = _as("bdv.quangngai")
    assert "Cả giai đoạn 2021 - 2025" in _text(board.get(f"/bao-cao/BDVTU-QNG/giai-doan/{m2021.pk}/"))
    resp = board.get(f"/bao-cao/BDVTU-QNG/giai-doan/{m2021.pk}/tai-ve.xlsx")
    data = b"".join(resp.streaming_content) if resp.streaming else resp.content
    rows = [[c for c in r] for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]
    head = next(r for r in rows if r and "Nội dung" in r)
    registered = next(r for r in rows if r and "Số mô hình, điển hình đăng ký" in r)
    by_year = dict(zip(head[2:], registered[2:], strict=True))
    years = [int(by_year[str(y)]) for y in range(2021, 2026)]
    assert int(by_year["Cả giai đoạn 2021 - 2025"]) == sum(years)
    # Plain counts: the models in dossiers the Board's line sent for each year.
    for y, n in zip(range(2021, 2026), years, strict=True):
        plain = (Exemplar.objects.filter(year=y, unit__path__startswith=OrgUnit.objects.get(code="BDVTU-QNG").path,
                                         pk__in=SubmissionItem.objects.filter(
                                             submission__status__in=["submitted", "accepted"],
                                             submission__round__year=y).values("exemplar_id"))
                 .count())
        assert n == plain, y
    assert years[3] == 1  # 2024: Xã Tịnh Hà, then under Huyện ủy Sơn Tịnh
