"""The red-team matrix's world (issue 21 §9): the demo seeds, two admins of one unit each, and in two places — another
province (Đảng bộ Sở Tư pháp Quảng Bình) and a sibling branch (Sở Nội vụ Quảng Ngãi) — one object of every kind a
door takes, each made through the service its page uses."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from danvan.ops.demo import DEMO_PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# What the matrix tried, for the terminal summary (tests/conftest.py).
STATS: dict = {"doors": set(), "personas": 0, "pairs": 0, "reads": 0, "writes": 0, "leaks": 0}
TREE_CSV = b"ma_don_vi,ten_don_vi,ma_don_vi_cap_tren,cap,loai\n"


@dataclass
class World:
    """One object of every kind, all under `root` (a unit with a child `unit` that has a child `grandchild`)."""

    name: str
    root: object
    unit: object
    grandchild: object
    owner: object  # an admin of `root`: sees and acts on everything here (the positive control)
    officer: object
    leader: object
    objs: dict = field(default_factory=dict)

    def __getitem__(self, kind: str):
        return self.objs[kind]


def _activate(user) -> None:
    user.set_password(DEMO_PASSWORD)
    user.is_active = True
    user.save()


def _person(by, unit, username: str, role: str):
    from danvan.onboarding import administration

    user = administration.add_person(by=by, unit=unit, username=username, full_name=f"Người thử {username}",
                                 email=f"{username}@danvan.local", role=role)
    _activate(user)
    return get_user_model().objects.get(pk=user.pk)


def admins() -> dict:
    """The personas the seeds lack: an admin (role admin) of one unit in each province."""
    from danvan.orgs.models import OrgUnit, Role

    root = get_user_model().objects.get(username="admin")
    return {"qt.quangbinh": _person(root, OrgUnit.objects.get(code="DBSTP-QB"), "qt.quangbinh", Role.ADMIN),
            "qt.snv": _person(root, OrgUnit.objects.get(code="SNV-QNG"), "qt.snv", Role.ADMIN)}


def build(name: str, root_code: str, owner, tag: str) -> World:
    from danvan.api.tokens import create_token
    from danvan.documents import services as documents
    from danvan.exemplars import lifecycle
    from danvan.exemplars.models import Field, FieldCategory, Movement
    from danvan.exemplars.services import create_exemplar
    from danvan.intake import services as intake
    from danvan.movement import notify
    from danvan.movement import services as movement
    from danvan.movement.models import Notification, RoundKind
    from danvan.onboarding import administration, importing
    from danvan.orgs.models import Level, Membership, OrgUnit, Role, UnitKind
    from danvan.reports import services as reports
    from danvan.search import similar
    from danvan.tools import intake_samples as samples

    root = OrgUnit.objects.get(code=root_code)
    base = Level.objects.get(code="co-so")
    kind = UnitKind.objects.get(code="phong-don-vi")
    unit = administration.create_unit(by=owner, parent=root, code=f"RT-{tag}-DV", name=f"Đơn vị thử {name}",
                                  level=base, kind=kind)
    grandchild = administration.create_unit(by=owner, parent=unit, code=f"RT-{tag}-TO", name=f"Tổ thử {name}",
                                        level=base, kind=kind)
    officer = _person(owner, unit, f"cb.rt{tag.lower()}", Role.OFFICER)
    leader = _person(owner, unit, f"ld.rt{tag.lower()}", Role.LEADER)
    notify.set_mail_mode(user=leader, mode="digest")
    w = World(name, root, unit, grandchild, owner, officer, leader)
    o = w.objs
    movement_2021 = Movement.objects.get(period_start=2021)
    o["movement"] = movement_2021
    fld = Field.objects.create(owner=root, name=f"Lĩnh vực thử {name}", category=FieldCategory.objects.first())

    def exemplar(title: str):
        return create_exemplar(by=officer, unit=unit, year=2021, movement=movement_2021, field=fld, name=title,
                               kind="collective", content_problem="Nội dung thử.", origin="new").exemplar

    o["exemplar"] = ex = exemplar(f"Mô hình thử {name}")
    o["other"] = other = exemplar(f"Mô hình thử thứ hai {name}")
    o["deleted"] = gone = exemplar(f"Mô hình thử đã xóa {name}")
    from danvan.exemplars.services import delete_exemplar

    delete_exemplar(exemplar=gone, by=officer)
    update = lifecycle.add_progress(exemplar=ex, by=officer, date=datetime.date(2021, 6, 1), text="Tiến độ thử.",
                                    files=[SimpleUploadedFile("minh-chung.pdf", PDF)])
    o["evidence"] = update.evidence.first()
    ex.refresh_from_db()
    lifecycle.assess(exemplar=ex, by=leader, achieved=True, comment="Đạt.")
    ex.refresh_from_db()
    o["recognition"] = lifecycle.recognize(exemplar=ex, by=owner, by_unit=root, decision_number=f"1/QĐ-{tag}",
                                           decision_date=datetime.date(2021, 12, 1))
    ex.refresh_from_db()
    o["flag"] = similar.flag_duplicate(exemplar=ex, other=other, by=officer)

    deadline = timezone.now() + datetime.timedelta(days=20)
    o["round"] = rnd = movement.launch_round(issuer=root, by=owner, movement=movement_2021, year=2021,
                                             title=f"Đợt thử {name}", deadline=deadline, min_total=1).obj
    o["relay"] = movement.relay_round(parent_round=rnd, unit=unit, by=owner, title=f"Đợt chuyển tiếp thử {name}",
                                      deadline=deadline - datetime.timedelta(days=5), min_total=1).obj
    o["submission"] = sub = rnd.submissions.get(unit=unit)
    sub = movement.attach_exemplars(submission=sub, exemplars=[ex, other], by=officer)
    sub = movement.update_dossier(submission=sub, by=officer, signed_number=f"2/{tag}",
                                  signed_scan=ContentFile(PDF, name="ban-ky.pdf"),
                                  letter_file=ContentFile(PDF, name="cong-van.pdf"))
    o["submission"] = sub
    o["reminder"] = movement.remind(round=rnd, submissions=[sub], by=owner, message="Nhắc thử.")[0]
    o["notification"] = Notification.objects.filter(user=officer).order_by("pk").first()
    digests = notify.send_digests()
    o["digest"] = next(d for d in digests if d.user_id == leader.pk)
    report_round = movement.launch_round(issuer=root, by=owner, movement=movement_2021, year=2021,
                                         title=f"Yêu cầu báo cáo thử {name}", deadline=deadline,
                                         kind=RoundKind.REPORT, min_total=0).obj
    o["report_round"] = report_round
    o["report"] = report = reports.open_report(unit=unit, movement=movement_2021, year=2021, by=officer)
    o["intro"], _ = reports.add_introduction(report=report, by=officer, exemplar=ex, basis="Thử.")
    started = intake.start_import(by=officer, unit=unit, year=2021, submission=sub,
                                  files=[(f"bieu-mau-{tag}.docx", samples.build_seed001_docx())])
    o["batch"] = batch = started.batch
    o["import_file"] = batch.files.first()
    o["import_row"] = o["import_file"].rows.first()
    with override_settings(DANVAN_BACKGROUND_DOCUMENT_ITEMS=1):
        o["job"] = documents.submission_document(officer, sub, "danh-sach", "xlsx")
    o["run"] = importing.start_import(by=owner, kind="tree", data=TREE_CSV, filename="cay.csv", under=root)
    from danvan.documents.models import OutgoingEntry

    o["outgoing"] = OutgoingEntry.objects.create(
        unit=unit, year=2021, number=1, code=f"01/{tag}", kind="dang-ky", issued_on=datetime.date(2021, 4, 27),
        subject="V/v thử", submission=sub, round=rnd, issued_by=owner,
        file=ContentFile(b"PK thu", name=f"so-di-{tag}.docx"), sha256="0" * 64)
    o["membership"] = Membership.objects.get(user=leader, unit=unit)
    o["token"] = create_token(user=officer, name="Khóa thử").token
    return w
