"""What every page asks about its user and its scope, kept between requests in the shared cache.

Each logged-in page used to read the same rows on every request: the user's memberships (with their units),
the unread notifications, and on the list page the units, fields and levels of the filter dropdowns. They change
rarely; reading them costs an ORM query each (~0.5-1 ms of the worker's CPU, docs/SCALING.md).

Only with a shared cache (`DANVAN_CACHE_URL`, Redis): with one memory cache per worker, a change made through
one worker would not reach the others. Without it, `remember` just builds the value (tests turn it on with the
per-process memory cache, where one process is all there is).

**Staleness is never left to a timeout.** A value belongs to a group ("org": the `orgs_*` tables and fields)
and is stored with the group's generation number when it was built; it is used only while that number is
unchanged. The number moves on **every** INSERT, UPDATE or DELETE touching one of the group's tables, however it
was written (a model save, `bulk_create`, `QuerySet.update`, a treebeard move, a migration): `watch_writes`,
installed on every database connection, looks at the statement itself. It moves once when the statement runs
(the writer's next read in the same transaction builds anew) and again after commit (a reader that built from
the old rows in between is not believed). Values are built from the primary database, never from a lagging
replica. The signed-in user's own row (`auth.ModelBackend`) is kept per user: a save of that row (a login, a new password,
a deactivation) forgets it, and any other write to the users' table forgets them all. Per-user values outside
any table's watch (the unread count) are forgotten by the code that changes them: `forget_user`.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

PREFIX = "dv:sc:"
TIMEOUT = 3600  # only frees memory; a changed value is dropped at once by its generation
# Tables whose writes move a group's generation (matched on the table name's start).
GROUPS: dict[str, tuple[str, ...]] = {"org": ("orgs_", "exemplars_field")}
# Tables whose rows are kept one by one (the key's kind): the signed-in user, read on every request.
ROWS: dict[str, str] = {"auth_user": "user"}
_ONE_ROW = re.compile(r'\s*UPDATE\s+"(\w+)"\s+SET\s.*\sWHERE\s+"\1"\."id"\s*=\s*%s\s*$', re.IGNORECASE | re.DOTALL)
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_MISSING = object()


def enabled() -> bool:
    return bool(getattr(settings, "DANVAN_SHARED_CACHE", False))


def _gen_key(group: str) -> str:
    return f"{PREFIX}gen:{group}"


def _fresh() -> int:
    """A generation for a group that has none (first use, a flushed or evicted key): the clock in nanoseconds,
    larger than any number the group had before, so no value built earlier can match it."""
    return time.time_ns()


def bump(group: str) -> None:
    key = _gen_key(group)
    try:
        cache.incr(key)
    except ValueError:  # not there yet (or evicted)
        cache.set(key, _fresh(), None)


def remember[T](key: str, group: str | None, build: Callable[[], T]) -> T:
    """`build()`, or its value from the shared cache while `group`'s tables have not been written since."""
    if not enabled():
        return build()
    full = PREFIX + key
    if group is None:
        value = cache.get(full, _MISSING)
        if value is _MISSING:
            value = build()
            cache.set(full, value, TIMEOUT)
        return value  # type: ignore[return-value]
    got = cache.get_many([full, _gen_key(group)])
    gen = got.get(_gen_key(group))
    if gen is None:
        cache.add(_gen_key(group), _fresh(), None)
        gen = cache.get(_gen_key(group))
    stored = got.get(full)
    if stored is not None and stored[0] == gen:
        return stored[1]
    value = build()
    cache.set(full, (gen, value), TIMEOUT)
    return value


def forget_user(kind: str, user_ids: list[int]) -> None:
    """Drop per-user values of `kind` (now, and again after commit: a reader in between is not believed)."""
    if not enabled() or not user_ids:
        return
    keys = [f"{PREFIX}{kind}:{pk}" for pk in user_ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def digest(text: str) -> str:
    """A short key part for a long one (a scope's paths)."""
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def user_key(kind: str, user_id: int) -> str:
    return f"{kind}:{user_id}"


def remember_row[T](table: str, pk: Any, build: Callable[[], T]) -> T:
    """`build()` for one row of `table` (one of ROWS), kept until that row, or the table in bulk, is written."""
    return remember(f"{ROWS[table]}:{pk}", f"rows:{table}", build)


def _changes(sql: str, params: Any, many: bool) -> tuple[set[str], list[str]]:
    """The groups whose generation a statement moves, and the kept rows it changes."""
    m = _WRITE.match(sql)
    if not m:
        return set(), []
    table = m.group(1).lower()
    groups = {g for g, prefixes in GROUPS.items() if table.startswith(prefixes)}
    rows: list[str] = []
    if table in ROWS:
        # A model's save changes one row by its id: forget that row alone (a login writes last_login). Any other
        # write to the table (bulk, by another filter, a delete) drops every kept row of it.
        if not many and params and _ONE_ROW.match(sql):
            rows.append(f"{PREFIX}{ROWS[table]}:{params[-1]}")
        else:
            groups.add(f"rows:{table}")
    return groups, rows


def _forget(keys: list[str]) -> None:
    cache.delete_many(keys)


def watch_writes(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
    """Execute wrapper: a write to a group's table moves the group's generation, and a write to a kept row
    forgets it, now and after commit."""
    groups, rows = _changes(sql, params, many) if enabled() and isinstance(sql, str) else (set(), [])
    result = execute(sql, params, many, context)
    alias = context["connection"].alias
    for group in groups:
        bump(group)
        transaction.on_commit(functools.partial(bump, group), using=alias)
    if rows:
        _forget(rows)
        transaction.on_commit(functools.partial(_forget, rows), using=alias)
    return result


def install(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: every connection watches its writes."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)
