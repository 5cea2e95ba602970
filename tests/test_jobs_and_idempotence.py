"""Issue 21 §5: jobs that die are seen, and confirmations are idempotent under concurrency.

- A document job whose worker died (no heartbeat for DANVAN_DOCUMENT_JOB_STALE_SECONDS) is marked failed with a
  Vietnamese message on its progress page and built anew on the next request; /healthz/chi-tiet counts stuck jobs.
- LibreOffice runs through one runner (core/soffice.py): its own process group, killed whole on timeout, on an
  interrupt and when the process that started it is SIGKILLed.
- The same intake file confirmed twice, a tree applied twice, a double click: one result, no 500.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.utils import timezone

# ---------------------------------------------------------------------------------------------- document jobs


def _sub():
    from danvan.movement.models import Submission

    return Submission.objects.get(unit__code="SKHCN-QNG", round__year=2021)


def _queued(settings):
    settings.DANVAN_BACKGROUND_DOCUMENT_ITEMS = 1  # the seed registration has 4 exemplars
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}  # no worker runs it


def _immediate(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _worker_died(job, minutes_ago: float) -> None:
    """What a worker killed mid-build leaves: the job "running", its last heartbeat `minutes_ago`."""
    from danvan.documents.models import GeneratedDocument, JobStatus

    beat = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    GeneratedDocument.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=50,
                                                       stage="Đang dựng văn bản", heartbeat_at=beat)


def test_a_job_whose_worker_died_is_failed_in_vietnamese_and_built_anew(login, demo, settings):
    from danvan.documents.models import GeneratedDocument, JobStatus

    _queued(settings)
    settings.DANVAN_DOCUMENT_JOB_STALE_SECONDS = 300
    office, sub = login("vp.skhcn"), _sub()
    first = office.get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx")
    job = GeneratedDocument.objects.get()
    # A worker still beating (two minutes ago, under the five): the job is alive and the next click reuses it.
    _worker_died(job, minutes_ago=2)
    assert office.get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx")["Location"] == first["Location"]
    page = office.get(first["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in page and "Đang dựng văn bản" in page
    # Killed: no heartbeat for ten minutes. The progress page says so and stops polling.
    _worker_died(job, minutes_ago=10)
    page = office.get(first["Location"], HTTP_HX_REQUEST="true").content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert "Tiến trình nền đã dừng giữa chừng" in page and "quá 5 phút" in page and "hx-trigger" not in page
    assert f"/ho-so/{sub.pk}/van-ban/dang-ky.docx" in page  # "Tạo lại văn bản"
    assert office.get(f"/van-ban/tao/{job.pk}/tai-ve/").status_code == 404
    # The next request is a new job, and this time a worker builds it.
    _immediate(settings)
    again = office.get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx")
    new = GeneratedDocument.objects.exclude(pk=job.pk).get()
    assert again["Location"] == f"/van-ban/tao/{new.pk}/" and new.status == JobStatus.DONE
    assert new.heartbeat_at is not None
    assert office.get(f"/van-ban/tao/{new.pk}/tai-ve/").status_code == 200


def test_a_dead_job_is_retried_without_visiting_its_page(api, demo, settings):
    """The API: the next request after a dead job gets a new one (202), the dead one reads failed with the message."""
    from danvan.documents.models import GeneratedDocument

    _queued(settings)
    office, sub = api("vp.skhcn"), _sub()
    url = f"/api/submissions/{sub.pk}/documents/dang-ky.xlsx"
    first = office.get(url).json()
    _worker_died(GeneratedDocument.objects.get(pk=first["id"]), minutes_ago=60)
    _immediate(settings)
    second = office.get(url)
    assert second.status_code == 202 and second.json()["id"] != first["id"]
    assert office.get(second.json()["status_url"]).json()["state"] == "done"
    dead = office.get(first["status_url"]).json()
    assert dead["state"] == "failed" and "Tiến trình nền đã dừng giữa chừng" in dead["error"]


def test_healthz_details_count_stuck_jobs_the_public_answer_stays_ok(client, login, demo, settings, tmp_path):
    from django_tasks_db.models import DBTaskResult

    from danvan.documents.models import GeneratedDocument
    from danvan.ops import health

    settings.MEDIA_ROOT = tmp_path
    health._last_storage.clear()
    _queued(settings)
    login("vp.skhcn").get(f"/ho-so/{_sub().pk}/van-ban/dang-ky.docx")
    job = GeneratedDocument.objects.get()
    data = client.get("/healthz/chi-tiet").json()
    assert data["status"] == "ok" and data["checks"]["jobs"]["stuck_documents"] == 0
    _worker_died(job, minutes_ago=30)
    long_ago = timezone.now() - datetime.timedelta(hours=3)
    DBTaskResult.objects.create(task_path="danvan.documents.tasks.build_document", args_kwargs={"args": [job.pk]},
                                backend_name="default", run_after=long_ago, queue_name="default",
                                status="RUNNING", started_at=long_ago)
    resp = client.get("/healthz/chi-tiet")
    jobs = resp.json()["checks"]["jobs"]
    assert resp.status_code == 200 and resp.json()["status"] == "degraded"
    assert jobs["stuck_documents"] == 1 and jobs["stuck_tasks"] == 1 and "bị treo" in jobs["warning"]
    public = client.get("/healthz", REMOTE_ADDR="203.0.113.7")
    assert public.status_code == 200 and public.json() == {"status": "ok"}


def test_the_worker_beats_while_it_builds(login, demo, settings, monkeypatch):
    """The heartbeat thread runs beside a slow build and stops with it."""
    from danvan.documents import tasks

    settings.DANVAN_BACKGROUND_DOCUMENT_ITEMS = 1
    settings.DANVAN_DOCUMENT_JOB_STALE_SECONDS = 0.4  # a beat every 0.1 s
    beats: list[int] = []
    monkeypatch.setattr(tasks, "_may_beat", lambda: True)  # a real worker holds no transaction open
    monkeypatch.setattr(tasks, "beat", beats.append)
    real = tasks.MAKERS["danh-sach"]

    def slow(sub, fmt):
        time.sleep(0.5)
        return real(sub, fmt)

    monkeypatch.setitem(tasks.MAKERS, "danh-sach", slow)
    login("vp.skhcn").get(f"/ho-so/{_sub().pk}/van-ban/danh-sach.xlsx")
    after = len(beats)
    assert after >= 3
    time.sleep(0.3)
    assert len(beats) == after  # the thread ended with the build


# ------------------------------------------------------------------------------------------- LibreOffice runner

FAKE_SOFFICE = """#!/bin/sh
# Stands in for soffice: a child that outlives its parent unless the whole group is killed (like soffice.bin).
sleep 300 &
echo $! > "$DANVAN_TEST_PIDFILE"
wait
"""


def _fake_soffice(tmp_path: Path) -> tuple[Path, Path]:
    exe = tmp_path / "soffice-fake"
    exe.write_text(FAKE_SOFFICE)
    exe.chmod(0o755)
    return exe, tmp_path / "grandchild.pid"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie is dead, only not yet reaped by whoever adopted it


def _wait_for(predicate, seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _grandchild(pidfile: Path) -> int:
    assert _wait_for(lambda: pidfile.exists() and pidfile.read_text().strip()), "the fake soffice did not start"
    return int(pidfile.read_text())


CONVERT = textwrap.dedent("""
    import signal, sys
    from danvan.documents import pdf

    def stop(signum, frame):  # what db_worker does on a second SIGTERM
        sys.exit(1)

    signal.signal(signal.SIGTERM, stop)
    pdf.convert_once(b"PK", "docx", timeout=300)
""")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_process_leaves_no_libreoffice_behind(tmp_path, how):
    exe, pidfile = _fake_soffice(tmp_path)
    env = {**os.environ, "DANVAN_SOFFICE": str(exe), "DANVAN_TEST_PIDFILE": str(pidfile), "DANVAN_PDF_SERVER": ""}
    parent = subprocess.Popen([sys.executable, "-c", CONVERT], env=env, cwd=Path(__file__).resolve().parent.parent)
    try:
        grandchild = _grandchild(pidfile)
        assert _alive(grandchild)
        parent.send_signal(how)
        parent.wait(timeout=20)
        assert _wait_for(lambda: not _alive(grandchild)), "LibreOffice's child outlived the killed process"
    finally:
        parent.kill()
        if pidfile.exists() and _alive(int(pidfile.read_text())):
            os.kill(int(pidfile.read_text()), signal.SIGKILL)


def test_a_conversion_past_its_timeout_is_killed_whole_and_both_doors_honour_danvan_soffice(tmp_path, monkeypatch):
    from danvan.documents import pdf
    from danvan.intake import filetype

    exe, pidfile = _fake_soffice(tmp_path)
    monkeypatch.setenv("DANVAN_SOFFICE", str(exe))
    monkeypatch.setenv("DANVAN_TEST_PIDFILE", str(pidfile))
    assert pdf.find_soffice() == str(exe) and filetype.soffice_path() == str(exe)  # one place finds LibreOffice
    start = time.monotonic()
    with pytest.raises(pdf.PdfUnavailable):
        pdf.convert_once(b"PK", "docx", timeout=1)
    assert time.monotonic() - start < 15
    grandchild = int(pidfile.read_text())
    assert _wait_for(lambda: not _alive(grandchild))
    pidfile.unlink()
    assert filetype.convert_with_libreoffice(str(exe), b"x", ".doc", "docx", 1) is None
    assert _wait_for(lambda: not _alive(int(pidfile.read_text())))


# ------------------------------------------------------------------------------------------------ confirmations

TREE = (
    "code,name,parent_code,level,kind,header_name,superior_name,doc_suffix,place_name,address,doc_family\n"
    "HU-DUP,Huyện ủy Sơn Tịnh,BDVTU-QNG,huyen,huyen-uy,HUYỆN ỦY SƠN TỊNH,TỈNH ỦY QUẢNG NGÃI,HU,Sơn Tịnh,,party\n"
    "XA-DUP-1,Đảng ủy xã Tịnh Hà,HU-DUP,co-so,xa,ĐẢNG ỦY XÃ TỊNH HÀ,HUYỆN ỦY SƠN TỊNH,ĐU,Tịnh Hà,,party\n"
)


def _seed_form() -> bytes:
    from danvan.tools.intake_samples import build_seed001_docx

    return build_seed001_docx()  # one e-mailed attachment: the same bytes every time


def _intake_upload(client, unit, data: bytes, name: str = "bieu-so-2.docx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from danvan.intake.models import ImportBatch

    before = set(ImportBatch.objects.values_list("pk", flat=True))
    client.post("/nhap-bieu-mau/", {"unit": unit.pk, "year": 2023, "uploads": [SimpleUploadedFile(name, data)]})
    return ImportBatch.objects.exclude(pk__in=before).get()


def _confirm_payload(batch) -> dict:
    from danvan.intake.models import ImportRow

    data = {"confirm": "1"}
    for row in ImportRow.objects.filter(file__batch=batch):
        p, d = f"r{row.pk}-", row.data
        if d["include"]:
            data[p + "include"] = "on"
        data.update({p + "name": d["name"], p + "field": d["field_id"] or "new:he-thong-chinh-tri",
                     p + "kind": d["kind"] or "", p + "origin": d["origin"] or "", p + "address": d["address"],
                     p + "content_problem": d["content_problem"], p + "content_actors": d["content_actors"],
                     p + "content_results": d["content_results"]})
    return data


def _exemplars(unit) -> int:
    from danvan.exemplars.models import Exemplar

    return Exemplar.objects.filter(unit=unit).count()


def test_one_file_previewed_twice_is_imported_once_page_and_api(login, api, units):
    from danvan.intake.models import ImportBatch

    office, unit, form = login("vp.skhcn"), units["VP-SKHCN-QNG"], _seed_form()
    first, second = _intake_upload(office, unit, form), _intake_upload(office, unit, form)  # both before a confirm
    before = _exemplars(unit)
    done = office.post(f"/nhap-bieu-mau/{first.pk}/", _confirm_payload(first), follow=True)
    assert "Đã nhập 3" in done.content.decode() and _exemplars(unit) == before + 3
    refused = office.post(f"/nhap-bieu-mau/{second.pk}/", _confirm_payload(second), follow=True)
    page = refused.content.decode()
    assert refused.status_code == 200 and "“bieu-so-2.docx” đã được nhập lúc" in page and "không lưu gì" in page
    assert _exemplars(unit) == before + 3
    second.refresh_from_db()
    assert second.state == ImportBatch.State.PREVIEW  # nothing half-saved; the user may cancel it
    # The API door: a third preview of the file, uploaded before the first confirm, is a 409 like a replay.
    tt = units["TT-SKHCN-QNG"]
    third, fourth, before = _intake_upload(office, tt, form), _intake_upload(office, tt, form), _exemplars(tt)
    client = api("vp.skhcn")
    assert client.post(f"/api/imports/{third.pk}/confirm", content_type="application/json").status_code == 200
    resp = client.post(f"/api/imports/{fourth.pk}/confirm", content_type="application/json")
    assert resp.status_code == 409 and resp.json()["code"] == "already_confirmed"
    assert "đã được nhập lúc" in resp.json()["message"]
    assert _exemplars(tt) == before + 3


def test_the_same_file_twice_in_one_upload_is_read_once(login, units):
    from danvan.intake.models import ImportFile

    office, unit, form = login("vp.skhcn"), units["VP-SKHCN-QNG"], _seed_form()
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = office.post("/nhap-bieu-mau/", {"unit": unit.pk, "year": 2023, "uploads": [
        SimpleUploadedFile("a.docx", form), SimpleUploadedFile("b.docx", form)]}, follow=True).content.decode()
    assert "Tệp “b.docx” giống hệt tệp “a.docx”" in page
    assert list(ImportFile.objects.values_list("filename", flat=True)) == ["a.docx"]


def _tree_run(client):
    import io

    f = io.BytesIO(TREE.encode())
    f.name = "cay.csv"
    resp = client.post("/quan-tri-don-vi/nhap/cay-don-vi/", {"upload": f})
    assert resp.status_code == 302
    return resp["Location"]


def test_a_tree_applied_twice_is_written_once(login, demo):
    from django.core.exceptions import ValidationError

    from danvan.onboarding import tree_import
    from danvan.onboarding.models import ImportRun
    from danvan.orgs.models import OrgUnit

    board = login("bdv.quangngai")
    first, second = _tree_run(board), _tree_run(board)
    assert "Đã lưu: 2 tạo mới" in board.post(first, follow=True).content.decode()
    total = OrgUnit.objects.count()
    # The page posted again (a double click): told it was applied, nothing written.
    again = board.post(first, follow=True).content.decode()
    assert "Tệp này đã được áp dụng; không áp dụng lại." in again and OrgUnit.objects.count() == total
    # What the second of two simultaneous posts holds: the run as it read it, not yet applied.
    run = ImportRun.objects.get(pk=int(first.rstrip("/").rsplit("/", 1)[1]))
    run.applied_at = None
    with pytest.raises(ValidationError) as refused:
        tree_import.apply_tree(bytes(run.content), run.filename, by=run.created_by, run=run)
    assert refused.value.code == "already_applied" and OrgUnit.objects.count() == total
    # Another preview of the same file: nothing left to write, and it says so.
    assert "Không có gì được ghi." in board.post(second, follow=True).content.decode()
    assert OrgUnit.objects.count() == total and OrgUnit.objects.find_problems() == ([], [], [], [], [])


def _together(*posts):
    """Run the posts in threads released at the same moment; their responses (each thread its own connection)."""
    import threading

    from django.db import connection

    barrier, results = threading.Barrier(len(posts)), [None] * len(posts)

    def go(i, post):
        try:
            barrier.wait()
            results[i] = post()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i, p)) for i, p in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


needs_postgres = pytest.mark.skipif("postgres" not in os.environ.get("DANVAN_DATABASE_URL", ""),
                                    reason="two writers at once: PostgreSQL (SQLite writes one at a time)")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_at_the_same_moment_two_confirms_two_clicks_and_two_tree_applies_give_one_result(login, units):
    from danvan.orgs.models import OrgUnit

    office, unit, form = login("vp.skhcn"), units["VP-SKHCN-QNG"], _seed_form()
    other = login("vp.skhcn")
    # Two previews of one file confirmed at once.
    first, second = _intake_upload(office, unit, form), _intake_upload(office, unit, form)
    before = _exemplars(unit)
    answers = _together(lambda: office.post(f"/nhap-bieu-mau/{first.pk}/", _confirm_payload(first), follow=True),
                        lambda: other.post(f"/nhap-bieu-mau/{second.pk}/", _confirm_payload(second), follow=True))
    pages = [a.content.decode() for a in answers]
    assert [a.status_code for a in answers] == [200, 200], answers
    assert sum("Đã nhập 3" in p for p in pages) == 1 and sum("không lưu gì" in p for p in pages) == 1
    assert _exemplars(unit) == before + 3
    # A double click on one confirm.
    tt = units["TT-SKHCN-QNG"]
    batch, before = _intake_upload(office, tt, form), _exemplars(tt)
    payload = _confirm_payload(batch)
    answers = _together(lambda: office.post(f"/nhap-bieu-mau/{batch.pk}/", payload, follow=True),
                        lambda: other.post(f"/nhap-bieu-mau/{batch.pk}/", payload, follow=True))
    pages = [a.content.decode() for a in answers]
    assert [a.status_code for a in answers] == [200, 200], answers
    assert sum("Đã nhập 3" in p for p in pages) == 1 and sum("đã được xác nhận" in p for p in pages) == 1
    assert _exemplars(tt) == before + 3
    # One tree preview posted twice at once, and two previews of it applied at once.
    board, board2 = login("bdv.quangngai"), login("bdv.quangngai")
    url = _tree_run(board)
    answers = _together(lambda: board.post(url, follow=True), lambda: board2.post(url, follow=True))
    pages = [a.content.decode() for a in answers]
    assert [a.status_code for a in answers] == [200, 200], answers
    assert sum("Tệp này đã được áp dụng; không áp dụng lại." in p for p in pages) == 1
    assert OrgUnit.objects.filter(code__in=["HU-DUP", "XA-DUP-1"]).count() == 2
    OrgUnit.objects.get(code="XA-DUP-1").delete()
    OrgUnit.objects.filter(code="HU-DUP").delete()
    one, two = _tree_run(board), _tree_run(board)
    answers = _together(lambda: board.post(one, follow=True), lambda: board2.post(two, follow=True))
    pages = [a.content.decode() for a in answers]
    assert [a.status_code for a in answers] == [200, 200], answers
    from danvan.onboarding.models import ImportRun

    runs = ImportRun.objects.filter(pk__in=[int(u.rstrip("/").rsplit("/", 1)[1]) for u in (one, two)])
    assert sorted(r.summary.get("created") for r in runs) == [0, 2] and all(r.applied_at for r in runs)
    assert not any("Lỗi máy chủ" in p for p in pages)
    assert OrgUnit.objects.filter(code__in=["HU-DUP", "XA-DUP-1"]).count() == 2
