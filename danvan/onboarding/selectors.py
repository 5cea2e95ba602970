"""Reads over restructurings: the tree as it was in a past year, a unit's predecessors."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from danvan.orgs.models import OrgUnit
from danvan.orgs.permissions import Actor

from .models import SuccessionKind, UnitSuccession

Moves = tuple[list[str], list[str]]


def first_moves_after(year: int) -> list[UnitSuccession]:
    """For each unit moved after `year`, its first move since: where it was then. One query.

    Merges and retirements leave units where they were, so only moves change where a unit counted."""
    first: dict[int, UnitSuccession] = {}
    for s in (UnitSuccession.objects.filter(kind=SuccessionKind.MOVE, date__gt=date(year, 12, 31))
              .select_related("predecessor", "from_parent").order_by("date", "pk")):
        first.setdefault(s.predecessor_id, s)
    return list(first.values())


def moved_since(node: OrgUnit, year: int, first: list[UnitSuccession] | None = None) -> dict[str, str]:
    """Units of `node`'s subtree at the end of `year` that have been moved since (elsewhere in the subtree or
    out of it): {their current path: their parent's path then}."""
    return {s.predecessor.path: s.from_parent.path for s in (first if first is not None else first_moves_after(year))
            if s.from_parent is not None and s.from_parent.path.startswith(node.path)}


def moves_after(node: OrgUnit, year: int, first: list[UnitSuccession] | None = None) -> Moves:
    """The subtrees to count back (moved out of `node` after `year`) and to leave out (moved in after it)."""
    include, exclude = [], []
    for s in (first if first is not None else first_moves_after(year)):
        now_in = s.predecessor.path.startswith(node.path)
        then_in = s.from_parent is not None and s.from_parent.path.startswith(node.path)
        if now_in and not then_in:
            exclude.append(s.predecessor.path)
        elif then_in and not now_in:
            include.append(s.predecessor.path)
    return include, exclude


def subtree_q_as_of(node: OrgUnit, year: int, prefix: str = "", moves: Moves | None = None) -> Q:
    """A filter on OrgUnit (prefix='') or on a model's unit ('unit__'): `node`'s subtree as it was at the
    end of `year` (pass `moves=moves_after(node, year)` to build several filters from one query)."""
    include, exclude = moves if moves is not None else moves_after(node, year)
    key = f"{prefix}path__startswith"
    q = Q(**{key: node.path})
    for p in include:
        q |= Q(**{key: p})
    for p in exclude:
        q &= ~Q(**{key: p})
    return q


def units_as_of(node: OrgUnit, year: int) -> QuerySet[OrgUnit]:
    """The units of `node`'s subtree at the end of `year` (existing then: not created after, not ended before)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    return OrgUnit.objects.filter(subtree_q_as_of(node, year)).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=end), Q(valid_to__isnull=True) | Q(valid_to__gt=start))


def predecessors(unit: OrgUnit) -> list[OrgUnit]:
    """Every unit merged or split into `unit`, down the generations (a merged unit's own predecessors too)."""
    found: dict[int, OrgUnit] = {}
    frontier = [unit.pk]
    while frontier:
        rows = list(UnitSuccession.objects.filter(successor_id__in=frontier)
                    .exclude(kind=SuccessionKind.MOVE).select_related("predecessor"))
        frontier = []
        for s in rows:
            if s.predecessor_id not in found and s.predecessor_id != unit.pk:
                found[s.predecessor_id] = s.predecessor
                frontier.append(s.predecessor_id)
    return sorted(found.values(), key=lambda u: u.path)


def successions_in_scope(paths: list[str]) -> QuerySet[UnitSuccession]:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(predecessor__path__startswith=p) | Q(successor__path__startswith=p)
    return (UnitSuccession.objects.filter(q).select_related(
        "predecessor", "successor", "from_parent", "to_parent", "created_by", "batch").defer("batch__content")
            .order_by("-date", "-created_at"))


def end_labels(units) -> dict[int, str]:
    """How a list shows each ended unit among `units`: "đã hợp nhất vào «…» từ 01/07/2025", "đã chia tách …",
    "đã kết thúc hoạt động từ …" (issue 16 §8). Units still working are absent."""
    ended = {u.pk: u for u in units if u.ended}
    if not ended:
        return {}
    labels = {pk: f"đã kết thúc hoạt động từ {u.valid_to:%d/%m/%Y}" for pk, u in ended.items()}
    steps = (UnitSuccession.objects.filter(predecessor_id__in=list(ended)).exclude(kind=SuccessionKind.MOVE)
             .select_related("successor").order_by("date"))
    into: dict[int, list[str]] = {}
    kind: dict[int, str] = {}
    for s in steps:
        kind[s.predecessor_id] = s.kind
        if s.successor is not None:
            into.setdefault(s.predecessor_id, []).append(s.successor.name)
    for pk, k in kind.items():
        day = f"{ended[pk].valid_to:%d/%m/%Y}"
        names = ", ".join(f"«{n}»" for n in into.get(pk, []))
        if k == SuccessionKind.MERGE and names:
            labels[pk] = f"đã hợp nhất vào {names} từ {day}"
        elif k == SuccessionKind.SPLIT and names:
            labels[pk] = f"đã chia tách thành {names} từ {day}"
    return labels


def mark_ended(units) -> list:
    """`units` as a list, each with `end_label` ("" while it still works), for the templates that list them."""
    units = list(units)
    labels = end_labels(units)
    for u in units:
        u.end_label = labels.get(u.pk, "")
    return units


def predecessor_history(user: Actor, unit: OrgUnit) -> dict:
    """For the unit page: the units merged into it and what they built, so a successor carries their history."""
    from danvan.exemplars.models import Exemplar
    from danvan.orgs import permissions

    preds = predecessors(unit)
    exemplars = (Exemplar.objects.alive().filter(unit__in=preds).select_related("unit")
                 .order_by("-year", "unit__path", "name")[:200]) if preds else []
    visible = set(Exemplar.objects.filter(permissions.units_q(user, "unit__"), unit__in=preds)
                  .values_list("pk", flat=True)) if preds else set()
    return {"predecessors": preds, "predecessor_exemplars": exemplars, "visible_ids": visible}
