"""Section 3.3 and the numeric appendix of the annual report (seed 004), computed from the data.

Every number is an aggregate query over the node's subtree (a path prefix), never a Python loop
over exemplars. The same function gives a year (annual report), a range of years (period to date)
and, called once per year, the period review (sơ kết / tổng kết).

Definitions (DOMAIN.md §6, written here once) — section 3.3 counts the year as its dossiers hold it:
- registered: alive exemplars of the subtree that a sent (submitted or accepted) dossier of a registration round
  of the years holds as registered; such a model belongs to its round's year and movement
  (`movement.services.attach_exemplars` refuses any other), so each is counted once, in its year, however many
  dossiers it was consolidated into. A model typed in but never sent in a dossier is not registered;
- continued: alive exemplars of an earlier year that such a dossier holds as "tiếp tục xây dựng"
  (`SubmissionItem.continued`), not registered in the years themselves; counted apart, never as registered;
- built: the registered ones that were carried out (`exemplars.models.BUILT_STATUSES`);
- replicated: registered exemplars whose origin is a replication, by the level of the replicating unit;
- recognized: exemplars of the subtree with a recognition decided in the years, by the recognition's level
  (an exemplar recognized at two levels counts once in the total);
- launches: registration rounds issued by units of the subtree; registering units: distinct units of the
  subtree that sent a registration (submitted or accepted).
- `held=False` (the dashboard): every alive exemplar of the movement of the years, sent in a dossier or not,
  read for the top levels from `reports.tally`;
- "the subtree" is the tree as it was at the end of `year_to` (`onboarding.selectors.subtree_q_as_of`):
  a unit moved elsewhere later still counts where it was; submissions carry the path they had at launch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import Substr

from danvan.exemplars.models import (
    BUILT_STATUSES,
    Commendation,
    CommendationForm,
    Exemplar,
    Field,
    FieldCategory,
    Kind,
    Movement,
    Origin,
    Recognition,
)
from danvan.movement.models import (
    SENT_STATUSES,
    RegistrationRound,
    RoundKind,
    Submission,
    SubmissionItem,
)
from danvan.onboarding.selectors import (
    Moves,
    first_moves_after,
    moved_since,
    moves_after,
    subtree_q_as_of,
)
from danvan.orgs.models import Level, OrgUnit

from . import tally


@dataclass
class Counts:
    collective: int = 0
    individual: int = 0

    @property
    def total(self) -> int:
        return self.collective + self.individual

    def add(self, kind: str, n: int) -> None:
        if kind == Kind.COLLECTIVE:
            self.collective += n
        else:
            self.individual += n

    def to_dict(self) -> dict:
        return {"collective": self.collective, "individual": self.individual, "total": self.total}


@dataclass
class LevelRow:
    code: str
    name: str
    launches: int = 0
    registering_units: int = 0
    registered: Counts = field(default_factory=Counts)
    replicated: Counts = field(default_factory=Counts)
    recognized: Counts = field(default_factory=Counts)


@dataclass
class CategoryRow:
    code: str
    name: str
    registered: Counts = field(default_factory=Counts)
    built: Counts = field(default_factory=Counts)
    continued: Counts = field(default_factory=Counts)

    @property
    def rate(self) -> float | None:
        return round(100 * self.built.total / self.registered.total, 1) if self.registered.total else None


@dataclass
class YearRow:
    """One year of the range: registered (by registration year), built, replicated; recognized by decision year."""

    year: int
    registered: Counts = field(default_factory=Counts)
    built: Counts = field(default_factory=Counts)
    replicated: Counts = field(default_factory=Counts)
    recognized: Counts = field(default_factory=Counts)


@dataclass
class Stats:
    unit: OrgUnit
    movement: Movement | None
    year_from: int
    year_to: int
    levels: list[LevelRow]
    categories: list[CategoryRow]
    recognized: Counts
    commended: dict[str, int]
    years: list[YearRow] = field(default_factory=list)

    @property
    def registered(self) -> Counts:
        return _sum(c.registered for c in self.categories)

    @property
    def built(self) -> Counts:
        return _sum(c.built for c in self.categories)

    @property
    def continued(self) -> Counts:
        return _sum(c.continued for c in self.categories)

    @property
    def replicated(self) -> Counts:
        return _sum(r.replicated for r in self.levels)

    @property
    def launches(self) -> int:
        return sum(r.launches for r in self.levels)

    @property
    def years_label(self) -> str:
        return str(self.year_to) if self.year_from == self.year_to else f"{self.year_from} - {self.year_to}"

    def to_dict(self) -> dict:
        return {
            "unit": self.unit.code, "unit_name": self.unit.name, "movement": self.movement.pk if self.movement else None,
            "year_from": self.year_from, "year_to": self.year_to,
            "by_level": [{"level": r.code, "name": r.name, "launches": r.launches,
                          "registering_units": r.registering_units, "registered": r.registered.to_dict(),
                          "replicated": r.replicated.to_dict(), "recognized": r.recognized.to_dict()}
                         for r in self.levels],
            "by_category": [{"category": c.code, "name": c.name, "registered": c.registered.to_dict(),
                             "built": c.built.to_dict(), "built_rate": c.rate,
                             "continued": c.continued.to_dict()} for c in self.categories],
            "totals": {"launches": self.launches, "registered": self.registered.to_dict(),
                       "built": self.built.to_dict(), "continued": self.continued.to_dict(), "replicated": self.replicated.to_dict(),
                       "recognized": self.recognized.to_dict()},
            "commended": dict(self.commended),
        }


def _sum(items) -> Counts:
    out = Counts()
    for c in items:
        out.collective += c.collective
        out.individual += c.individual
    return out


def _exemplars(node: OrgUnit, movement: Movement | None, year_from: int, year_to: int, moves: Moves | None = None):
    qs = Exemplar.objects.alive().filter(subtree_q_as_of(node, year_to, "unit__", moves), year__gte=year_from,
                                         year__lte=year_to)
    return qs if movement is None else qs.filter(movement=movement)


def held_items(movement: Movement | None, year_from: int, year_to: int):
    """The items of the sent dossiers of the registration rounds of the years: what the year's dossiers hold."""
    items = SubmissionItem.objects.filter(submission__round__kind=RoundKind.REGISTRATION,
                                          submission__round__year__gte=year_from, submission__round__year__lte=year_to,
                                          submission__status__in=SENT_STATUSES)
    return items if movement is None else items.filter(submission__round__movement=movement)


def registered_exemplars(node: OrgUnit, movement: Movement | None, year_from: int, year_to: int,
                         moves: Moves | None = None):
    """The models section 3.3 counts as registered in the years (see the module's definitions)."""
    held = held_items(movement, year_from, year_to).filter(continued=False).values("exemplar_id")
    return _exemplars(node, movement, year_from, year_to, moves).filter(pk__in=held)


def continued_exemplars(node: OrgUnit, movement: Movement | None, year_from: int, year_to: int,
                        moves: Moves | None = None):
    """The models of earlier years the dossiers of the years carry as "tiếp tục xây dựng"."""
    held = held_items(movement, year_from, year_to).filter(continued=True).values("exemplar_id")
    qs = Exemplar.objects.alive().filter(subtree_q_as_of(node, year_to, "unit__", moves), pk__in=held,
                                         year__lt=year_to).exclude(
        pk__in=registered_exemplars(node, movement, year_from, year_to, moves).values("pk"))
    return qs if movement is None else qs.filter(movement=movement)


def held_models(node: OrgUnit, movement: Movement | None, year_from: int, year_to: int | None = None):
    """The models section 3.3 counts, for the appendix to list: (registered, continued), each in tree order."""
    year_to = year_from if year_to is None else year_to
    moves = moves_after(node, year_to)
    rel = ("unit", "field", "field__category")
    order = ("unit__path", "field__category__order", "name", "pk")
    return (registered_exemplars(node, movement, year_from, year_to, moves).select_related(*rel).order_by(*order),
            continued_exemplars(node, movement, year_from, year_to, moves).select_related(*rel).order_by(*order))


def recognitions(node: OrgUnit, movement: Movement | None, year_from: int, year_to: int,
                 moves: Moves | None = None):
    """Recognitions decided in the years of alive exemplars of the subtree (of the movement, or of all)."""
    qs = Recognition.objects.filter(subtree_q_as_of(node, year_to, "exemplar__unit__", moves),
                                    exemplar__deleted_at__isnull=True, decision_date__year__gte=year_from, decision_date__year__lte=year_to)
    return qs if movement is None else qs.filter(exemplar__movement=movement)


def commendations(node: OrgUnit, movement: Movement | None, year_from: int, year_to: int,
                  moves: Moves | None = None):
    qs = Commendation.objects.filter(subtree_q_as_of(node, year_to, "exemplar__unit__", moves),
                                     exemplar__deleted_at__isnull=True, decision_date__year__gte=year_from, decision_date__year__lte=year_to)
    return qs if movement is None else qs.filter(exemplar__movement=movement)


def compute(node: OrgUnit, movement: Movement | None, year_from: int, year_to: int | None = None, *,
            held: bool = True) -> Stats:
    """Section 3.3 for `node`'s subtree over the years [year_from, year_to] (movement None: every movement),
    as the year's dossiers hold it; `held=False`: every model of the years (the dashboard).

    The exemplars are read with ONE grouped query (year × kind × origin × field × level), from which the
    per-category, per-level and per-year numbers are all summed: one scan of the subtree, or (`held=False`)
    for the top levels of the tree the same groups read from `reports.tally`.
    """
    year_to = year_from if year_to is None else year_to
    levels = {lv.code: LevelRow(lv.code, lv.name) for lv in Level.objects.order_by("rank")}
    categories = {c.code: CategoryRow(c.code, c.name) for c in FieldCategory.objects.order_by("order", "code")}
    years = {y: YearRow(y) for y in range(year_from, year_to + 1)}
    moves = moves_after(node, year_to)  # the tree as it was: one query, shared by every count below
    ex = (registered_exemplars if held else _exemplars)(node, movement, year_from, year_to, moves)
    # Grouped by the ids on the rows (field, the unit's level) and mapped to codes here: joining the small
    # field, category and level tables for a million rows would cost more than the scan itself.
    # "Built" is counted as its complement (two statuses to compare per row instead of five).
    # The country and the provinces read the same groups from the tally kept on every save (`reports.tally`).
    rows: list[Any]
    if not held and tally.covers(node, moves):
        rows = tally.rows(node, movement, year_from, year_to)
    else:
        rows = list(ex.values(*tally.GROUP).annotate(
            **tally.counts()).order_by())
    for r in rows:
        r["built"] = r["n"] - r["not_built"]
    continued = list(continued_exemplars(node, movement, year_from, year_to, moves).values(
        "kind", "field_id").annotate(n=Count("*")).order_by()) if held else []
    field_category = dict(Field.objects.filter(pk__in={r["field_id"] for r in [*rows, *continued]}).values_list(
        "id", "category__code"))
    level_code = dict(Level.objects.values_list("id", "code"))
    for r in rows:
        kind, n, rep = r["kind"], r["n"], r["n"] if r["origin"] == Origin.REPLICATION else 0
        cat = categories[field_category[r["field_id"]]]
        cat.registered.add(kind, n)
        cat.built.add(kind, r["built"])
        lv = levels[level_code[r["unit__level_id"]]]
        lv.registered.add(kind, n)
        lv.replicated.add(kind, rep)
        yr = years.setdefault(r["year"], YearRow(r["year"]))
        yr.registered.add(kind, n)
        yr.built.add(kind, r["built"])
        yr.replicated.add(kind, rep)
    for r in continued:
        categories[field_category[r["field_id"]]].continued.add(r["kind"], r["n"])

    rec = recognitions(node, movement, year_from, year_to, moves)
    for r in rec.values("level__code", "exemplar__kind").annotate(n=Count("exemplar", distinct=True)).order_by():
        levels[r["level__code"]].recognized.add(r["exemplar__kind"], r["n"])
    recognized = Counts()
    for r in rec.values("exemplar__kind").annotate(n=Count("exemplar", distinct=True)).order_by():
        recognized.add(r["exemplar__kind"], r["n"])
    for r in rec.values("decision_date__year", "exemplar__kind").annotate(
            n=Count("exemplar", distinct=True)).order_by():
        years[r["decision_date__year"]].recognized.add(r["exemplar__kind"], r["n"])

    com = commendations(node, movement, year_from, year_to, moves)
    commended = {f.value: 0 for f in CommendationForm}
    for r in com.values("form").annotate(n=Count("id")).order_by():
        commended[r["form"]] = r["n"]

    rounds = RegistrationRound.objects.filter(subtree_q_as_of(node, year_to, "issuer__", moves),
                                              kind=RoundKind.REGISTRATION,
                                              year__gte=year_from, year__lte=year_to)
    subs = Submission.objects.filter(round__kind=RoundKind.REGISTRATION, round__year__gte=year_from,
                                     round__year__lte=year_to, unit_path__startswith=node.path,
                                     status__in=SENT_STATUSES)
    if movement is not None:
        rounds, subs = rounds.filter(movement=movement), subs.filter(round__movement=movement)
    for r in rounds.values("issuer__level__code").annotate(n=Count("id")).order_by():
        levels[r["issuer__level__code"]].launches = r["n"]
    for r in subs.values("unit__level__code").annotate(n=Count("unit", distinct=True)).order_by():
        levels[r["unit__level__code"]].registering_units = r["n"]

    return Stats(unit=node, movement=movement, year_from=year_from, year_to=year_to,
                 levels=list(levels.values()), categories=list(categories.values()), recognized=recognized,
                 commended=commended, years=[years[y] for y in sorted(years)])


def period(node: OrgUnit, movement: Movement, up_to: int | None = None) -> list[Stats]:
    """One Stats per year of the movement's period (up to `up_to`), then the whole period."""
    last = min(movement.period_end, up_to or movement.period_end)
    years = [compute(node, movement, y) for y in range(movement.period_start, last + 1)]
    return [*years, compute(node, movement, movement.period_start, last)]


@dataclass
class BranchRow:
    unit: OrgUnit | None  # None: the node's own exemplars
    registered: int = 0
    built: int = 0
    replicated: int = 0
    recognized: int = 0


def by_branch(node: OrgUnit, movement: Movement, year: int, *, held: bool = True) -> tuple[list[BranchRow], BranchRow]:
    """The node's own numbers and each child branch's, so a parent sees that its total is their sum
    (registered as `compute` counts them: held in the year's dossiers, or `held=False` every model).

    Branches as they were at the end of `year`: a unit moved out since is counted in the branch it was in
    then (or as a branch of its own if it was a child of the node); units moved in or created since are
    not listed.
    """
    width = len(node.path) + OrgUnit.steplen
    first = first_moves_after(year)  # one query for both: what to count and which branch it counted in
    moves = moves_after(node, year, first)
    then: dict[str, str] = {}  # current path of a unit moved since -> the branch key it had then
    for path, parent in moved_since(node, year, first).items():
        then[path] = path if parent == node.path else parent[:width]

    def branch(col: str):
        plain = Substr(col, 1, width)
        if not then:
            return plain
        return Case(*[When(**{f"{col}__startswith": p}, then=Value(key)) for p, key in then.items()],
                    default=plain, output_field=CharField())

    excluded = moves[1]
    children = {c.path: BranchRow(c) for c in OrgUnit.objects.filter(
        path__startswith=node.path, depth=node.depth + 1).exclude(valid_from__gt=date(year, 12, 31))
        .order_by("path") if not any(c.path.startswith(p) for p in excluded)}
    for path, key in then.items():
        if key == path:  # a child of the node then, elsewhere now: still its own branch for that year
            children.setdefault(path, BranchRow(OrgUnit.objects.get(path=path)))
    own = BranchRow(None)
    if not held and not then and tally.covers(node, moves) and node.depth < tally.depth():
        # The node and its children are all kept in the tally: their counts, the node's own is the rest.
        kept = tally.branch_counts(node, [c.unit.pk for c in children.values() if c.unit], movement, year)
        by_pk = {c.unit.pk: c for c in children.values() if c.unit}
        whole = kept.pop(node.pk, (0, 0, 0))
        own.registered, own.built, own.replicated = whole
        for pk, (n, built, rep) in kept.items():
            row = by_pk[pk]
            row.registered, row.built, row.replicated = n, built, rep
            own.registered, own.built, own.replicated = own.registered - n, own.built - built, own.replicated - rep
    else:
        ex = (registered_exemplars if held else _exemplars)(node, movement, year, year, moves).annotate(
            branch=branch("unit__path"))
        for r in ex.values("branch").annotate(n=Count("id"), built=Count("id", filter=Q(status__in=BUILT_STATUSES)),
                                              rep=Count("id", filter=Q(origin=Origin.REPLICATION))).order_by():
            row = children.get(r["branch"], own)
            row.registered += r["n"]
            row.built += r["built"]
            row.replicated += r["rep"]
    rec = recognitions(node, movement, year, year, moves).annotate(branch=branch("exemplar__unit__path"))
    for r in rec.values("branch").annotate(n=Count("exemplar", distinct=True)).order_by():
        children.get(r["branch"], own).recognized += r["n"]
    rows = [own, *children.values()]
    total = BranchRow(node, *(sum(getattr(r, k) for r in rows)
                              for k in ("registered", "built", "replicated", "recognized")))
    return rows, total
