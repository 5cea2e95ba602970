"""The tree page and the home page count each branch's exemplars in one grouped query, not one per child."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.exemplars.models import Exemplar
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def _queries(client, url: str, table: str = ""):
    """The page and how many queries it made (those reading `table` only, when given)."""
    client.get(url)  # warm the per-request caches (memberships, children, levels)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return resp, sum(1 for q in ctx.captured_queries if table in q["sql"])


def _shown(resp) -> dict[str, int]:
    return {c.code: c.exemplar_count for c in resp.context["children"]}


def _direct(code: str) -> int:
    return Exemplar.objects.alive().filter(unit__path__startswith=OrgUnit.objects.get(code=code).path).count()


def test_the_tree_page_counts_every_child_in_one_query_however_many_children(login):
    from danvan.onboarding import administration

    board = login("bdv.quangngai")
    url = "/don-vi/BDVTU-QNG/"
    resp, before = _queries(board, url)
    shown = _shown(resp)
    assert shown and any(shown.values())
    assert shown == {code: _direct(code) for code in shown}

    parent = OrgUnit.objects.get(code="BDVTU-QNG")
    sibling = OrgUnit.objects.get_children(parent).first()
    by = get_user_model().objects.get(username="bdv.quangngai")
    for i in range(4):
        administration.create_unit(by=by, parent=parent, code=f"THEM-{i}", name=f"Đơn vị thêm {i}",
                                   level=sibling.level, kind=sibling.kind)
    src = Exemplar.objects.alive().filter(unit__path__startswith=parent.path).first()
    Exemplar.objects.filter(pk=src.pk).update(unit=OrgUnit.objects.get(code="THEM-2"))

    resp, after = _queries(board, url)
    shown = _shown(resp)
    assert len(shown) == len(_shown(_queries(board, url)[0])) and "THEM-3" in shown
    assert shown == {code: _direct(code) for code in shown} and shown["THEM-2"] >= 1
    assert after == before, f"{before} queries with the seed's children, {after} with four more"


def test_the_home_page_counts_each_membership_without_a_query_each(login):
    from danvan.orgs.models import Membership, Role

    board = login("bdv.quangngai")
    by = get_user_model().objects.get(username="bdv.quangngai")
    resp, before = _queries(board, "/", "exemplars_exemplar")
    depths = {r["unit"].depth for r in resp.context["rows"]}
    assert before == len(depths)
    # More memberships at the depths already there (the home page's "to do" may read more; the counts do not).
    siblings = OrgUnit.objects.filter(depth__in=depths).exclude(memberships__user=by).order_by("path")[:3]
    for unit in siblings:
        Membership.objects.create(user=by, unit=unit, role=Role.OFFICE)
    resp, after = _queries(board, "/", "exemplars_exemplar")
    rows = resp.context["rows"]
    assert len(rows) >= len(siblings) + 1 and all(r["count"] == _direct(r["unit"].code) for r in rows)
    assert any(r["count"] for r in rows)
    assert after == before, f"{before} count queries before, {after} with {len(siblings)} more memberships"
