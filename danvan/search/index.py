"""Keeping the index in step: one exemplar on save, everything with `danvan reindex`."""

from __future__ import annotations

from django.db import connection, transaction

from danvan.exemplars.models import Exemplar
from danvan.foundation.html import html_to_text
from danvan.orgs.models import OrgUnit

from .models import SearchEntry
from .text import fold

BRANCH_WIDTH = 2 * OrgUnit.steplen  # the province: the second level of the tree


def branch_of(path: str) -> str:
    return path[:BRANCH_WIDTH]


def entry_values(ex: Exemplar, unit_name: str) -> tuple[str, str]:
    body = " ".join([unit_name, ex.address, html_to_text(ex.content_problem), html_to_text(ex.content_actors),
                     html_to_text(ex.content_results)])
    return fold(ex.name), fold(" ".join(body.split()))


def index_exemplar(ex: Exemplar) -> None:
    name, body = entry_values(ex, ex.unit.name)
    SearchEntry.objects.update_or_create(exemplar_id=ex.pk, defaults={"name_folded": name, "body_folded": body,
                                                                     "branch": branch_of(ex.unit.path)})


def prepare_new(exemplars: list[Exemplar]) -> None:
    """Before the write transaction of a bulk insert: each new exemplar's folded text, kept on it."""
    for ex in exemplars:
        ex._search_entry = (*entry_values(ex, ex.unit.name), branch_of(ex.unit.path))  # type: ignore[attr-defined]


def index_new(exemplars: list[Exemplar]) -> None:
    """Entries for exemplars just inserted in bulk (they have none yet): one statement run for each."""
    rows = []
    for ex in exemplars:
        if not hasattr(ex, "_search_entry"):
            prepare_new([ex])
        rows.append((ex.pk, *ex._search_entry))  # type: ignore[attr-defined]
    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} (exemplar_id, name_folded, body_folded, branch) "
                        "VALUES (%s, %s, %s, %s)", rows)


def rebuild(batch: int = 2000, progress=None) -> int:
    """Rebuild the whole index (after bulk loads such as `danvan generate`)."""
    total = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
    qs = Exemplar.objects.select_related("unit").only(
        "pk", "name", "address", "content_problem", "content_actors", "content_results", "unit__name", "unit__path").order_by("pk")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return total
        rows = []
        for ex in chunk:
            name, body = entry_values(ex, ex.unit.name)
            rows.append(SearchEntry(exemplar_id=ex.pk, name_folded=name, body_folded=body,
                                    branch=branch_of(ex.unit.path)))
        with transaction.atomic():
            SearchEntry.objects.bulk_create(rows, batch_size=batch)
        total += len(rows)
        last = chunk[-1].pk
        if progress:
            progress(total)


def moved(old_path: str, new_path: str) -> None:
    """treebeard moved the subtree at `old_path` to `new_path`: its entries take their new province."""
    if branch_of(old_path) == branch_of(new_path) and min(len(old_path), len(new_path)) >= BRANCH_WIDTH:
        return
    entry, exemplar, unit = SearchEntry._meta.db_table, Exemplar._meta.db_table, OrgUnit._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {entry} SET branch = (SELECT SUBSTR(u.path, 1, {BRANCH_WIDTH}) FROM {exemplar} e "
            f"JOIN {unit} u ON u.id = e.unit_id WHERE e.id = {entry}.exemplar_id) "
            f"WHERE exemplar_id IN (SELECT e.id FROM {exemplar} e JOIN {unit} u ON u.id = e.unit_id "
            f"WHERE u.path LIKE %s)", [new_path + "%"])
