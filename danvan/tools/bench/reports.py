"""`danvan bench reports`: the annual statistics (section 3.3) for a province and for the national root.

Run on the generator's data (`danvan generate --provinces 34 --exemplars 1000000`); target ≤ 2 s each.
"""

from __future__ import annotations

from danvan.exemplars.models import Exemplar, Movement
from danvan.foundation.timing import median_seconds
from danvan.orgs.models import OrgUnit
from danvan.reports import stats

TARGET_S = 2.0


def bench_reports(repeat: int = 3) -> dict:
    root = OrgUnit.objects.filter(depth=1).order_by("-numchild", "path").first()
    movement = Movement.objects.order_by("-period_start").first()
    if root is None or movement is None:
        raise RuntimeError("Cơ sở dữ liệu chưa có cây đơn vị hay phong trào; hãy chạy `danvan generate` trước.")
    year = Exemplar.objects.filter(movement=movement).order_by("-year").values_list("year", flat=True).first() \
        or movement.period_start
    province = OrgUnit.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("-numchild", "path").first()
    out: dict = {"exemplars": Exemplar.objects.count(), "units": OrgUnit.objects.count(), "year": year,
                 "target_s": TARGET_S}
    for name, node in (("national_root", root), ("province", province or root)):
        s = stats.compute(node, movement, year)
        out[name] = {
            "unit": node.code,
            "annual_s": round(median_seconds(lambda n=node: stats.compute(n, movement, year), repeat), 3),
            "period_to_date_s": round(median_seconds(
                lambda n=node: stats.compute(n, movement, movement.period_start, year), repeat), 3),
            "branches_s": round(median_seconds(lambda n=node: stats.by_branch(n, movement, year), repeat), 3),
            "registered": s.registered.total,
        }
        out[name]["within_target"] = max(out[name]["annual_s"], out[name]["period_to_date_s"]) <= TARGET_S
    return out


DASHBOARD_TARGET_S = 1.0


def bench_dashboard(repeat: int = 3) -> dict:
    """`danvan bench dashboard`: the national (root) dashboard — every table of `reports.dashboard.build`."""
    from danvan.reports import dashboard

    root = OrgUnit.objects.filter(depth=1).order_by("-numchild").first()
    movement = Movement.objects.order_by("-period_start").first()
    if root is None:
        raise RuntimeError("Cơ sở dữ liệu chưa có cây đơn vị; hãy chạy `danvan generate` trước.")
    year_from, year_to = dashboard.default_range(movement)
    last = Exemplar.objects.order_by("-year").values_list("year", flat=True).first()
    if last and movement and movement.covers(last):
        year_to = max(year_to, last)
    d = dashboard.build(root, movement, year_from, year_to)
    build_s = median_seconds(lambda: dashboard.build(root, movement, year_from, year_to), repeat)
    charts_s = median_seconds(lambda: [str(t.chart) for t in d.tables], repeat)
    return {
        "exemplars": Exemplar.objects.count(), "units": OrgUnit.objects.count(), "unit": root.code,
        "movement": str(movement) if movement else None, "year_from": year_from, "year_to": year_to,
        "registered": d.stats.registered.total, "tables": len(d.tables),
        "queries_s": round(build_s, 3), "charts_s": round(charts_s, 3), "target_s": DASHBOARD_TARGET_S,
        "within_target": build_s + charts_s <= DASHBOARD_TARGET_S,
    }
