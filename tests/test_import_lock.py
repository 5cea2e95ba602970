"""Issue 21 §7: a long import never holds SQLite's write lock for more than a moment.

Parsing, proposals, sanitizing and validation happen before the write; the write is one short transaction of
bulk statements whose number does not grow with the rows. What the per-row path left is all there: the
exemplars, one "+" history row each by the importer, a search entry each, the kept counts (tally), the rows
marked, the dossier's items and log lines.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.exemplars.models import Exemplar, Field
from danvan.foundation.writes import measured
from danvan.intake.models import ImportBatch, ImportRow
from danvan.movement.models import Action, SubmissionEvent, SubmissionItem
from danvan.search.index import branch_of, entry_values
from danvan.search.models import SearchEntry
from danvan.tools.intake_samples import build_typical_form_xlsx

from .test_intake_import import _confirm_payload, sub2023  # noqa: F401  (fixture)
from .test_tally import assert_in_step

pytestmark = pytest.mark.django_db


def _api_upload(client, rows: int, seed: int, unit="SKHCN-QNG"):
    data = build_typical_form_xlsx(rows, seed=seed)
    resp = client.post("/api/imports", {"unit": unit, "year": 2023,
                                        "files": [SimpleUploadedFile(f"bieu-{seed}.xlsx", data)]})
    assert resp.status_code == 201, resp.content.decode()
    return resp.json()


def _every_row_as_new_field(batch_id: int) -> dict:
    """Every row included; a row whose field is unknown goes to a new field named after the form's label."""
    return {"edits": {str(r.pk): {"include": True, **({} if r.data["field_id"] else {"field_id": "new:kinh-te"})}
                      for r in ImportRow.objects.filter(file__batch_id=batch_id)}}


def _confirm(client, batch_id: int, body: dict):
    return client.post(f"/api/imports/{batch_id}/confirm", json.dumps(body), content_type="application/json")


def _assert_like_one_by_one(saved: list[Exemplar], username: str) -> None:
    """What `create_exemplar` and the save signals leave for each exemplar, checked for every one."""
    ids = [e.pk for e in saved]
    history = Exemplar.history.filter(id__in=ids)  # type: ignore[attr-defined]
    assert history.count() == len(ids)
    assert set(history.values_list("history_type", "history_user__username")) == {("+", username)}
    for h in history:
        ex = next(e for e in saved if e.pk == h.id)
        assert (h.name, h.unit_id, h.field_id, h.kind, h.origin, h.content_problem, h.created_by_id) == (
            ex.name, ex.unit_id, ex.field_id, ex.kind, ex.origin, ex.content_problem, ex.created_by_id)
    entries = {e.exemplar_id: e for e in SearchEntry.objects.filter(exemplar_id__in=ids)}
    assert set(entries) == set(ids)
    for ex in Exemplar.objects.filter(pk__in=ids).select_related("unit"):
        e = entries[ex.pk]
        assert (e.name_folded, e.body_folded, e.branch) == (*entry_values(ex, ex.unit.name), branch_of(ex.unit.path))
        assert ex.created_by.username == ex.updated_by.username == username and ex.status == "registered"
    assert_in_step()  # the kept counts equal a recount


def test_a_300_row_confirm_through_the_api_leaves_what_the_row_by_row_path_left(api):
    office = api("vp.skhcn")
    before = (Exemplar.objects.count(), SearchEntry.objects.count(), Field.objects.count())
    batch = _api_upload(office, 300, seed=1)
    assert len(batch["rows"]) == 300
    with measured() as writes:
        resp = _confirm(office, batch["id"], _every_row_as_new_field(batch["id"]))
    assert resp.status_code == 200, resp.content.decode()
    out = resp.json()
    assert len(out["exemplars"]) == 300 and out["left_out"] == []
    assert [label for label, _s in writes] == ["intake.confirm_import"]  # one write transaction
    saved = list(Exemplar.objects.filter(pk__in=[e["id"] for e in out["exemplars"]]))
    assert Exemplar.objects.count() == before[0] + 300 and SearchEntry.objects.count() == before[1] + 300
    assert sorted(e.name for e in saved) == sorted(r["name"] for r in batch["rows"])
    rows = ImportRow.objects.filter(file__batch_id=batch["id"])
    assert not rows.filter(exemplar__isnull=True).exists()
    assert ImportBatch.objects.get(pk=batch["id"]).state == "confirmed"
    # Labels the unit does not have became one new field each, shared by their rows.
    new_fields = Field.objects.filter(owner__code="SKHCN-QNG").exclude(
        pk__in=[r.data["field_id"] for r in rows if str(r.data.get("field_id")).isdigit()])
    assert Field.objects.count() - before[2] == new_fields.count() <= 4
    _assert_like_one_by_one(saved, "vp.skhcn")
    # Found by search like any other exemplar.
    found = office.get("/api/exemplars?q=" + saved[0].name).json()["items"]
    assert saved[0].pk in [e["id"] for e in found]


TALLY = "INSERT INTO reports_subtreetally"


def _confirm_statements(client, rows: int, seed: int) -> tuple[int, int]:
    """(statements other than the tally's, the tally's upserts) of one confirm through the API."""
    batch = _api_upload(client, rows, seed=seed)
    body = _every_row_as_new_field(batch["id"])
    with CaptureQueriesContext(connection) as queries:
        assert _confirm(client, batch["id"], body).status_code == 200
    tally = sum(q["sql"].startswith(TALLY) for q in queries.captured_queries)
    return len(queries) - tally, tally


def test_the_confirm_runs_as_many_statements_for_300_rows_as_for_30(api):
    office = api("vp.skhcn")
    small, _ = _confirm_statements(office, 30, seed=2)
    big, tally = _confirm_statements(office, 300, seed=3)
    # Bulk statements (one per 500 rows; a row-by-row path ran ~15 per row); 300 rows add at most the lookup
    # and insert of a new field and the update of edited rows.
    assert big <= small + 3, (small, big)
    assert small < 60
    # One upsert per distinct key (field × kind × origin: 4 × 2 × 2 here), never one per row.
    assert tally <= 16


def test_the_preview_writes_its_rows_in_bulk(api):
    office = api("vp.skhcn")
    counts = []
    for rows, seed in ((30, 4), (300, 5)):
        with measured() as writes, CaptureQueriesContext(connection) as queries:
            _api_upload(office, rows, seed)
        assert [label for label, _s in writes] == ["intake.start_import"]
        counts.append(len(queries))
    assert counts[1] <= counts[0] + 2, counts


def test_a_300_row_confirm_through_the_page_fills_the_dossier(login, units, sub2023):  # noqa: F811
    office = login("vp.skhcn")
    data = build_typical_form_xlsx(300, seed=6)
    resp = office.post("/nhap-bieu-mau/", {"unit": units["SKHCN-QNG"].pk, "year": 2023, "ho_so": sub2023.pk,
                                           "uploads": [SimpleUploadedFile("bieu.xlsx", data)]}, follow=True)
    assert "Đã đọc 300 mô hình" in resp.content.decode()
    batch = ImportBatch.objects.get()
    events_before = SubmissionEvent.objects.filter(submission=sub2023, action=Action.ATTACH).count()
    resp = office.post(f"/nhap-bieu-mau/{batch.pk}/", _confirm_payload(batch), follow=True)
    assert "Đã nhập 300 mô hình" in resp.content.decode()
    saved = list(Exemplar.objects.filter(unit__code="SKHCN-QNG", year=2023))
    assert len(saved) == 300
    sub2023.refresh_from_db()
    assert SubmissionItem.objects.filter(submission=sub2023).count() == sub2023.n_total == 300
    assert sub2023.n_collective + sub2023.n_individual == 300
    # One log line per exemplar attached, as attaching them one by one wrote.
    assert SubmissionEvent.objects.filter(submission=sub2023, action=Action.ATTACH).count() - events_before == 300
    _assert_like_one_by_one(saved, "vp.skhcn")


def test_a_failing_row_saves_nothing_and_the_preview_stays(api):
    office = api("vp.skhcn")
    batch = _api_upload(office, 40, seed=7)
    body = _every_row_as_new_field(batch["id"])
    last = str(batch["rows"][-1]["id"])
    body["edits"][last] = {**body["edits"][last], "name": "x" * 500, "address": "a" * 500,
                           "field_id": "new:khong-co"}
    before = (Exemplar.objects.count(), SearchEntry.objects.count(), Field.objects.count(),
              Exemplar.history.count())  # type: ignore[attr-defined]
    resp = _confirm(office, batch["id"], body)
    assert resp.status_code in (400, 422) and "Lĩnh vực toàn quốc không hợp lệ" in resp.content.decode()
    assert (Exemplar.objects.count(), SearchEntry.objects.count(), Field.objects.count(),
            Exemplar.history.count()) == before  # type: ignore[attr-defined]
    assert ImportBatch.objects.get(pk=batch["id"]).state == "preview"
    assert_in_step()


def test_sqlite_writers_wait_and_take_the_lock_first(settings):
    """A writer waits for the lock (busy timeout) instead of failing, and BEGIN IMMEDIATE takes it up front so
    two readers never deadlock upgrading to writers."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 20
    with connection.cursor() as cur:
        cur.execute("PRAGMA busy_timeout")
        assert cur.fetchone()[0] >= 20_000
