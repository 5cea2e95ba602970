"""Similar exemplars: for a draft (name, content, unit, year) or an existing exemplar, the closest
exemplars of the user's scope, with a score and a reason in Vietnamese.

Two steps. Candidates come from the database's own full-text index (`search_fts` on SQLite, the
weighted tsvector on PostgreSQL): an OR-query over the draft's folded significant words, best
`CANDIDATES` by the index's rank, always inside `visible_exemplars(user)` (so nothing outside the
scope is even read). Then they are re-ranked in Python: rapidfuzz token ratios on the folded names
and a TF-IDF cosine over folded words and word pairs of name + content (Vietnamese words are often
two syllables, so pairs carry meaning that single syllables lack).

The writes that follow from a match live here too: record the exemplar as a replication of a
similar one (through `exemplars.services.update_exemplar`, which refuses cycles and checks the
scope), and flag a possible duplicate (`DuplicateFlag`, dismissible).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from rapidfuzz import fuzz

from danvan.exemplars.models import Exemplar, Origin
from danvan.exemplars.selectors import visible_exemplars, visible_source
from danvan.foundation.html import html_to_text
from danvan.orgs import permissions
from danvan.orgs.permissions import Actor

from .models import DuplicateFlag, SearchEntry
from .text import _TOKEN_RE, fold

CANDIDATES = 200
MAX_QUERY_WORDS = 32
MAX_TEXT = 20000
MAX_WORD = 40
NAME_WEIGHT = 0.45
DUPLICATE_SCORE = 0.85
MIN_SCORE = 0.25
OR_QUERY_TIMEOUT_MS = 300

# Folded function words: they match everything, so they never go into the candidate query.
STOPWORDS = frozenset(
    "va cua cac nhung mot de tai o tu ve theo nay khi nhu cung da se thi vao la voi cho duoc trong tren duoi "
    "ra nen ma con hay hoac boi vi neu tat ca moi nhieu it rat".split()
)


@dataclass
class Draft:
    name: str
    content: str = ""
    unit_id: int | None = None
    year: int | None = None


@dataclass
class Similar:
    exemplar: Exemplar
    score: float
    name_score: float
    content_score: float
    reason: str
    likely_duplicate: bool


def words(text: str) -> list[str]:
    """Folded words of plain text, letters and digits only (FTS syntax and emoji vanish), at most 40 long."""
    return [w[:MAX_WORD] for w in _TOKEN_RE.findall(fold((text or "")[:MAX_TEXT]))]


def _features(tokens: list[str]) -> Counter:
    feats = Counter(tokens)
    feats.update(f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return feats


def _tfidf(docs: list[Counter]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors; the IDF is over the draft and its candidates (what all share says little)."""
    df: Counter = Counter()
    for d in docs:
        df.update(d.keys())
    n = len(docs)
    out = []
    for d in docs:
        v = {t: (1 + math.log(c)) * math.log((n + 1) / (df[t] + 0.5)) for t, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out.append({t: x / norm for t, x in v.items()})
    return out


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return min(1.0, max(0.0, sum(x * b.get(t, 0.0) for t, x in a.items())))


def _query_words(name_words: list[str], content_words: list[str]) -> list[str]:
    """The name's significant words first, then the content's most frequent significant words."""
    out: list[str] = []
    for w in name_words:
        if w not in STOPWORDS and len(w) > 1 and w not in out:
            out.append(w)
    for w, _ in Counter(w for w in content_words if w not in STOPWORDS and len(w) > 1).most_common():
        if len(out) >= MAX_QUERY_WORDS:
            break
        if w not in out:
            out.append(w)
    return out[:MAX_QUERY_WORDS]


def _pg_ranked(qs: QuerySet[Exemplar], tsquery: str, limit: int) -> list[int]:
    rows = qs.extra(
        tables=["search_searchentry"],
        where=["search_searchentry.exemplar_id = exemplars_exemplar.id",
               "search_searchentry.document @@ to_tsquery('simple', %s)"],
        params=[tsquery],
        select={"rank": "ts_rank(search_searchentry.document, to_tsquery('simple', %s))"},
        select_params=[tsquery],
    ).order_by("-rank", "-pk")
    return list(rows.values_list("pk", flat=True)[:limit])


def _pg_candidates(qs: QuerySet[Exemplar], name_query: list[str], query: list[str], limit: int) -> list[int]:
    """Exemplars whose name has every significant word of the draft's name (few rows, always fast), then
    the OR-query over name and content ranked by ts_rank — which has to rank every matching row, so on a
    very large scope it gets `OR_QUERY_TIMEOUT_MS` and, past it, the page keeps the name matches."""
    ids = _pg_ranked(qs, " & ".join(f"{w}:A" for w in name_query), limit) if name_query else []
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT current_setting('statement_timeout')")
            before = cur.fetchone()[0]
            cur.execute("SELECT set_config('statement_timeout', %s, true)", [f"{OR_QUERY_TIMEOUT_MS}ms"])
            found = _pg_ranked(qs, " | ".join(query), limit)
            cur.execute("SELECT set_config('statement_timeout', %s, true)", [before])
    except OperationalError:  # query_canceled: rolling back the savepoint restored the timeout
        found = []
    return list(dict.fromkeys(ids + found))


def _candidates(qs: QuerySet[Exemplar], name_query: list[str], query: list[str], limit: int) -> list[int]:
    if connection.vendor == "postgresql":
        return _pg_candidates(qs, name_query, query, limit)
    rows = qs.extra(
        tables=["search_fts"],
        where=["search_fts.rowid = exemplars_exemplar.id", "search_fts MATCH %s"],
        params=[" OR ".join(f'"{w}"' for w in query)],
        select={"rank": "-bm25(search_fts, 10.0, 1.0)"},
    ).order_by("-rank", "-pk")
    return list(rows.values_list("pk", flat=True)[:limit])


def _exemplar_text(ex: Exemplar) -> str:
    return " ".join([html_to_text(ex.content_problem), html_to_text(ex.content_actors),
                     html_to_text(ex.content_results)])


def _percent(x: float) -> str:
    return f"{round(x * 100)}%"


def _reason(name_score: float, content_score: float | None, shared: list[str], same_unit: bool,
            same_year: bool) -> str:
    parts = [f"Tên giống {_percent(name_score)}"]
    if content_score is not None:
        parts.append(f"nội dung giống {_percent(content_score)}")
    if shared:
        parts.append("cùng có “" + "”, “".join(shared[:4]) + "”")
    if same_unit:
        parts.append("cùng đơn vị" + (", cùng năm" if same_year else ""))
    return "; ".join(parts) + "."


def rank(user: Actor | None, draft: Draft, *, limit: int = 5, exclude: tuple[int, ...] = (),
         base: QuerySet[Exemplar] | None = None) -> list[Similar]:
    """The `limit` exemplars of the user's scope most like the draft, best first (empty text → none)."""
    name_words = words(draft.name)
    content_words = words(html_to_text(draft.content) if "<" in (draft.content or "") else draft.content)
    query = _query_words(name_words, content_words)
    if not query:
        return []
    qs = (base if base is not None else visible_exemplars(user if user is not None else AnonymousUser())).filter(deleted_at__isnull=True)
    if exclude:
        qs = qs.exclude(pk__in=exclude)
    name_query = [w for w in dict.fromkeys(name_words) if w not in STOPWORDS and len(w) > 1][:MAX_QUERY_WORDS]
    ids = _candidates(qs, name_query, query, CANDIDATES)
    if not ids:
        return []
    # The index already holds every candidate's folded name and body: no HTML is parsed here.
    texts = {pk: (n, b) for pk, n, b in SearchEntry.objects.filter(exemplar_id__in=ids)
             .values_list("exemplar_id", "name_folded", "body_folded")}
    cands = list(Exemplar.objects.filter(pk__in=texts).select_related("unit").only(
        "pk", "name", "year", "unit_id", "status", "origin", "source_id", "unit__name", "unit__code"))
    docs = [_features(name_words + content_words)]
    name_docs = [_features(name_words)]
    names = [" ".join(w for w in name_words if w not in STOPWORDS)]
    for ex in cands:
        folded_name, folded_body = texts[ex.pk]
        nw = _TOKEN_RE.findall(folded_name)
        names.append(" ".join(w for w in nw if w not in STOPWORDS))
        name_docs.append(_features(nw))
        docs.append(_features(nw + _TOKEN_RE.findall(folded_body[:MAX_TEXT])))
    content_vec = _tfidf(docs)
    name_vec = _tfidf(name_docs)
    out: list[Similar] = []
    for i, ex in enumerate(cands, start=1):
        content = _cosine(content_vec[0], content_vec[i])
        # Spelling-level closeness of the names (rapidfuzz) and word-level closeness (TF-IDF).
        sort = fuzz.token_sort_ratio(names[0], names[i]) / 100 if names[0] and names[i] else 0.0
        name = 0.5 * sort + 0.5 * _cosine(name_vec[0], name_vec[i])
        # A draft with only a name is judged by its name.
        score = NAME_WEIGHT * name + (1 - NAME_WEIGHT) * content if content_words else name
        if score < MIN_SCORE:
            continue
        same_unit = draft.unit_id is not None and ex.unit_id == draft.unit_id
        same_year = draft.year is not None and ex.year == draft.year
        shared = _shared_phrases(ex.name, {w for w in name_words if w not in STOPWORDS})
        likely = score >= DUPLICATE_SCORE or (same_unit and name >= 0.9)
        out.append(Similar(ex, round(score, 4), round(name, 4), round(content, 4),
                           _reason(name, content if content_words else None, shared, same_unit, same_year), likely))
    out.sort(key=lambda s: (-s.score, -s.exemplar.pk))
    return out[:limit]


def _shared_phrases(name: str, draft_words: set[str]) -> list[str]:
    """Runs of the candidate's name words the draft also has, in the candidate's own spelling."""
    phrases: list[str] = []
    run: list[str] = []
    for token in name.split() + [""]:
        clean = token.strip(".,;:!?\"'()“”-")
        key = fold(clean)
        if clean and key in draft_words:
            run.append(clean)
            continue
        if run:
            phrase = " ".join(run)
            if phrase.lower() not in (p.lower() for p in phrases):
                phrases.append(phrase)
            run = []
    return phrases


def similar_to_draft(user: Actor, *, name: str, content: str = "", unit_id: int | None = None,
                     year: int | None = None, limit: int = 5, exclude: tuple[int, ...] = ()) -> list[Similar]:
    return rank(user, Draft(name or "", content or "", unit_id, year), limit=limit, exclude=exclude)


def similar_to_exemplar(user: Actor, ex: Exemplar, *, limit: int = 5) -> list[Similar]:
    """Exemplars like `ex` (never itself) among those the user sees."""
    entry = SearchEntry.objects.filter(exemplar_id=ex.pk).values_list("body_folded", flat=True).first()
    content = entry if entry is not None else _exemplar_text(ex)
    return rank(user, Draft(ex.name, content, ex.unit_id, ex.year), limit=limit, exclude=(ex.pk,))


# ---- what a user does with a match ---------------------------------------------------------------

def record_replication(*, exemplar: Exemplar, source: Exemplar, by: Actor, expected_version: int | None = None):
    """`exemplar` was replicated from `source`: the same update path as the form (scope, cycles, stale)."""
    from danvan.exemplars import services

    if visible_source(by, source.pk) is None:
        raise PermissionDenied("Bạn không được chọn mô hình này làm mô hình nguồn.")
    if source.pk == exemplar.pk:
        raise ValidationError({"source": "Mô hình nguồn không thể là chính mô hình này."})
    return services.update_exemplar(exemplar=exemplar, by=by, expected_version=expected_version,
                                    origin=Origin.REPLICATION, source=source)


def open_flags(ex: Exemplar) -> QuerySet[DuplicateFlag]:
    """Unresolved duplicate flags on `ex`, whichever side it was flagged from.

    Their exemplars and author are prefetched, so the usual page with no flag reads the flag table alone
    (joining two exemplars, their units and the author cost more to build than the query took)."""
    return (DuplicateFlag.objects.filter(Q(exemplar=ex) | Q(other=ex), resolved_at__isnull=True)
            .prefetch_related("exemplar__unit", "other__unit", "by").order_by("-at"))


@transaction.atomic
def flag_duplicate(*, exemplar: Exemplar, other: Exemplar, by: Actor) -> DuplicateFlag:
    """Anyone who sees both may say they look like the same model; a second flag of the pair is a no-op."""
    if exemplar.pk == other.pk:
        raise ValidationError("Không thể đánh dấu một mô hình trùng với chính nó.")
    seen = visible_exemplars(by).filter(pk__in=[exemplar.pk, other.pk]).count()
    if seen != 2:
        raise PermissionDenied("Bạn không xem được một trong hai mô hình.")
    existing = DuplicateFlag.objects.select_for_update().filter(
        Q(exemplar=exemplar, other=other) | Q(exemplar=other, other=exemplar), resolved_at__isnull=True).first()
    if existing:
        return existing
    return DuplicateFlag.objects.create(exemplar=exemplar, other=other, by=permissions.author(by))


def can_dismiss(user: Actor, flag: DuplicateFlag) -> bool:
    return (flag.by_id == user.pk or permissions.can_edit_unit(user, flag.exemplar.unit)
            or permissions.can_edit_unit(user, flag.other.unit))


@transaction.atomic
def dismiss_flag(*, flag: DuplicateFlag, by: Actor) -> DuplicateFlag:
    """Who flagged it, or who may edit either exemplar, may close it (kept, with who and when)."""
    locked = DuplicateFlag.objects.select_for_update().select_related("exemplar__unit", "other__unit").get(pk=flag.pk)
    if not can_dismiss(by, locked):
        raise PermissionDenied("Bạn không có quyền bỏ đánh dấu này.")
    if locked.resolved_at is None:
        locked.resolved_at = timezone.now()
        locked.resolved_by = permissions.author(by)
        locked.save(update_fields=["resolved_at", "resolved_by"])
    return locked


def detail_context(user: Actor, ex: Exemplar) -> dict:
    """What the exemplar page shows: similar exemplars and open duplicate flags whose other side the user sees."""
    if ex.is_deleted:
        return {"similar": [], "duplicate_flags": []}
    flags = list(open_flags(ex))
    others = {f.other_id if f.exemplar_id == ex.pk else f.exemplar_id for f in flags}
    seen = set(visible_exemplars(user).filter(pk__in=others).values_list("pk", flat=True))
    shown: list[dict] = []
    flagged: set[int] = set()
    for f in flags:
        other = f.other if f.exemplar_id == ex.pk else f.exemplar
        if other.pk in seen:
            shown.append({"flag": f, "other": other, "can_dismiss": can_dismiss(user, f)})
            flagged.add(other.pk)
    # The similar exemplars themselves are ranked only when the section scrolls into view (`detail_panel`):
    # the ranking is most of the page's cost and many visits never reach it.
    return {"similar": None, "duplicate_flags": shown, "flagged_ids": flagged}


PANEL_LIMIT = 5  # the similar-exemplars panel beside a form or an exemplar page


def draft_panel(user: Actor, data, exclude: int | None = None, limit: int = PANEL_LIMIT) -> dict:
    """The similar-exemplars panel of a form from what it sent (also when it comes back with errors)."""
    from danvan.foundation.params import query_int

    content = " ".join(data.get(k, "") for k in ("content_problem", "content_actors", "content_results"))
    results = similar_to_draft(
        user, name=data.get("name", "")[:500], content=content[:MAX_TEXT],
        unit_id=query_int(data.get("unit")), year=query_int(data.get("year")), limit=limit,
        exclude=(exclude,) if exclude else ())
    return {"similar": results, "typed": bool(words(data.get("name", "")) or words(content))}
