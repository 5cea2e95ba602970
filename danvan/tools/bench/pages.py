"""`danvan bench pages`: in-process cost of each request of the deadline-day mix (`danvan loadtest`).

No server: Django's test client, logged in as the load personas that `loadtest.prepare` creates (so the
database needs `danvan generate` first), runs every URL of the mix `repeat` times and reports per URL the
median wall time, the number of queries, and the CPU it cost: this process's and, on PostgreSQL on the
same machine, the connection's backend (read from /proc). CPU is what bounds the 2-core server; wall time
also counts waiting for a shared machine. The register/attach/submit calls write, like the load test.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection
from django.test import Client


def _backend_cpu() -> Callable[[], float] | None:
    """Seconds of CPU used so far by this connection's PostgreSQL backend, when it runs on this machine."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cur.fetchone()[0]}/stat")
    if not stat.exists():
        return None
    tick = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    return read


def bench_pages(repeat: int = 15) -> dict:
    from django.contrib.auth import get_user_model

    from danvan.tools.loadtest import prepare

    # `danvan bench` rolls its transaction back: the load personas made here leave nothing behind.
    personas = prepare(allow_real_users=True)
    officer = next(p for p in personas if p.role == "officer")
    board = next(p for p in personas if p.role == "board")
    users = get_user_model().objects
    co, cb = Client(), Client()
    co.force_login(users.get(username=officer.username))
    cb.force_login(users.get(username=board.username))
    ex = officer.exemplars[0]
    body = {"unit": officer.unit, "year": officer.year, "movement": officer.movement, "field": officer.field_id,
            "kind": "collective", "content_problem": "<p>Giải pháp</p>", "origin": "new"}

    def api(client: Client, url: str, data: dict, token: str):
        return client.post(url, data=json.dumps(data), content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})

    def version() -> int:  # the submission's version now, as a client that has just read it sends
        from danvan.movement.models import Submission

        return Submission.objects.get(pk=officer.submission).version

    cases: list[tuple[str, Callable]] = [
        ("officer: list", lambda: co.get("/mo-hinh/")),
        ("officer: list ?year=2024", lambda: co.get("/mo-hinh/?year=2024")),
        ("officer: list ?q=dân vận", lambda: co.get("/mo-hinh/?q=dân vận")),
        ("officer: list ?kind=collective", lambda: co.get("/mo-hinh/?kind=collective")),
        ("officer: exemplar page", lambda: co.get(f"/mo-hinh/{ex}/")),
        ("officer: submission page", lambda: co.get(f"/ho-so/{officer.submission}/")),
        ("officer: POST /api/exemplars", lambda: api(co, "/api/exemplars",
                                                     {**body, "name": f"Mô hình tải thử {time.time_ns()}"},
                                                     officer.token)),
        ("officer: attach (API)", lambda: api(co, f"/api/submissions/{officer.submission}/attach",
                                              {"exemplars": [ex], "version": version()}, officer.token)),
        ("leader: submit (API)", lambda: api(co, f"/api/submissions/{officer.submission}/submit", {"version": version()},
                                             officer.leader_token)),
        ("board: round page", lambda: cb.get(f"/dot-dang-ky/{board.round}/")),
        ("board: completeness (API)", lambda: cb.get(f"/api/rounds/{board.round}/completeness",
                                                     headers={"Authorization": f"Bearer {board.token}"})),
        ("board: province-wide list", lambda: cb.get(f"/mo-hinh/?unit={board.unit}&subtree=1")),
    ]
    co.get("/mo-hinh/")
    backend = _backend_cpu()
    out: dict = {}
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    for name, call in cases:
        call()
        executed.clear()
        with connection.execute_wrapper(count):
            status = call().status_code
        walls = []
        cpu0, pg0 = time.process_time(), backend() if backend else 0.0
        for _ in range(max(1, repeat)):
            start = time.perf_counter()
            call()
            walls.append(time.perf_counter() - start)
        n = max(1, repeat)
        app_ms = (time.process_time() - cpu0) / n * 1000
        pg_ms = (backend() - pg0) / n * 1000 if backend else None
        out[name] = {"status": status, "queries": len(executed),
                     "median_ms": round(statistics.median(walls) * 1000, 1), "app_cpu_ms": round(app_ms, 1),
                     "db_cpu_ms": round(pg_ms, 1) if pg_ms is not None else None}
    return out
