"""Reads for rounds: visibility and live completeness down the tree (like DHIS2 reporting rates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from danvan.orgs import permissions, tree
from danvan.orgs.models import OrgUnit
from danvan.orgs.permissions import Actor

from .models import RegistrationRound, Status, Submission

SENT = Q(status__in=[Status.SUBMITTED, Status.ACCEPTED])
COUNTS = {
    "expected": Count("pk"),
    "not_started": Count("pk", filter=Q(status=Status.NOT_STARTED)),
    "draft": Count("pk", filter=Q(status=Status.DRAFT)),
    "returned": Count("pk", filter=Q(status=Status.RETURNED)),
    "submitted": Count("pk", filter=SENT),
    "on_time": Count("pk", filter=SENT & Q(is_late=False)),
    "late": Count("pk", filter=SENT & Q(is_late=True)),
    "accepted": Count("pk", filter=Q(status=Status.ACCEPTED)),
    "below_quota": Count("pk", filter=Q(below_quota=True)),
}


def sent_dossier(exemplar) -> Submission | None:
    """A dossier that holds the exemplar and was sent (submitted or accepted): the unit's own first."""
    return (Submission.objects.filter(items__exemplar=exemplar, status__in=[Status.SUBMITTED, Status.ACCEPTED])
            .select_related("round", "unit").order_by("-unit__depth", "-round__year").first())


def sent_dossier_lock(exemplar) -> str | None:
    """`exemplars.services.EDIT_LOCKS`: a model in a sent dossier is not edited, detached or deleted."""
    if exemplar.pk is None or (sub := sent_dossier(exemplar)) is None:
        return None
    return (f"Mô hình nằm trong hồ sơ “{sub.round.title}” của {sub.unit.name} đang ở trạng thái "
            f"“{sub.display_status()}”: không sửa, bỏ khỏi hồ sơ hay xóa được. Cần cấp trên trả lại hồ sơ "
            "trước khi thay đổi.")


def dossier_keeps(exemplar) -> str | None:
    """`exemplars.services.CHANGE_CHECKS`: a model in a dossier keeps the dossier's unit, movement and year (a
    continued one, a year before the dossier's); to change them, take it out of the dossier first."""
    from .models import SubmissionItem

    for item in SubmissionItem.objects.filter(exemplar_id=exemplar.pk, via__isnull=True).select_related(
            "submission__round", "submission__unit"):
        sub, rnd = item.submission, item.submission.round
        where = f"Mô hình đang nằm trong hồ sơ “{rnd.title}” của {sub.unit.name}"
        if exemplar.unit_id != sub.unit_id or exemplar.movement_id != rnd.movement_id:
            return f"{where}: không đổi đơn vị hay phong trào được. Hãy bỏ mô hình khỏi hồ sơ trước."
        if item.continued and exemplar.year >= rnd.year:
            return (f"{where} là mô hình tiếp tục xây dựng: năm của mô hình phải trước năm {rnd.year}. Hãy bỏ "
                    "mô hình khỏi hồ sơ trước khi đổi năm.")
        if not item.continued and exemplar.year != rnd.year:
            return (f"{where}: mô hình đăng ký trong đợt năm {rnd.year} thuộc năm {rnd.year}. Hãy bỏ mô hình khỏi "
                    "hồ sơ trước khi đổi năm.")
    return None


def visible_rounds(user: Actor) -> QuerySet[RegistrationRound]:
    """Rounds the user's units issued or answer to (directly or below)."""
    if permissions.sees_everything(user):
        return RegistrationRound.objects.all()
    return RegistrationRound.objects.filter(
        permissions.units_q(user, "issuer__")
        | Q(pk__in=Submission.objects.filter(permissions.paths_q(permissions.visible_paths(user), "unit_")).values("round_id"))
    ).distinct()


def visible_submissions(user: Actor) -> QuerySet[Submission]:
    if permissions.sees_everything(user):
        return Submission.objects.all()
    return Submission.objects.filter(permissions.paths_q(permissions.visible_paths(user), "unit_"))


def family_rounds(user: Actor, root: RegistrationRound) -> tuple[list[RegistrationRound], int]:
    """The rounds of `root`'s family the user may see listed, in tree order, and how many others there are.

    A relay is shown when its issuer lies in the user's scope (the issuer sees its targets' relays) or on the
    way down to one of the user's units (a target sees its own relay chain); a sibling's relay, with its
    deadline, is only counted."""
    rounds = list(RegistrationRound.objects.filter(root=root.root_id or root.pk).select_related("issuer")
                  .order_by("issuer__path"))
    if permissions.sees_everything(user):
        return rounds, 0
    own = [m.unit.path for m in permissions.memberships(user)]
    shown = [r for r in rounds
             if permissions.can_see_unit(user, r.issuer) or any(p.startswith(r.issuer.path) for p in own)]
    return shown, len(rounds) - len(shown)


def completeness_node(user: Actor, rnd: RegistrationRound, code: str | None) -> OrgUnit | None:
    """Which node's completeness to show: the asked unit if visible, else the issuer, else the user's unit.

    None means the asked unit is outside the user's scope (a 404 for every door).
    """
    if code:
        node = OrgUnit.objects.filter(code=code).first()
        return node if node is not None and permissions.can_see_unit(user, node) else None
    if permissions.can_see_unit(user, rnd.issuer):
        return rnd.issuer
    return permissions.home_units(user)[0]


def _rate(row: dict) -> dict:
    row["rate"] = round(100 * row["submitted"] / row["expected"], 1) if row["expected"] else 0.0
    row["on_time_rate"] = round(100 * row["on_time"] / row["expected"], 1) if row["expected"] else 0.0
    return row


@dataclass
class Completeness:
    root: RegistrationRound
    node: OrgUnit
    total: dict
    by_level: list[dict]
    children: list[dict] = field(default_factory=list)
    by_depth: dict[int, int] = field(default_factory=dict)  # units that must answer, by their depth in the tree

    @property
    def counted(self) -> str:
        """What the expected number counts, in words: "3 đơn vị trực thuộc và Sở Khoa học và Công nghệ"."""
        own = self.by_depth.get(self.node.depth, 0)
        direct = self.by_depth.get(self.node.depth + 1, 0)
        deeper = sum(n for d, n in self.by_depth.items() if d > self.node.depth + 1)
        parts = [f"{direct} đơn vị trực thuộc"] if direct else []
        if deeper:
            parts.append(f"{deeper} đơn vị cấp dưới của các đơn vị đó")
        if own:
            parts.append(self.node.name)
        return ", ".join(parts[:-1]) + (" và " if len(parts) > 1 else "") + parts[-1] if parts else ""


def completeness(root: RegistrationRound, node: OrgUnit) -> Completeness:
    """Counts for `node`'s subtree over the whole round family, per level and per child branch."""
    family = Submission.objects.filter(root=root.root_id or root.pk, unit_path__startswith=node.path)
    levels = tree.levels()
    step = OrgUnit.steplen
    branch_len = len(node.path) + step
    # One grouped scan by (level, child branch) answers both tables: the level rows add up its branches, the
    # branch rows its levels. `node`'s own submission is its own "branch" (its path is shorter than a child's).
    per_level: dict[int, dict[str, Any]] = {}
    branch_rows: dict[str, dict[str, Any]] = {}
    grouped = family.annotate(branch=Substr("unit_path", 1, branch_len)).values("unit__level", "branch")
    rows: list[dict[str, Any]] = [dict(r) for r in grouped.annotate(**COUNTS).order_by()]
    for r in rows:
        level_row = per_level.setdefault(r["unit__level"], {"unit__level": r["unit__level"], **dict.fromkeys(COUNTS, 0)})
        targets = [level_row]
        if r["branch"] != node.path:
            targets.append(branch_rows.setdefault(r["branch"], {"branch": r["branch"], **dict.fromkeys(COUNTS, 0)}))
        for row in targets:
            for key in COUNTS:
                row[key] += r[key]
    by_level = [_rate({**row, "level": levels[pk]}) for pk, row in sorted(per_level.items(),
                                                                        key=lambda kv: (levels[kv[0]].rank, kv[0]))]
    # Every unit has one level, so the total is the sum of the level rows.
    total = _rate({key: sum(row[key] for row in by_level) for key in COUNTS})
    for row in branch_rows.values():
        _rate(row)
    children = []
    own = {
        s.unit_id: s
        for s in family.filter(unit__depth=node.depth + 1, unit_path__startswith=node.path)
        .select_related("round").annotate(last_reminder=Max("reminders__sent_at"))
    }
    now = timezone.now()
    for kid in tree.children(node):
        sub = own.get(kid.pk)
        stats = branch_rows.get(kid.path)
        if sub is None and stats is None:
            continue
        children.append({"unit": kid, "submission": sub, "stats": stats, "state": _state(sub, now)})
    by_depth = dict(family.values_list("unit__depth").annotate(n=Count("pk")).order_by())
    return Completeness(root=root, node=node, total=total, by_level=by_level, children=children, by_depth=by_depth)


def completeness_by_family(node: OrgUnit, families: QuerySet[RegistrationRound]) -> list[dict]:
    """`completeness(root, node).total` for many round families in ONE grouped query (dashboards).

    Each row is the family's root round with the same counts and rates as the completeness page.
    """
    roots = {r.pk: r for r in families}
    rows = (Submission.objects.filter(root__in=list(roots), unit_path__startswith=node.path)
            .values("root").annotate(**COUNTS).order_by())
    found = {r["root"]: _rate({k: v for k, v in r.items() if k != "root"}) for r in rows}
    return [{"round": rnd, **found[pk]} for pk, rnd in roots.items() if pk in found]


def _state(sub: Submission | None, now) -> str:
    """One word for a child's row: done, late, missing, returned, below quota…"""
    if sub is None:
        return "—"
    if sub.status == Status.ACCEPTED:
        return "Đã tiếp nhận"
    if sub.status == Status.SUBMITTED:
        return "Đã gửi, muộn hạn" if sub.is_late else "Đã gửi đúng hạn"
    overdue = now > sub.effective_deadline
    base = {"not_started": "Chưa bắt đầu", "draft": "Đang soạn", "returned": "Bị trả lại"}[sub.status]
    if overdue:
        base += " — quá hạn"
    if sub.status != Status.NOT_STARTED and sub.below_quota:
        base += " (chưa đủ chỉ tiêu)"
    return base


def completeness_dict(c: Completeness) -> dict:
    """JSON shape shared by the CLI, the API and the XLSX export."""
    def clean(row: dict) -> dict:
        return {k: v for k, v in row.items() if k not in ("level", "unit__level")}

    return {
        "round": {"id": c.root.pk, "title": c.root.title, "year": c.root.year},
        "unit": {"code": c.node.code, "name": c.node.name},
        "total": clean(c.total),
        "by_level": [{"level": r["level"].name, **clean(r)} for r in c.by_level],
        "children": [
            {
                "code": ch["unit"].code,
                "name": ch["unit"].name,
                "state": ch["state"],
                "status": ch["submission"].status if ch["submission"] else None,
                "is_late": ch["submission"].is_late if ch["submission"] else None,
                "n_total": ch["submission"].n_total if ch["submission"] else None,
                "subtree": clean(ch["stats"]) if ch["stats"] else None,
            }
            for ch in c.children
        ],
    }
