"""Demo rounds (issue 3 §8): the 2021 round complete as in seeds 000/001, the 2022 round with a late unit.

Steps go through the real services; afterwards the timestamps are set to the seeds' dates
(the services stamp "now"), so the demo reads like the year it shows.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from danvan.exemplars.models import Exemplar, Field, FieldCategory, Movement
from danvan.foundation.html import paragraphs_to_html
from danvan.orgs.models import OrgUnit
from danvan.orgs.permissions import Actor

from . import services
from .models import RegistrationRound, Submission, SubmissionEvent

VN = ZoneInfo("Asia/Ho_Chi_Minh")
GUIDANCE_2021 = "Hướng dẫn số 08-HD/BDVTU ngày 19/4/2021 của Ban Dân vận Tỉnh ủy về việc xây dựng mô hình, " \
                "điển hình \"Dân vận khéo\", giai đoạn 2021-2025"
PLAN = "Kế hoạch số 31-KH/TU ngày 16/3/2021 của Tỉnh ủy Quảng Ngãi về việc thực hiện phong trào thi đua " \
       "\"Dân vận khéo\", giai đoạn 2021 - 2025"
PLAN_SKHCN = PLAN + " và Kế hoạch số 38/KH-UBND ngày 04/3/2021 của UBND tỉnh Thực hiện quy chế dân chủ ở cơ sở " \
    "và công tác dân vận chính quyền năm 2021"
SNV_2021: dict[str, Any] = {
    "name": "Nâng cao chất lượng phục vụ người dân, doanh nghiệp tại Bộ phận Một cửa Sở Nội vụ",
    "problem": ["Một số thủ tục hành chính còn chậm, người dân phải đi lại nhiều lần.",
                "Sở Nội vụ niêm yết công khai thủ tục, tiếp nhận hồ sơ trực tuyến và hẹn trả kết quả đúng hạn."],
    "actors": ["Công chức Bộ phận Một cửa Sở Nội vụ"],
    "results": ["Giảm thời gian giải quyết thủ tục, nâng cao sự hài lòng của người dân và doanh nghiệp."],
}


def _at(y: int, m: int, d: int, h: int = 17, mi: int = 0) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, mi, tzinfo=VN)


def _stamp(sub: Submission, when: datetime.datetime) -> None:
    Submission.objects.filter(pk=sub.pk).update(submitted_at=when, is_late=when > sub.round.deadline)
    SubmissionEvent.objects.filter(submission=sub).update(at=when)


def _submit_unit(sub: Submission, officer, leader, reviewer, when) -> None:
    # The year's models as registered; in 2022, the 2021 ones the unit keeps building as "tiếp tục xây dựng".
    if exemplars := list(services.attachable_exemplars(sub)):
        services.attach_exemplars(submission=sub, exemplars=exemplars, by=officer)
    if earlier := list(services.continuable_exemplars(sub)):
        services.attach_exemplars(submission=sub, exemplars=earlier, by=officer, continued=True)
    services.submit(submission=sub, by=leader)
    if reviewer is not None:
        services.accept(submission=sub, by=reviewer)
    _stamp(sub, when)


def _snv_exemplar(users) -> Exemplar:
    snv = OrgUnit.objects.get(code="SNV-QNG")
    field, _ = Field.objects.get_or_create(
        owner=snv, name="Lĩnh vực Cải cách hành chính",
        defaults={"category": FieldCategory.objects.get(code="he-thong-chinh-tri")})
    ex = Exemplar.objects.filter(unit=snv, year=2021, name=SNV_2021["name"]).first()
    if ex:
        return ex
    return services_create(snv, field, users["vp.snv"])


def services_create(unit, field, by: Actor) -> Exemplar:
    from danvan.exemplars.services import create_exemplar

    return create_exemplar(
        by=by, unit=unit, year=2021, movement=Movement.objects.get(period_start=2021), field=field,
        name=SNV_2021["name"], kind="collective", address="Thành phố Quảng Ngãi, tỉnh Quảng Ngãi",
        content_problem=paragraphs_to_html(SNV_2021["problem"]),
        content_actors=paragraphs_to_html(SNV_2021["actors"]),
        content_results=paragraphs_to_html(SNV_2021["results"]), origin="new",
    ).exemplar


def load_demo_rounds(users) -> None:
    if RegistrationRound.objects.filter(issuer__code="BDVTU-QNG", year__in=[2021, 2022]).exists():
        return
    board = OrgUnit.objects.get(code="BDVTU-QNG")
    skhcn = OrgUnit.objects.get(code="SKHCN-QNG")
    movement = Movement.objects.get(period_start=2021)
    _snv_exemplar(users)
    bdv, vp, ld = users["bdv.quangngai"], users["vp.skhcn"], users["ld.skhcn"]
    leaders = {"VP-SKHCN-QNG": users["ld.vp"], "TT-SKHCN-QNG": users["ld.tt"], "CCTDC-QNG": users["ld.cc"]}
    officers = {"VP-SKHCN-QNG": vp, "TT-SKHCN-QNG": users["tt.skhcn"], "CCTDC-QNG": users["cc.tdc"]}

    # 2021: complete, as seeds 000 and 001 tell it.
    r21 = services.launch_round(
        issuer=board, by=bdv, movement=movement, year=2021, deadline=_at(2021, 4, 30),
        title="Đăng ký mô hình, điển hình \"Dân vận khéo\" năm 2021", guidance=GUIDANCE_2021,
        instructions="Các sở, ban, ngành đăng ký xây dựng mô hình, điển hình \"Dân vận khéo\" năm 2021.",
        min_total=1).obj
    relay21 = services.relay_round(
        parent_round=r21, unit=skhcn, by=vp, deadline=_at(2021, 4, 5), min_total=1,
        title="Đăng ký thực hiện mô hình, điển hình \"Dân vận khéo\" năm 2021",
        guidance=PLAN_SKHCN, instructions="Đăng ký tối thiểu mỗi phòng, đơn vị 01 mô hình, điển hình (mô hình, điển "
        "hình có thể là tập thể, có thể là cá nhân) theo biểu mẫu đính kèm.").obj
    for code, day in (("VP-SKHCN-QNG", 2), ("CCTDC-QNG", 5), ("TT-SKHCN-QNG", 5)):
        sub = relay21.submissions.get(unit__code=code)
        _submit_unit(sub, officers[code], leaders[code], vp, _at(2021, 4, day, 10))
    sub_skhcn = r21.submissions.get(unit=skhcn)
    services.submit(submission=sub_skhcn, by=ld)
    services.accept(submission=sub_skhcn, by=bdv)
    Submission.objects.filter(pk=sub_skhcn.pk).update(signed_date=datetime.date(2021, 4, 27))
    _stamp(sub_skhcn, _at(2021, 4, 27, 15))
    sub_snv = r21.submissions.get(unit__code="SNV-QNG")
    _submit_unit(sub_snv, bdv, bdv, bdv, _at(2021, 4, 29, 9))  # the Board enters SNV's e-mailed file

    # 2022: in progress; the Chi cục has not answered and is past the internal deadline.
    r22 = services.launch_round(
        issuer=board, by=bdv, movement=movement, year=2022, deadline=_at(2022, 4, 29),
        title="Đăng ký mô hình, điển hình \"Dân vận khéo\" năm 2022", guidance=PLAN, min_total=1).obj
    relay22 = services.relay_round(
        parent_round=r22, unit=skhcn, by=vp, deadline=_at(2022, 4, 8), min_total=1,
        title="Đăng ký thực hiện mô hình, điển hình \"Dân vận khéo\" năm 2022").obj
    for code in ("VP-SKHCN-QNG", "TT-SKHCN-QNG"):
        sub = relay22.submissions.get(unit__code=code)
        _submit_unit(sub, officers[code], leaders[code], vp, _at(2022, 4, 6, 9))
    # Launch and relay dates as in the seeds' letters (the services stamp "now").
    for rnd, when in ((r21, _at(2021, 3, 22, 8)), (relay21, _at(2021, 3, 25, 8)), (r22, _at(2022, 3, 21, 8)),
                      (relay22, _at(2022, 3, 24, 8))):
        RegistrationRound.objects.filter(pk=rnd.pk).update(created_at=when)
