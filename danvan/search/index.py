"""Keeping the index in step: one exemplar on save, everything with `danvan reindex`."""

from __future__ import annotations

from django.db import transaction

from danvan.core.html import html_to_text
from danvan.exemplars.models import Exemplar

from .models import SearchEntry
from .text import fold


def entry_values(ex: Exemplar, unit_name: str) -> tuple[str, str]:
    body = " ".join([unit_name, ex.address, html_to_text(ex.content_problem), html_to_text(ex.content_actors),
                     html_to_text(ex.content_results)])
    return fold(ex.name), fold(" ".join(body.split()))


def index_exemplar(ex: Exemplar) -> None:
    name, body = entry_values(ex, ex.unit.name)
    SearchEntry.objects.update_or_create(exemplar_id=ex.pk, defaults={"name_folded": name, "body_folded": body})


def rebuild(batch: int = 2000, progress=None) -> int:
    """Rebuild the whole index (after bulk loads such as `danvan generate`)."""
    total = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
    qs = Exemplar.objects.select_related("unit").only(
        "pk", "name", "address", "content_problem", "content_actors", "content_results", "unit__name").order_by("pk")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return total
        rows = []
        for ex in chunk:
            name, body = entry_values(ex, ex.unit.name)
            rows.append(SearchEntry(exemplar_id=ex.pk, name_folded=name, body_folded=body))
        with transaction.atomic():
            SearchEntry.objects.bulk_create(rows, batch_size=batch)
        total += len(rows)
        last = chunk[-1].pk
        if progress:
            progress(total)
