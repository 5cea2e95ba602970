"""The public showcase /cong-khai/: only published, alive, recognized exemplars; nothing personal; cacheable."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from danvan.exemplars import lifecycle
from danvan.exemplars.models import Exemplar, LifecycleEvent, Recognition
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db
SAVING = "Thực hiện tiết kiệm điện trong cơ quan"


def _saving() -> Exemplar:
    return Exemplar.objects.get(unit__code="VP-SKHCN-QNG", year=2021, name=SAVING)


def _rec() -> Recognition:
    return Recognition.objects.get(exemplar=_saving(), by_unit__code="BDVTU-QNG")


def test_demo_publishes_the_recognized_exemplar_and_anyone_reads_it(demo):
    rec = _rec()
    assert rec.published and rec.published_by.username == "bdv.quangngai" and rec.published_at
    resp = Client().get("/cong-khai/")
    assert resp.status_code == 200
    page = resp.content.decode()
    assert SAVING in page and "Văn phòng Sở Khoa học và Công nghệ" in page and "1 mô hình." in page
    ex = _saving()
    detail = Client().get(f"/cong-khai/{ex.pk}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    for shown in (SAVING, "Văn phòng Sở Khoa học và Công nghệ", "2021", "Quyết định số 125-QĐ/BDVTU ngày 15/09/2022",
                  "Giấy khen", "126-QĐ/BDVTU", "Đã được nhân rộng tại <strong>1</strong> mô hình: cấp tỉnh 1",
                  "Xây dựng hệ thống chính trị"):
        assert shown in text, shown
    assert "<p>" in text  # the sanitized content parts are shown as HTML


def test_public_pages_are_cacheable_and_need_no_session(demo, login):
    for url in ("/cong-khai/", f"/cong-khai/{_saving().pk}/", "/cong-khai/?q=tiet+kiem+dien"):
        resp = Client().get(url)
        assert resp.status_code == 200
        cache = {p.strip() for p in resp["Cache-Control"].split(",")}
        assert cache == {"public", "max-age=300"}
        assert not resp.cookies, "a public page must not set a cookie (session, CSRF)"
        assert "cookie" not in resp.get("Vary", "").lower()
        assert "Đăng xuất" not in resp.content.decode()
    # A logged-in user sees the same public page, without the app's navigation or their name.
    page = login("bdv.quangngai").get("/cong-khai/").content.decode()
    assert "Đăng xuất" not in page and "Đợt đăng ký" not in page and "Phạm Thị Thu" not in page
    assert "X-CSRFToken" not in page
    assert Client().post("/cong-khai/").status_code == 405
    assert 'href="/cong-khai/"' in Client().get("/dang-nhap/").content.decode()
    assert "Mô hình tiêu biểu (công khai)" in Client().get("/dang-nhap/").content.decode()


def test_search_is_accent_insensitive_and_never_finds_unpublished(demo):
    found = Client().get("/cong-khai/?q=tiet+kiem+dien")
    assert "Thực hiện <mark>tiết</mark> <mark>kiệm</mark> <mark>điện</mark> trong cơ quan" in found.content.decode()
    assert f'href="/cong-khai/{_saving().pk}/"' in found.content.decode()
    # The Thanh tra's exemplar (tiếp công dân, khiếu nại) is registered, not recognized, not public.
    assert Client().get("/dang-nhap/").status_code == 200
    other = Client().get("/cong-khai/?q=tiếp+công+dân").content.decode()
    assert "giải quyết khiếu nại" not in other and "Tìm thấy 1 mô hình." in other  # only the public one matches
    other = Client().get("/cong-khai/?q=khieu+nai+to+cao").content.decode()
    assert "Không tìm thấy mô hình tiêu biểu nào phù hợp với “khieu nai to cao”." in other
    # The Sở Nội vụ's replica has the same name but is not recognized: the search finds one result only.
    assert Exemplar.objects.filter(name=SAVING).count() == 2
    assert "Tìm thấy 1 mô hình." in found.content.decode()
    assert SAVING in Client().get("/cong-khai/?nam=2021&linh_vuc=he-thong-chinh-tri").content.decode()
    assert "Không tìm thấy mô hình tiêu biểu nào" in Client().get("/cong-khai/?nam=2022").content.decode()
    assert SAVING not in Client().get("/cong-khai/?linh_vuc=kinh-te").content.decode()
    for bad in ("x" * 2000, '"*-NEAR\'', "🙂 tiết kiệm 电", "'; DROP TABLE x;--", "", "?page=abc"):
        assert Client().get("/cong-khai/", {"q": bad, "nam": "abc", "page": "999"}).status_code == 200


def test_nothing_personal_or_unpublished_leaks(demo):
    ex = _saving()
    # Another recognition of the same exemplar, not published by its body: its decision must not show.
    skhcn = OrgUnit.objects.get(code="SKHCN-QNG")
    from django.contrib.auth import get_user_model

    vp = get_user_model().objects.get(username="vp.skhcn")
    lifecycle.recognize(exemplar=ex, by=vp, by_unit=skhcn, decision_number="77-QĐ/SKHCN",
                        decision_date=datetime.date(2022, 10, 1), note="Ghi chú nội bộ")
    pages = Client().get("/cong-khai/").content.decode() + Client().get(f"/cong-khai/{ex.pk}/").content.decode()
    pages += Client().get("/cong-khai/?q=tiet+kiem").content.decode()
    for secret in ("77-QĐ/SKHCN", "Ghi chú nội bộ", "vp.skhcn", "bdv.quangngai", "ld.vp", "@danvan.local",
                   "Phạm Thị Thu", "Lê Đức Tuấn", "Lê Văn Hùng", "tắt thiết bị khi ra khỏi phòng",  # progress text
                   "minh-chung", "Điện năng tiêu thụ năm 2021 giảm 12% so với năm 2020.",  # assessment comment
                   "Công nhận mô hình \"Dân vận khéo\" cấp tỉnh năm 2022.",  # the decision's internal note
                   "202A, đường Trường Chinh",  # the address
                   "Sở Nội vụ", "Lịch sử thay đổi", "csrfmiddlewaretoken"):
        assert secret not in pages, secret
    # Guessing ids: every exemplar but the published one is a 404, so is one that does not exist.
    for other in Exemplar.objects.exclude(pk=ex.pk):
        assert Client().get(f"/cong-khai/{other.pk}/").status_code == 404
    last = Exemplar.objects.order_by("-pk").first()
    assert last is not None
    assert Client().get(f"/cong-khai/{last.pk + 1}/").status_code == 404
    assert Client().get("/cong-khai/abc/").status_code == 404


def test_deleted_or_withdrawn_exemplars_disappear(demo, reopen):
    from danvan.exemplars.services import delete_exemplar, restore_exemplar

    ex = _saving()
    reopen(ex)
    admin = ex.created_by
    delete_exemplar(exemplar=ex, by=admin)
    assert Client().get(f"/cong-khai/{ex.pk}/").status_code == 404
    assert SAVING not in Client().get("/cong-khai/").content.decode()
    assert "Chưa có mô hình nào được công khai." in Client().get("/cong-khai/").content.decode()
    from django.contrib.auth import get_user_model

    restore_exemplar(exemplar=ex, by=get_user_model().objects.get(username="admin"))
    assert Client().get(f"/cong-khai/{ex.pk}/").status_code == 200


def test_the_recognizing_board_publishes_and_withdraws_with_who_and_when(login):
    ex = _saving()
    board = login("bdv.quangngai")
    page = board.get(f"/mo-hinh/{ex.pk}/").content.decode()
    assert "Đã công khai" in page and "Thôi công khai" in page and f'href="/cong-khai/{ex.pk}/"' in page
    rec = _rec()
    resp = board.post(f"/mo-hinh/{ex.pk}/cong-khai/{rec.pk}/", {"published": "0", "version": ex.version}, follow=True)
    assert "Đã thôi công khai mô hình." in resp.content.decode()
    rec.refresh_from_db()
    assert not rec.published and rec.published_by.username == "bdv.quangngai"
    assert Client().get(f"/cong-khai/{ex.pk}/").status_code == 404
    assert "Không tìm thấy mô hình tiêu biểu nào" in Client().get("/cong-khai/?q=tiet+kiem+dien").content.decode()
    event = LifecycleEvent.objects.filter(exemplar=ex).last()
    assert event.action == "unpublish" and event.by.username == "bdv.quangngai" and "125-QĐ/BDVTU" in event.comment
    ex.refresh_from_db()
    assert ex.history.first().history_change_reason == "Thôi công khai"
    # A stale page is refused.
    stale = board.post(f"/mo-hinh/{ex.pk}/cong-khai/{rec.pk}/", {"published": "1", "version": ex.version - 1},
                       follow=True)
    assert "vừa được người khác sửa" in stale.content.decode()
    assert not Recognition.objects.get(pk=rec.pk).published
    again = board.post(f"/mo-hinh/{ex.pk}/cong-khai/{rec.pk}/", {"published": "1", "version": ex.version},
                       follow=True)
    assert "Đã công khai mô hình" in again.content.decode()
    assert Client().get(f"/cong-khai/{ex.pk}/").status_code == 200
    assert LifecycleEvent.objects.filter(exemplar=ex).last().action == "publish"
    # Twice the same decision is a message, not a change.
    ex.refresh_from_db()
    twice = board.post(f"/mo-hinh/{ex.pk}/cong-khai/{rec.pk}/", {"published": "1", "version": ex.version},
                       follow=True)
    assert "Mô hình đã được công khai." in twice.content.decode()


def test_only_the_recognizing_body_may_publish(login):
    ex = _saving()
    rec = _rec()
    office = login("vp.skhcn")  # office of the Sở: sees the exemplar, but did not recognize it
    assert "Thôi công khai" not in office.get(f"/mo-hinh/{ex.pk}/").content.decode()
    for username in ("vp.skhcn", "tt.skhcn", "ld.vp", "vp.snv"):
        resp = login(username).post(f"/mo-hinh/{ex.pk}/cong-khai/{rec.pk}/", {"published": "0", "version": ex.version})
        assert resp.status_code == 404, username
    assert Recognition.objects.get(pk=rec.pk).published
    assert Client().post(f"/mo-hinh/{ex.pk}/cong-khai/{rec.pk}/", {"published": "0"}).status_code == 302
    assert login("bdv.quangngai").get(f"/mo-hinh/{ex.pk}/cong-khai/{rec.pk}/").status_code == 405
    assert Recognition.objects.get(pk=rec.pk).published
