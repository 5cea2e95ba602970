"""The demo brought to the present (issue 22 §5): after the seeds' 2021–2022 story (`demo.load_demo`), the country as
it is in December 2026, built through the same services the pages call.

- 03/02/2025: the Board becomes «Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi» (suffix BTGDVTU); its earlier
  names are kept, so the 2021 and 2022 letters still print «BAN DÂN VẬN».
- 2024: the Board's round, relayed by the district of Sơn Tịnh; Xã Tịnh Hà registers a model.
- 01/03/2025: Sở Thông tin và Truyền thông merges into Sở Khoa học và Công nghệ (a first reorganisation plan).
- 01/07/2025 (Resolution 202/2025/QH15): Quảng Ngãi's 96 commune-level units from the national registry; one
  plan merges Kon Tum's Board and its Sở Nội vụ into Quảng Ngãi's, abolishes the district of Sơn Tịnh, merges
  two of its communes into Xã Sơn Tịnh and splits Tịnh Bắc between Sơn Tịnh and Tịnh Khê.
- The movement's 2026–2030 period, and the 2026 round the renamed Board sent to its departments and communes,
  under way: Sở Nội vụ has a model in its draft.

Idempotent: each step is skipped once it is in place.
"""

from __future__ import annotations

import datetime
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from danvan.exemplars.models import Exemplar, Field, FieldCategory, Movement
from danvan.foundation.html import paragraphs_to_html
from danvan.onboarding import administration, plan_import, registry, tree_import
from danvan.onboarding.importing import TREE_COLUMNS, TREE_LABELS, headers
from danvan.onboarding.tables import write_csv
from danvan.orgs.models import DocFamily, OrgUnit

RENAMED_ON = date(2025, 2, 3)
DEPARTMENTS_ON = date(2025, 3, 1)
COMMUNES_ON = date(2025, 7, 1)
BOARD_2025 = {"name": "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi", "header_name": "BAN TUYÊN GIÁO VÀ DÂN VẬN",
              "doc_suffix": "BTGDVTU"}
SON_TINH, TINH_KHE = registry.unit_code(21220), registry.unit_code(21211)
ROUND_2024 = "Đăng ký mô hình, điển hình \"Dân vận khéo\" năm 2024"
ROUND_2026 = "Đăng ký mô hình, điển hình \"Dân vận khéo\" năm 2026"
QNG_STATE = "UBND TỈNH QUẢNG NGÃI"

# The units as they were before 2025 (the tree import's columns).
OLD_UNITS = [
    ("STTTT-QNG", "Sở Thông tin và Truyền thông", "BDVTU-QNG", "tinh", "so-nganh", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
     QNG_STATE, "STTTT", "Quảng Ngãi", "Thành phố Quảng Ngãi, tỉnh Quảng Ngãi", DocFamily.STATE),
    ("BDVTU-KT", "Ban Dân vận Tỉnh ủy Kon Tum", "", "tinh", "ban-dang", "BAN DÂN VẬN", "TỈNH ỦY KON TUM", "BDVTU",
     "Kon Tum", "Thành phố Kon Tum, tỉnh Kon Tum", DocFamily.PARTY),
    ("SNV-KT", "Sở Nội vụ tỉnh Kon Tum", "BDVTU-KT", "tinh", "so-nganh", "SỞ NỘI VỤ", "UBND TỈNH KON TUM", "SNV",
     "Kon Tum", "Thành phố Kon Tum, tỉnh Kon Tum", DocFamily.STATE),
    ("HU-SONTINH", "Huyện ủy Sơn Tịnh", "BDVTU-QNG", "huyen", "huyen-uy", "HUYỆN ỦY SƠN TỊNH", "ĐẢNG BỘ TỈNH QUẢNG NGÃI",
     "HU", "Sơn Tịnh", "Huyện Sơn Tịnh, tỉnh Quảng Ngãi", DocFamily.PARTY),
    ("X-TINHHA", "Xã Tịnh Hà", "HU-SONTINH", "co-so", "xa", "ỦY BAN NHÂN DÂN XÃ TỊNH HÀ", "HUYỆN SƠN TỊNH", "UBND",
     "Tịnh Hà", "Xã Tịnh Hà, huyện Sơn Tịnh, tỉnh Quảng Ngãi", DocFamily.STATE),
    ("X-TINHSON", "Xã Tịnh Sơn", "HU-SONTINH", "co-so", "xa", "ỦY BAN NHÂN DÂN XÃ TỊNH SƠN", "HUYỆN SƠN TỊNH",
     "UBND", "Tịnh Sơn", "Xã Tịnh Sơn, huyện Sơn Tịnh, tỉnh Quảng Ngãi", DocFamily.STATE),
    ("X-TINHBAC", "Xã Tịnh Bắc", "HU-SONTINH", "co-so", "xa", "ỦY BAN NHÂN DÂN XÃ TỊNH BẮC", "HUYỆN SƠN TỊNH",
     "UBND", "Tịnh Bắc", "Xã Tịnh Bắc, huyện Sơn Tịnh, tỉnh Quảng Ngãi", DocFamily.STATE),
    ("KDC-DONGHOA", "Khu dân cư thôn Đông Hòa", "X-TINHBAC", "co-so", "khu-dan-cu", "BAN CÔNG TÁC MẶT TRẬN THÔN ĐÔNG HÒA",
     "XÃ TỊNH BẮC", "BCTMT", "Tịnh Bắc", "Thôn Đông Hòa, xã Tịnh Bắc, huyện Sơn Tịnh, tỉnh Quảng Ngãi",
     DocFamily.STATE),
]
# Law 97/2025/QH15: the commune Front's standing board follows the residential areas' "dân vận" models.
FRONT_UNITS = [
    ("MTTQ-SONTINH", "Ban Thường trực Ủy ban MTTQ Việt Nam xã Sơn Tịnh", SON_TINH, "co-so", "mttq-xa",
     "BAN THƯỜNG TRỰC", "ỦY BAN MTTQ VIỆT NAM XÃ SƠN TỊNH", "BTT", "Sơn Tịnh", "Xã Sơn Tịnh, tỉnh Quảng Ngãi",
     DocFamily.STATE),
    ("KDC-TRUNGSON", "Khu dân cư thôn Trung Sơn", "MTTQ-SONTINH", "co-so", "khu-dan-cu",
     "BAN CÔNG TÁC MẶT TRẬN THÔN TRUNG SƠN", "XÃ SƠN TỊNH", "BCTMT", "Sơn Tịnh",
     "Thôn Trung Sơn, xã Sơn Tịnh, tỉnh Quảng Ngãi", DocFamily.STATE),
    ("KDC-HUNGNHON", "Khu dân cư thôn Hưng Nhơn", "MTTQ-SONTINH", "co-so", "khu-dan-cu",
     "BAN CÔNG TÁC MẶT TRẬN THÔN HƯNG NHƠN", "XÃ SƠN TỊNH", "BCTMT", "Sơn Tịnh",
     "Thôn Hưng Nhơn, xã Sơn Tịnh, tỉnh Quảng Ngãi", DocFamily.STATE),
]
# username, full name, unit, role, title — people of the present, not of the seeds
PRESENT_PERSONAS = [
    ("mt.sontinh", "Nguyễn Thị Hoa", "MTTQ-SONTINH", "office", "Phó Chủ tịch Ủy ban MTTQ Việt Nam xã Sơn Tịnh"),
]
PLAN_HEAD = "Mã đơn vị cũ,Tên đơn vị cũ,Mã đơn vị kế thừa,Tên đơn vị kế thừa,Phần chia tách,Tiếp nhận\n"
PLAN_DEPARTMENTS = PLAN_HEAD + "STTTT-QNG,Sở Thông tin và Truyền thông,SKHCN-QNG,Sở Khoa học và Công nghệ,,\n"
PLAN_COMMUNES = PLAN_HEAD + (
    "SNV-KT,Sở Nội vụ tỉnh Kon Tum,SNV-QNG,Sở Nội vụ,,\n"
    "BDVTU-KT,Ban Dân vận Tỉnh ủy Kon Tum,BDVTU-QNG,Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi,,\n"
    f"X-TINHHA,Xã Tịnh Hà,{SON_TINH},Xã Sơn Tịnh,,\n"
    f"X-TINHSON,Xã Tịnh Sơn,{SON_TINH},Xã Sơn Tịnh,,\n"
    f"X-TINHBAC,Xã Tịnh Bắc,{SON_TINH},Xã Sơn Tịnh,\"thôn Đông Hòa, thôn Trung Sơn\",X\n"
    f"X-TINHBAC,Xã Tịnh Bắc,{TINH_KHE},Xã Tịnh Khê,thôn Tây Hòa,\n"
    "HU-SONTINH,Huyện ủy Sơn Tịnh,,,,\n"
)
TINH_HA_2024: dict[str, Any] = {
    "name": "Dân vận khéo trong vận động nhân dân hiến đất làm đường giao thông nông thôn",
    "problem": ["Đường liên thôn của xã nhỏ hẹp, lầy lội vào mùa mưa; nhiều hộ còn e ngại hiến đất."],
    "actors": ["Ban Công tác Mặt trận các thôn, cán bộ, đảng viên và nhân dân xã Tịnh Hà"],
    "results": ["Nhân dân hiến hơn 12.000 m² đất, làm mới 8 km đường bê tông liên thôn."],
}
SNV_2026: dict[str, Any] = {
    "name": "Số hóa hồ sơ thi đua, khen thưởng phục vụ người dân, tổ chức",
    "problem": ["Hồ sơ đề nghị khen thưởng còn nộp bằng giấy, chuyển qua nhiều cấp, mất nhiều thời gian."],
    "actors": ["Công chức Phòng Thi đua - Khen thưởng, Sở Nội vụ"],
    "results": ["Hồ sơ được tiếp nhận và trả kết quả trên môi trường điện tử, rút ngắn thời gian xử lý."],
}


def _admin():
    return get_user_model().objects.filter(is_superuser=True).order_by("pk").first()


def _rename_board(admin) -> None:
    board = OrgUnit.objects.get(code="BDVTU-QNG")
    if board.former_names.exists():
        return
    administration.update_unit(by=admin, unit=board, renamed_on=RENAMED_ON, **BOARD_2025)


def _tree(admin, units: list[tuple], filename: str) -> None:
    if OrgUnit.objects.filter(code=units[0][0]).exists():
        return
    data = write_csv(headers(TREE_COLUMNS, TREE_LABELS), [list(r) for r in units])
    tree_import.apply_tree(data, filename, by=admin)


def _front_people() -> None:
    from .demo import persona

    for username, full, unit_code, role, title in PRESENT_PERSONAS:
        persona(username, full, unit_code, role, title)


def _round_2024(users, admin) -> None:
    """The Board's 2024 round, relayed by the district of Sơn Tịnh to its communes: Tịnh Hà registers its model,
    the district consolidates and the Board accepts — counted on the 2024 tree in the 2021–2025 final review."""
    from danvan.exemplars.services import create_exemplar
    from danvan.movement import services
    from danvan.movement.demo import _at, _stamp
    from danvan.movement.models import RegistrationRound

    board = OrgUnit.objects.get(code="BDVTU-QNG")
    if RegistrationRound.objects.filter(issuer=board, year=2024).exists():
        return
    m2021 = Movement.objects.get(period_start=2021)
    r24 = services.launch_round(
        issuer=board, by=users["bdv.quangngai"], movement=m2021, year=2024, deadline=_at(2024, 4, 30),
        title=ROUND_2024, guidance="Kế hoạch số 31-KH/TU ngày 16/3/2021 của Ban Thường vụ Tỉnh ủy",
        min_total=1).obj
    district = OrgUnit.objects.get(code="HU-SONTINH")
    relay = services.relay_round(parent_round=r24, unit=district, by=admin, deadline=_at(2024, 4, 15), min_total=1,
                                 title="Đăng ký mô hình, điển hình \"Dân vận khéo\" năm 2024 (huyện Sơn Tịnh)").obj
    unit = OrgUnit.objects.get(code="X-TINHHA")
    field, _ = Field.objects.get_or_create(owner=unit, name="Lĩnh vực xây dựng nông thôn mới",
                                           defaults={"category": FieldCategory.objects.get(code="kinh-te")})
    ex = create_exemplar(by=admin, unit=unit, year=2024, movement=m2021, field=field, name=TINH_HA_2024["name"],
                         kind="collective", origin="new", address="Xã Tịnh Hà, huyện Sơn Tịnh, tỉnh Quảng Ngãi",
                         content_problem=paragraphs_to_html(TINH_HA_2024["problem"]),
                         content_actors=paragraphs_to_html(TINH_HA_2024["actors"]),
                         content_results=paragraphs_to_html(TINH_HA_2024["results"])).exemplar
    sub = relay.submissions.get(unit=unit)
    services.attach_exemplars(submission=sub, exemplars=[ex], by=admin)
    services.submit(submission=sub, by=admin)
    services.accept(submission=sub, by=admin)
    _stamp(sub, _at(2024, 4, 12, 9))
    own = r24.submissions.get(unit=district)
    services.submit(submission=own, by=admin)
    services.accept(submission=own, by=users["bdv.quangngai"])
    _stamp(own, _at(2024, 4, 26, 15))
    for rnd, when in ((r24, _at(2024, 3, 20, 8)), (relay, _at(2024, 3, 25, 8))):
        RegistrationRound.objects.filter(pk=rnd.pk).update(created_at=when)


def _apply(admin, text: str, filename: str, on: date, keep: list[str]) -> None:
    if OrgUnit.objects.filter(code__in=keep, valid_to__isnull=True).count() < len(keep):
        return  # already applied
    plan_import.apply_plan(text.encode("utf-8"), filename, by=admin, on=on)


def _round_2026(users) -> None:
    from danvan.exemplars.services import create_exemplar
    from danvan.movement import services
    from danvan.movement.models import RegistrationRound

    board = OrgUnit.objects.get(code="BDVTU-QNG")
    m2026, _ = Movement.objects.update_or_create(
        name="Dân vận khéo", period_start=2026,
        defaults={"period_end": 2030, "plans": "Kế hoạch của Ban Thường vụ Tỉnh ủy về thực hiện phong trào thi đua "
                  "\"Dân vận khéo\", giai đoạn 2026 - 2030"})
    if RegistrationRound.objects.filter(issuer=board, year=2026, title=ROUND_2026).exists():
        return
    tz = timezone.get_current_timezone()
    deadline = datetime.datetime(2026, 12, 25, 17, 0, tzinfo=tz)
    if deadline < timezone.now():
        deadline = timezone.now() + datetime.timedelta(days=21)
    rnd = services.launch_round(
        issuer=board, by=users["bdv.quangngai"], movement=m2026, year=2026, deadline=deadline, title=ROUND_2026,
        guidance="Kế hoạch của Ban Thường vụ Tỉnh ủy về thực hiện phong trào thi đua \"Dân vận khéo\", giai đoạn "
                 "2026 - 2030",
        instructions="Các sở, ban, ngành và các xã, phường, đặc khu đăng ký xây dựng mô hình, điển hình \"Dân vận "
                     "khéo\" năm 2026.", min_total=1).obj
    snv = OrgUnit.objects.get(code="SNV-QNG")
    field = Field.objects.get(owner=snv, name="Lĩnh vực Cải cách hành chính")
    ex = create_exemplar(by=users["vp.snv"], unit=snv, year=2026, movement=m2026, field=field, name=SNV_2026["name"],
                         kind="collective", origin="new", address="Sở Nội vụ tỉnh Quảng Ngãi",
                         content_problem=paragraphs_to_html(SNV_2026["problem"]),
                         content_actors=paragraphs_to_html(SNV_2026["actors"]),
                         content_results=paragraphs_to_html(SNV_2026["results"])).exemplar
    services.attach_exemplars(submission=rnd.submissions.get(unit=snv), exemplars=[ex], by=users["vp.snv"])


def load_present() -> dict:
    from danvan.movement.notify import muted

    from .demo import PERSONAS

    users = {u.username: u for u in get_user_model().objects.filter(username__in=[p[0] for p in PERSONAS])}
    admin = _admin()
    with muted():
        _rename_board(admin)
        _tree(admin, OLD_UNITS, "cay-don-vi-truoc-2025.csv")
        _round_2024(users, admin)
        _apply(admin, PLAN_DEPARTMENTS, "ke-hoach-sap-xep-so-nganh-2025.csv", DEPARTMENTS_ON, ["STTTT-QNG"])
        if not OrgUnit.objects.filter(code=SON_TINH).exists():
            data, filename = registry.registry_file("Quảng Ngãi", "BDVTU-QNG")
            tree_import.apply_tree(data, filename, by=admin)
        _apply(admin, PLAN_COMMUNES, "ke-hoach-sap-xep-01-07-2025.csv", COMMUNES_ON, ["BDVTU-KT", "X-TINHBAC"])
        _tree(admin, FRONT_UNITS, "mat-tran-xa-son-tinh.csv")
        _front_people()
        _round_2026(users)
    return {"units": OrgUnit.objects.count(), "exemplars": Exemplar.objects.count(),
            "users": len(users) + len(PRESENT_PERSONAS)}


def present_logins() -> list[tuple[str, str, str]]:
    from .demo import DEMO_PASSWORD

    return [(u, DEMO_PASSWORD, f"{full} — {title}") for u, full, _, _, title in PRESENT_PERSONAS]
