"""Issue 16 item 2: steps lead to the next. A model registered from a dossier takes the dossier's year and
movement and comes back attached; the dossier says who acts next; steps others will see ask first."""

from __future__ import annotations

from danvan.exemplars.models import Exemplar, Field
from danvan.movement.models import Status, Submission

NAME = "Số hóa hồ sơ kiểm định đo lường năm 2022"


def _cc_2022() -> Submission:
    return Submission.objects.get(unit__code="CCTDC-QNG", round__year=2022)


def _payload(**extra) -> dict:
    field = Field.objects.get(name="Lĩnh vực Tiêu chuẩn Đo lường Chất lượng")
    return {"field": field.pk, "name": NAME, "collective": "on", "address": "Quảng Ngãi",
            "content_problem": "Scan và lưu trữ hồ sơ kiểm định.", "new": "on", **extra}


def test_register_from_the_dossier_and_come_back_with_the_model_attached(login, demo):
    sub = _cc_2022()
    officer = login("cc.tdc")
    page = officer.get(f"/ho-so/{sub.pk}/").content.decode()
    assert f"/mo-hinh/them/?ho_so={sub.pk}" in page
    assert "Chờ đơn vị thêm đủ mô hình theo chỉ tiêu" in page
    assert "/bieu-mau-trong.docx" in page  # the blank form wherever a filled one can be uploaded
    form = officer.get(f"/mo-hinh/them/?ho_so={sub.pk}")
    assert form.context["form"]["year"].value() == 2022 and "hồ sơ" in form.content.decode()
    # The year and movement are the round's, whatever is posted.
    resp = officer.post(f"/mo-hinh/them/?ho_so={sub.pk}", _payload(year=2030), follow=True)
    assert resp.redirect_chain[-1][0] == f"/ho-so/{sub.pk}/"
    ex = Exemplar.objects.get(name=NAME)
    assert (ex.year, ex.movement_id, ex.unit.code) == (2022, sub.round.movement_id, "CCTDC-QNG")
    assert sub.items.filter(exemplar=ex).exists()
    html = resp.content.decode()
    assert "Đã thêm mô hình, điển hình vào hồ sơ" in html and NAME in html
    assert "Chờ lãnh đạo đơn vị phê duyệt và gửi." in html
    # The leader's "Phê duyệt và gửi" asks first; sent, the dossier says who acts next.
    leader = login("ld.cc")
    page = leader.get(f"/ho-so/{sub.pk}/").content.decode()
    assert 'data-confirm="Phê duyệt và gửi hồ sơ lên' in page
    sub.refresh_from_db()
    page = leader.post(f"/ho-so/{sub.pk}/gui/", {"version": sub.version}, follow=True).content.decode()
    assert "Chờ Sở Khoa học và Công nghệ tiếp nhận hoặc trả lại." in page
    assert 'data-confirm="Tiếp nhận hồ sơ' in login("vp.skhcn").get(f"/ho-so/{sub.pk}/").content.decode()


def test_a_sent_dossier_is_not_a_place_to_register_into(login, demo):
    sub = Submission.objects.get(unit__code="VP-SKHCN-QNG", round__year=2022)
    assert sub.status == Status.ACCEPTED
    officer = login("vp.skhcn")
    form = officer.get(f"/mo-hinh/them/?ho_so={sub.pk}")
    assert form.context["dossier"] is None
    resp = officer.post(f"/mo-hinh/them/?ho_so={sub.pk}",
                        _payload(unit=sub.unit_id, year=2022, movement=sub.round.movement_id,
                                 field=Field.objects.get(name="Lĩnh vực Tài chính, Văn phòng").pk))
    ex = Exemplar.objects.get(name=NAME)
    assert resp["Location"] == f"/mo-hinh/{ex.pk}/" and not sub.items.filter(exemplar=ex).exists()
