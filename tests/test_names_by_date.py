"""Issue 22 §3: bodies renamed on a date. The Board of seed 001 became "Ban Tuyên giáo và Dân vận Tỉnh ủy" on
3 February 2025 (DOMAIN.md §3b); its 2021 letters still print "BAN DÂN VẬN", a letter of today the new name."""

from __future__ import annotations

import re

import pytest

from danvan.exemplars.models import Movement
from danvan.movement.models import RegistrationRound, Submission
from danvan.onboarding.models import UnitChange
from danvan.orgs.models import FormerName, Level, OrgUnit, UnitKind

from .test_office_letters import _docx_text

PAGE = "/quan-tri-don-vi/don-vi/BDVTU-QNG/"
NEW = {"u-name": "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi", "u-header_name": "BAN TUYÊN GIÁO VÀ DÂN VẬN",
       "u-doc_suffix": "BTGDVTU"}


def _edit(**changes) -> dict:
    board = OrgUnit.objects.get(code="BDVTU-QNG")
    form = {"action": "edit", "u-code": board.code, "u-name": board.name, "u-header_name": board.header_name,
            "u-superior_name": board.superior_name, "u-level": Level.objects.get(pk=board.level_id).pk,
            "u-kind": UnitKind.objects.get(pk=board.kind_id).pk, "u-doc_suffix": board.doc_suffix,
            "u-place_name": board.place_name, "u-address": board.address, "u-email": board.email,
            "u-doc_family": board.doc_family}
    return {**form, **changes}


def _page(resp) -> str:
    return re.sub(r"\s+", " ", resp.content.decode())


def test_a_renaming_asks_its_date_and_refuses_a_future_or_earlier_one(login, demo):
    board = login("bdv.quangngai")
    resp = board.post(PAGE, _edit(**NEW))
    assert "ghi ngày đổi tên (văn bản trước ngày đó vẫn in tên cũ), hoặc đánh dấu «Chỉ sửa lỗi»" in _page(resp)
    assert OrgUnit.objects.get(code="BDVTU-QNG").name == "Ban Dân vận Tỉnh ủy Quảng Ngãi"
    resp = board.post(PAGE, _edit(**NEW, **{"u-renamed_on": "03/02/2099"}))
    assert "Ngày đổi tên 03/02/2099 chưa đến" in _page(resp)
    assert not FormerName.objects.exists()

    resp = board.post(PAGE, _edit(**NEW, **{"u-renamed_on": "03/02/2025"}), follow=True)
    text = _page(resp)
    assert "văn bản từ ngày 03/02/2025 in tên mới" in text
    assert "Tên trước đây" in text and "<td>BAN DÂN VẬN</td>" in text and "<td>03/02/2025</td>" in text
    unit = OrgUnit.objects.get(code="BDVTU-QNG")
    assert (unit.name, unit.doc_suffix) == ("Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi", "BTGDVTU")
    former = FormerName.objects.get(unit=unit)
    assert (former.name, former.header_name, former.doc_suffix, former.created_by.username) == (
        "Ban Dân vận Tỉnh ủy Quảng Ngãi", "BAN DÂN VẬN", "BDVTU", "bdv.quangngai")
    change = UnitChange.objects.filter(unit=unit).latest("pk")
    assert change.changes["renamed_on"] == ["", "03/02/2025"]

    # A second renaming must come after the first; a typo fix needs no date and keeps no former name.
    resp = board.post(PAGE, _edit(**{"u-name": "Ban Tuyên giáo - Dân vận", "u-renamed_on": "01/01/2025"}))
    assert "đã đổi tên ngày 03/02/2025; lần đổi tên mới phải sau ngày đó" in _page(resp)
    resp = board.post(PAGE, _edit(**{"u-address": "Số 1 Hùng Vương", "u-correction": "on"}), follow=True)
    assert "Đã lưu thông tin đơn vị." in _page(resp)
    assert FormerName.objects.count() == 1


def test_a_2021_letter_prints_the_old_names_and_a_new_one_the_new(login, demo):
    board = login("bdv.quangngai")
    board.post(PAGE, _edit(**NEW, **{"u-renamed_on": "03/02/2025"}))

    launch_2021 = RegistrationRound.objects.get(issuer__code="BDVTU-QNG", year=2021, kind="registration")
    text = _docx_text(board.get(f"/dot-dang-ky/{launch_2021.pk}/van-ban/phat-dong.docx"))
    assert "BAN DÂN VẬN" in text and "TUYÊN GIÁO" not in text
    assert "Ban Dân vận Tỉnh ủy Quảng Ngãi đề nghị" in text

    # The department's 2021 registration (signed 27/4/2021) is addressed to the Board by its name of then.
    sub = Submission.objects.get(unit__code="SKHCN-QNG", round=launch_2021)
    text = _docx_text(login("vp.skhcn").get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx"))
    assert "Kính gửi Ban Dân vận Tỉnh ủy Quảng Ngãi theo dõi, tổng hợp" in text
    assert "Tuyên giáo" not in text

    resp = board.post("/dot-dang-ky/phat-dong/", {
        "issuer": OrgUnit.objects.get(code="BDVTU-QNG").pk, "movement": Movement.objects.get(period_start=2021).pk,
        "year": 2025, "title": "Đăng ký năm 2025", "guidance": "", "deadline": "30/12/2099",
        "target_mode": "children", "min_total": 1, "min_collective": 0, "min_individual": 0}, follow=True)
    assert resp.status_code == 200
    new_round = RegistrationRound.objects.filter(issuer__code="BDVTU-QNG").latest("pk")
    assert new_round.year == 2025
    text = _docx_text(board.get(f"/dot-dang-ky/{new_round.pk}/van-ban/phat-dong.docx"))
    assert "BAN TUYÊN GIÁO VÀ DÂN VẬN" in text and "BAN DÂN VẬN\n" not in text
    assert "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi đề nghị" in text
    assert re.search(r"Số:?\s*[^\n]*-?BTGDVTU", text), "the new suffix is printed"


@pytest.mark.parametrize("day, name", [("2025-02-02", "Ban Dân vận Tỉnh ủy Quảng Ngãi"),
                                       ("2025-02-03", "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi")])
def test_the_names_change_on_the_day_itself(login, demo, day, name):
    import datetime

    login("bdv.quangngai").post(PAGE, _edit(**NEW, **{"u-renamed_on": "03/02/2025"}))
    unit = OrgUnit.objects.get(code="BDVTU-QNG")
    assert unit.names_on(datetime.date.fromisoformat(day)).name == name
