"""Full-text search over exemplars, the same for the list page, the API and the CLI.

The query is folded and reduced to letters and digits, so FTS syntax (quotes, *, -, NEAR,
parentheses) never reaches the database; each word matches as a prefix and all must match.
Name matches weigh more than content, unit name and address.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from danvan.core.html import html_to_text
from danvan.exemplars.models import Exemplar
from danvan.exemplars.selectors import filter_exemplars, visible_exemplars

from .text import highlight, tokens


@dataclass
class Hit:
    exemplar: Exemplar
    rank: float
    name_html: str
    snippet_html: str


def _match(qs: QuerySet[Exemplar], words: list[str]) -> QuerySet[Exemplar]:
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{w}:*" for w in words)
        return qs.extra(
            tables=["search_searchentry"],
            where=["search_searchentry.exemplar_id = exemplars_exemplar.id",
                   "search_searchentry.document @@ to_tsquery('simple', %s)"],
            params=[tsquery],
            select={"rank": "ts_rank(search_searchentry.document, to_tsquery('simple', %s))"},
            select_params=[tsquery],
        ).order_by("-rank", "-pk")
    match = " ".join(f'"{w}"*' for w in words)
    return qs.extra(
        tables=["search_fts"],
        where=["search_fts.rowid = exemplars_exemplar.id", "search_fts MATCH %s"],
        params=[match],
        select={"rank": "-bm25(search_fts, 10.0, 1.0)"},
    ).order_by("-rank", "-pk")


def search(user, query: str, params: dict | None = None, *, base: QuerySet[Exemplar] | None = None) -> tuple[QuerySet[Exemplar], list[str]]:
    """Exemplars of the user's scope matching `query`, best first; no words → all, newest first."""
    qs = base if base is not None else visible_exemplars(user)
    qs = filter_exemplars(qs, {k: v for k, v in (params or {}).items() if k != "q"})
    words = tokens(query)
    if not words:
        return qs, []
    return _match(qs, words), words


def hits(exemplars, words: list[str], *, with_address: bool = True) -> list[Hit]:
    """Highlighted name and snippet for the rows being shown (a page, not the whole result).

    The public showcase passes `with_address=False`: its snippets never quote the address."""
    out = []
    for ex in exemplars:
        body = " ".join([html_to_text(ex.content_problem), html_to_text(ex.content_actors),
                         html_to_text(ex.content_results), ex.address if with_address else "", ex.unit.name])
        out.append(Hit(ex, float(getattr(ex, "rank", 0.0) or 0.0), highlight(ex.name, words, 500),
                       highlight(body, words)))
    return out
