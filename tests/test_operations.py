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
def test_backup_restore_round_trip_keeps_every_row(api, tmp_path):
    officer = api("tt.skhcn")
    ex = Exemplar.objects.get(unit__code="TT-SKHCN-QNG")
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
    settings.MEDIA_ROOT = tmp_path
    data = client.get("/healthz").json()
    assert data["status"] == "ok" and set(data["checks"]) == {"database", "tasks", "storage"}
    assert data["checks"]["tasks"]["pending"] == 0
    from django_tasks_db.models import DBTaskResult

    old = timezone.now() - datetime.timedelta(hours=2)
    DBTaskResult.objects.create(task_path="danvan.movement.tasks.send_reminder_email", args_kwargs={},
                                backend_name="default", run_after=old, queue_name="default")
    DBTaskResult.objects.update(enqueued_at=old)
    resp = client.get("/healthz")
    assert resp.status_code == 503
    body = resp.json()
    assert body["status"] == "down" and not body["checks"]["tasks"]["ok"] and body["checks"]["database"]["ok"]
    assert "tiến trình nền" in body["checks"]["tasks"]["error"]
    assert client.get("/healthz/bare").content == b"ok\n"


def test_json_log_lines():
    from danvan.core.logjson import JsonFormatter

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
