"""The counts kept for the top of the tree (reports.tally) stay equal to a recount after every kind of change,
and the province's dashboard and statistics read from them show the same numbers as a scan."""

from __future__ import annotations

import functools
import json

import pytest
from django.core.management import call_command

from danvan.exemplars.models import Exemplar, Field, Movement
from danvan.onboarding.selectors import moves_after
from danvan.orgs.models import Level, OrgUnit
from danvan.reports import stats, tally
from danvan.reports.models import SubtreeTally

from .test_api import _json, _new, _post

# Every model of the years, sent in a dossier or not: what the tally keeps (section 3.3 as the dossiers hold it is
# tests/test_year_holds.py).
compute = functools.partial(stats.compute, held=False)
by_branch = functools.partial(stats.by_branch, held=False)

pytestmark = pytest.mark.django_db


def _rows() -> list[tuple]:
    assert not SubtreeTally.objects.filter(n__lt=0).exists()
    assert not SubtreeTally.objects.filter(not_built__lt=0).exists()
    return sorted(SubtreeTally.objects.filter(n__gt=0).values_list(
        "ancestor__code", "movement_id", "year", "kind", "origin", "field_id", "level_id", "n", "not_built"))


def assert_in_step() -> None:
    """What the saves kept equals a full recount."""
    kept = _rows()
    tally.rebuild()
    assert kept == _rows()


def _scan_and_tally_agree(code: str, settings) -> dict:
    node = OrgUnit.objects.get(code=code)
    movement = Movement.objects.get(period_start=2021)
    assert tally.covers(node, ([], []))
    read = compute(node, movement, 2021, 2025).to_dict()
    settings.DANVAN_TALLY_DEPTH = 0
    scanned = compute(OrgUnit.objects.get(code=code), movement, 2021, 2025).to_dict()
    settings.DANVAN_TALLY_DEPTH = 2
    assert read == scanned
    return read


def _dashboard_total(client, code: str) -> int:
    m = Movement.objects.get(period_start=2021)
    resp = client.get(f"/don-vi/{code}/thong-ke/?phong_trao={m.pk}&tu=2021&den=2025")
    assert resp.status_code == 200
    table = next(t for t in resp.context["dash"].tables if t.slug == "nam")
    return table.total[3]


def test_demo_counts_are_kept_for_the_province_and_its_departments(demo, settings):
    codes = set(SubtreeTally.objects.values_list("ancestor__code", flat=True))
    assert {"BDVTU-QNG", "SKHCN-QNG", "SNV-QNG"} <= codes
    assert "TT-SKHCN-QNG" not in codes  # third level: scanned, not kept
    assert_in_step()
    for code in ("BDVTU-QNG", "SKHCN-QNG", "SNV-QNG"):
        _scan_and_tally_agree(code, settings)
    # The province's branch table (its own models, then each department's) reads them too.
    m = Movement.objects.get(period_start=2021)
    for year in (2021, 2022):
        def table(year=year):
            rows, total = by_branch(OrgUnit.objects.get(code="BDVTU-QNG"), m, year)
            return [(r.unit.code if r.unit else None, r.registered, r.built, r.replicated, r.recognized)
                    for r in [*rows, total]]
        kept = table()
        settings.DANVAN_TALLY_DEPTH = 0
        assert table() == kept
        settings.DANVAN_TALLY_DEPTH = 2
        assert sum(r[1] for r in kept[:-1]) == kept[-1][1] > 0


def test_api_create_edit_delete_restore_move_the_counts(api, login, settings):
    board = login("bdv.quangngai")
    before = _dashboard_total(board, "BDVTU-QNG")
    officer = api("tt.skhcn")
    ex = _json(_post(officer, "/api/exemplars", _new()), 201)["exemplar"]
    assert_in_step()
    assert _dashboard_total(board, "BDVTU-QNG") == before + 1
    other_field = Field.objects.filter(owner__code="SKHCN-QNG").exclude(pk=ex["field"]).first()
    upd = _json(_post(officer, f"/api/exemplars/{ex['id']}", {
        "version": 1, "kind": "individual", "year": 2024, "field": other_field.pk}, "patch"), 200)
    assert upd["exemplar"]["kind"] == "individual"
    assert_in_step()
    after_edit = _scan_and_tally_agree("BDVTU-QNG", settings)
    assert after_edit["totals"]["registered"]["total"] == before + 1
    _json(officer.delete(f"/api/exemplars/{ex['id']}"), 200)
    assert_in_step()
    assert _dashboard_total(board, "BDVTU-QNG") == before
    _json(api("admin").post(f"/api/exemplars/{ex['id']}/restore"), 200)
    assert_in_step()
    assert _dashboard_total(board, "BDVTU-QNG") == before + 1


def test_progress_makes_a_model_built_in_the_kept_counts(login, settings):
    ex = Exemplar.objects.get(unit__code="SNV-QNG", year=2021)
    assert ex.status == "registered"
    node = OrgUnit.objects.get(code="SNV-QNG")
    built = compute(node, ex.movement, 2021).built.total
    resp = login("vp.snv").post(f"/mo-hinh/{ex.pk}/tien-do/", {
        "version": ex.version, "date": "15/12/2021", "text": "Đã rút ngắn thời gian giải quyết hồ sơ."})
    assert resp.status_code == 302
    assert compute(node, ex.movement, 2021).built.total == built + 1
    assert_in_step()
    _scan_and_tally_agree("SNV-QNG", settings)


def test_moving_a_unit_between_departments_moves_its_counts(login, settings):
    tt = Exemplar.objects.alive().filter(unit__code="TT-SKHCN-QNG", movement__period_start=2021).count()
    assert tt > 0
    node_of = {code: OrgUnit.objects.get(code=code) for code in ("SKHCN-QNG", "SNV-QNG")}
    m = Movement.objects.get(period_start=2021)
    before = {c: compute(n, m, 2026).registered.total for c, n in node_of.items()}
    resp = login("bdv.quangngai").post("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/sap-xep/",
                                       {"action": "move", "on": "2025-07-01", "target": "SNV-QNG"}, follow=True)
    assert resp.status_code == 200
    assert_in_step()
    tt_2026 = Exemplar.objects.alive().filter(unit__code="TT-SKHCN-QNG", movement=m, year=2026).count()
    after = {c: compute(OrgUnit.objects.get(code=c), m, 2026).registered.total for c in node_of}
    assert after == {"SKHCN-QNG": before["SKHCN-QNG"] - tt_2026, "SNV-QNG": before["SNV-QNG"] + tt_2026}
    # The present tree is read from the kept counts; the past years still by the scan of the tree as it was.
    for code in node_of:
        node = OrgUnit.objects.get(code=code)
        assert tally.covers(node, moves_after(node, 2026))
        assert not tally.covers(node, moves_after(node, 2021))
        _scan_and_tally_agree(code, settings)


def test_a_new_level_for_a_unit_recounts_its_branch(login, settings):
    c = login("bdv.quangngai")
    page = c.get("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/")
    assert page.status_code == 200
    tt = OrgUnit.objects.get(code="TT-SKHCN-QNG")
    new_level = Level.objects.exclude(pk=tt.level_id).filter(rank__gte=OrgUnit.objects.get(code="SKHCN-QNG").level.rank
                                                              ).order_by("-rank").first()
    assert new_level is not None
    form = {"action": "edit", "u-name": tt.name, "u-level": new_level.pk, "u-kind": tt.kind_id,
            "u-doc_family": tt.doc_family, "u-header_name": tt.header_name, "u-superior_name": tt.superior_name,
            "u-doc_suffix": tt.doc_suffix, "u-place_name": tt.place_name, "u-address": tt.address,
            "u-email": tt.email}
    resp = c.post("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/", form, follow=True)
    assert "Đã lưu thông tin đơn vị." in resp.content.decode()
    assert OrgUnit.objects.get(code="TT-SKHCN-QNG").level_id == new_level.pk
    assert_in_step()
    _scan_and_tally_agree("BDVTU-QNG", settings)


def test_reindex_recounts_what_a_bulk_load_left_out(demo, capsys):
    SubtreeTally.objects.all().delete()
    call_command("reindex")
    out = capsys.readouterr().out
    assert "dòng số liệu tổng hợp" in out
    assert SubtreeTally.objects.filter(ancestor__code="BDVTU-QNG", n__gt=0).exists()
    assert_in_step()


def test_generate_counts_the_generated_tree(db, capsys):
    call_command("generate", provinces=1, exemplars=300, seed=3, districts=2, communes=2, json=True)
    result = json.loads(capsys.readouterr().out)
    assert result["exemplars"] == 300 and "seconds_tally" in result
    root = OrgUnit.objects.get(depth=1)
    assert sum(SubtreeTally.objects.filter(ancestor=root).values_list("n", flat=True)) == 300
    assert_in_step()


def test_moving_a_department_under_another_moves_its_kept_counts_and_drops_its_own(login, settings):
    """A tallied unit (second level) moved one level down: it is no longer kept, its counts join its new parent."""
    m = Movement.objects.get(period_start=2021)
    skhcn_total = compute(OrgUnit.objects.get(code="SKHCN-QNG"), m, 2021, 2025).registered.total
    snv_before = compute(OrgUnit.objects.get(code="SNV-QNG"), m, 2021, 2025).registered.total
    province_before = compute(OrgUnit.objects.get(code="BDVTU-QNG"), m, 2021, 2025).registered.total
    resp = login("bdv.quangngai").post("/quan-tri-don-vi/don-vi/SKHCN-QNG/sap-xep/",
                                       {"action": "move", "on": "2021-01-01", "target": "SNV-QNG"}, follow=True)
    assert "Đã chuyển «Sở Khoa học và Công nghệ» sang «Sở Nội vụ»." in resp.content.decode()
    assert not SubtreeTally.objects.filter(ancestor__code="SKHCN-QNG").exists()
    assert_in_step()
    snv = OrgUnit.objects.get(code="SNV-QNG")
    assert tally.covers(snv, moves_after(snv, 2025))
    assert compute(snv, m, 2021, 2025).registered.total == snv_before + skhcn_total
    assert compute(OrgUnit.objects.get(code="BDVTU-QNG"), m, 2021, 2025).registered.total == province_before
    _scan_and_tally_agree("SNV-QNG", settings)


def _year_options(client) -> list[str]:
    resp = client.get("/mo-hinh/")
    assert resp.status_code == 200
    return [str(y) for y, _ in resp.context["years"]]


def test_the_list_year_choices_of_a_province_follow_its_kept_counts(api, login):
    """A province's Board gets its year choices from the tally; a unit below the tallied levels from its rows."""
    board, thanh_tra = login("bdv.quangngai"), login("tt.skhcn")
    assert _year_options(board) == ["2022", "2021"]
    assert _year_options(thanh_tra) == ["2021"]
    officer = api("tt.skhcn")
    ex = _json(_post(officer, "/api/exemplars", _new(year=2023)), 201)["exemplar"]
    assert _year_options(board) == ["2023", "2022", "2021"]
    assert _year_options(thanh_tra) == ["2023", "2021"]
    _json(officer.delete(f"/api/exemplars/{ex['id']}"), 200)
    assert _year_options(board) == ["2022", "2021"]
    assert _year_options(login("admin")) == ["2022", "2021"]


LIST_FILTERS = [
    "", "?year=2021", "?year=2022&kind=collective", "?origin=replication", "?field={field}", "?level=tinh",
    "?level=khong-co", "?unit=SKHCN-QNG&subtree=1", "?unit=SKHCN-QNG&subtree=1&year=2021&kind=individual",
    "?unit=BDVTU-QNG&subtree=1&origin=new", "?unit=KHONG-CO&subtree=1", "?year=abc",
]


def _list_totals(client, field: int) -> list[int]:
    totals = []
    for q in LIST_FILTERS:
        resp = client.get("/mo-hinh/" + q.format(field=field))
        assert resp.status_code == 200
        totals.append(resp.context["total"])
    return totals


def test_list_totals_read_from_the_kept_counts_equal_the_rows(api, login, settings):
    """The list's total for a province's Board and for the country comes from the tally when its filters are the
    tally's columns; it equals the count of the rows under every filter, and follows a new and a deleted model."""
    from danvan.exemplars.selectors import (
        ListFilters,
        filter_exemplars,
        tallied_years,
        visible_exemplars,
    )

    board, admin = login("bdv.quangngai"), login("admin")
    field = Field.objects.get(name="Lĩnh vực thanh tra").pk
    users = {c: c.get("/mo-hinh/").wsgi_request.user for c in (board, admin)}

    def rows(client) -> list[int]:
        user = users[client]
        return [filter_exemplars(visible_exemplars(user), _params(q.format(field=field))).count() for q in LIST_FILTERS]

    for client in (board, admin):
        user = users[client]
        assert tallied_years(user, {}) is not None  # the kept counts answer, not the scan
        assert tallied_years(user, {"status": "registered"}) is None
        assert _list_totals(client, field) == rows(client)
        # Pages read year by year hold the same rows, in the same order, as the sorted list cut in pages.
        for query in ("?", "?kind=collective&", "?unit=SKHCN-QNG&subtree=1&"):
            ordered = list(filter_exemplars(visible_exemplars(user), _params(query)).values_list("pk", flat=True))
            assert len(set(ordered)) == len(ordered) and len(ordered) > 2
            if query == "?":  # pages that straddle two years
                assert len(set(Exemplar.objects.filter(pk__in=ordered).values_list("year", flat=True))) > 1
            for size in (2, 3, 25):
                settings.DANVAN_LIST_PAGE_SIZE = size
                pages = [[e.pk for e in client.get(f"/mo-hinh/{query}page={n}").context["page"].object_list]
                         for n in range(1, -(-len(ordered) // size) + 1)]
                assert [pk for page in pages for pk in page] == ordered, (query, size)
    assert ListFilters.parse({"kind": "x", "year": "2"}) == ListFilters(year=2)
    officer = api("tt.skhcn")
    ex = _json(_post(officer, "/api/exemplars", _new(year=2021)), 201)["exemplar"]
    for client in (board, admin):
        assert _list_totals(client, field) == rows(client)
    before = board.get("/mo-hinh/?year=2021").context["total"]
    _json(officer.delete(f"/api/exemplars/{ex['id']}"), 200)
    assert board.get("/mo-hinh/?year=2021").context["total"] == before - 1
    assert _list_totals(board, field) == rows(board)
    # A unit below the tallied levels counts its own rows, as before.
    assert tallied_years(login("tt.skhcn").get("/mo-hinh/").wsgi_request.user, {}) is None


def _params(query: str) -> dict:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(query.lstrip("?")))
