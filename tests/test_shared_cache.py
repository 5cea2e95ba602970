"""What pages keep between requests (danvan/foundation/sharedcache.py) is used, and is never stale: a role taken away,
a unit renamed or a notification received shows on the very next page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.orgs.models import Membership

from .test_rounds import round2023  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _tables_read(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_memberships_and_dropdowns_are_read_once_then_kept(login):
    officer = login("tt.skhcn")
    officer.get("/mo-hinh/")
    queries = _tables_read(officer, "/mo-hinh/")
    # The session, the count, the page's rows, the years: no query per row (a row reads only LIST_COLUMNS).
    assert len(queries) <= 4, queries
    again = " ".join(queries)
    for table in ("orgs_membership", "exemplars_field", "orgs_level", "movement_notification"):
        assert f'FROM "{table}"' not in again, table
    assert 'FROM "exemplars_exemplar"' in again


def test_a_role_taken_away_is_denied_on_the_next_page(login):
    officer = login("tt.skhcn")
    first = officer.get("/mo-hinh/")
    assert first.context["total"] > 0
    mine = first.context["page"].object_list[0]
    assert officer.get(f"/mo-hinh/{mine.pk}/").status_code == 200
    m = Membership.objects.get(user__username="tt.skhcn", unit__code="TT-SKHCN-QNG")
    resp = login("ld.tt").post(f"/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/thanh-vien/{m.pk}/thu-hoi/", follow=True)
    assert "Đã thu hồi" in resp.content.decode()
    assert officer.get("/mo-hinh/").context["total"] == 0
    assert officer.get(f"/mo-hinh/{mine.pk}/").status_code == 404


def test_a_renamed_unit_shows_its_new_name_in_the_dropdown(login):
    from danvan.orgs.models import OrgUnit

    board = login("bdv.quangngai")
    assert ("TT-SKHCN-QNG", "Thanh tra Sở Khoa học và Công nghệ") in board.get("/mo-hinh/").context["units"]
    # A write that bypasses model signals (a queryset update, as bulk imports and restructuring do).
    OrgUnit.objects.filter(code="TT-SKHCN-QNG").update(name="Thanh tra Sở (tên mới)")
    assert ("TT-SKHCN-QNG", "Thanh tra Sở (tên mới)") in board.get("/mo-hinh/").context["units"]


def test_the_unread_badge_follows_a_reminder_and_the_notifications_page(login, round2023):  # noqa: F811
    rnd, relay = round2023
    member = login("cc.tdc")
    assert member.get("/mo-hinh/").context["unread_notifications"] == 1  # the relay reached the Chi cục
    cc_sub = relay.submissions.get(unit__code="CCTDC-QNG")
    resp = login("vp.skhcn").post(f"/dot-dang-ky/{relay.pk}/nhac/", {"submission": [cc_sub.pk], "message": "Gấp."},
                                  follow=True)
    assert "Đã nhắc: Chi cục" in resp.content.decode()
    assert member.get("/mo-hinh/").context["unread_notifications"] == 2
    assert "Gấp." in member.get("/thong-bao/").content.decode()
    assert member.get("/mo-hinh/").context["unread_notifications"] == 0


def test_the_signed_in_user_is_kept_and_forgotten_when_their_row_changes(login):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    officer = login("tt.skhcn")
    officer.get("/mo-hinh/")
    assert 'FROM "auth_user"' not in " ".join(_tables_read(officer, "/mo-hinh/"))
    # A save of the row (what the admin page and a password change do) signs the user out at once…
    u = User.objects.get(username="tt.skhcn")
    u.set_password("MatKhauMoi@2026")
    u.save()
    assert officer.get("/mo-hinh/").status_code == 302
    # …and so does a bulk write to the table, such as deactivating many accounts.
    other = login("vp.skhcn")
    assert other.get("/mo-hinh/").status_code == 200
    User.objects.filter(username__in=["vp.skhcn"]).update(is_active=False)
    assert other.get("/mo-hinh/").status_code == 302
    # Someone else's login (a save of their own row) leaves this user's kept row alone, and they stay signed in.
    board = login("bdv.quangngai")
    board.get("/mo-hinh/")
    login("ld.tt")
    assert 'FROM "auth_user"' not in " ".join(_tables_read(board, "/mo-hinh/"))


def test_a_lost_generation_never_revives_an_old_value(login):
    """Redis may evict or lose the generation key while an old value survives: the old value must not match."""
    from django.core.cache import cache

    from danvan.foundation import sharedcache

    board = login("bdv.quangngai")
    cache.delete(sharedcache._gen_key("org"))  # the group starts afresh, as after a restart of Redis
    board.get("/mo-hinh/")
    old_gen = cache.get(sharedcache._gen_key("org"))
    from danvan.orgs.models import OrgUnit

    OrgUnit.objects.filter(code="TT-SKHCN-QNG").update(name="Tên sau khi đổi")
    cache.delete(sharedcache._gen_key("org"))  # evicted
    units = dict(board.get("/mo-hinh/").context["units"])
    assert units["TT-SKHCN-QNG"] == "Tên sau khi đổi"
    assert cache.get(sharedcache._gen_key("org")) != old_gen


def test_completeness_children_and_breadcrumbs_show_a_renamed_unit_at_once(api, login, round2023):  # noqa: F811
    """The children of a completeness table and the tree page's breadcrumbs are kept (orgs.tree)."""
    from danvan.orgs.models import OrgUnit

    rnd, relay = round2023
    board = api("bdv.quangngai")

    def children() -> set[str]:
        return {c["name"] for c in board.get(f"/api/rounds/{rnd.pk}/completeness").json()["children"]}

    page = login("bdv.quangngai")
    assert "Sở Khoa học và Công nghệ" in children()
    assert ">Sở Khoa học và Công nghệ<" in page.get("/don-vi/TT-SKHCN-QNG/").content.decode()
    OrgUnit.objects.filter(code="SKHCN-QNG").update(name="Sở Khoa học (tên mới)")
    assert "Sở Khoa học (tên mới)" in children()
    crumbs = page.get("/don-vi/TT-SKHCN-QNG/").content.decode()
    assert ">Sở Khoa học (tên mới)<" in crumbs and ">Sở Khoa học và Công nghệ<" not in crumbs
