"""The Django admin is for superusers only (issue 21 §1): its forms know no scope, no grant rule, no sanitizer.

A staff user of Quảng Bình with model permissions tries what the red team did through /quan-tri/: grant
themself the admin role in Quảng Ngãi, move an exemplar there, store raw HTML. Every attempt leaves the database
as it was. And whatever the database holds, the exemplar pages show only sanitized HTML.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from danvan.exemplars.models import Exemplar
from danvan.orgs.models import Membership, OrgUnit

pytestmark = pytest.mark.django_db
SAVING = "Thực hiện tiết kiệm điện trong cơ quan"
EVIL = '<p>Nội dung</p><img src=x onerror="alert(1)"><meta http-equiv="refresh" content="0;url=https://x.test">'


@pytest.fixture
def scoped_staff(demo):
    staff = User.objects.create_user("qt.stp", password="x-Very-long-1", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=[
        "view_exemplar", "change_exemplar", "add_membership", "change_membership", "view_membership",
        "view_orgunit"]))
    own = OrgUnit.objects.get(code="DBSTP-QB")
    Membership.objects.create(user=staff, unit=own, role="admin")
    client = Client()
    assert client.post("/dang-nhap/", {"username": "qt.stp", "password": "x-Very-long-1"}).status_code == 302
    return staff, client


def _state():
    return (sorted(Membership.objects.values_list("user_id", "unit_id", "role")),
            sorted(Exemplar.objects.values_list("pk", "unit_id", "content_problem")))


def test_scoped_staff_cannot_grant_move_or_store_html_through_the_admin(scoped_staff):
    staff, client = scoped_staff
    ex = Exemplar.objects.get(unit__code="VP-SKHCN-QNG", name=SAVING)
    own = OrgUnit.objects.get(code="DBSTP-QB")
    mine = Exemplar.objects.filter(unit__path__startswith=own.path).first()
    other_province = OrgUnit.objects.get(code="BDVTU-QNG")
    before = _state()
    for url in ("/quan-tri/", "/quan-tri/orgs/membership/", "/quan-tri/exemplars/exemplar/",
                f"/quan-tri/exemplars/exemplar/{ex.pk}/change/"):
        resp = client.get(url)
        assert resp.status_code == 302 and resp["Location"].startswith("/quan-tri/login/"), url
    writes = [
        ("/quan-tri/orgs/membership/add/", {"user": staff.pk, "unit": other_province.pk, "role": "admin"}),
        (f"/quan-tri/exemplars/exemplar/{ex.pk}/change/", {"unit": own.pk, "content_problem": EVIL}),
    ]
    if mine is not None:
        writes.append((f"/quan-tri/exemplars/exemplar/{mine.pk}/change/",
                       {"unit": other_province.pk, "content_problem": EVIL}))
    for url, data in writes:
        resp = client.post(url, data)
        assert resp.status_code == 302 and resp["Location"].startswith("/quan-tri/login/"), url
    assert _state() == before
    assert not Membership.objects.filter(user=staff, unit=other_province).exists()


def test_admin_login_says_it_is_for_superusers_and_refuses_staff(scoped_staff):
    page = Client().get("/quan-tri/login/").content.decode()
    assert "chỉ dành cho quản trị viên hệ thống" in page
    resp = Client().post("/quan-tri/login/", {"username": "qt.stp", "password": "x-Very-long-1"})
    assert resp.status_code == 200 and "chỉ dành cho quản trị viên hệ thống" in resp.content.decode()
    assert "_auth_user_id" not in resp.client.session


def test_superuser_uses_the_admin_and_its_edits_are_sanitized(login, demo):
    admin = login("admin")
    index = admin.get("/quan-tri/")
    assert index.status_code == 200 and "chỉ dành cho quản trị viên hệ thống" in index.content.decode()
    ex = Exemplar.objects.get(unit__code="VP-SKHCN-QNG", name=SAVING)
    form = admin.get(f"/quan-tri/exemplars/exemplar/{ex.pk}/change/").context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update(content_problem=EVIL, name="  Thực hiện   tiết kiệm điện\ntrong cơ quan ")
    resp = admin.post(f"/quan-tri/exemplars/exemplar/{ex.pk}/change/", data)
    assert resp.status_code == 302, resp.context["adminform"].form.errors if resp.context else resp
    ex.refresh_from_db()
    assert "onerror" not in ex.content_problem and "<meta" not in ex.content_problem
    assert ex.name == SAVING


def test_exemplar_pages_never_render_unsanitized_html_from_the_database(login, demo):
    ex = Exemplar.objects.get(unit__code="VP-SKHCN-QNG", name=SAVING)
    Exemplar.objects.filter(pk=ex.pk).update(content_problem=EVIL, content_actors=EVIL, content_results=EVIL)
    for client, url in ((login("vp.skhcn"), f"/mo-hinh/{ex.pk}/"), (Client(), f"/cong-khai/{ex.pk}/")):
        html = client.get(url).content.decode()
        assert "<p>Nội dung</p>" in html, url
        assert "onerror" not in html and 'http-equiv="refresh"' not in html, url
