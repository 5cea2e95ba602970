"""Property: every number of section 3.3 equals a direct count of the raw data, for any tree and any data.

Hypothesis generates trees (any depth, any level per node), exemplars (year, kind, origin, status,
category, deleted or not), recognitions at several levels and commendations; the test then checks
`reports.stats.compute` and `by_branch` for a node of the tree against counts made in Python from the
generated rows.
"""

from __future__ import annotations

import datetime
import functools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from danvan.exemplars.models import (
    BUILT_STATUSES,
    Commendation,
    Exemplar,
    Field,
    FieldCategory,
    Movement,
    Recognition,
    Status,
)
from danvan.orgs.models import Level, OrgUnit, UnitKind
from danvan.reports import stats

# Every model of the years, sent in a dossier or not: what the tally keeps (section 3.3 as the dossiers hold it is
# tests/test_year_holds.py).
compute = functools.partial(stats.compute, held=False)
by_branch = functools.partial(stats.by_branch, held=False)

pytestmark = pytest.mark.django_db

YEARS = (2021, 2022, 2023)
STATUSES = [s.value for s in Status]

tree_st = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 2)), min_size=1, max_size=10)
exemplar_st = st.lists(st.tuples(
    st.integers(0, 30),            # unit index (mod tree size)
    st.sampled_from(YEARS),
    st.sampled_from(["collective", "individual"]),
    st.sampled_from(["new", "replication"]),
    st.sampled_from(STATUSES),
    st.integers(0, 3),             # category
    st.booleans(),                 # deleted
    st.lists(st.tuples(st.integers(0, 2), st.sampled_from(YEARS)), max_size=2, unique_by=lambda r: r[0]),
    st.lists(st.sampled_from(["praise", "certificate", "merit"]), max_size=2),
), max_size=25)


def _setup():
    levels = [Level.objects.create(code=f"l{i}", name=f"Cấp {i}", rank=i) for i in range(3)]
    kind = UnitKind.objects.create(code="k", name="Loại")
    cats = [FieldCategory.objects.create(code=f"c{i}", name=f"Lĩnh vực {i}", order=i) for i in range(4)]
    movement = Movement.objects.create(name="Dân vận khéo", period_start=2021, period_end=2025)
    return levels, kind, cats, movement


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(tree=tree_st, rows=exemplar_st, pick=st.integers(0, 30), year=st.sampled_from(YEARS))
def test_every_count_equals_a_direct_count(db, tree, rows, pick, year):
    with transaction.atomic():
        _check(tree, rows, pick, year)
        transaction.set_rollback(True)


def _check(tree, rows, pick, year):
    levels, kind, cats, movement = _setup()
    root = OrgUnit.objects.add_root(create_kwargs={"code": "R", "name": "Gốc", "level": levels[0], "kind": kind})
    units = [root]
    for i, (parent_index, level_index) in enumerate(tree):
        parent = OrgUnit.objects.get(pk=units[parent_index % len(units)].pk)
        units.append(OrgUnit.objects.add_child(parent, create_kwargs={
            "code": f"U{i}", "name": f"Đơn vị {i}", "level": levels[level_index], "kind": kind}))
    units = list(OrgUnit.objects.order_by("path"))
    fields = [Field.objects.create(owner=root, name=f"Lĩnh vực riêng {i}", category=c) for i, c in enumerate(cats)]
    made = []
    for n, (u, y, k, origin, status, cat, deleted, recs, coms) in enumerate(rows):
        unit = units[u % len(units)]
        ex = Exemplar.objects.create(
            unit=unit, year=y, movement=movement, field=fields[cat], name=f"Mô hình {n}", kind=k, origin=origin,
            status=status, deleted_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC) if deleted else None)
        for level_index, ry in recs:
            Recognition.objects.create(exemplar=ex, by_unit=root, level=levels[level_index], decision_number=str(n),
                                       decision_date=datetime.date(ry, 6, 1))
        for form in coms:
            Commendation.objects.create(exemplar=ex, by_unit=root, level=levels[0], form=form, decision_number=str(n),
                                        decision_date=datetime.date(y, 7, 1))
        made.append((ex, unit, recs, coms))

    node = units[pick % len(units)]
    inside = [m for m in made if m[1].path.startswith(node.path) and m[0].deleted_at is None]
    s = compute(node, movement, year)

    this_year = [m for m in inside if m[0].year == year]
    for c in s.categories:
        mine = [m for m in this_year if m[0].field.category.code == c.code]
        assert c.registered.collective == sum(m[0].kind == "collective" for m in mine)
        assert c.registered.total == len(mine)
        assert c.built.total == sum(m[0].status in BUILT_STATUSES for m in mine)
        assert c.built.individual == sum(m[0].status in BUILT_STATUSES and m[0].kind == "individual" for m in mine)
    for r in s.levels:
        at_level = [m for m in this_year if m[1].level.code == r.code]
        assert r.registered.total == len(at_level)
        assert r.replicated.total == sum(m[0].origin == "replication" for m in at_level)
        assert r.replicated.collective == sum(m[0].origin == "replication" and m[0].kind == "collective"
                                              for m in at_level)
        assert r.recognized.total == sum(any(levels[li].code == r.code and ry == year for li, ry in m[2])
                                         for m in inside)
    assert s.recognized.total == sum(any(ry == year for _, ry in m[2]) for m in inside)
    assert sum(s.commended.values()) == sum(len(m[3]) for m in this_year)
    assert s.registered.total == len(this_year) == sum(r.registered.total for r in s.levels)

    # A parent's numbers are the sum of its own and its children's branches.
    rows_, total = by_branch(node, movement, year)
    assert total.registered == sum(r.registered for r in rows_) == len(this_year)
    assert total.built == s.built.total and total.replicated == s.replicated.total
    assert total.recognized == s.recognized.total
    # The whole period is the sum of its years (no exemplar counted twice or lost).
    whole = compute(node, movement, 2021, 2023)
    assert whole.registered.total == sum(compute(node, movement, y).registered.total for y in YEARS)
