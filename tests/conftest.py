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
    does with Redis (danvan/core/sharedcache.py), from an empty cache: a stale value fails the test."""
    from django.core.cache import cache

    settings.DANVAN_SHARED_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(db):
    from danvan.core.demo import load_demo

    return load_demo()


@pytest.fixture
def login(demo):
    """login("vp.skhcn") -> a Client logged in through the login page."""
    from danvan.core.demo import DEMO_PASSWORD

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
