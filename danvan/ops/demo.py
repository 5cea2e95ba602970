"""Demo data from the seeds (DOMAIN.md §2, issue 2 §8). Idempotent: keyed by codes and names."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from danvan.exemplars.models import Exemplar, Field, FieldCategory, Movement
from danvan.foundation.html import paragraphs_to_html
from danvan.orgs.models import NAME_FIELDS, DocFamily, Level, Membership, OrgUnit, Role, UnitKind

DEMO_PASSWORD = "DanVan@2021"
DATA_DIR = Path(__file__).resolve().parent / "data"

LEVELS = [("tinh", "Cấp tỉnh", 0), ("huyen", "Cấp huyện", 1), ("co-so", "Cấp cơ sở", 2)]
KINDS = [
    ("ban-dang", "Cơ quan tham mưu, giúp việc Tỉnh ủy"),
    ("so-nganh", "Sở, ban, ngành tỉnh"),
    ("phong-don-vi", "Phòng, đơn vị thuộc sở"),
    ("dang-bo", "Đảng bộ"),
    ("chi-bo", "Chi bộ"),
    ("huyen-uy", "Huyện, thị, thành ủy, đảng ủy trực thuộc"),
    ("mttq", "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội"),
    ("xa", "Xã, phường, thị trấn"),
    ("trung-uong", "Cơ quan Trung ương"),
]
CATEGORIES = [
    ("kinh-te", "Phát triển kinh tế", 1),
    ("van-hoa-xa-hoi", "Văn hóa - xã hội", 2),
    ("quoc-phong-an-ninh", "Quốc phòng - an ninh", 3),
    ("he-thong-chinh-tri", "Xây dựng hệ thống chính trị", 4),
]
QNG_STATE = "UBND TỈNH QUẢNG NGÃI"
# code, parent, name, header_name, superior, level, kind, suffix, place, address, family
UNITS = [
    ("BDVTU-QNG", None, "Ban Dân vận Tỉnh ủy Quảng Ngãi", "BAN DÂN VẬN", "TỈNH ỦY QUẢNG NGÃI",
     "tinh", "ban-dang", "BDVTU", "Quảng Ngãi", "Thành phố Quảng Ngãi, tỉnh Quảng Ngãi", DocFamily.PARTY),
    ("SKHCN-QNG", "BDVTU-QNG", "Sở Khoa học và Công nghệ", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", QNG_STATE,
     "tinh", "so-nganh", "SKHCN-VP", "Quảng Ngãi",
     "202A, đường Trường Chinh, Thành phố Quảng Ngãi, tỉnh Quảng Ngãi", DocFamily.STATE),
    ("VP-SKHCN-QNG", "SKHCN-QNG", "Văn phòng Sở Khoa học và Công nghệ", "VĂN PHÒNG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
     "co-so", "phong-don-vi", "VP", "Quảng Ngãi",
     "202A, đường Trường Chinh, Thành phố Quảng Ngãi, tỉnh Quảng Ngãi", DocFamily.STATE),
    ("CCTDC-QNG", "SKHCN-QNG", "Chi cục Tiêu chuẩn Đo lường Chất lượng",
     "CHI CỤC TIÊU CHUẨN ĐO LƯỜNG CHẤT LƯỢNG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "co-so", "phong-don-vi",
     "CCTĐC", "Quảng Ngãi", "157 đường Nguyễn Nghiêm, Thành phố Quảng Ngãi, tỉnh Quảng Ngãi", DocFamily.STATE),
    ("TT-SKHCN-QNG", "SKHCN-QNG", "Thanh tra Sở Khoa học và Công nghệ", "THANH TRA SỞ",
     "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "co-so", "phong-don-vi", "TTr", "Quảng Ngãi",
     "202A, đường Trường Chinh, Thành phố Quảng Ngãi, tỉnh Quảng Ngãi", DocFamily.STATE),
    ("SNV-QNG", "BDVTU-QNG", "Sở Nội vụ", "SỞ NỘI VỤ", QNG_STATE, "tinh", "so-nganh", "SNV", "Quảng Ngãi",
     "Thành phố Quảng Ngãi, tỉnh Quảng Ngãi", DocFamily.STATE),
    ("DBSTP-QB", None, "Đảng bộ Sở Tư pháp Quảng Bình", "ĐẢNG BỘ SỞ TƯ PHÁP", "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH",
     "tinh", "dang-bo", "ĐUSTP", "Đồng Hới", "Thành phố Đồng Hới, tỉnh Quảng Bình", DocFamily.PARTY),
    ("CB1-DBSTP-QB", "DBSTP-QB", "Chi bộ 1 Sở Tư pháp", "CHI BỘ 1", "ĐẢNG BỘ SỞ TƯ PHÁP", "co-so", "chi-bo",
     "CB1", "Đồng Hới", "", DocFamily.PARTY),
    ("CB2-DBSTP-QB", "DBSTP-QB", "Chi bộ 2 Sở Tư pháp", "CHI BỘ 2", "ĐẢNG BỘ SỞ TƯ PHÁP", "co-so", "chi-bo",
     "CB2", "Đồng Hới", "", DocFamily.PARTY),
]
# username, full name, unit, role, title, staff, superuser
PERSONAS = [
    ("bdv.quangngai", "Phạm Thị Thu", "BDVTU-QNG", Role.BOARD, "Chuyên viên Ban Dân vận Tỉnh ủy", False, False),
    ("vp.skhcn", "Lê Đức Tuấn", "SKHCN-QNG", Role.OFFICE, "Chuyên viên Văn phòng Sở", False, False),
    ("ld.skhcn", "Trần Công Hòa", "SKHCN-QNG", Role.LEADER, "Phó Giám đốc", False, False),
    ("tt.skhcn", "Nguyễn Văn Bình", "TT-SKHCN-QNG", Role.OFFICER, "Công chức Thanh tra Sở", False, False),
    ("cc.tdc", "Võ Thị Lan", "CCTDC-QNG", Role.OFFICER, "Công chức Chi cục", False, False),
    ("dangbo.stp", "Hoàng Minh Đức", "DBSTP-QB", Role.OFFICER, "Cán bộ Đảng bộ Sở Tư pháp", False, False),
    ("ld.vp", "Lê Văn Hùng", "VP-SKHCN-QNG", Role.LEADER, "Chánh Văn phòng", False, False),
    ("ld.tt", "Đặng Thị Mai", "TT-SKHCN-QNG", Role.LEADER, "Chánh Thanh tra", False, False),
    ("ld.cc", "Phan Văn Sơn", "CCTDC-QNG", Role.LEADER, "Chi cục trưởng", False, False),
    ("vp.snv", "Trương Thị Hạnh", "SNV-QNG", Role.OFFICE, "Chuyên viên Văn phòng Sở Nội vụ", False, False),
    ("admin", "Quản trị hệ thống", None, None, "", True, True),
]
SEED001_FIELDS = {
    "Lĩnh vực Tài chính, Văn phòng": ("he-thong-chinh-tri", "VP-SKHCN-QNG"),
    "Lĩnh vực Tiêu chuẩn Đo lường Chất lượng": ("kinh-te", "CCTDC-QNG"),
    "Lĩnh vực thanh tra": ("quoc-phong-an-ninh", "TT-SKHCN-QNG"),
}


def _unit(code, parent, name, header, superior, level, kind, suffix, place, address, family) -> OrgUnit:
    values = dict(
        name=name, header_name=header, superior_name=superior, level=Level.objects.get(code=level),
        kind=UnitKind.objects.get(code=kind), doc_suffix=suffix, place_name=place, address=address,
        doc_family=family,
    )
    unit = OrgUnit.objects.filter(code=code).first()
    if unit:
        if unit.former_names.exists():  # renamed since (ops/present.py): its names are history's now
            values = {k: v for k, v in values.items() if k not in NAME_FIELDS}
        for k, v in values.items():
            setattr(unit, k, v)
        unit.save()
        return unit
    if parent is None:
        return OrgUnit.objects.add_root(create_kwargs={"code": code, **values})
    return OrgUnit.objects.add_child(OrgUnit.objects.get(code=parent), create_kwargs={"code": code, **values})


def persona(username: str, full: str, unit_code: str | None, role: str | None, title: str, *, staff: bool = False,
            superuser: bool = False):
    """A demo account with the demo password (set once) and its role at its unit; running again changes nothing."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        user.set_password(DEMO_PASSWORD)
    # Vietnamese names read family name first; keep the whole name in one field so
    # get_full_name() does not reorder it into "Tuấn Lê Đức".
    user.first_name, user.last_name = full, ""
    user.email = f"{username}@danvan.local"
    user.is_staff, user.is_superuser, user.is_active = staff, superuser, True
    user.save()
    if unit_code:
        Membership.objects.update_or_create(
            user=user, unit=OrgUnit.objects.get(code=unit_code), role=role, defaults={"title": title}
        )
    return user


def seed001_exemplars() -> list[dict]:
    return json.loads((DATA_DIR / "seed001_exemplars.json").read_text(encoding="utf-8"))


@transaction.atomic
def load_demo() -> dict:
    for code, name, rank in LEVELS:
        Level.objects.update_or_create(code=code, defaults={"name": name, "rank": rank})
    for code, name in KINDS:
        UnitKind.objects.update_or_create(code=code, defaults={"name": name})
    for code, name, order in CATEGORIES:
        FieldCategory.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    for row in UNITS:
        _unit(*row)
    users = {}
    for username, full, unit_code, role, title, staff, su in PERSONAS:
        users[username] = persona(username, full, unit_code, role, title, staff=staff, superuser=su)
    m2021, _ = Movement.objects.update_or_create(
        name="Dân vận khéo", period_start=2021,
        defaults={"period_end": 2025, "plans": "Kế hoạch số 31-KH/TU ngày 16/3/2021 của Ban Thường vụ Tỉnh ủy "
                  "về thực hiện phong trào thi đua \"Dân vận khéo\", giai đoạn 2021 - 2025"},
    )
    Movement.objects.update_or_create(
        name="Dân vận khéo", period_start=2016,
        defaults={"period_end": 2020, "plans": "Kế hoạch số 61-KH/ĐUSTP ngày 06/10/2016 của BCH Đảng bộ Sở Tư "
                  "pháp về triển khai thực hiện phong trào thi đua \"Dân vận khéo\" giai đoạn 2016 - 2020"},
    )
    skhcn = OrgUnit.objects.get(code="SKHCN-QNG")
    for item in seed001_exemplars():
        cat_code, unit_code = SEED001_FIELDS[item["field"]]
        field, _ = Field.objects.update_or_create(
            owner=skhcn, name=item["field"], defaults={"category": FieldCategory.objects.get(code=cat_code)}
        )
        unit = OrgUnit.objects.get(code=unit_code)
        values = dict(
            movement=m2021, field=field, kind=item["kind"], address=item["address"], origin=item["origin"],
            content_problem=paragraphs_to_html(item["problem"]),
            content_actors=paragraphs_to_html(item["actors"]),
            content_results=paragraphs_to_html(item["results"]),
        )
        ex = Exemplar.objects.filter(unit=unit, year=2021, name=item["name"]).first()
        if ex is None:
            ex = Exemplar(unit=unit, year=2021, name=item["name"], created_by=users["vp.skhcn"], **values)
            ex._history_user = users["vp.skhcn"]  # type: ignore[attr-defined]
            ex.updated_by = users["vp.skhcn"]
            ex.save()
    from danvan.documents.demo import load_demo_documents
    from danvan.movement.demo import load_demo_rounds
    from danvan.movement.notify import muted
    from danvan.reports.demo import load_demo_reports

    with muted():  # the seeds' past steps, replayed: nobody is told of them again
        load_demo_rounds(users)
        load_demo_documents()
        load_demo_reports(users)
    return {"units": OrgUnit.objects.count(), "users": len(users), "exemplars": Exemplar.objects.count()}


def logins() -> list[tuple[str, str, str]]:
    return [(u, DEMO_PASSWORD, f"{full} — {title or 'quản trị toàn hệ thống'}") for u, full, _, _, title, _, _ in PERSONAS]
