"""Issue 7 search: accent-insensitive, ranked, highlighted, scoped, safe against odd input, kept in sync."""

import json

import pytest
from django.core.management import CommandError, call_command

from danvan.exemplars import services
from danvan.exemplars.models import Exemplar

pytestmark = pytest.mark.django_db
POWER = "Thực hiện tiết kiệm điện trong cơ quan"


def _page(client, q, **params):
    resp = client.get("/mo-hinh/", {"q": q, **params})
    assert resp.status_code == 200
    return resp.content.decode()


def test_unaccented_query_finds_accented_name_with_highlight(login, seed_exemplars):
    html = _page(login("vp.skhcn"), "tiet kiem dien")
    assert "Có <strong>1</strong> mô hình" in html
    assert "<mark>tiết</mark> <mark>kiệm</mark> <mark>điện</mark>" in html


def test_d_matches_đ_and_accented_query_ranks_best_first(login, seed_exemplars):
    html = _page(login("bdv.quangngai"), "tiếp công dân")
    first = html.index("<ol class=\"hits\"")
    assert "tiếp công dân" in html[first:first + 600].replace("<mark>", "").replace("</mark>", "")
    html = _page(login("vp.skhcn"), "dien nang")  # "điện năng" is in the content of the first
    first = html.index('<ol class="hits"')
    assert "<mark>tiết</mark>" not in html[first:first + 100]
    assert "kiệm <mark>điện</mark>" in html[first:first + 700]


def test_search_covers_unit_name_and_address_and_filters(login, seed_exemplars):
    client = login("vp.skhcn")
    assert "Có <strong>1</strong>" in _page(client, "nguyen nghiem")  # address of the Chi cục
    assert "Có <strong>1</strong>" in _page(client, "thanh tra so", kind="individual")
    assert "Có <strong>0</strong>" in _page(client, "tiet kiem dien", year="2022")


def test_scope_holds(login, seed_exemplars):
    assert "Có <strong>0</strong>" in _page(login("dangbo.stp"), "tiet kiem dien")
    assert "Có <strong>0</strong>" in _page(login("cc.tdc"), "tiet kiem dien")


@pytest.mark.parametrize("q", ["", "x" * 2000, '"', "*", "-", "NEAR", "'", "tiet\" OR 1=1 --", "(((", "😀🎉",
                               "điện 電力 электричество", "AND OR NOT", "%_\\"])
def test_odd_queries_never_break(login, seed_exemplars, q):
    html = _page(login("vp.skhcn"), q)
    assert "Mô hình, điển hình" in html


def test_index_follows_edit_delete_restore(login, seed_exemplars, reopen):
    from django.contrib.auth.models import User

    ex = seed_exemplars[POWER]
    reopen(ex)
    client = login("vp.skhcn")
    by = User.objects.get(username="vp.skhcn")
    services.update_exemplar(exemplar=ex, by=by, name="Sử dụng năng lượng mặt trời ở cơ quan")
    html = _page(client, "mat troi")
    assert "Có <strong>1</strong>" in html and "<mark>mặt</mark> <mark>trời</mark>" in html
    assert POWER not in _page(client, "tiet kiem dien")
    services.delete_exemplar(exemplar=Exemplar.objects.get(pk=ex.pk), by=by)
    assert "Có <strong>0</strong>" in _page(client, "mat troi")
    services.restore_exemplar(exemplar=Exemplar.objects.get(pk=ex.pk), by=User.objects.get(username="admin"))
    assert "Có <strong>1</strong>" in _page(client, "mat troi")


def test_cli(demo, capsys):
    call_command("search", "tiet kiem dien", "--as", "vp.skhcn", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 1 and data["results"][0]["name"] == POWER
    assert "<mark>" in data["results"][0]["name_html"]
    call_command("search", "tiet kiem dien", "--as", "dangbo.stp", "--json")
    assert json.loads(capsys.readouterr().out)["total"] == 0
    with pytest.raises(CommandError, match="không có chữ hoặc số"):
        call_command("search", "***", "--as", "vp.skhcn")
    with pytest.raises(CommandError, match="Không có người dùng"):
        call_command("search", "dien", "--as", "nobody")


def test_reindex_after_bulk_load(demo, capsys):
    from danvan.search.models import SearchEntry

    SearchEntry.objects.all().delete()
    call_command("search", "tiet kiem dien", "--as", "admin", "--json")
    assert json.loads(capsys.readouterr().out)["total"] == 0
    call_command("reindex")
    capsys.readouterr()
    call_command("search", "tiet kiem dien", "--as", "admin", "--json")
    # The Văn phòng's model and Sở Nội vụ's 2022 replica of it.
    assert json.loads(capsys.readouterr().out)["total"] == 2


# PostgreSQL paths (SQLite has one): a small scope checked row by row; a large one gathered in steps,
# from the newest exemplars (PROBE_WINDOW) or, with a window of one id, through the GIN steps.
PATHS = [pytest.param({}, id="small-scope"), pytest.param({"SCOPE_SCAN": -1}, id="steps"),
         pytest.param({"SCOPE_SCAN": -1, "PROBE_WINDOW": 1, "PROBE_MAX": 1}, id="gin-steps"),
         pytest.param({"BRANCH_SCAN": -1}, id="province-index")]


@pytest.fixture(params=PATHS)
def search_path(request, monkeypatch):
    from danvan.search import services as search_services

    for name, value in request.param.items():
        monkeypatch.setattr(search_services, name, value)


def test_more_matches_than_the_cap_are_ranked_best_first_and_said_so(login, api, settings, capsys, search_path):
    """Issue 7 §5: only the best DANVAN_SEARCH_CAP matches are ranked; the page says "hơn N", not a count."""
    settings.DANVAN_SEARCH_CAP = 1
    html = _page(login("admin"), "tiet kiem dien")  # the Văn phòng's model and Sở Nội vụ's replica
    assert "Có hơn <strong>1</strong> mô hình, điển hình khớp từ khóa" in html
    assert "hãy thêm từ khóa hoặc bộ lọc để thu hẹp" in html
    hits = html[html.index('<ol class="hits"'):html.index("</ol>")]
    assert hits.count("<li>") == 1 and "<mark>tiết</mark> <mark>kiệm</mark> <mark>điện</mark>" in hits
    call_command("search", "tiet kiem dien", "--as", "admin", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["capped"] is True and data["total"] == 1 and len(data["results"]) == 1
    call_command("search", "tiet kiem dien", "--as", "admin")
    assert capsys.readouterr().out.startswith("Hơn 1 kết quả cho “tiet kiem dien”")
    # The API pages through every match by id: never capped.
    items = api("admin").get("/api/exemplars?q=tiet kiem dien").json()["items"]
    assert len(items) == 2
    settings.DANVAN_SEARCH_CAP = 2
    assert "Có <strong>2</strong> mô hình, điển hình." in _page(login("admin"), "tiet kiem dien")
    call_command("search", "tiet kiem dien", "--as", "admin", "--json")
    assert json.loads(capsys.readouterr().out)["capped"] is False


def test_ranked_pages_follow_the_rank(login, settings, search_path):
    """Pages of a ranked result fetch their own rows in rank order; the count is the ranked set."""
    from django.contrib.auth.models import User

    from danvan.search.services import search

    admin = User.objects.get(username="admin")
    found = search(admin, "dan van")
    assert found.words == ["dan", "van"] and not found.capped
    everything = list(found.qs)
    assert len(everything) == found.qs.count() >= 2
    ranks = [ex.rank for ex in everything]
    assert ranks == sorted(ranks, reverse=True)
    assert [ex.pk for ex in found.qs.select_related("unit")[1:3]] == [ex.pk for ex in everything[1:3]]
    assert found.qs[0].pk == everything[0].pk
    settings.DANVAN_SEARCH_CAP = 1
    capped = search(admin, "dan van")
    assert capped.capped and len(capped.qs) == 1
    nothing = search(admin, "xyzzy dan")
    assert not nothing.capped and nothing.qs.count() == 0 and list(nothing.qs) == [] and nothing.qs[0:5] == []
    # Scoped as before on every path, capped or not.
    assert "Có <strong>0</strong>" in _page(login("dangbo.stp"), "tiet kiem dien")
    assert "Có <strong>0</strong>" in _page(login("cc.tdc"), "tiet kiem dien")


def test_a_province_search_reads_its_own_entries_and_follows_a_move(login, seed_exemplars, monkeypatch):
    """A scope inside one province searches that province's entries (PostgreSQL: the (branch, document) index);
    when a unit moves to another province-level branch, its entries follow it."""
    from danvan.orgs.models import OrgUnit
    from danvan.search import services as search_services
    from danvan.search.models import SearchEntry

    monkeypatch.setattr(search_services, "BRANCH_SCAN", -1)
    tt = Exemplar.objects.get(unit__code="TT-SKHCN-QNG", year=2021)
    assert SearchEntry.objects.get(exemplar=tt).branch == OrgUnit.objects.get(code="SKHCN-QNG").path
    skhcn, snv = login("vp.skhcn"), login("vp.snv")
    assert "Có <strong>1</strong>" in _page(skhcn, "khieu nai vuot cap")
    assert "Có <strong>0</strong>" in _page(snv, "khieu nai vuot cap")
    resp = login("bdv.quangngai").post("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/sap-xep/",
                                       {"action": "move", "on": "2025-07-01", "target": "SNV-QNG"}, follow=True)
    assert "Đã chuyển «Thanh tra Sở Khoa học và Công nghệ» sang «Sở Nội vụ»." in resp.content.decode()
    assert SearchEntry.objects.get(exemplar=tt).branch == OrgUnit.objects.get(code="SNV-QNG").path
    assert "Có <strong>0</strong>" in _page(skhcn, "khieu nai vuot cap")
    assert "Có <strong>1</strong>" in _page(snv, "khieu nai vuot cap")
    # Entries of the units that stayed keep their branch.
    assert set(SearchEntry.objects.filter(exemplar__unit__code="SKHCN-QNG").values_list("branch", flat=True)) <= {
        OrgUnit.objects.get(code="SKHCN-QNG").path}


def test_bench_search_reports_country_and_scopes(demo, capsys):
    call_command("bench", "search")
    data = json.loads(capsys.readouterr().out)
    assert data["queries"] == 100 and data["p95_target_ms"] == 150 and data["p50_ms"] <= data["max_ms"]
    assert data["scoped"] and all(s["queries"] == 50 and s["exemplars"] >= 1 for s in data["scoped"].values())
