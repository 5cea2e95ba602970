"""Issue 7 part 2: similar exemplars while registering, importing and on the detail page; one click to
record a replication or flag a duplicate; the API; the measured bench. Always within the user's scope."""

import json
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from danvan.exemplars import services
from danvan.exemplars.models import Exemplar, Field, Movement
from danvan.search.models import DuplicateFlag
from danvan.tools.intake_samples import build_seed001_docx

pytestmark = pytest.mark.django_db
POWER = "Thực hiện tiết kiệm điện trong cơ quan"
ODD = ["", "x" * 2000, '"', "*", "-", "NEAR", "'", 'tiet" OR 1=1 --', "(((", "😀🎉", "điện 電力 электричество",
       "AND OR NOT NEAR(a b)", "%_\\"]


def _power(seed_exemplars):
    return seed_exemplars[POWER]


def _snv_power():
    return Exemplar.objects.get(unit__code="SNV-QNG", name=POWER)


@pytest.fixture
def draft(units, seed_exemplars):
    """A 2023 exemplar of the Văn phòng that looks like the seed's electricity-saving model."""
    ex = services.create_exemplar(
        by=User.objects.get(username="vp.skhcn"), unit=units["VP-SKHCN-QNG"], year=2023,
        movement=Movement.objects.get(period_start=2021), field=Field.objects.get(name="Lĩnh vực Tài chính, Văn phòng"),
        name="Sử dụng điện tiết kiệm tại cơ quan Văn phòng Sở", kind="collective",
        content_problem="<p>Tuyên truyền cán bộ tắt điện, tiết kiệm điện khi ra về; giảm chi phí tiền điện.</p>",
    ).exemplar
    return ex


def _links(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'href="/mo-hinh/(\d+)/"', html)}


def _detail(client, pk: int) -> str:
    """The exemplar page as the browser ends up showing it: the similar table loads when scrolled into view."""
    html = client.get(f"/mo-hinh/{pk}/").content.decode()
    lazy = f'hx-get="/mo-hinh/{pk}/tuong-tu/"'
    if lazy not in html:
        return html
    start = html.rindex("<div", 0, html.index(lazy))
    end = html.index("</div>", start) + len("</div>")
    return html[:start] + client.get(f"/mo-hinh/{pk}/tuong-tu/").content.decode() + html[end:]


def _section(html: str) -> str:
    start = html.index('id="tuong-tu"')
    return html[start:html.index("</section>", start)]


# ---- while registering --------------------------------------------------------------------------

def test_create_form_has_live_panel(login):
    html = login("vp.skhcn").get("/mo-hinh/them/").content.decode()
    assert "Mô hình tương tự đã đăng ký" in html and "Tìm mô hình tương tự" in html
    assert 'hx-post="/mo-hinh/tuong-tu/"' in html and "keyup changed delay:500ms from:#id_name" in html


def test_panel_finds_the_seed_from_an_unaccented_paraphrase(login, seed_exemplars):
    resp = login("ld.skhcn").post("/mo-hinh/tuong-tu/", {"name": "Tiet kiem dien tai co quan", "content_problem": ""})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert _power(seed_exemplars).pk in _links(html)
    assert html.index(f'/mo-hinh/{_power(seed_exemplars).pk}/') < html.index("</li>")  # first
    assert "cùng có “tiết kiệm điện”, “cơ quan”" in html
    assert 'name="source"' in html  # pick it as the replication's source right there


def test_form_with_errors_still_shows_similar(login, seed_exemplars, units):
    resp = login("vp.skhcn").post("/mo-hinh/them/", {"unit": units["VP-SKHCN-QNG"].pk, "year": 2024,
                                                     "name": "Tiết kiệm điện ở cơ quan", "content_problem": ""})
    html = resp.content.decode()
    assert resp.status_code == 200 and 'class="error"' in html
    assert _power(seed_exemplars).pk in _links(_section(html))


def test_panel_for_blank_name_explains(login, seed_exemplars):
    html = login("vp.skhcn").post("/mo-hinh/tuong-tu/", {"name": "  "}).content.decode()
    assert "Nhập tên hoặc nội dung" in html and not _links(html)


@pytest.mark.parametrize("text", ODD)
def test_panel_odd_input_never_breaks(login, seed_exemplars, text):
    resp = login("vp.skhcn").post("/mo-hinh/tuong-tu/", {"name": text, "content_problem": text * 3})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "mô hình" in html.lower()


def test_panel_needs_login_and_post(client, login, demo):
    assert client.post("/mo-hinh/tuong-tu/", {"name": "tiet kiem dien"}).status_code == 302
    assert login("vp.skhcn").get("/mo-hinh/tuong-tu/").status_code == 405


def test_scope_leak_other_department_never_sees_skhcn(login, seed_exemplars):
    """Sở Nội vụ sees its own replica, never the Sở KH&CN original, on the panel, the page or the API."""
    original, own = _power(seed_exemplars), _snv_power()
    snv = login("vp.snv")
    html = snv.post("/mo-hinh/tuong-tu/", {"name": POWER, "content_problem": "tiết kiệm điện"}).content.decode()
    assert own.pk in _links(html) and original.pk not in _links(html)
    page = _detail(snv, own.pk)
    assert original.pk not in _links(_section(page))
    assert snv.get(f"/mo-hinh/{original.pk}/").status_code == 404
    # …and the other way round: the Sở KH&CN never sees Sở Nội vụ's replica.
    page = _detail(login("vp.skhcn"), original.pk)
    assert own.pk not in _links(_section(page))
    # The board over both sees both.
    page = _detail(login("bdv.quangngai"), original.pk)
    assert own.pk in _links(_section(page))


# ---- the detail page and its two clicks -----------------------------------------------------------

def test_detail_shows_similar_without_itself(login, seed_exemplars, draft):
    html = _detail(login("vp.skhcn"), draft.pk)
    section = _section(html)
    assert "Mô hình tương tự" in section
    found = _links(section)
    assert draft.pk not in found and _power(seed_exemplars).pk in found
    first = section.index("<tbody>")
    assert f"/mo-hinh/{_power(seed_exemplars).pk}/" in section[first:section.index("</tr>", first)]
    assert "Nhân rộng từ mô hình này" in section and "Đánh dấu có thể trùng" in section


def test_record_replication_in_one_click(login, seed_exemplars, draft, reopen):
    source = _power(seed_exemplars)
    reopen(source)  # the cycle below is refused for itself, not because the source was sent
    source.refresh_from_db()
    client = login("vp.skhcn")
    resp = client.post(f"/mo-hinh/{draft.pk}/nhan-rong-tu/{source.pk}/", {"version": draft.version}, follow=True)
    assert "Đã ghi nhận mô hình này nhân rộng từ mô hình “Thực hiện tiết kiệm điện" in resp.content.decode()
    draft.refresh_from_db()
    assert (draft.origin, draft.source_id, draft.version) == ("replication", source.pk, 2)
    assert draft.history.first().history_user.username == "vp.skhcn"
    html = _detail(client, draft.pk)
    assert "Là mô hình nguồn" in _section(html)
    # The other way round would be a cycle: refused by the exemplar services, nothing changes.
    resp = client.post(f"/mo-hinh/{source.pk}/nhan-rong-tu/{draft.pk}/", {"version": source.version}, follow=True)
    assert "không thể là chính mô hình này hoặc bản nhân rộng của nó" in resp.content.decode()
    source.refresh_from_db()
    assert source.origin == "new" and source.source_id is None


def test_replication_click_checks_permission_version_and_method(login, seed_exemplars, draft):
    source = _power(seed_exemplars)
    url = f"/mo-hinh/{draft.pk}/nhan-rong-tu/{source.pk}/"
    assert login("ld.skhcn").post(url, {"version": draft.version}).status_code == 404  # sees, may not edit
    assert login("tt.skhcn").post(url, {"version": draft.version}).status_code == 404  # does not see
    assert login("vp.snv").post(url, {"version": draft.version}).status_code == 404
    assert login("vp.skhcn").get(url).status_code == 405
    resp = login("vp.skhcn").post(url, {"version": draft.version + 5}, follow=True)
    assert "vừa được người khác sửa" in resp.content.decode()
    draft.refresh_from_db()
    assert draft.origin == "new" and draft.source_id is None


def test_replication_click_needs_csrf(demo, seed_exemplars, draft):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="vp.skhcn"))
    resp = client.post(f"/mo-hinh/{draft.pk}/nhan-rong-tu/{_power(seed_exemplars).pk}/", {"version": 1})
    assert resp.status_code == 403
    draft.refresh_from_db()
    assert draft.source_id is None


def test_flag_duplicate_shown_on_both_pages_and_dismissible(login, seed_exemplars, draft):
    source = _power(seed_exemplars)
    office = login("vp.skhcn")
    resp = office.post(f"/mo-hinh/{draft.pk}/danh-dau-trung/{source.pk}/", follow=True)
    assert "Đã đánh dấu có thể trùng với mô hình" in resp.content.decode()
    office.post(f"/mo-hinh/{source.pk}/danh-dau-trung/{draft.pk}/")  # the same pair again: one flag
    flag = DuplicateFlag.objects.get()
    assert (flag.exemplar_id, flag.other_id, flag.by.username, flag.resolved_at) == (draft.pk, source.pk,
                                                                                        "vp.skhcn", None)
    for pk, other in ((draft.pk, source.pk), (source.pk, draft.pk)):
        section = _section(_detail(office, pk))
        assert "Được đánh dấu có thể trùng với" in section and "Lê Đức Tuấn đánh dấu lúc" in section
        assert f'href="/mo-hinh/{other}/"' in section
    # The Sở's leader sees both pages but neither flagged nor may edit the Văn phòng's: may not dismiss.
    leader = login("ld.skhcn")
    section = _section(_detail(leader, source.pk))
    assert "Được đánh dấu có thể trùng với" in section and "Bỏ đánh dấu" not in section
    assert leader.post(f"/mo-hinh/danh-dau-trung/{flag.pk}/bo/").status_code == 404
    assert login("tt.skhcn").post(f"/mo-hinh/danh-dau-trung/{flag.pk}/bo/").status_code == 404
    resp = office.post(f"/mo-hinh/danh-dau-trung/{flag.pk}/bo/", {"back": source.pk}, follow=True)
    assert "Đã bỏ đánh dấu có thể trùng" in resp.content.decode()
    flag.refresh_from_db()
    assert flag.resolved_by.username == "vp.skhcn" and flag.resolved_at is not None
    assert "Được đánh dấu có thể trùng" not in _section(_detail(office, draft.pk))


def test_flag_across_scopes_does_not_leak(login, seed_exemplars):
    original, own = _power(seed_exemplars), _snv_power()
    assert login("vp.snv").post(f"/mo-hinh/{own.pk}/danh-dau-trung/{original.pk}/").status_code == 404
    assert login("bdv.quangngai").post(f"/mo-hinh/{original.pk}/danh-dau-trung/{own.pk}/").status_code == 302
    assert DuplicateFlag.objects.count() == 1
    # Each department sees its own page without a pointer to the other's exemplar.
    for user, pk in (("vp.skhcn", original.pk), ("vp.snv", own.pk)):
        section = _section(login(user).get(f"/mo-hinh/{pk}/").content.decode())
        assert "Được đánh dấu có thể trùng" not in section
    assert login("vp.snv").post(f"/mo-hinh/danh-dau-trung/{DuplicateFlag.objects.get().pk}/bo/").status_code == 404


def test_flag_self_is_refused(login, seed_exemplars):
    ex = _power(seed_exemplars)
    resp = login("vp.skhcn").post(f"/mo-hinh/{ex.pk}/danh-dau-trung/{ex.pk}/", follow=True)
    assert "Không thể đánh dấu một mô hình trùng với chính nó" in resp.content.decode()
    assert not DuplicateFlag.objects.exists()


def test_soft_deleted_are_never_similar(login, seed_exemplars, draft, reopen):
    source = _power(seed_exemplars)
    reopen(source)
    services.delete_exemplar(exemplar=source, by=User.objects.get(username="vp.skhcn"))
    assert source.pk not in _links(_section(_detail(login("vp.skhcn"), draft.pk)))
    html = login("vp.skhcn").post("/mo-hinh/tuong-tu/", {"name": POWER}).content.decode()
    assert source.pk not in _links(html)


# ---- the import preview ---------------------------------------------------------------------------

def test_import_preview_lists_similar_per_row(login, units, seed_exemplars):
    office = login("vp.skhcn")
    resp = office.post("/nhap-bieu-mau/", {"unit": units["CCTDC-QNG"].pk, "year": 2023,
                                           "uploads": [SimpleUploadedFile("b.docx", build_seed001_docx())]},
                       follow=True)
    html = resp.content.decode()
    assert resp.status_code == 200 and html.count("Mô hình tương tự đã đăng ký:") == 3
    rows = html.split("<fieldset")[1:]
    assert f'href="/mo-hinh/{_power(seed_exemplars).pk}/"' in rows[0]
    assert "giống 100%" in html and "có thể trùng" in html


def test_import_preview_loads_later_rows_lazily_within_scope(login, units, seed_exemplars, monkeypatch):
    from danvan.intake import selectors as intake_selectors
    from danvan.intake.models import ImportRow

    monkeypatch.setattr(intake_selectors, "PREVIEW_SIMILAR_ROWS", 1)
    office = login("vp.skhcn")
    html = office.post("/nhap-bieu-mau/", {"unit": units["CCTDC-QNG"].pk, "year": 2023,
                                           "uploads": [SimpleUploadedFile("b.docx", build_seed001_docx())]},
                       follow=True).content.decode()
    assert html.count("Mô hình tương tự đã đăng ký:") == 1 and html.count('hx-trigger="revealed"') == 2
    row = ImportRow.objects.order_by("position")[2]
    assert f'hx-get="/nhap-bieu-mau/dong/{row.pk}/tuong-tu/"' in html
    part = office.get(f"/nhap-bieu-mau/dong/{row.pk}/tuong-tu/").content.decode()
    assert "Mô hình tương tự đã đăng ký:" in part and "tiếp công dân" in part
    assert login("vp.snv").get(f"/nhap-bieu-mau/dong/{row.pk}/tuong-tu/").status_code == 404
    assert login("tt.skhcn").get(f"/nhap-bieu-mau/dong/{row.pk}/tuong-tu/").status_code == 404


# ---- the API --------------------------------------------------------------------------------------

def test_api_similar(api, seed_exemplars, draft):
    client = api("vp.skhcn")
    resp = client.get(f"/api/exemplars/{draft.pk}/similar")
    assert resp.status_code == 200
    items = resp.json()["items"]
    assert items[0]["id"] == _power(seed_exemplars).pk and draft.pk not in [i["id"] for i in items]
    assert 0 < items[0]["score"] <= 1 and items[0]["reason"].startswith("Tên giống")
    assert len(client.get(f"/api/exemplars/{draft.pk}/similar", {"limit": 1}).json()["items"]) == 1
    assert client.get(f"/api/exemplars/{draft.pk}/similar", {"limit": 0}).status_code == 422
    assert client.get("/api/exemplars/999999/similar").status_code == 404


def test_api_similar_scope(api, seed_exemplars):
    original, own = _power(seed_exemplars), _snv_power()
    snv = api("vp.snv")
    assert snv.get(f"/api/exemplars/{original.pk}/similar").status_code == 404
    assert original.pk not in [i["id"] for i in snv.get(f"/api/exemplars/{own.pk}/similar").json()["items"]]
    board = api("bdv.quangngai")
    assert original.pk in [i["id"] for i in board.get(f"/api/exemplars/{own.pk}/similar").json()["items"]]


# ---- measured -------------------------------------------------------------------------------------

def test_bench_similarity_meets_the_target_and_leaves_no_trace(demo, capsys):
    before = Exemplar.objects.count()
    call_command("bench", "similarity")
    data = json.loads(capsys.readouterr().out)
    assert data["queries"] >= 100
    assert data["recall_at_5"] >= 0.9 and data["passed"] is True
    assert 0 < data["precision_at_1"] <= data["recall_at_5"] and data["precision_at_1"] <= data["mrr"] <= 1
    assert {"accents_stripped", "synonyms", "reordered", "words_dropped"} <= set(data["recall_at_5_by_variant"])
    assert Exemplar.objects.count() == before


def test_variants_really_vary():
    import random

    from danvan.tools.bench.similar import variant

    rng = random.Random(3)
    seen = set()
    for _ in range(30):
        name, content, kinds = variant(POWER, "Câu một. Câu hai có nhân dân. Câu ba kịp thời. Câu bốn.", rng)
        seen.update(kinds)
        assert name != POWER or "accents_stripped" not in kinds
    assert {"synonyms", "reordered", "accents_stripped", "prefix"} <= seen


# ---- PostgreSQL: a bounded OR-query ---------------------------------------------------------------

def test_pg_or_query_cut_short_keeps_name_matches_and_the_session(login, seed_exemplars, draft, monkeypatch):
    from django.db import OperationalError, connection

    from danvan.search import similar

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute("SELECT set_config('statement_timeout', '12345ms', true)")
    monkeypatch.setattr(similar, "OR_QUERY_TIMEOUT_MS", 1)
    office = User.objects.get(username="vp.skhcn")
    found = [s.exemplar.pk for s in similar.similar_to_draft(office, name=POWER, content="tiết kiệm điện")]
    assert _power(seed_exemplars).pk in found
    real = similar._pg_ranked

    def cancelled(qs, tsquery, limit):
        if "|" in tsquery:
            raise OperationalError("canceling statement due to statement timeout")
        return real(qs, tsquery, limit)

    monkeypatch.setattr(similar, "_pg_ranked", cancelled)
    found = [s.exemplar.pk for s in similar.similar_to_draft(office, name="Tiết kiệm điện trong cơ quan")]
    assert _power(seed_exemplars).pk in found  # the name step alone still finds it
    with connection.cursor() as cur:  # the session is usable and its own timeout is back
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == "12345ms"


def test_detail_page_loads_similar_lazily_and_the_panel_is_scoped(login, seed_exemplars):
    """The ranking runs only when the section scrolls into view; its URL answers only within the scope."""
    original, own = _power(seed_exemplars), _snv_power()
    page = login("vp.skhcn").get(f"/mo-hinh/{original.pk}/").content.decode()
    assert f'hx-get="/mo-hinh/{original.pk}/tuong-tu/"' in page and "Độ giống" not in page
    panel = login("bdv.quangngai").get(f"/mo-hinh/{original.pk}/tuong-tu/").content.decode()
    assert "Độ giống" in panel and "<html" not in panel and own.pk in _links(panel)
    assert login("vp.snv").get(f"/mo-hinh/{original.pk}/tuong-tu/").status_code == 404
    assert own.pk not in _links(login("vp.skhcn").get(f"/mo-hinh/{original.pk}/tuong-tu/").content.decode())
