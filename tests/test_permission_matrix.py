"""Issue 17 §3: the permission matrix — every predicate of danvan/orgs/permissions.py, for every seed persona
(DOMAIN.md §2, danvan/ops/demo.py) and every seed unit: persona × unit × predicate → expected.

The expected grids are written out by hand from the rules (a member sees their unit's subtree and never a unit
above it; officers and leaders edit their own unit; office, board and admin act on their subtree…), not computed
by the code under test. Their HTTP twins: a member asking for a unit above their own gets a 404 on the round page
and on the dashboard; a late submission is never counted on time in completeness (page, API, CLI).
"""

from __future__ import annotations

import datetime
import io
import json
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from danvan.movement.models import RegistrationRound, Submission
from danvan.orgs import permissions
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

# Columns of every grid, the seed tree in order: Ban Dân vận ⊃ Sở KH&CN ⊃ (Văn phòng, Chi cục, Thanh tra),
# Ban Dân vận ⊃ Sở Nội vụ; Đảng bộ Sở Tư pháp Quảng Bình ⊃ Chi bộ 1 (another province).
UNITS = ["BDVTU-QNG", "SKHCN-QNG", "VP-SKHCN-QNG", "CCTDC-QNG", "TT-SKHCN-QNG", "SNV-QNG", "DBSTP-QB",
         "CB1-DBSTP-QB"]
PERSONAS = ["bdv.quangngai", "vp.skhcn", "ld.skhcn", "tt.skhcn", "cc.tdc", "dangbo.stp", "ld.vp", "ld.tt",
            "ld.cc", "vp.snv", "admin", "anonymous"]

#                      BDV SKH VP  CC  TT  SNV STP CB1
MATRIX = {
    "can_see_unit": """
        bdv.quangngai   x   x   x   x   x   x   .   .
        vp.skhcn        .   x   x   x   x   .   .   .
        ld.skhcn        .   x   x   x   x   .   .   .
        tt.skhcn        .   .   .   .   x   .   .   .
        cc.tdc          .   .   .   x   .   .   .   .
        dangbo.stp      .   .   .   .   .   .   x   x
        ld.vp           .   .   x   .   .   .   .   .
        ld.tt           .   .   .   .   x   .   .   .
        ld.cc           .   .   .   x   .   .   .   .
        vp.snv          .   .   .   .   .   x   .   .
        admin           x   x   x   x   x   x   x   x
        anonymous       .   .   .   .   .   .   .   .
    """,
    "can_edit_unit": """
        bdv.quangngai   x   x   x   x   x   x   .   .
        vp.skhcn        .   x   x   x   x   .   .   .
        ld.skhcn        .   x   .   .   .   .   .   .
        tt.skhcn        .   .   .   .   x   .   .   .
        cc.tdc          .   .   .   x   .   .   .   .
        dangbo.stp      .   .   .   .   .   .   x   .
        ld.vp           .   .   x   .   .   .   .   .
        ld.tt           .   .   .   .   x   .   .   .
        ld.cc           .   .   .   x   .   .   .   .
        vp.snv          .   .   .   .   .   x   .   .
        admin           x   x   x   x   x   x   x   x
        anonymous       .   .   .   .   .   .   .   .
    """,
    # Launch or relay a round from the unit, review its targets, remind them; record a recognition as the unit.
    "can_issue": """
        bdv.quangngai   x   x   x   x   x   x   .   .
        vp.skhcn        .   x   x   x   x   .   .   .
        ld.skhcn        .   .   .   .   .   .   .   .
        tt.skhcn        .   .   .   .   .   .   .   .
        cc.tdc          .   .   .   .   .   .   .   .
        dangbo.stp      .   .   .   .   .   .   .   .
        ld.vp           .   .   .   .   .   .   .   .
        ld.tt           .   .   .   .   .   .   .   .
        ld.cc           .   .   .   .   .   .   .   .
        vp.snv          .   .   .   .   .   x   .   .
        admin           x   x   x   x   x   x   x   x
        anonymous       .   .   .   .   .   .   .   .
    """,
    "can_assess": """
        bdv.quangngai   x   x   x   x   x   x   .   .
        vp.skhcn        .   x   x   x   x   .   .   .
        ld.skhcn        .   x   .   .   .   .   .   .
        tt.skhcn        .   .   .   .   .   .   .   .
        cc.tdc          .   .   .   .   .   .   .   .
        dangbo.stp      .   .   .   .   .   .   .   .
        ld.vp           .   .   x   .   .   .   .   .
        ld.tt           .   .   .   .   x   .   .   .
        ld.cc           .   .   .   x   .   .   .   .
        vp.snv          .   .   .   .   .   x   .   .
        admin           x   x   x   x   x   x   x   x
        anonymous       .   .   .   .   .   .   .   .
    """,
    # Send the unit's registration to the issuer: its leader (or admin), or a subtree role strictly above it.
    "can_submit": """
        bdv.quangngai   .   x   x   x   x   x   .   .
        vp.skhcn        .   .   x   x   x   .   .   .
        ld.skhcn        .   x   .   .   .   .   .   .
        tt.skhcn        .   .   .   .   .   .   .   .
        cc.tdc          .   .   .   .   .   .   .   .
        dangbo.stp      .   .   .   .   .   .   .   .
        ld.vp           .   .   x   .   .   .   .   .
        ld.tt           .   .   .   .   x   .   .   .
        ld.cc           .   .   .   x   .   .   .   .
        vp.snv          .   .   .   .   .   .   .   .
        admin           x   x   x   x   x   x   x   x
        anonymous       .   .   .   .   .   .   .   .
    """,
    # Create, edit, restructure units and grant roles below: the board (and admin role) over the subtree.
    "can_manage_unit": """
        bdv.quangngai   x   x   x   x   x   x   .   .
        vp.skhcn        .   .   .   .   .   .   .   .
        ld.skhcn        .   .   .   .   .   .   .   .
        tt.skhcn        .   .   .   .   .   .   .   .
        cc.tdc          .   .   .   .   .   .   .   .
        dangbo.stp      .   .   .   .   .   .   .   .
        ld.vp           .   .   .   .   .   .   .   .
        ld.tt           .   .   .   .   .   .   .   .
        ld.cc           .   .   .   .   .   .   .   .
        vp.snv          .   .   .   .   .   .   .   .
        admin           x   x   x   x   x   x   x   x
        anonymous       .   .   .   .   .   .   .   .
    """,
    # See and restore a deleted exemplar: the admin role only (no seed persona holds it), not the board.
    "can_restore": """
        bdv.quangngai   .   .   .   .   .   .   .   .
        vp.skhcn        .   .   .   .   .   .   .   .
        ld.skhcn        .   .   .   .   .   .   .   .
        tt.skhcn        .   .   .   .   .   .   .   .
        cc.tdc          .   .   .   .   .   .   .   .
        dangbo.stp      .   .   .   .   .   .   .   .
        ld.vp           .   .   .   .   .   .   .   .
        ld.tt           .   .   .   .   .   .   .   .
        ld.cc           .   .   .   .   .   .   .   .
        vp.snv          .   .   .   .   .   .   .   .
        admin           x   x   x   x   x   x   x   x
        anonymous       .   .   .   .   .   .   .   .
    """,
    # What the unit's letters print: whoever issues for it, and its own leader.
    "can_edit_letter_settings": """
        bdv.quangngai   x   x   x   x   x   x   .   .
        vp.skhcn        .   x   x   x   x   .   .   .
        ld.skhcn        .   x   .   .   .   .   .   .
        tt.skhcn        .   .   .   .   .   .   .   .
        cc.tdc          .   .   .   .   .   .   .   .
        dangbo.stp      .   .   .   .   .   .   .   .
        ld.vp           .   .   x   .   .   .   .   .
        ld.tt           .   .   .   .   x   .   .   .
        ld.cc           .   .   .   x   .   .   .   .
        vp.snv          .   .   .   .   .   x   .   .
        admin           x   x   x   x   x   x   x   x
        anonymous       .   .   .   .   .   .   .   .
    """,
    # grantable_roles: the highest role the persona may give at the unit (o officer … b board, a admin).
    "grantable_roles": """
        bdv.quangngai   b   b   b   b   b   b   .   .
        vp.skhcn        .   .   .   .   .   .   .   .
        ld.skhcn        .   o   .   .   .   .   .   .
        tt.skhcn        .   .   .   .   .   .   .   .
        cc.tdc          .   .   .   .   .   .   .   .
        dangbo.stp      .   .   .   .   .   .   .   .
        ld.vp           .   .   o   .   .   .   .   .
        ld.tt           .   .   .   .   o   .   .   .
        ld.cc           .   .   .   o   .   .   .   .
        vp.snv          .   .   .   .   .   .   .   .
        admin           a   a   a   a   a   a   a   a
        anonymous       .   .   .   .   .   .   .   .
    """,
}
# can_decide asks the same as can_issue (the office, board or admin of the deciding unit): one role set.
MATRIX["can_decide"] = MATRIX["can_issue"]
RANKS = {".": [], "o": ["officer"], "b": ["officer", "leader", "office", "board"],
         "a": ["officer", "leader", "office", "board", "admin"]}

# The predicates about the actor alone: persona → expected.
ACTOR_ONLY = {
    "can_onboard": {"bdv.quangngai", "admin"},
    "can_audit": {"admin"},
    "edits_any_unit": set(PERSONAS) - {"anonymous"},
}
# The querysets behind the lists: persona → codes (the same rules as the grids, for a whole list at once).
LISTS = {
    "visible_units": "can_see_unit",
    "editable_units": "can_edit_unit",
}
ISSUER_UNITS = {  # own units held with a subtree role that have units below them
    "bdv.quangngai": {"BDVTU-QNG"}, "vp.skhcn": {"SKHCN-QNG"}, "admin": {"BDVTU-QNG", "SKHCN-QNG", "DBSTP-QB"},
}


def _grid(text: str) -> dict[tuple[str, str], str]:
    rows = [line.split() for line in text.strip().splitlines()]
    assert [r[0] for r in rows] == PERSONAS and all(len(r) == len(UNITS) + 1 for r in rows)
    return {(r[0], code): mark for r in rows for code, mark in zip(UNITS, r[1:], strict=True)}


def _actor(username: str):
    if username == "anonymous":
        return AnonymousUser()
    return get_user_model().objects.get(username=username)


def _answer(predicate: str, actor, unit: OrgUnit):
    if predicate == "can_submit":  # a registration of that unit, as movement's Submission carries it
        return permissions.can_submit(actor, SimpleNamespace(unit_id=unit.pk, unit_path=unit.path))
    if predicate == "grantable_roles":
        return permissions.grantable_roles(actor, unit)
    return getattr(permissions, predicate)(actor, unit)


@pytest.mark.parametrize("predicate", sorted(MATRIX))
def test_permission_matrix(demo, predicate):
    expected = _grid(MATRIX[predicate])
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=UNITS)}
    wrong = []
    for username in PERSONAS:
        actor = _actor(username)
        for code in UNITS:
            want = expected[(username, code)]
            got = _answer(predicate, actor, units[code])
            if predicate == "grantable_roles":
                ok = got == RANKS[want]
            else:
                ok = got is (want == "x")
            if not ok:
                wrong.append(f"{username} × {code}: expected {want!r}, got {got!r}")
    assert not wrong, f"{predicate}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("predicate", sorted(ACTOR_ONLY))
def test_actor_predicates(demo, predicate):
    got = {u for u in PERSONAS if getattr(permissions, predicate)(_actor(u))}
    assert got == ACTOR_ONLY[predicate]


@pytest.mark.parametrize("selector", sorted(LISTS))
def test_lists_follow_the_matrix(demo, selector):
    expected = _grid(MATRIX[LISTS[selector]])
    for username in PERSONAS:
        got = set(getattr(permissions, selector)(_actor(username)).filter(code__in=UNITS).values_list("code", flat=True))
        assert got == {c for c in UNITS if expected[(username, c)] == "x"}, username


def test_issuer_units(demo):
    for username in PERSONAS:
        got = set(permissions.issuer_units(_actor(username)).filter(code__in=UNITS).values_list("code", flat=True))
        assert got == ISSUER_UNITS.get(username, set()), username


# ---------------------------------------------------------------- HTTP twins


@pytest.mark.parametrize("username, own, above", [
    ("cc.tdc", "CCTDC-QNG", "SKHCN-QNG"),
    ("ld.tt", "TT-SKHCN-QNG", "SKHCN-QNG"),
    ("ld.skhcn", "SKHCN-QNG", "BDVTU-QNG"),
])
def test_member_asking_for_a_unit_above_their_own_gets_404(login, demo, username, own, above):
    client = login(username)
    rounds = list(RegistrationRound.objects.filter(submissions__unit__code=own, year=2022).distinct())
    assert rounds
    for rnd in rounds:
        assert client.get(f"/dot-dang-ky/{rnd.pk}/?don_vi={own}").status_code == 200
        assert client.get(f"/dot-dang-ky/{rnd.pk}/?don_vi={above}").status_code == 404
        assert client.get(f"/dot-dang-ky/{rnd.pk}/?don_vi=BDVTU-QNG").status_code == 404
    assert client.get(f"/don-vi/{own}/thong-ke/").status_code == 200
    assert client.get(f"/don-vi/{above}/thong-ke/").status_code == 404
    assert client.get("/don-vi/BDVTU-QNG/thong-ke/").status_code == 404
    assert client.get(f"/don-vi/{own}/thong-ke/tat-ca.xlsx").status_code == 200
    assert client.get(f"/don-vi/{above}/thong-ke/tat-ca.xlsx").status_code == 404


def _completeness(login, api, rnd_id: int, unit: str) -> list[dict]:
    page = login("vp.skhcn").get(f"/dot-dang-ky/{rnd_id}/?don_vi={unit}").context["c"].total
    from_api = api("vp.skhcn").get(f"/api/rounds/{rnd_id}/completeness?unit={unit}").json()["total"]
    out = io.StringIO()
    call_command("round", "status", str(rnd_id), "--unit", unit, "--json", stdout=out)
    return [page, from_api, json.loads(out.getvalue())["total"]]


def test_late_submission_is_never_counted_on_time(login, api, seed_exemplars):
    sub = Submission.objects.get(unit__code="CCTDC-QNG", round__year=2022)
    assert sub.effective_deadline < timezone.now() - datetime.timedelta(days=1)  # past, and not extended
    before = _completeness(login, api, sub.round_id, "SKHCN-QNG")
    ex = seed_exemplars["Vận động tổ chức, doanh nghiệp tham gia Giải thưởng chất lượng Quốc gia"]
    login("cc.tdc").post(f"/ho-so/{sub.pk}/them-mo-hinh/", {"exemplar": ex.pk, "tiep_tuc": "1", "version": sub.version})
    sub.refresh_from_db()
    resp = login("ld.cc").post(f"/ho-so/{sub.pk}/gui/", {"version": sub.version}, follow=True)
    assert "gửi muộn" in resp.content.decode()
    sub.refresh_from_db()
    assert sub.status == "submitted" and sub.is_late is True
    after = _completeness(login, api, sub.round_id, "SKHCN-QNG")
    for b, a in zip(before, after, strict=True):  # the page, the API and `danvan round status` alike
        assert a["submitted"] == b["submitted"] + 1
        assert a["late"] == b["late"] + 1
        assert a["on_time"] == b["on_time"]
        assert a["on_time"] + a["late"] == a["submitted"]


# can_deactivate (lock an account): actor → the seed persons they may lock — whoever may grant every role the
# person holds, never oneself, a superuser only by a superuser.
DEACTIVATE = {
    "bdv.quangngai": {"vp.skhcn", "ld.skhcn", "tt.skhcn", "cc.tdc", "ld.vp", "ld.tt", "ld.cc", "vp.snv"},
    "ld.tt": {"tt.skhcn"},
    "ld.cc": {"cc.tdc"},
    "admin": set(PERSONAS) - {"admin", "anonymous"},
}


def test_who_may_lock_whom(demo):
    people = [_actor(u) for u in PERSONAS if u != "anonymous"]
    for username in PERSONAS:
        actor = _actor(username)
        got = {p.username for p in people if permissions.can_deactivate(actor, p)}
        assert got == DEACTIVATE.get(username, set()), username
