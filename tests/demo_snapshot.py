"""The demo loaded once per test worker (issue 17 §7).

`load_demo()` runs once per worker inside a transaction that is rolled back; what it wrote — every row of
every table it changed — is kept in memory (SQLite's full-text table is filled back by its own triggers). Each test that asks for
the demo then writes those rows back inside its own transaction (rolled back after the test, as before),
which costs a few bulk INSERTs instead of the whole load with its signals, history and search indexing.
The rows are the demo's own: a test sees exactly what `load_demo()` would have left.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings

# Tables the database fills itself: the FTS5 table (and its shadow tables) follow search_searchentry
# through triggers (search/migrations/0001_initial.py).
_DERIVED_PREFIX = "search_fts"


@dataclass
class Snapshot:
    result: dict
    tables: dict[str, tuple[list[str], list[tuple]]] = field(default_factory=dict)
    replace: set[str] = field(default_factory=set)


def _tables() -> list[str]:
    names = connection.introspection.table_names(include_views=False)
    return [n for n in names if not n.startswith((_DERIVED_PREFIX, "sqlite_"))]


def _columns(table: str) -> list[str]:
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                        " AND table_schema = current_schema() AND is_generated = 'NEVER'"
                        " ORDER BY ordinal_position", [table])
            return [r[0] for r in cur.fetchall()]
        cur.execute(f"SELECT * FROM {qn(table)} LIMIT 0")
        return [d[0] for d in cur.description]


def _rows(table: str, columns: list[str]) -> list[tuple]:
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(qn(c) for c in columns)} FROM {qn(table)} ORDER BY 1")
        return [tuple(r) for r in cur.fetchall()]


def take() -> Snapshot:
    """Run load_demo() once and keep what it changed; nothing stays in the database."""
    from danvan.ops.demo import load_demo

    tables = _tables()
    columns = {t: _columns(t) for t in tables}
    # Taken before the per-test fixtures run: hash the demo's passwords as the tests do (conftest._fast_hashing).
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), transaction.atomic():
        before = {t: _rows(t, columns[t]) for t in tables}
        snapshot = Snapshot(result=load_demo())
        for t in tables:
            after = _rows(t, columns[t])
            if after == before[t]:
                continue
            if before[t]:
                # A table the migrations had filled and the demo changed: written back whole.
                snapshot.replace.add(t)
            snapshot.tables[t] = (columns[t], after)
        transaction.set_rollback(True)
    return snapshot


def restore(snapshot: Snapshot) -> dict:
    """Write the demo's rows back inside the current (test) transaction, or in one of its own for a test on
    the real database (transactional_db): the foreign keys are checked at its end, whatever the order."""
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, (columns, rows) in snapshot.tables.items():
            if table in snapshot.replace:
                cur.execute(f"DELETE FROM {qn(table)}")
            if not rows:
                continue
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES ({marks})", rows)
        if connection.vendor == "postgresql":
            models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in snapshot.tables]
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cur.execute(sql)
    return dict(snapshot.result)
