"""Admin mixin: non-superuser staff see only their subtrees (same rule as the pages)."""

from __future__ import annotations

from danvan.orgs import scoping


class ScopedAdminMixin:
    scope_prefix = "unit__"

    def get_queryset(self, request):
        qs = super().get_queryset(request)  # type: ignore[misc]
        if request.user.is_superuser:
            return qs
        return qs.filter(scoping.units_q(request.user, self.scope_prefix))
