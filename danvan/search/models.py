"""The search index: one row per exemplar with folded text.

On SQLite an FTS5 table (`search_fts`) mirrors it through triggers; on PostgreSQL a generated,
weighted tsvector column with a GIN index lives on this table. Both are made in the migration.
"""

from __future__ import annotations

from django.db import models

from danvan.exemplars.models import Exemplar


class SearchEntry(models.Model):
    exemplar = models.OneToOneField(Exemplar, on_delete=models.CASCADE, primary_key=True, related_name="search_entry")
    name_folded = models.TextField()
    body_folded = models.TextField()

    class Meta:
        verbose_name = "mục chỉ mục tìm kiếm"
        verbose_name_plural = "chỉ mục tìm kiếm"

    def __str__(self) -> str:
        return self.name_folded[:80]
