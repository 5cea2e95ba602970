"""Short write transactions, timed (issue 21 §7).

On SQLite one write transaction holds the database's only write lock: long work (parsing, sanitizing,
similarity, validation) happens before it, and `write_transaction` wraps the one short write that follows.
`PreparedInsert` builds a bulk INSERT before it, so the write only sends it.
Each one's duration is logged when it is slow (`DANVAN_SLOW_WRITE_SECONDS`) and handed to `measured()`
(the import bench prints the longest).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections, transaction

log = logging.getLogger(__name__)
_spans: ContextVar[list[tuple[str, float]] | None] = ContextVar("danvan_write_spans", default=None)


@contextmanager
def write_transaction(label: str) -> Iterator[None]:
    """`transaction.atomic()`, timed under `label`."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            yield
    finally:
        elapsed = time.perf_counter() - started
        if (spans := _spans.get()) is not None:
            spans.append((label, elapsed))
        if elapsed > getattr(settings, "DANVAN_SLOW_WRITE_SECONDS", 2.0):
            log.warning("slow write transaction %s: %.2f s", label, elapsed)


@contextmanager
def measured() -> Iterator[list[tuple[str, float]]]:
    """Collect (label, seconds) of every `write_transaction` run inside the block."""
    spans: list[tuple[str, float]] = []
    token = _spans.set(spans)
    try:
        yield spans
    finally:
        _spans.reset(token)


class PreparedInsert:
    """The INSERT of new rows of one model, built before the write transaction and run inside it.

    `Model.objects.bulk_create` spends most of its time in Python turning each value into SQL parameters;
    here that happens first (each field's `pre_save`, so `auto_now_add` is set as bulk_create sets it, and
    `get_db_prep_save`), and `execute()` only sends one INSERT … RETURNING per batch (SQLite ≥ 3.35,
    PostgreSQL) and sets the new ids. A foreign key to an object that is saved only later in the same
    transaction (a new field of an import) is read when `execute()` runs."""

    def __init__(self, model, objs: list, *, batch_size: int = 500, using: str = "default"):
        self.model, self.objs, self.using = model, objs, using
        conn = connections[using]
        opts = model._meta
        self.fields = [f for f in opts.concrete_fields if not f.generated and f is not opts.pk]
        if any(hasattr(f, "get_placeholder") for f in self.fields):
            raise NotImplementedError(f"{model.__name__}: a field needs its own SQL placeholder")
        self.batch = max(1, min(batch_size, conn.ops.bulk_batch_size(self.fields, objs) or batch_size))
        self.params: list[list] = []
        self.later: list[tuple[int, int, object]] = []  # (row, column, field) read at execute
        for i, obj in enumerate(objs):
            row = []
            for j, f in enumerate(self.fields):
                value = f.pre_save(obj, True)
                if f.is_relation and value is None and f.is_cached(obj) and getattr(obj, f.name) is not None:
                    self.later.append((i, j, f))
                row.append(f.get_db_prep_save(value, connection=conn))
            self.params.append(row)

    def execute(self) -> list:
        conn = connections[self.using]
        q = conn.ops.quote_name
        for i, j, f in self.later:
            related = getattr(self.objs[i], f.name)  # type: ignore[attr-defined]
            if related.pk is None:
                raise ValueError(f"{self.model.__name__}.{f.name}: the related object was not saved")  # type: ignore[attr-defined]
            setattr(self.objs[i], f.attname, related.pk)  # type: ignore[attr-defined]
            self.params[i][j] = related.pk
        columns = ", ".join(q(f.column) for f in self.fields)
        one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        with conn.cursor() as cur:
            for start in range(0, len(self.objs), self.batch):
                rows = self.params[start:start + self.batch]
                cur.execute(f"INSERT INTO {q(self.model._meta.db_table)} ({columns}) VALUES "
                            f"{', '.join([one] * len(rows))} RETURNING {q(self.model._meta.pk.column)}",
                            [v for row in rows for v in row])
                for obj, (pk,) in zip(self.objs[start:start + self.batch], cur.fetchall(), strict=True):
                    obj.pk = pk
                    obj._state.adding, obj._state.db = False, self.using
        return self.objs
