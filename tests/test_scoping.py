"""Scoping: every user sees exactly the subtrees of their units — through every door."""

import pytest

from danvan.exemplars.models import Exemplar

pytestmark = pytest.mark.django_db


def _listed(client, query=""):
    resp = client.get("/mo-hinh/" + query)
    assert resp.status_code == 200
    return resp.content.decode()


@pytest.mark.parametrize("username, count", [("vp.skhcn", 3), ("ld.skhcn", 3), ("bdv.quangngai", 5)])
def test_sở_and_board_see_the_three_seed_exemplars(login, seed_exemplars, username, count):
    html = _listed(login(username))
    # The Sở sees exactly seed 001's three; the Board also sees Sở Nội vụ's two (2021, and the 2022 replica).
    assert f"Có <strong>{count}</strong> mô hình" in html
    for name in seed_exemplars:
        assert name.replace('"', "&quot;") in html


def test_dangbo_stp_sees_none(login, seed_exemplars):
    client = login("dangbo.stp")
    html = _listed(client)
    assert "Có <strong>0</strong> mô hình" in html
    assert "tiết kiệm điện" not in html
    # Filters and counts do not leak either.
    assert "Có <strong>0</strong>" in _listed(client, "?unit=SKHCN-QNG&subtree=1")
    assert "Có <strong>0</strong>" in _listed(client, "?year=2021")
    assert "Sở Khoa học" not in client.get("/").content.decode()


def test_unit_officer_sees_own_unit_only(login, seed_exemplars):
    html = _listed(login("tt.skhcn"))
    assert "Có <strong>1</strong> mô hình" in html
    assert "tiếp công dân" in html and "tiết kiệm điện" not in html


def test_guessed_pk_is_404_and_post_changes_nothing(login, seed_exemplars):
    ex = seed_exemplars["Thực hiện tiết kiệm điện trong cơ quan"]
    client = login("dangbo.stp")
    assert client.get(f"/mo-hinh/{ex.pk}/").status_code == 404
    assert client.get(f"/mo-hinh/{ex.pk}/sua/").status_code == 404
    resp = client.post(f"/mo-hinh/{ex.pk}/sua/", {"name": "Bị sửa trộm"})
    assert resp.status_code == 404
    assert client.post(f"/mo-hinh/{ex.pk}/xoa/").status_code == 404
    ex.refresh_from_db()
    assert ex.name == "Thực hiện tiết kiệm điện trong cơ quan" and ex.deleted_at is None


def test_sibling_officer_can_read_nothing_and_edit_nothing(login, seed_exemplars):
    ex = seed_exemplars["Thực hiện tiết kiệm điện trong cơ quan"]  # Văn phòng Sở
    client = login("cc.tdc")  # Chi cục, a sibling unit
    assert client.get(f"/mo-hinh/{ex.pk}/").status_code == 404
    assert client.post(f"/mo-hinh/{ex.pk}/xoa/").status_code == 404
    assert Exemplar.objects.alive().count() == 5


def test_tree_pages_are_scoped(login, demo):
    board = login("bdv.quangngai")
    html = board.get("/don-vi/").content.decode()
    assert "Ban Dân vận Tỉnh ủy Quảng Ngãi" in html and "Đảng bộ Sở Tư pháp" not in html
    html = board.get("/don-vi/SKHCN-QNG/").content.decode()
    assert "Chi cục Tiêu chuẩn Đo lường Chất lượng" in html and "Thanh tra Sở" in html
    assert board.get("/don-vi/DBSTP-QB/").status_code == 404
    assert login("dangbo.stp").get("/don-vi/SKHCN-QNG/").status_code == 404


def test_anonymous_is_sent_to_login(client, demo):
    resp = client.get("/mo-hinh/")
    assert resp.status_code == 302 and resp["Location"].startswith("/dang-nhap/")


@pytest.mark.parametrize("path", [
    "/quan-tri/", "/quan-tri/orgs/orgunit/", "/quan-tri/orgs/membership/", "/quan-tri/orgs/level/",
    "/quan-tri/orgs/unitkind/", "/quan-tri/exemplars/exemplar/", "/quan-tri/exemplars/field/",
    "/quan-tri/exemplars/fieldcategory/", "/quan-tri/exemplars/movement/", "/quan-tri/movement/registrationround/",
    "/quan-tri/movement/submission/", "/quan-tri/movement/reminder/", "/quan-tri/movement/notification/",
])
def test_admin_pages_render_in_vietnamese(login, path):
    resp = login("admin").get(path + ("?q=Quảng" if path.count("/") > 3 else ""))
    assert resp.status_code == 200, path
    assert "Quản trị" in resp.content.decode()


def test_list_pages_pick_the_same_rows_in_the_same_order(login, seed_exemplars):
    """The list fetches a page's rows by id in a subquery: same rows, same order as slicing the list itself."""
    from django.contrib.auth import get_user_model

    from danvan.exemplars.selectors import visible_exemplars
    from danvan.exemplars.views import _PageByIds

    qs = visible_exemplars(get_user_model().objects.get(username="bdv.quangngai"))
    pages = _PageByIds(qs.select_related("unit", "field"))
    assert pages.count() == qs.count() == 5
    for start, stop in [(0, 2), (2, 4), (4, 6)]:
        assert [e.pk for e in pages[start:stop]] == [e.pk for e in qs[start:stop]]
    html = _listed(login("bdv.quangngai"), "?page=2")
    assert "Có <strong>5</strong> mô hình" in html


def test_unit_dropdown_lists_the_visible_units_escaped_with_the_chosen_one_selected(login, seed_exemplars):
    from django.template import Context, Template

    html = _listed(login("vp.skhcn"), "?unit=SKHCN-QNG")
    assert '<option value="SKHCN-QNG" selected>Sở Khoa học và Công nghệ' in html
    assert "DBSTP-QB" not in html
    out = Template("{% load danvan_format %}{% options pairs chosen %}").render(
        Context({"pairs": [("a\"<", "x & 'y' <b>"), (2, "hai")], "chosen": 2}))
    assert out == ('<option value="a&quot;&lt;">x &amp; &#x27;y&#x27; &lt;b&gt;</option>'
                   '<option value="2" selected>hai</option>')
