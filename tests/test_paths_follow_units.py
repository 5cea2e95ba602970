"""Issue 21, 7b: every stored copy of a unit's path follows the unit when it moves.

The red team's reproduction: the Board moves Thanh tra Sở (TT-SKHCN-QNG) under Sở Nội vụ, then adds a new
unit under Sở KH&CN — it takes the freed path — and gives a role in it to the officer of a unit of another
province (dangbo.stp, Quảng Bình). The newcomer must see nothing of Thanh tra's; Thanh tra's people still
see everything of theirs.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from danvan.movement.models import Submission
from danvan.orgs.models import Level, Membership, OrgUnit, UnitKind

pytestmark = pytest.mark.django_db


def _text(resp) -> str:
    return resp.content.decode()


def _restructure(login) -> tuple[str, list[Submission]]:
    """As the Board would, through the restructuring pages; returns Thanh tra's old path and its submissions."""
    board = login("bdv.quangngai")
    tt = OrgUnit.objects.get(code="TT-SKHCN-QNG")
    old_path = tt.path
    subs = list(Submission.objects.filter(unit=tt))
    assert subs, "the seed gives Thanh tra submissions"
    resp = board.post("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/sap-xep/",
                      {"action": "move", "on": "2025-07-01", "target": "SNV-QNG", "note": "QĐ 123/QĐ-UBND"},
                      follow=True)
    assert "Đã chuyển «Thanh tra Sở Khoa học và Công nghệ» sang «Sở Nội vụ»." in _text(resp)
    form = {"action": "child", "c-code": "PHONG-MOI", "c-name": "Phòng Quản lý mới",
            "c-level": Level.objects.get(code="co-so").pk, "c-kind": UnitKind.objects.get(code="phong-don-vi").pk,
            "c-doc_family": "state", "c-header_name": "", "c-superior_name": "", "c-doc_suffix": "",
            "c-place_name": "Quảng Ngãi", "c-address": "", "c-email": ""}
    resp = board.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/", form, follow=True)
    assert "Đã thêm đơn vị «Phòng Quản lý mới»" in _text(resp)
    assert OrgUnit.objects.get(code="PHONG-MOI").path == old_path  # the newcomer took the freed place
    resp = board.post("/quan-tri-don-vi/don-vi/PHONG-MOI/", {
        "action": "person", "p-username": "dangbo.stp", "p-full_name": "Đảng bộ Sở Tư pháp",
        "p-email": "dangbo.stp@quangbinh.gov.vn", "p-role": "leader", "p-title": "Chuyên viên"}, follow=True)
    assert Membership.objects.filter(user__username="dangbo.stp", unit__code="PHONG-MOI").exists(), _text(resp)
    return old_path, subs


def _downloads(client: Client, sub: Submission) -> list[str]:
    """Every document of the submission as the API lists them, the same on the page, and the dossier files."""
    listed = client.get(f"/api/submissions/{sub.pk}/documents")
    api = [u for i in listed.json()["items"] for u in i["urls"].values()]
    pages = [u.replace(f"/api/submissions/{sub.pk}/documents/", f"/ho-so/{sub.pk}/van-ban/") for u in api]
    return api + pages + [f"/ho-so/{sub.pk}/tep/{w}/" for w in ("cong-van", "phat-dong", "ban-ky")]


def test_a_moved_unit_takes_its_submissions_and_the_newcomer_in_its_old_place_sees_none(login, api):
    old_path, subs = _restructure(login)
    tt = OrgUnit.objects.get(code="TT-SKHCN-QNG")

    newcomer, newcomer_api = login("dangbo.stp"), api("dangbo.stp")
    leader, leader_api = login("ld.tt"), api("ld.tt")
    listed = {s["id"] for s in newcomer_api.get("/api/submissions").json()["items"]}
    assert not listed & {s.pk for s in subs}
    assert {s.pk for s in subs} <= {s["id"] for s in leader_api.get("/api/submissions?limit=200").json()["items"]}
    for sub in subs:
        assert newcomer.get(f"/ho-so/{sub.pk}/").status_code == 404
        assert newcomer_api.get(f"/api/submissions/{sub.pk}").status_code == 404
        assert newcomer_api.get(f"/api/submissions/{sub.pk}/documents").status_code == 404
        page = leader.get(f"/ho-so/{sub.pk}/")
        assert page.status_code == 200 and "Thanh tra Sở Khoa học và Công nghệ" in _text(page)
        assert leader_api.get(f"/api/submissions/{sub.pk}").status_code == 200
        docs = _downloads(leader_api, sub)
        assert len(docs) > 3, "the leader is offered the submission's documents"
        for url in docs:
            via = leader_api if url.startswith("/api/") else leader
            got = via.get(url)
            assert got.status_code in (200, 202, 404), (url, got.status_code)
            assert newcomer_api.get(url).status_code == 404 if url.startswith("/api/") else (
                newcomer.get(url).status_code == 404), url
        assert leader_api.get(docs[0]).status_code in (200, 202)
    # Nor do the newcomer's pages name them: the rounds list, the home page, the search.
    names = [re.escape(s.unit.name) for s in subs]
    for url in ("/dot-dang-ky/", "/", "/mo-hinh/?q=thanh+tra"):
        resp = newcomer.get(url)
        assert resp.status_code == 200, url
        assert not any(re.search(n, _text(resp)) for n in names), url
    # Every stored copy of the path followed the unit.
    assert set(Submission.objects.filter(unit=tt).values_list("unit_path", flat=True)) == {tt.path}
    assert not Submission.objects.filter(unit_path__startswith=old_path).exists()


def test_copies_left_behind_before_the_fix_are_put_back_on_their_units_path(demo):
    """The data migration: a database where moves left submissions behind gets them back in step."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    tt = OrgUnit.objects.get(code="TT-SKHCN-QNG")
    Submission.objects.filter(unit=tt).update(unit_path="000100010009")
    import_module("danvan.movement.migrations.0003_submission_paths_follow_units").resync(
        apps, SimpleNamespace(connection=connection))
    assert set(Submission.objects.filter(unit=tt).values_list("unit_path", flat=True)) == {tt.path}
    assert not Submission.objects.exclude(unit_path__in=OrgUnit.objects.values("path")).exists()
