"""`danvan check-replica`: prove the read-replica routing against a real streaming replica.

Needs DANVAN_REPLICA_DATABASE_URL pointing at a PostgreSQL standby of DANVAN_DATABASE_URL and the demo data
(`danvan loaddemo`). Through the real pages (Django's test client, the whole middleware stack) it checks that
plain reads go to the replica, that a write goes to the primary, that the writer's next pages read the
primary (read-after-write), and that once replication caught up a reader without the pin reads the new row
from the replica. Prints JSON; exits non-zero when a check fails.
"""

from __future__ import annotations

import json
import time
import uuid

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment

from danvan.foundation import command


def _in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery()")
        return bool(cur.fetchone()[0])


def _wait_replayed(timeout: float = 10.0) -> float:
    """Wait until the replica has replayed everything the primary wrote so far; return the wait in ms."""
    with connections["default"].cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn()")
        target = cur.fetchone()[0]
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        with connections["replica"].cursor() as cur:
            cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cur.fetchone()[0]:
                break
        time.sleep(0.005)
    return round((time.perf_counter() - start) * 1000, 1)


class Command(command.Command):
    help = ("Kiểm tra định tuyến đọc sang máy chủ bản sao (replica): đọc → bản sao, ghi → máy chính, "
            "người vừa ghi đọc từ máy chính. Cần DANVAN_REPLICA_DATABASE_URL và dữ liệu mẫu.")

    def add_arguments(self, parser):
        parser.add_argument("--username", default="vp.skhcn", metavar="TÊN_ĐĂNG_NHẬP",
                            help="tài khoản dùng để đọc và ghi qua các trang (mặc định: vp.skhcn của dữ liệu mẫu)")
        parser.add_argument("--password", default=None, metavar="MẬT_KHẨU", help="mật khẩu của tài khoản đó (mặc định: mật khẩu dữ liệu mẫu)")
        parser.add_argument("--json", action="store_true", help="(mặc định) in JSON")

    def handle(self, *args, **o):
        if "replica" not in settings.DATABASES:
            raise CommandError("Chưa cấu hình bản sao: đặt DANVAN_REPLICA_DATABASE_URL (PostgreSQL) rồi chạy lại.")
        if not connections["default"].vendor == connections["replica"].vendor == "postgresql":
            raise CommandError("Kiểm tra bản sao chỉ dành cho PostgreSQL (máy chính và bản sao).")
        from danvan.ops.demo import DEMO_PASSWORD

        setup_test_environment()  # lets the client see the response context, as in the tests
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        checks: dict[str, bool] = {}
        out: dict = {"primary_in_recovery": _in_recovery("default"), "replica_in_recovery": _in_recovery("replica")}
        checks["bản sao là máy dự phòng (standby)"] = out["replica_in_recovery"] and not out["primary_in_recovery"]

        def count(fn):
            with CaptureQueriesContext(connections["default"]) as p, CaptureQueriesContext(connections["replica"]) as r:
                resp = fn()
            return resp, len(p.captured_queries), len(r.captured_queries)

        writer = Client()
        resp, _, _ = count(lambda: writer.post("/dang-nhap/", {"username": o["username"],
                                                               "password": o["password"] or DEMO_PASSWORD}))
        if resp.status_code != 302:
            raise CommandError(f"Không đăng nhập được bằng {o['username']}: hãy nạp dữ liệu mẫu (danvan loaddemo).")
        # Reading after the login pin has expired (and the session reached the replica): replica only.
        _wait_replayed()
        writer.cookies.pop(settings.MULTIDB_PINNING_COOKIE, None)
        resp, on_primary, on_replica = count(lambda: writer.get("/mo-hinh/"))
        out["read_page"] = {"status": resp.status_code, "primary_queries": on_primary, "replica_queries": on_replica}
        checks["đọc thường đi tới bản sao"] = resp.status_code == 200 and on_primary == 0 and on_replica > 0

        name = f"Kiểm tra bản sao {uuid.uuid4().hex[:8]}"
        resp, on_primary, on_replica = count(lambda: writer.post("/tai-khoan/", {"name": name}))
        out["write"] = {"status": resp.status_code, "primary_queries": on_primary, "replica_queries": on_replica,
                        "pin_cookie": settings.MULTIDB_PINNING_COOKIE in resp.cookies}
        checks["ghi đi tới máy chính"] = resp.status_code == 200 and on_primary > 0 and on_replica == 0
        checks["người vừa ghi được giữ ở máy chính"] = out["write"]["pin_cookie"]

        resp, on_primary, on_replica = count(lambda: writer.get("/tai-khoan/"))
        out["read_after_write"] = {"status": resp.status_code, "primary_queries": on_primary,
                                   "replica_queries": on_replica, "sees_own_write": name in resp.content.decode()}
        checks["đọc sau khi ghi từ máy chính"] = on_replica == 0 and out["read_after_write"]["sees_own_write"]

        from danvan.api.models import ApiToken

        out["replication_lag_ms"] = _wait_replayed()
        writer.cookies.pop(settings.MULTIDB_PINNING_COOKIE, None)
        resp, on_primary, on_replica = count(lambda: writer.get("/tai-khoan/"))
        out["read_later_unpinned"] = {"status": resp.status_code, "primary_queries": on_primary,
                                      "replica_queries": on_replica, "sees_write": name in resp.content.decode()}
        checks["bản sao đã theo kịp và trả về dòng mới"] = on_primary == 0 and out["read_later_unpinned"]["sees_write"]

        token = ApiToken.objects.get(name=name)
        writer.post(f"/tai-khoan/khoa/{token.pk}/thu-hoi/")  # leave nothing usable behind
        out["checks"] = checks
        out["ok"] = all(checks.values())
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
        if not out["ok"]:
            raise CommandError("Định tuyến bản sao KHÔNG đạt: " + ", ".join(k for k, v in checks.items() if not v))
