"""Issue 8: operations — backup/restore round trip on the running database, /healthz, JSON logs,
Redis cache, uploads on S3-compatible object storage (moto server on loopback)."""

import datetime
import io
import json
import logging
import socket

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from danvan.exemplars.models import Exemplar
from danvan.movement.models import Submission

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _snapshot() -> dict:
    """Every row of every table (auto-created many-to-many tables and history tables included)."""
    return {m._meta.db_table: list(m._base_manager.order_by("pk").values_list())
            for m in apps.get_models(include_auto_created=True) if m._meta.managed}


@pytest.mark.django_db(transaction=True)
def test_backup_restore_round_trip_keeps_every_row(api, tmp_path, reopen):
    officer = api("tt.skhcn")
    ex = Exemplar.objects.get(unit__code="TT-SKHCN-QNG")
    reopen(ex)
    officer.patch(f"/api/exemplars/{ex.pk}", json.dumps({"version": ex.version, "name": "Sửa trước sao lưu"}),
                  content_type="application/json")
    before = _snapshot()
    assert before["exemplars_historicalexemplar"] and before["api_apitoken"]
    out = tmp_path / "danvan.bak"
    call_command("backup", "-o", str(out), stdout=io.StringIO())
    # Life goes on after the backup…
    officer.delete(f"/api/exemplars/{ex.pk}")
    Submission.objects.update(launch_content="đổi sau sao lưu")
    api("vp.skhcn")
    assert _snapshot() != before
    with pytest.raises(CommandError, match="Đã hủy"):
        import builtins

        real_input, builtins.input = builtins.input, lambda _: "khong"
        try:
            call_command("restore", str(out), stdout=io.StringIO())
        finally:
            builtins.input = real_input
    call_command("restore", str(out), "--noinput", stdout=io.StringIO())
    after = _snapshot()
    assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
    assert after == before
    # The restored database is live: the token made before the backup still works.
    assert officer.get(f"/api/exemplars/{ex.pk}").json()["name"] == "Sửa trước sao lưu"


@pytest.mark.django_db
def test_restore_refuses_a_foreign_file(tmp_path):
    bad = tmp_path / "x.bak"
    bad.write_bytes(b"not a backup at all")
    with pytest.raises(CommandError, match="không phải bản sao lưu"):
        call_command("restore", str(bad), "--noinput")


@pytest.mark.django_db
def test_healthz_reports_each_part_and_503_when_the_worker_is_stuck(client, settings, tmp_path):
    from danvan.ops import health

    settings.MEDIA_ROOT = tmp_path
    health._last_storage.clear()
    data = client.get("/healthz/chi-tiet").json()  # the test client comes from 127.0.0.1: this machine
    assert data["status"] == "ok" and set(data["checks"]) == {"database", "tasks", "storage", "jobs"}
    assert data["checks"]["tasks"]["pending"] == 0
    from django_tasks_db.models import DBTaskResult

    old = timezone.now() - datetime.timedelta(hours=2)
    DBTaskResult.objects.create(task_path="danvan.movement.tasks.send_reminder_email", args_kwargs={},
                                backend_name="default", run_after=old, queue_name="default")
    DBTaskResult.objects.update(enqueued_at=old)
    resp = client.get("/healthz/chi-tiet")
    assert resp.status_code == 503
    body = resp.json()
    assert body["status"] == "down" and not body["checks"]["tasks"]["ok"] and body["checks"]["database"]["ok"]
    assert "tiến trình nền" in body["checks"]["tasks"]["error"]
    public = client.get("/healthz", REMOTE_ADDR="203.0.113.7")
    assert public.status_code == 503 and public.json() == {"status": "down"}
    assert client.get("/healthz/bare").content == b"ok\n"
    # Waiting counts from the enqueueing for a task to run at once, from the time it was due for one put off
    # (a mail's retry): a retry due just now after two hours is no stopped worker; a mail queued two hours ago is.
    from django_tasks_db.models import get_date_max

    DBTaskResult.objects.update(run_after=timezone.now())
    assert client.get("/healthz/chi-tiet").json()["status"] == "ok"
    DBTaskResult.objects.update(run_after=get_date_max())
    assert client.get("/healthz/chi-tiet").status_code == 503


@pytest.mark.django_db
def test_public_healthz_tells_nothing_and_details_are_for_this_machine_or_a_superuser(client, login, settings,
                                                                                     tmp_path):
    """Issue 21 §8: /healthz echoed the database's host, port and role to anyone; now only "ok"/"down"."""
    from danvan.ops import health

    settings.MEDIA_ROOT = tmp_path
    health._last_storage.clear()
    outside = {"REMOTE_ADDR": "203.0.113.7"}
    resp = client.get("/healthz", **outside)
    assert resp.status_code == 200 and resp.json() == {"status": "ok"}
    assert client.get("/healthz/chi-tiet", **outside).status_code == 404
    assert login("bdv.quangngai").get("/healthz/chi-tiet", **outside).status_code == 404
    admin = login("admin").get("/healthz/chi-tiet", **outside)
    assert admin.status_code == 200 and admin.json()["checks"]["database"]["ok"]


@pytest.mark.django_db
def test_storage_is_written_at_most_once_a_minute(client, settings, tmp_path, monkeypatch):
    """Issue 21 §8: every probe wrote a file to the storage; now one write per STORAGE_EVERY seconds."""
    from django.core.files.storage import default_storage

    from danvan.ops import health

    settings.MEDIA_ROOT = tmp_path
    health._last_storage.clear()
    saves: list[str] = []
    real_save = default_storage.save
    monkeypatch.setattr(default_storage, "save", lambda name, content: saves.append(name) or real_save(name, content))
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
    assert len(saves) == 1
    health._last_storage["at"] -= health.STORAGE_EVERY  # a minute later
    client.get("/healthz")
    assert len(saves) == 2


@pytest.mark.django_db
def test_signed_in_pages_and_downloads_are_not_stored_the_showcase_stays_public(client, login, api, demo):
    """Issue 21 §8: logged-in pages and downloads lacked Cache-Control: no-store."""
    officer = login("vp.skhcn")
    for url in ("/mo-hinh/", "/tai-khoan/", "/quan-tri-don-vi/mau/nguoi-dung.xlsx"):
        resp = officer.get(url)
        assert resp.status_code == 200, url
        assert "no-store" in resp["Cache-Control"], url
    assert "no-store" in api("vp.skhcn").get("/api/units").headers["Cache-Control"]
    assert "public" in client.get("/cong-khai/")["Cache-Control"]
    shown = officer.get("/cong-khai/")
    assert shown.status_code == 200 and "public" in shown["Cache-Control"] and "no-store" not in shown["Cache-Control"]


def test_generated_secret_key_file_is_readable_by_its_owner_only(tmp_path, monkeypatch):
    """Issue 21 §8: var/secret_key was written world-readable; new files are 0600, an old wide one is narrowed."""
    import os
    import runpy
    import stat

    import danvan.settings

    monkeypatch.setenv("DANVAN_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DANVAN_SECRET_KEY", raising=False)
    old_umask = os.umask(0o022)
    try:
        first = runpy.run_path(danvan.settings.__file__)["SECRET_KEY"]
        key = tmp_path / "secret_key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(first) == 64
        key.chmod(0o644)
        assert runpy.run_path(danvan.settings.__file__)["SECRET_KEY"] == first
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)


def test_json_log_lines():
    from danvan.foundation.logjson import JsonFormatter

    record = logging.LogRecord("danvan", logging.WARNING, __file__, 1, "Đôn đốc %s", ("Chi cục",), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["message"] == "Đôn đốc Chi cục" and line["time"].endswith("+00:00")


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(not _port_open(6379), reason="Redis không chạy ở 127.0.0.1:6379")
def test_redis_cache_backend(settings):
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/15"}}
    cache = caches.create_connection("default")
    cache.set("danvan:test", {"đơn vị": "Chi cục"}, 30)
    assert cache.get("danvan:test") == {"đơn vị": "Chi cục"}
    cache.delete("danvan:test")


@pytest.fixture
def s3_server():
    """moto's S3 in server mode on loopback: the real HTTP protocol, no outside network."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.mark.django_db
def test_dossier_uploads_on_object_storage(login, demo, settings, s3_server):
    import boto3

    creds = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=s3_server, **creds).create_bucket(Bucket="danvan-ho-so")
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "danvan-ho-so", "endpoint_url": s3_server, "access_key": "test",
                    "secret_key": "test", "region_name": "us-east-1", "default_acl": None, "file_overwrite": False}}}
    sub = Submission.objects.get(unit__code="CCTDC-QNG", round__year=2022)
    officer = login("cc.tdc")
    officer.post(f"/ho-so/{sub.pk}/ho-so-kem-theo/", {"signed_scan": SimpleUploadedFile("ban-ky.pdf", PDF),
                                                       "version": sub.version})
    sub.refresh_from_db()
    keys = [o["Key"] for o in boto3.client("s3", endpoint_url=s3_server, **creds)
            .list_objects_v2(Bucket="danvan-ho-so")["Contents"]]
    assert keys == [sub.signed_scan.name]
    resp = officer.get(f"/ho-so/{sub.pk}/tep/ban-ky/")
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == PDF
    assert login("dangbo.stp").get(f"/ho-so/{sub.pk}/tep/ban-ky/").status_code == 404


def test_check_replica_needs_a_configured_replica(db):
    """Without DANVAN_REPLICA_DATABASE_URL the replica check says what to configure instead of passing."""
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="DANVAN_REPLICA_DATABASE_URL"):
        call_command("check-replica")
