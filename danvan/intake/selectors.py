"""Reads of the import workflow shared by the preview page and the API."""

from __future__ import annotations

from danvan.search.similar import similar_to_draft

from .models import ImportBatch, ImportRow

PREVIEW_SIMILAR_ROWS = 20  # rows whose similar exemplars come with the preview; the others load when asked


def row_similar(user, batch: ImportBatch, row: ImportRow) -> list:
    """The closest existing exemplars of the user's scope to one parsed row (besides the duplicate warning)."""
    data = row.data or {}
    content = " ".join(data.get(k) or "" for k in ("content_problem", "content_actors", "content_results"))
    return similar_to_draft(user, name=data.get("name") or "", content=content, unit_id=batch.unit_id,
                            year=batch.year, limit=3, exclude=(row.exemplar_id,) if row.exemplar_id else ())
