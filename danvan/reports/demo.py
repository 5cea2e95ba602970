"""Demo data for issue 6: the life of the seed exemplars, a recognition (published on the public showcase) with a
commendation, a replica, the 2022 report request of seed 004 and the Sở KH&CN's report in draft.

Every step goes through the real services (lifecycle, rounds, reports); timestamps of the request
are then set to the seed's dates so the demo reads like 2022.
"""

from __future__ import annotations

import datetime

from danvan.exemplars import lifecycle
from danvan.exemplars.models import Exemplar, Field, Movement, Origin, Recognition, Status
from danvan.exemplars.services import create_exemplar
from danvan.movement import services as rounds
from danvan.movement.demo import _at
from danvan.movement.models import RegistrationRound, RoundKind
from danvan.orgs.models import OrgUnit

from . import services
from .forms import DEFAULT_QUOTA, SEED004_INSTRUCTIONS

SAVING = "Thực hiện tiết kiệm điện trong cơ quan"
REQUEST_TITLE = ("Báo cáo kết quả thực hiện phong trào thi đua \"Dân vận khéo\" năm 2022 và giới thiệu mô hình, "
                 "điển hình \"Dân vận khéo\"")
PROGRESS = {
    "VP-SKHCN-QNG": [(datetime.date(2021, 6, 30), "Ban hành quy định sử dụng điện tiết kiệm; tắt thiết bị khi ra "
                      "khỏi phòng; thay bóng đèn tiết kiệm năng lượng ở hành lang và phòng họp.")],
    "CCTDC-QNG": [(datetime.date(2021, 9, 15), "Tổ chức hội nghị phổ biến Giải thưởng chất lượng Quốc gia cho 25 "
                   "doanh nghiệp trên địa bàn tỉnh; hướng dẫn 04 doanh nghiệp lập hồ sơ tham gia.")],
    "TT-SKHCN-QNG": [(datetime.date(2021, 10, 20), "Tiếp 12 lượt công dân tại cơ sở; phối hợp giải quyết dứt điểm "
                      "03 vụ việc khiếu nại kéo dài.")],
}


def _replica(users, source: Exemplar) -> Exemplar:
    snv = OrgUnit.objects.get(code="SNV-QNG")
    existing = Exemplar.objects.filter(unit=snv, year=2022, name=SAVING).first()
    if existing:
        return existing
    field = Field.objects.get(owner=snv, name="Lĩnh vực Cải cách hành chính")
    return create_exemplar(
        by=users["vp.snv"], unit=snv, year=2022, movement=source.movement, field=field, name=SAVING,
        kind=source.kind, address="Thành phố Quảng Ngãi, tỉnh Quảng Ngãi", origin=Origin.REPLICATION, source=source,
        content_problem="<p>Áp dụng cách làm của Văn phòng Sở Khoa học và Công nghệ: quy định sử dụng điện tiết kiệm, "
                        "phân công người kiểm tra cuối ngày, công khai chỉ số điện hằng tháng.</p>",
        content_actors="<p>Tập thể công chức, người lao động Sở Nội vụ.</p>",
        content_results="<p>Giảm ít nhất 10% lượng điện tiêu thụ so với năm 2021.</p>",
    ).exemplar


def publish_demo(users) -> None:
    """The Board publishes its province-level recognition, so the public showcase (/cong-khai/) is not empty."""
    rec = Recognition.objects.filter(exemplar__name=SAVING, exemplar__unit__code="VP-SKHCN-QNG",
                                     by_unit__code="BDVTU-QNG", published=False, published_at__isnull=True).first()
    if rec is not None:
        lifecycle.set_published(recognition=rec, by=users["bdv.quangngai"], published=True)


def load_demo_reports(users) -> None:
    if RegistrationRound.objects.filter(issuer__code="BDVTU-QNG", year=2022, kind=RoundKind.REPORT).exists():
        publish_demo(users)
        return
    board, skhcn = OrgUnit.objects.get(code="BDVTU-QNG"), OrgUnit.objects.get(code="SKHCN-QNG")
    movement = Movement.objects.get(period_start=2021)
    vp, bdv = users["vp.skhcn"], users["bdv.quangngai"]

    # The seed exemplars are built through 2021; the Văn phòng's is assessed, recognized and commended in 2022.
    for code, updates in PROGRESS.items():
        ex = Exemplar.objects.get(unit__code=code, year=2021)
        if ex.status != Status.REGISTERED:
            continue
        for day, text in updates:
            lifecycle.add_progress(exemplar=ex, by=vp, date=day, text=text)
    saving = Exemplar.objects.get(unit__code="VP-SKHCN-QNG", year=2021, name=SAVING)
    lifecycle.assess(exemplar=saving, by=users["ld.vp"], achieved=True,
                     comment="Điện năng tiêu thụ năm 2021 giảm 12% so với năm 2020.")
    lifecycle.recognize(exemplar=saving, by=bdv, by_unit=board, decision_number="125-QĐ/BDVTU",
                        decision_date=datetime.date(2022, 9, 15),
                        note="Công nhận mô hình \"Dân vận khéo\" cấp tỉnh năm 2022.")
    lifecycle.commend(exemplar=saving, by=bdv, by_unit=board, form="certificate", decision_number="126-QĐ/BDVTU",
                      decision_date=datetime.date(2022, 9, 15), note="Tặng Giấy khen cho tập thể Văn phòng Sở.")

    # Sở Nội vụ replicates it in 2022 and puts it in its (still open) 2022 registration: the 2022 report counts
    # it once the dossier is sent.
    replica = _replica(users, saving)
    sub_snv = RegistrationRound.objects.get(issuer=board, year=2022, kind=RoundKind.REGISTRATION).submissions.get(
        unit__code="SNV-QNG")
    rounds.attach_exemplars(submission=sub_snv, exemplars=[replica], by=users["vp.snv"])

    # Seed 004: the Board asks its units for the 2022 report by 20/10/2022.
    request = rounds.launch_round(
        issuer=board, by=bdv, movement=movement, year=2022, title=REQUEST_TITLE, kind=RoundKind.REPORT,
        guidance=movement.plans, instructions=SEED004_INSTRUCTIONS.format(year=2022), deadline=_at(2022, 10, 20),
        min_total=0, intro_quota=DEFAULT_QUOTA).obj
    RegistrationRound.objects.filter(pk=request.pk).update(created_at=_at(2022, 10, 3, 8))

    # The Sở KH&CN's report, in draft.
    report = services.open_report(unit=skhcn, movement=movement, year=2022, by=vp)
    services.save_sections(report=report, by=vp, sections={
        "1": "Năm 2022, Sở Khoa học và Công nghệ tiếp tục triển khai phong trào thi đua \"Dân vận khéo\" gắn với "
             "nhiệm vụ chuyên môn; cán bộ, công chức, viên chức và người lao động hưởng ứng tích cực.",
        "3.1": "Phối hợp với Công đoàn cơ sở, Đoàn Thanh niên tuyên truyền về phong trào trong các cuộc họp "
               "giao ban và trên Cổng thông tin điện tử của Sở.",
    })
    services.add_introduction(
        report=report, by=vp, exemplar=saving,
        basis="Chỉ thị của Thủ tướng Chính phủ về tăng cường tiết kiệm điện; chi phí điện của cơ quan còn cao.",
        scope="Toàn thể cán bộ, công chức, người lao động Sở; được Sở Nội vụ nhân rộng năm 2022.",
        method="Ban hành quy định, phân công người kiểm tra cuối ngày, công khai chỉ số điện hằng tháng.",
        effectiveness="Điện năng tiêu thụ năm 2021 giảm 12% so với năm 2020.",
        replication="Chia sẻ quy định mẫu cho các sở, ngành; lồng ghép vào tiêu chí thi đua của cơ quan.",
    )
    publish_demo(users)
