"""The change history as a person reads it (issue 16 §8): labels and values, never field names, codes or ids."""

from __future__ import annotations

import re

import pytest

from danvan.exemplars.models import Exemplar, Field, Movement
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

NAME = "Số hóa hồ sơ lưu trữ của cơ quan"


def _history(page: str) -> str:
    section = page[page.index("Lịch sử thay đổi"):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)).replace(" :", ":")


def test_the_history_shows_labels_and_values_as_the_pages_do(login, demo):
    office = login("vp.skhcn")  # Lê Đức Tuấn
    unit = OrgUnit.objects.get(code="VP-SKHCN-QNG")
    finance = Field.objects.get(name="Lĩnh vực Tài chính, Văn phòng")
    resp = office.post("/mo-hinh/them/", {
        "unit": unit.pk, "year": 2022, "movement": Movement.objects.get(period_start=2021).pk, "field": finance.pk,
        "name": NAME, "collective": "on", "content_problem": "Hồ sơ giấy nhiều, khó tra cứu.", "new": "on"})
    assert resp.status_code == 302
    ex = Exemplar.objects.get(name=NAME)
    resp = office.post(f"/mo-hinh/{ex.pk}/sua/", {
        "unit": unit.pk, "year": 2022, "movement": ex.movement_id, "field": finance.pk, "version": ex.version,
        "name": NAME + " bằng phần mềm", "individual": "on", "content_problem": "Hồ sơ giấy nhiều.", "new": "on"})
    assert resp.status_code == 302
    ex.refresh_from_db()
    assert office.post(f"/mo-hinh/{ex.pk}/tien-do/", {
        "version": ex.version, "date": "15/12/2022", "text": "Đã quét 1.200 hồ sơ."}).status_code == 302

    history = _history(office.get(f"/mo-hinh/{ex.pk}/").content.decode())
    assert f"Tên mô hình, điển hình: {NAME} → {NAME} bằng phần mềm" in history
    assert "Hình thức: Mô hình tập thể → Mô hình cá nhân" in history
    assert "Trạng thái: Đã đăng ký → Đang xây dựng" in history
    assert "Lê Đức Tuấn" in history
    for internal in ("status", "registered", "building", "collective", "individual", "content_problem", "kind",
                     "updated_by", "None"):
        assert not re.search(rf"\b{internal}\b", history), internal
