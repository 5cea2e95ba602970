"""The search index: one row per exemplar with folded text.

On SQLite an FTS5 table (`search_fts`) mirrors it through triggers; on PostgreSQL a generated,
weighted tsvector column with a GIN index lives on this table. Both are made in the migration.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from danvan.exemplars.models import Exemplar


class SearchEntry(models.Model):
    exemplar = models.OneToOneField(Exemplar, on_delete=models.CASCADE, primary_key=True, related_name="search_entry")
    name_folded = models.TextField()
    body_folded = models.TextField()
    # The first two levels of the unit's path (its province): a province's search reads only its own entries
    # through a GIN index on (branch, document) on PostgreSQL (`search.services._branch_candidates`).
    branch = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "mục chỉ mục tìm kiếm"
        verbose_name_plural = "chỉ mục tìm kiếm"

    def __str__(self) -> str:
        return self.name_folded[:80]


class DuplicateFlag(models.Model):
    """Someone said two exemplars look like the same model; shown on both pages until dismissed."""

    exemplar = models.ForeignKey(Exemplar, on_delete=models.CASCADE, related_name="duplicate_flags",
                                 verbose_name="mô hình")
    other = models.ForeignKey(Exemplar, on_delete=models.CASCADE, related_name="+", verbose_name="có thể trùng với")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                           verbose_name="người đánh dấu")
    at = models.DateTimeField("lúc đánh dấu", default=timezone.now)
    resolved_at = models.DateTimeField("lúc bỏ đánh dấu", null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="người bỏ đánh dấu")

    class Meta:
        verbose_name = "đánh dấu có thể trùng"
        verbose_name_plural = "đánh dấu có thể trùng"
        constraints = [
            models.UniqueConstraint(fields=["exemplar", "other"], condition=models.Q(resolved_at__isnull=True),
                                    name="search_duplicateflag_open_once"),
        ]

    def __str__(self) -> str:
        return f"{self.exemplar_id} ~ {self.other_id}"
