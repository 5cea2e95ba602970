"""Issue 8: the load-test command itself — loopback only, bounded, and it drives a real server."""

import asyncio

import pytest

from danvan.tools import loadtest


def _run(coro):
    """asyncio.run in its own thread: the browser tests may already run an event loop in this worker."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_refuses_anything_but_this_machine():
    for url in ("http://10.0.0.5:8000", "https://example.gov.vn", "http://192.168.1.2"):
        with pytest.raises(ValueError, match="chính máy này"):
            loadtest.check_loopback(url)
    loadtest.check_loopback("http://127.0.0.1:8001")
    loadtest.check_loopback("http://localhost:8000")


def test_percentiles():
    stats = loadtest.Stats()
    for ms in range(1, 101):
        stats.record("a", ms / 1000, 200, set())
    stats.record("a", 0.001, 409, {409})
    stats.record("a", 0.001, 500, set())
    out = loadtest.summarize(stats, 2.0)
    assert out["requests"] == 102 and out["errors"] == 1 and out["expected_refusals"] == 1
    assert out["p99_ms"] >= out["p95_ms"] >= out["p50_ms"] > 0


@pytest.mark.django_db(transaction=True)
def test_bounded_run_against_a_live_server(live_server, settings):
    from danvan.tools.synthetic import generate

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate(provinces=1, exemplars=300, seed=3, districts=1, communes=1)
    # One user at a time: the in-memory SQLite test database cannot take concurrent writers.
    actions: set[str] = set()
    for persona in loadtest.prepare(officers=2, boards=1):
        result = _run(loadtest.run(live_server.url, [persona], concurrency=1, requests=25, duration=30))
        assert result["requests"] == 25 and result["errors"] == 0, result
        actions |= set(result["by_action"])
    assert any(a.startswith("board") for a in actions) and any(a.startswith("officer") for a in actions)
    bare = _run(loadtest.run(live_server.url, None, concurrency=1, requests=20, duration=10))
    assert bare["requests"] == 20 and bare["errors"] == 0


@pytest.mark.django_db
def test_load_personas_get_a_random_password_and_are_locked_when_done(settings):
    """Issue 21 §8: the load personas had the fixed password "TaiThu@2026" in whatever database they were made."""
    from django.contrib.auth import get_user_model

    from danvan.api.tokens import user_for_token
    from danvan.tools.synthetic import generate

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate(provinces=1, exemplars=60, seed=3, districts=1, communes=1)
    first = loadtest.prepare(officers=1, boards=1)
    again = loadtest.prepare(officers=1, boards=1)
    assert first[0].password and first[0].password != again[0].password
    user = get_user_model().objects.get(username=again[0].username)
    assert user.check_password(again[0].password) and not user.check_password("TaiThu@2026")
    assert user_for_token(again[0].token) == user
    assert loadtest.finish() == 3
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password() and not user.check_password(again[0].password)
    assert user_for_token(again[0].token) is None
    assert not user.api_tokens.filter(revoked_at__isnull=True).exists()


@pytest.mark.django_db
def test_loadtest_refuses_a_database_with_real_users_unless_told(demo):
    """Issue 21 §8: `danvan loadtest` created accounts in whatever database it was pointed at."""
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="tài khoản thật.*--cho-phep-du-lieu-that"):
        call_command("loadtest", "--url", "http://127.0.0.1:9")
    assert not get_user_model().objects.filter(username__startswith="load.").exists()
    # Told explicitly, it goes on to the data it needs (the demo has no synthetic province).
    with pytest.raises(RuntimeError, match="danvan generate"):
        call_command("loadtest", "--url", "http://127.0.0.1:9", "--cho-phep-du-lieu-that")


@pytest.mark.django_db
def test_bench_api_is_in_the_registry(demo):
    import json as _json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("bench", "api", stdout=out)
    data = _json.loads(out.getvalue())
    assert data["exemplars_in_scope"] >= 4 and data["list_50_ms"] > 0


@pytest.mark.django_db
def test_bench_pages_times_every_request_of_the_mix(settings):
    import json as _json
    from io import StringIO

    from django.core.management import call_command

    from danvan.tools.synthetic import generate

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate(provinces=1, exemplars=300, seed=3, districts=1, communes=1)
    out = StringIO()
    call_command("bench", "pages", stdout=out)
    result = _json.loads(out.getvalue())
    result.pop("isolation", None)  # danvan bench's note that it rolled back
    assert len(result) == 12
    assert all(row["queries"] > 0 and row["median_ms"] > 0 for row in result.values()), result
    assert result["officer: exemplar page"]["status"] == 200
    assert result["board: province-wide list"]["status"] == 200
    assert result["officer: POST /api/exemplars"]["status"] == 201
