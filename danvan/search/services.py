"""Full-text search over exemplars, the same for the list page, the API and the CLI.

The query is folded and reduced to letters and digits, so FTS syntax (quotes, *, -, NEAR,
parentheses) never reaches the database; each word matches as a prefix and all must match.
Name matches weigh more than content, unit name and address.

Ranking is bounded (issue 7 §5: a broad query matches ~5 % of a national database): at most
`DANVAN_SEARCH_CAP` (1,000) matches inside the user's scope and filters are ranked. On PostgreSQL
they are gathered in steps that each stop at the cap (`_candidates`: the newest exemplars whose name has
every word, names with every word, every word anywhere, every word as a prefix), so a broad query never
collects, ranks or counts every match of the country. When more than the cap match, the result says so
(`Found.capped`: "hơn 1.000") instead of an exact count; below the cap the result is every match, ranked.
A scope inside one province (a province's Board, its departments) reads only that province's entries through
the GIN index on (branch, document) (`_branch_candidates`); a small scope (a district, a unit) checks its own
exemplars row by row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, overload

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import QuerySet

from danvan.exemplars.models import Exemplar
from danvan.exemplars.selectors import filter_exemplars, visible_exemplars
from danvan.foundation.html import html_to_text
from danvan.orgs import permissions
from danvan.orgs.permissions import Actor

from .index import BRANCH_WIDTH, branch_of
from .models import SearchEntry
from .text import highlight, tokens, words_of

DEFAULT_CAP = 1000
PROBE_WINDOW = 20000
PROBE_MAX = 35000
SCOPE_SCAN = 40000
BRANCH_SCAN = 5000  # above this many exemplars, a scope inside one province uses the (branch, document) index
_JOIN = "search_searchentry.exemplar_id = exemplars_exemplar.id"
_NAME_MATCH = "to_tsvector('simple', search_searchentry.name_folded) @@ to_tsquery('simple', %s)"
_DOC_MATCH = "search_searchentry.document @@ to_tsquery('simple', %s)"


@dataclass
class Hit:
    exemplar: Exemplar
    rank: float
    name_html: str
    snippet_html: str


class Ranked:
    """The matches of a ranked search, best first: a lazy sequence over ids already ranked.

    A page or a slice fetches only its own rows (by id, through the scoped queryset again), so page 1
    of "hơn 1.000" results reads 20 exemplars; `count()` is the number of ranked ids."""

    def __init__(self, qs: QuerySet[Exemplar], ranked: list[tuple[int, float]]):
        self._qs = qs
        self._ids = [pk for pk, _ in ranked]
        self._rank = dict(ranked)

    def select_related(self, *fields: str) -> Ranked:
        out = Ranked(self._qs.select_related(*fields), [])
        out._ids, out._rank = self._ids, self._rank
        return out

    def count(self) -> int:
        return len(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> Exemplar: ...
    @overload
    def __getitem__(self, index: slice) -> list[Exemplar]: ...
    def __getitem__(self, index: int | slice) -> Exemplar | list[Exemplar]:
        if isinstance(index, slice):
            return self._fetch(self._ids[index])
        found = self._fetch([self._ids[index]])
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self) -> Iterator[Exemplar]:
        return iter(self._fetch(self._ids))

    def _fetch(self, ids: list[int]) -> list[Exemplar]:
        if not ids:
            return []
        rows = {ex.pk: ex for ex in self._qs.order_by().filter(pk__in=ids)}
        out = []
        for pk in ids:
            if (ex := rows.get(pk)) is not None:
                ex.rank = self._rank[pk]  # type: ignore[attr-defined]
                out.append(ex)
        return out


@dataclass
class Found:
    """What `search` returns; unpacks as `qs, words = search(...)`.

    `qs` is a QuerySet when there are no words (or with `ranked=False`), else a `Ranked` sequence.
    `capped`: more than `cap` exemplars match and `qs` holds the best `cap` of them (say "hơn 1.000")."""

    qs: QuerySet[Exemplar] | Ranked
    words: list[str]
    capped: bool = False
    cap: int = field(default=DEFAULT_CAP)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.qs, self.words))


def search_cap() -> int:
    return max(1, int(getattr(settings, "DANVAN_SEARCH_CAP", DEFAULT_CAP)))


def _prefix_query(words: list[str]) -> str:
    return " & ".join(f"{w}:*" for w in words)


def _matching(qs: QuerySet[Exemplar], words: list[str]) -> QuerySet[Exemplar]:
    """Every match, unranked (the API pages through them by primary key)."""
    if connection.vendor == "postgresql":
        return qs.extra(tables=["search_searchentry"], where=[_JOIN, _DOC_MATCH], params=[_prefix_query(words)])
    return qs.extra(tables=["search_fts"], where=["search_fts.rowid = exemplars_exemplar.id", "search_fts MATCH %s"],
                    params=[" ".join(f'"{w}"*' for w in words)])


def _rank(qs: QuerySet[Exemplar], words: list[str], cap: int, branch: str | None = None
          ) -> tuple[list[tuple[int, float]], bool]:
    """The best `cap` matches inside `qs` as (id, rank), best first, and whether more than `cap` match.
    `branch`: the one province the scope lies in, if it does."""
    if connection.vendor != "postgresql":
        rows = list(_matching(qs.order_by(), words).extra(select={"rank": "-bm25(search_fts, 10.0, 1.0)"})
                    .order_by("-rank", "-pk").values_list("pk", "rank")[:cap + 1])
        return [(pk, float(r)) for pk, r in rows[:cap]], len(rows) > cap
    qs = qs.order_by()
    estimate = _estimated_rows(qs)
    if branch and estimate > BRANCH_SCAN:
        return _ranked_ids(_branch_candidates(qs, words, cap, branch), words, cap)
    if estimate <= SCOPE_SCAN:
        # A unit's or a district's scope: check its own exemplars one by one (no GIN, which would first
        # collect the matches of the whole country) and rank every match, as before the cap.
        rows = list(qs.extra(
            select={"rank": "ts_rank(search_searchentry.document, to_tsquery('simple', %s))"},
            select_params=[_prefix_query(words)], tables=["search_searchentry"],
            where=[_JOIN, "ts_match_vq(search_searchentry.document, to_tsquery('simple', %s))"],
            params=[_prefix_query(words)]).order_by("-rank", "-pk").values_list("pk", "rank")[:cap + 1])
        return [(pk, float(r)) for pk, r in rows[:cap]], len(rows) > cap
    return _ranked_ids(_candidates(qs, words, cap), words, cap)


def _ranked_ids(ids: list[int], words: list[str], cap: int) -> tuple[list[tuple[int, float]], bool]:
    """Rank the gathered candidates (at most cap + 1) in one query."""
    if not ids:
        return [], False
    ranks = SearchEntry.objects.extra(
        select={"rank": "ts_rank(document, to_tsquery('simple', %s))"}, select_params=[_prefix_query(words)],
        where=["exemplar_id = ANY(%s)"], params=[ids[:cap]]).values_list("pk", "rank")
    return sorted(((pk, float(r)) for pk, r in ranks), key=lambda t: (-t[1], -t[0])), len(ids) > cap


def _estimated_rows(qs: QuerySet[Exemplar]) -> int:
    """The planner's estimate of how many exemplars the scope and filters hold (EXPLAIN: ~1 ms, no scan)."""
    try:
        return int(json.loads(qs.explain(format="json"))[0]["Plan"]["Plan Rows"])
    except (ValueError, KeyError, IndexError, TypeError):
        return SCOPE_SCAN + 1


class _Gathered:
    """Ids gathered step by step, each once, until more than `cap` are found."""

    def __init__(self, cap: int):
        self.cap = cap
        self.ids: list[int] = []
        self._seen: set[int] = set()

    def add(self, step: QuerySet[Exemplar]) -> bool:
        """Take up to cap + 1 ids of `step` (a later step may repeat earlier ids); True once past the cap."""
        for pk in step.values_list("pk", flat=True)[:self.cap + 1]:
            if pk not in self._seen:
                self._seen.add(pk)
                self.ids.append(pk)
        return len(self.ids) > self.cap

    def result(self) -> list[int]:
        return self.ids[:self.cap + 1]


def _candidates(qs: QuerySet[Exemplar], words: list[str], cap: int) -> list[int]:
    """Up to cap + 1 matching ids inside `qs` (scope and filters), gathered in steps that stop at the cap.

    1. Among the newest exemplars, those whose name has every word, read in id order without the GIN
       index (`ts_match_vq` is the function behind `@@`, which no index serves): PROBE_WINDOW of them,
       and on up to PROBE_MAX while what was seen says the cap fills there. A broad query ("chuyển đổi
       số": ~5 % of the country) fills the cap here, where a GIN scan would first collect every match.
    2. Names with every word (GIN on the name alone), 3. every word anywhere (GIN on the document),
    4. every word as a prefix: the whole match set, so below the cap the result is every match."""
    got = _Gathered(cap)
    exact = " & ".join(words)
    last = Exemplar.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    in_name = " & ".join(f"{w}:A" for w in words)
    if got.add(_newest(qs, last - PROBE_WINDOW, last, in_name)):
        return got.result()
    dense = len(got.ids) * PROBE_MAX > cap * PROBE_WINDOW
    if dense and got.add(_newest(qs, last - PROBE_MAX, last - PROBE_WINDOW, in_name)):
        return got.result()
    for where, tsquery in ((_NAME_MATCH, exact), (_DOC_MATCH, exact), (_DOC_MATCH, _prefix_query(words))):
        if got.add(qs.extra(tables=["search_searchentry"], where=[_JOIN, where], params=[tsquery])):
            break
    return got.result()


def _branch_candidates(qs: QuerySet[Exemplar], words: list[str], cap: int, branch: str) -> list[int]:
    """Like `_candidates`, for a scope inside one province: names with every word, every word anywhere, every word
    as a prefix, each read from the province's own entries (GIN on branch and document) and stopping at the cap."""
    got = _Gathered(cap)
    in_branch = "search_searchentry.branch = %s"
    for tsquery in (" & ".join(f"{w}:A" for w in words), " & ".join(words), _prefix_query(words)):
        if got.add(qs.extra(tables=["search_searchentry"], where=[_JOIN, in_branch, _DOC_MATCH],
                            params=[branch, tsquery])):
            break
    return got.result()


def scope_branch(user: Actor) -> str | None:
    """The one province the user's scope lies in, None when it spans more than one (or the country)."""
    if permissions.sees_everything(user):
        return None
    paths = permissions.visible_paths(user)
    if not paths:
        return None
    branches = {branch_of(p) for p in paths}
    if len(branches) == 1 and all(len(p) >= BRANCH_WIDTH for p in paths):
        return branches.pop()
    return None


def _newest(qs: QuerySet[Exemplar], after: int, upto: int, tsquery: str) -> QuerySet[Exemplar]:
    """Matches among exemplars with after < id <= upto, checked row by row (no index on the words)."""
    return qs.filter(pk__gt=after, pk__lte=upto).extra(
        tables=["search_searchentry"],
        where=[_JOIN, "search_searchentry.exemplar_id > %s", "search_searchentry.exemplar_id <= %s",
               "ts_match_vq(search_searchentry.document, to_tsquery('simple', %s))"],
        params=[after, upto, tsquery])


# The parts of an exemplar a restricted search may match (`search(fields=...)`), as the columns they are read from;
# the content columns hold sanitized HTML.
FIELD_COLUMNS = {"name": ("name",), "content": ("content_problem", "content_actors", "content_results"),
                 "unit": ("unit__name",), "address": ("address",)}
_HTML_COLUMNS = set(FIELD_COLUMNS["content"])
# What the public showcase shows of an exemplar, hence all its search may match: never the address.
SHOWN_FIELDS = ("name", "content", "unit")


def _only_fields(qs: QuerySet[Exemplar], order: list[tuple[int, float]], words: list[str],
                 fields: tuple[str, ...]) -> list[tuple[int, float]]:
    """Keep the index's matches whose `fields` alone hold every word (as a word prefix), ranked on those fields
    only (a word of the name weighs as ten of the rest): a hidden field neither finds nor orders anything."""
    if not order:
        return []
    columns = [c for f in fields for c in FIELD_COLUMNS[f]]
    kept: list[tuple[int, float]] = []
    for pk, *values in qs.order_by().filter(pk__in=[pk for pk, _ in order]).values_list("pk", *columns):
        found = [words_of(html_to_text(v) if c in _HTML_COLUMNS else v or "")
                 for c, v in zip(columns, values, strict=True)]
        every = {t for toks in found for t in toks}
        if not all(any(t.startswith(w) for t in every) for w in words):
            continue
        score = sum((10.0 if c == "name" else 1.0) * sum(1 for t in toks for w in words if t.startswith(w))
                    for c, toks in zip(columns, found, strict=True))
        kept.append((pk, score))
    return sorted(kept, key=lambda t: (-t[1], -t[0]))


def search(user: Actor | None, query: str, params: dict | None = None, *, base: QuerySet[Exemplar] | None = None,
           ranked: bool = True, within_scope: bool = False, fields: tuple[str, ...] | None = None) -> Found:
    """Exemplars of the user's scope matching `query`, best first; no words → all, newest first.

    `ranked=False` (the API, which pages by primary key): every match as a QuerySet, no rank, no cap.
    `within_scope`: `base` lies inside the user's visible scope (as the list page's does), so a scope inside one
    province may read that province's entries alone; without `base` it always does.
    `fields`: match (and rank) only these parts of `FIELD_COLUMNS` — the public showcase passes `SHOWN_FIELDS`, what
    it shows, so a hidden field (the address) cannot be recovered letter by letter; ranked searches only."""
    qs = base if base is not None else visible_exemplars(user if user is not None else AnonymousUser())
    qs = filter_exemplars(qs, {k: v for k, v in (params or {}).items() if k != "q"})
    words = tokens(query)
    if not words:
        return Found(qs, [])
    if not ranked:
        if fields is not None:
            raise ValueError("A search restricted to some fields is ranked.")
        return Found(_matching(qs, words), words)
    cap = search_cap()
    order, capped = _rank(qs, words, cap, scope_branch(user) if user is not None and (
        base is None or within_scope) else None)
    if fields is not None:
        order = _only_fields(qs, order, words, fields)
        capped = capped and len(order) >= cap  # "more than the cap" only while the kept list is full
    return Found(Ranked(qs, order), words, capped=capped, cap=cap)


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
