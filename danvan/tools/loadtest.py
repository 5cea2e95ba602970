"""Deadline-day load test against a running server on this machine (`danvan loadtest`).

`prepare` creates load personas in the database the server uses (officers and leaders of
departments of the first synthetic province, its Board, one round over the whole province);
`run` drives the server with bounded request count and duration from asyncio + aiohttp and
reports req/s and latency percentiles per action, then the same for the bare page; `finish` then locks the load
personas again (unusable password, inactive, tokens revoked). Their password is drawn at random for each run and
lives only in this process: nothing known is left behind. `prepare` refuses a database that holds accounts of its
own (anything but the `load.*` and `bench.*` accounts) unless told `allow_real_users` — the command's
`--cho-phep-du-lieu-that`. The generator shares the
machine's cores with the server, so its own cost per request is kept low: aiohttp's C HTTP parser costs about
a third of what httpx did per request (docs/SCALING.md).
"""

from __future__ import annotations

import asyncio
import datetime
import random
import secrets
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOAD_PREFIXES = ("load.", "bench.")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Persona:
    username: str
    role: str  # "officer" or "board"
    token: str
    leader_token: str = ""
    unit: str = ""
    submission: int = 0
    round: int = 0
    exemplars: list[int] = field(default_factory=list)
    field_id: int = 0
    movement: int = 0
    year: int = 0
    password: str = ""  # random, for this run only
    sub_version: int = 0  # the submission's version read at prepare; a later write answers 409 (expected)


class RealUsersError(RuntimeError):
    pass


def real_users() -> int:
    """Accounts that are not the load test's or the benches' own."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    others = Q()
    for prefix in LOAD_PREFIXES:
        others |= Q(username__startswith=prefix)
    return get_user_model().objects.exclude(others).count()


def prepare(officers: int = 20, boards: int = 4, *, allow_real_users: bool = False) -> list[Persona]:
    """Idempotent: the same users are reused; tokens and a random password are made fresh for this run."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from danvan.api.tokens import create_token
    from danvan.exemplars.models import Exemplar, Field
    from danvan.movement.models import RegistrationRound, Submission, TargetMode
    from danvan.movement.services import launch_round
    from danvan.orgs.models import Membership, OrgUnit, Role

    if not allow_real_users and (n := real_users()):
        raise RealUsersError(
            f"Cơ sở dữ liệu này có {n} tài khoản thật: tải thử sẽ tạo tài khoản, mô hình và khóa API trong đó. "
            "Hãy chạy trên một bản sao dùng để đo.")
    board_unit = OrgUnit.objects.filter(code__regex=r"^G\d+-P000-BDV$").order_by("pk").first()
    if board_unit is None:
        raise RuntimeError("Chưa có dữ liệu tổng hợp; hãy chạy `danvan generate --provinces 2 --exemplars 50000`.")
    User = get_user_model()
    secret = secrets.token_urlsafe(18)
    password = make_password(secret)

    def user(name: str, unit: OrgUnit, role: str):
        u, _ = User.objects.update_or_create(username=name, defaults={"password": password, "is_active": True},
                                             create_defaults={"password": password, "first_name": name})
        Membership.objects.get_or_create(user=u, unit=unit, role=role)
        return u

    admin = user("load.board.0", board_unit, Role.BOARD)
    rnd = RegistrationRound.objects.filter(issuer=board_unit, title="Đợt tải thử").first()
    sample = Exemplar.objects.filter(unit__path__startswith=board_unit.path).select_related("movement").first()
    if sample is None:
        raise RuntimeError("Tỉnh tổng hợp chưa có mô hình nào.")
    movement = sample.movement
    year = min(movement.period_end, timezone.localdate().year)
    if rnd is None:
        rnd = launch_round(issuer=board_unit, by=admin, movement=movement, year=year, title="Đợt tải thử",
                           deadline=timezone.now() + datetime.timedelta(days=1), target_mode=TargetMode.SUBTREE).obj
    field_id = Field.objects.filter(owner=board_unit).values_list("pk", flat=True).first() or 0
    personas = []
    for i in range(boards):
        u = user(f"load.board.{i}", board_unit, Role.BOARD)
        personas.append(Persona(u.username, "board", create_token(user=u, name="tải thử").secret,
                                unit=board_unit.code, round=rnd.pk, password=secret))
    depts = OrgUnit.objects.filter(path__startswith=board_unit.path, depth=board_unit.depth + 1,
                                   kind__code="so-nganh").order_by("path")
    for i in range(officers):
        unit = depts[i % depts.count()]
        officer, leader = user(f"load.officer.{i}", unit, Role.OFFICER), user(f"load.leader.{i}", unit, Role.LEADER)
        sub = Submission.objects.get(round=rnd, unit=unit)
        ids = list(Exemplar.objects.alive().filter(unit__path__startswith=unit.path).values_list("pk", flat=True)[:50])
        personas.append(Persona(officer.username, "officer", create_token(user=officer, name="tải thử").secret,
                                create_token(user=leader, name="tải thử").secret, unit.code, sub.pk, rnd.pk, ids,
                                field_id, movement.pk, year, password=secret, sub_version=sub.version))
    return personas


def finish() -> int:
    """Lock the load personas: no password, inactive, every token revoked. Returns how many accounts."""
    from django.contrib.auth import get_user_model

    from danvan.api.models import ApiToken
    from danvan.api.tokens import revoke_all
    from danvan.onboarding.people_import import unusable_password

    users = list(get_user_model().objects.filter(username__startswith="load."))
    for u in users:
        u.password, u.is_active = unusable_password(), False
        revoke_all(u, ApiToken.Revoked.LOAD_TEST)
    get_user_model().objects.bulk_update(users, ["password", "is_active"])
    return len(users)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    count: int = 0

    def record(self, action: str, seconds: float, status: int, expected: set[int]) -> None:
        self.count += 1
        self.latencies[action].append(seconds)
        if status >= 500 or status == 0:
            self.errors[action] += 1
        elif status >= 400:
            if status in expected:
                self.refused[action] += 1
            else:
                self.errors[action] += 1


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK and not host.startswith("127."):
        raise ValueError("Chỉ chạy tải thử vào máy chủ trên chính máy này (127.0.0.1, localhost).")


@dataclass
class Answer:
    status_code: int
    body: bytes

    def json(self):
        import json

        return json.loads(self.body)


class Client:
    """One simulated user: a cookie jar and one keep-alive connection to the server (aiohttp)."""

    def __init__(self, base_url: str, timeout: float = 60):
        import aiohttp

        self._base = base_url.rstrip("/")
        self._session = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies for 127.0.0.1, which a strict jar refuses
            connector=aiohttp.TCPConnector(limit=1), timeout=aiohttp.ClientTimeout(total=timeout))

    def cookie(self, name: str) -> str:
        from yarl import URL

        morsel = self._session.cookie_jar.filter_cookies(URL(self._base)).get(name)
        return morsel.value if morsel else ""

    async def request(self, method: str, path: str, **kwargs) -> Answer:
        async with self._session.request(method, self._base + path, allow_redirects=False, **kwargs) as resp:
            return Answer(resp.status, await resp.read())

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.request("POST", path, **kwargs)

    async def aclose(self) -> None:
        await self._session.close()


async def _login(client: Client, username: str, password: str) -> None:
    await client.get("/dang-nhap/")
    resp = await client.post("/dang-nhap/", data={"username": username, "password": password,
                                                   "csrfmiddlewaretoken": client.cookie("csrftoken")})
    if resp.status_code != 302:
        raise RuntimeError(f"Đăng nhập {username} thất bại ({resp.status_code}).")


async def _officer_step(client, p: Persona, rng: random.Random) -> tuple[str, object, set[int]]:
    auth = {"Authorization": f"Bearer {p.token}"}
    roll = rng.random()
    if roll < 0.40:
        q = rng.choice(["", "?year=2024", "?q=dân vận", "?kind=collective"])
        return "officer: danh sách mô hình", client.get(f"/mo-hinh/{q}"), set()
    if roll < 0.70 and p.exemplars:
        return "officer: chi tiết mô hình", client.get(f"/mo-hinh/{rng.choice(p.exemplars)}/"), set()
    if roll < 0.80:
        return "officer: hồ sơ đăng ký", client.get(f"/ho-so/{p.submission}/"), set()
    if roll < 0.90:
        body = {"unit": p.unit, "year": p.year, "movement": p.movement, "field": p.field_id,
                "name": f"Mô hình tải thử {rng.randrange(10**9)}", "kind": rng.choice(["collective", "individual"]),
                "content_problem": "<p>Giải pháp</p>", "origin": "new"}
        return "officer: đăng ký mô hình (API)", client.post("/api/exemplars", json=body, headers=auth), set()
    if roll < 0.97 and p.exemplars:
        body = {"exemplars": [rng.choice(p.exemplars)], "version": p.sub_version}
        # Already attached or already sent: a 400/409 refusal is the expected answer, not an error.
        return ("officer: thêm vào hồ sơ (API)", client.post(f"/api/submissions/{p.submission}/attach", json=body,
                                                             headers=auth), {400, 409})
    leader = {"Authorization": f"Bearer {p.leader_token}"}
    return ("leader: gửi hồ sơ (API)", client.post(f"/api/submissions/{p.submission}/submit", json={"version": p.sub_version},
                                                  headers=leader), {400, 409})


def _board_step(client, p: Persona, rng: random.Random) -> tuple[str, object, set[int]]:
    roll = rng.random()
    if roll < 0.5:
        return "board: trang tiến độ", client.get(f"/dot-dang-ky/{p.round}/"), set()
    if roll < 0.75:
        return ("board: tiến độ (API)", client.get(f"/api/rounds/{p.round}/completeness",
                                                  headers={"Authorization": f"Bearer {p.token}"}), set())
    return "board: danh sách toàn tỉnh", client.get(f"/mo-hinh/?unit={p.unit}&subtree=1"), set()


async def _user_loop(client: Client, p: Persona | None, stats: Stats, budget: dict, seed: int) -> None:
    import aiohttp

    rng = random.Random(seed)
    expected: set[int]
    while budget["left"] > 0 and time.monotonic() < budget["until"]:
        budget["left"] -= 1
        if p is None:
            action, call, expected = "bare: trang cố định", client.get("/healthz/bare"), set()
        elif p.role == "board":
            action, call, expected = _board_step(client, p, rng)
        else:
            action, call, expected = await _officer_step(client, p, rng)
        start = time.perf_counter()
        try:
            resp = await call
            status = resp.status_code
            if p is not None and action.startswith("officer: đăng ký") and status == 201:
                p.exemplars.append(resp.json()["exemplar"]["id"])
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        stats.record(action, time.perf_counter() - start, status, expected)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summarize(stats: Stats, seconds: float) -> dict:
    every = [x for v in stats.latencies.values() for x in v]

    def row(values: list[float]) -> dict:
        return {"n": len(values), "p50_ms": round(_pct(values, 0.50) * 1000, 1),
                "p95_ms": round(_pct(values, 0.95) * 1000, 1), "p99_ms": round(_pct(values, 0.99) * 1000, 1),
                "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else 0.0}

    return {
        "requests": stats.count, "seconds": round(seconds, 1), "rps": round(stats.count / seconds, 1) if seconds else 0,
        "errors": sum(stats.errors.values()), "expected_refusals": sum(stats.refused.values()), **row(every),
        "by_action": {a: {**row(v), "errors": stats.errors.get(a, 0), "refused": stats.refused.get(a, 0)}
                      for a, v in sorted(stats.latencies.items())},
    }


async def run(url: str, personas: list[Persona] | None, *, concurrency: int, requests: int, duration: float,
              seed: int = 1) -> dict:
    """personas=None drives the bare page with `concurrency` anonymous users."""
    check_loopback(url)
    users: list[Persona | None] = list(personas[:concurrency]) if personas else [None] * concurrency
    clients = [Client(url) for _ in users]
    stats = Stats()
    try:
        # Log in first, outside the measured window (a login is an argon2 hash on purpose).
        await asyncio.gather(*[_login(c, p.username, p.password) for c, p in zip(clients, users, strict=True) if p])
        start = time.monotonic()
        budget = {"left": requests, "until": start + duration}
        await asyncio.gather(*[_user_loop(c, p, stats, budget, seed + i)
                               for i, (c, p) in enumerate(zip(clients, users, strict=True))])
        return summarize(stats, time.monotonic() - start)
    finally:
        for c in clients:
            await c.aclose()
