"""Shared fixtures: the seed personas of DOMAIN.md §2, logged in through the real login."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    """Every test runs with memberships, unread counts and dropdowns kept between requests, as production
    does with Redis (danvan/foundation/sharedcache.py), from an empty cache: a stale value fails the test."""
    from django.core.cache import cache

    settings.DANVAN_SHARED_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def _demo_snapshot(django_db_setup, django_db_blocker):
    """What load_demo() writes, taken once per worker (tests/demo_snapshot.py)."""
    from tests import demo_snapshot

    with django_db_blocker.unblock():
        return demo_snapshot.take()


@pytest.fixture
def demo(db, _demo_snapshot):
    """The seed world of DOMAIN.md §2, as load_demo() leaves it, written back from the worker's snapshot."""
    from tests import demo_snapshot

    return demo_snapshot.restore(_demo_snapshot)


@pytest.fixture
def login(demo):
    """login("vp.skhcn") -> a Client logged in through the login page."""
    from danvan.ops.demo import DEMO_PASSWORD

    def _login(username: str) -> Client:
        client = Client()
        resp = client.post("/dang-nhap/", {"username": username, "password": DEMO_PASSWORD})
        assert resp.status_code == 302, f"đăng nhập {username} thất bại"
        return client

    return _login


@pytest.fixture
def seed_exemplars(demo):
    from danvan.exemplars.models import Exemplar

    return {e.name: e for e in Exemplar.objects.filter(year=2021, unit__path__startswith=_skhcn_path())}


def _skhcn_path() -> str:
    from danvan.orgs.models import OrgUnit

    return OrgUnit.objects.get(code="SKHCN-QNG").path


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def units(demo):
    from danvan.orgs.models import OrgUnit

    return {u.code: u for u in OrgUnit.objects.all()}


@pytest.fixture
def api(login):
    """api("vp.skhcn") -> a Client carrying a token the persona created on the profile page."""

    def _api(username: str) -> Client:
        page = login(username).post("/tai-khoan/", {"name": "Phần mềm tích hợp"})
        return Client(HTTP_AUTHORIZATION=f"Bearer {page.context['new_secret']}")

    return _api


class _Inbox:
    """What the loopback SMTP peer received (aiosmtpd's Message handler keeps each message)."""

    def __init__(self):
        from aiosmtpd.handlers import Message

        inbox = self

        class Handler(Message):
            def handle_message(self, message):
                inbox.messages.append(message)

        self.messages: list = []
        self.handler = Handler()

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]

    @staticmethod
    def body(message) -> str:
        return message.get_payload(decode=True).decode("utf-8")

    @staticmethod
    def subject(message) -> str:
        from email.header import decode_header, make_header

        return str(make_header(decode_header(message["Subject"])))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mailer(settings, port: int) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5}}}


def _peer(settings, started: list) -> _Inbox:
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(inbox.handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    started.append(controller)
    _mailer(settings, controller.port)
    return inbox


@pytest.fixture
def smtp(settings):
    """E-mail goes through a real SMTP conversation with a peer on loopback (aiosmtpd)."""
    started: list = []
    yield _peer(settings, started)
    for c in started:
        c.stop()


@pytest.fixture
def smtp_down(settings):
    """A mail server that does not answer (a closed port); calling it brings a real peer up and returns its inbox."""
    _mailer(settings, _free_port())
    started: list = []
    yield lambda: _peer(settings, started)
    for c in started:
        c.stop()


@pytest.fixture
def reopen(demo):
    """reopen(ex): the issuers return every sent dossier holding `ex` (the highest first, as the rule of
    return_submission asks), so its unit may change it again: what was sent stays as it was sent."""

    def _reopen(ex) -> None:
        from danvan.movement import services
        from danvan.movement.models import SENT_STATUSES, Submission
        from danvan.orgs import permissions
        from danvan.orgs.models import Membership

        for sub in Submission.objects.filter(items__exemplar=ex, status__in=SENT_STATUSES).order_by("unit__depth"):
            by = Membership.objects.filter(unit=sub.round.issuer, role__in=permissions.SUBTREE_ROLES).first().user
            services.return_submission(submission=sub, by=by, comment="Mở lại để sửa mô hình.")

    return _reopen


# ---- the red-team matrix's counts (tests/test_redteam_matrix.py) ------------------------------------------------

_REDTEAM_FROM_WORKERS: list[dict] = []


def _redteam_stats() -> dict | None:
    import sys

    mod = sys.modules.get("tests.redteam_world")
    if mod is None or not mod.STATS["doors"]:
        return None
    s = mod.STATS
    return {"doors": len(s["doors"]), "personas": s["personas"], "pairs": s["pairs"], "reads": s["reads"],
            "writes": s["writes"], "leaks": s["leaks"]}


def pytest_sessionfinish(session):
    """An xdist worker hands its counts to the controller."""
    if hasattr(session.config, "workeroutput") and (stats := _redteam_stats()):
        session.config.workeroutput["redteam"] = stats


def pytest_testnodedown(node, error):
    if stats := getattr(node, "workeroutput", {}).get("redteam"):
        _REDTEAM_FROM_WORKERS.append(stats)


def pytest_terminal_summary(terminalreporter):
    """One line for the whole run, the workers' counts added up."""
    runs = list(_REDTEAM_FROM_WORKERS) + ([s] if (s := _redteam_stats()) else [])
    if not runs:
        return
    total = {k: sum(r[k] for r in runs) for k in ("doors", "pairs", "reads", "writes", "leaks")}
    personas = max(r["personas"] for r in runs)
    verdict = "không rò rỉ" if not total["leaks"] else f"{total['leaks']} chỗ rò rỉ hoặc sai"
    terminalreporter.write_line(
        f"Ma trận đỏ: {total['doors']} cửa × {personas} vai = {total['pairs']} cặp; "
        f"{total['reads']} lần đọc, {total['writes']} lần ghi; {verdict}")
