"""Issue 16 item 4: one definition of what a year holds.

A year is built from the pages, as the office lives it: the Board launches the 2023 round, the Sở relays it,
units register their models from their dossiers, carry a 2021 model over as "tiếp tục xây dựng", the leaders
send, the Sở accepts and consolidates, the Board accepts. A unit also types a model outside any dossier and another
leaves its dossier unsent. Section 3.3 and the appendix of the Board's 2023 report must then say exactly what the
sent dossiers of 2023 hold — each figure and each row is checked against plain counts of the dossiers' items — and
Part II offers only models of the report's years that were recognized or commended.
"""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from danvan.exemplars.models import (
    BUILT_STATUSES,
    DECIDED_STATUSES,
    Commendation,
    CommendationForm,
    Exemplar,
    FieldCategory,
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
from danvan.orgs.models import Level, OrgUnit

from .test_api import _json, _post

pytestmark = pytest.mark.django_db
YEAR = 2023
FMT = "%d/%m/%Y %H:%M"


def _future(days: int) -> str:
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime(FMT)


def _v(sub: Submission) -> int:
    return Submission.objects.get(pk=sub.pk).version


def _model(field: str, name: str, kind: str = "collective", **extra) -> dict:
    from danvan.exemplars.models import Field

    return {"field": Field.objects.get(name=field).pk, "name": name, kind: "on", "address": "Quảng Ngãi",
            "content_problem": f"Vấn đề và giải pháp của mô hình “{name}”.", "new": "on", **extra}


def _register(client, sub: Submission, data: dict) -> Exemplar:
    """'Đăng ký mô hình mới' from the dossier: the form for the dossier's year, back to the dossier attached."""
    resp = client.post(f"/mo-hinh/them/?ho_so={sub.pk}", data, follow=True)
    assert resp.redirect_chain[-1][0] == f"/ho-so/{sub.pk}/", resp.content.decode()[:3000]
    ex = Exemplar.objects.get(name=data["name"])
    assert ex.year == YEAR and sub.items.filter(exemplar=ex, continued=False).exists()
    return ex


def _send(leader, sub: Submission) -> None:
    resp = leader.post(f"/ho-so/{sub.pk}/gui/", {"version": _v(sub)}, follow=True)
    assert Submission.objects.get(pk=sub.pk).status == "submitted", resp.content.decode()[:3000]


def _accept(office, sub: Submission) -> None:
    office.post(f"/ho-so/{sub.pk}/tiep-nhan/")
    assert Submission.objects.get(pk=sub.pk).status == "accepted"


def _build_2023(login, api) -> dict:
    board, office = login("bdv.quangngai"), login("vp.skhcn")
    movement = Movement.objects.get(period_start=2021)
    resp = board.post("/dot-dang-ky/phat-dong/", {
        "issuer": OrgUnit.objects.get(code="BDVTU-QNG").pk, "movement": movement.pk, "year": YEAR,
        "title": f"Đăng ký mô hình, điển hình \"Dân vận khéo\" năm {YEAR}", "guidance": "Hướng dẫn số 08-HD/BDVTU",
        "deadline": _future(30), "target_mode": "children", "min_total": 1, "min_collective": 0,
        "min_individual": 0}, follow=True)
    assert "Đã phát động" in resp.content.decode()
    rnd = RegistrationRound.objects.get(year=YEAR, issuer__code="BDVTU-QNG", kind=RoundKind.REGISTRATION)
    resp = office.post(f"/dot-dang-ky/{rnd.pk}/chuyen-tiep/SKHCN-QNG/", {
        "title": rnd.title, "deadline": _future(10), "min_total": 1, "min_collective": 0, "min_individual": 0},
        follow=True)
    assert "Đã chuyển tiếp" in resp.content.decode()
    relay = RegistrationRound.objects.get(parent_round=rnd, issuer__code="SKHCN-QNG")
    tt_sub, vp_sub, cc_sub = (relay.submissions.get(unit__code=c) for c in ("TT-SKHCN-QNG", "VP-SKHCN-QNG",
                                                                              "CCTDC-QNG"))
    tt = login("tt.skhcn")

    # The Thanh tra registers two models of the year from its dossier and carries its 2021 one over.
    tt_new = _register(tt, tt_sub, _model("Lĩnh vực thanh tra", "Đối thoại định kỳ với công dân tại cơ sở"))
    _register(tt, tt_sub, _model("Lĩnh vực thanh tra", "Cán bộ thanh tra tận tụy với dân", kind="individual"))
    tt_2021 = Exemplar.objects.get(unit__code="TT-SKHCN-QNG", year=2021)
    page = tt.get(f"/ho-so/{tt_sub.pk}/").content.decode()
    assert "Tiếp tục xây dựng trong năm 2023" in page and f'value="{tt_2021.pk}"' in page
    # Attached as if registered this year, the 2021 model is refused, with the way to do it.
    resp = tt.post(f"/ho-so/{tt_sub.pk}/them-mo-hinh/", {"exemplar": tt_2021.pk, "version": _v(tt_sub)}, follow=True)
    assert "hãy thêm bằng “Tiếp tục xây dựng”" in resp.content.decode()
    assert not tt_sub.items.filter(exemplar=tt_2021).exists()
    resp = tt.post(f"/ho-so/{tt_sub.pk}/them-mo-hinh/", {"exemplar": tt_2021.pk, "tiep_tuc": "1",
                                                        "version": _v(tt_sub)}, follow=True)
    html = resp.content.decode()
    assert "Đã thêm 1 mô hình tiếp tục xây dựng vào hồ sơ" in html
    assert "<strong>Tiếp tục xây dựng</strong> <span class=\"muted\">(đăng ký năm 2021)</span>" in html
    # A model of the year typed outside any dossier: in the database, in no dossier.
    loose = tt.post("/mo-hinh/them/", {**_model("Lĩnh vực thanh tra", "Sổ tay tiếp dân chưa đăng ký"),
                                       "unit": tt_sub.unit_id, "year": YEAR, "movement": movement.pk})
    assert loose.status_code == 302 and Exemplar.objects.filter(name="Sổ tay tiếp dân chưa đăng ký").exists()

    # The Văn phòng (its Sở's office enters on its behalf): one new model, and its 2021 model continued.
    _register(office, vp_sub, _model("Lĩnh vực Tài chính, Văn phòng", "Văn phòng không giấy tờ"))
    saving = Exemplar.objects.get(unit__code="VP-SKHCN-QNG", year=2021)
    office.post(f"/ho-so/{vp_sub.pk}/them-mo-hinh/", {"exemplar": saving.pk, "tiep_tuc": "1",
                                                      "version": _v(vp_sub)})
    assert vp_sub.items.get(exemplar=saving).continued

    # The Chi cục registers a model but its leader never sends the dossier.
    _register(login("cc.tdc"), cc_sub, _model("Lĩnh vực Tiêu chuẩn Đo lường Chất lượng",
                                              "Kiểm định lưu động tại doanh nghiệp"))

    _send(login("ld.tt"), tt_sub)
    _send(login("ld.vp"), vp_sub)
    _accept(office, tt_sub)
    _accept(office, vp_sub)
    skhcn_sub = rnd.submissions.get(unit__code="SKHCN-QNG")
    resp = office.post(f"/ho-so/{skhcn_sub.pk}/tong-hop/", follow=True)
    assert "Chưa tiếp nhận hồ sơ của: Chi cục" in resp.content.decode()
    _send(login("ld.skhcn"), skhcn_sub)
    # Consolidated, the continued models stay continued in the Sở's dossier and its Biểu.
    assert set(skhcn_sub.items.filter(continued=True).values_list("exemplar_id", flat=True)) == {tt_2021.pk,
                                                                                                 saving.pk}
    form = board.get(f"/ho-so/{skhcn_sub.pk}/van-ban/dang-ky.xlsx")
    cells = [str(c) for row in load_workbook(io.BytesIO(form.content)).active.iter_rows(values_only=True)
             for c in row if c]
    assert sum("(Tiếp tục xây dựng, đăng ký năm 2021)" in c for c in cells) == 2
    assert any(c.startswith(tt_2021.name) and "Tiếp tục xây dựng" in c for c in cells)
    assert not any("Văn phòng không giấy tờ" in c and "Tiếp tục" in c for c in cells)
    _accept(board, skhcn_sub)

    # Sở Nội vụ (the Board on its behalf) replicates the Văn phòng's saving model in 2023.
    snv_sub = rnd.submissions.get(unit__code="SNV-QNG")
    data = _model("Lĩnh vực Cải cách hành chính", "Tiết kiệm điện tại Sở Nội vụ năm 2023")
    data.pop("new")
    _register(board, snv_sub, {**data, "replication": "on", "source": saving.pk})
    _send(board, snv_sub)  # sent, not yet reviewed: counted

    # Through the year: the Thanh tra's collective model is under way (built), assessed and recognized — today,
    # after 2023; a 2024 model is recognized too. Neither belongs to Part II of the 2023 report.
    officer, leader, bdv = api("tt.skhcn"), api("ld.tt"), api("bdv.quangngai")
    today = timezone.localdate().isoformat()
    _json(_post(officer, f"/api/exemplars/{tt_new.pk}/progress",
                {"version": tt_new.version, "date": today, "text": "Tổ chức buổi đối thoại đầu tiên."}), 200)
    v = Exemplar.objects.get(pk=tt_new.pk).version
    _json(_post(leader, f"/api/exemplars/{tt_new.pk}/assess", {"version": v, "achieved": True}), 200)
    v = Exemplar.objects.get(pk=tt_new.pk).version
    _json(_post(bdv, f"/api/exemplars/{tt_new.pk}/recognitions", {
        "version": v, "by_unit": "BDVTU-QNG", "decision_number": "15-QĐ/BDVTU", "decision_date": today}), 200)
    later = tt.post("/mo-hinh/them/", {**_model("Lĩnh vực thanh tra", "Tiếp dân trực tuyến năm 2024"),
                                       "unit": tt_sub.unit_id, "year": 2024, "movement": movement.pk})
    assert later.status_code == 302
    ex24 = Exemplar.objects.get(name="Tiếp dân trực tuyến năm 2024")
    _json(_post(officer, f"/api/exemplars/{ex24.pk}/progress",
                {"version": ex24.version, "date": today, "text": "Mở kênh tiếp dân trực tuyến."}), 200)
    _json(_post(leader, f"/api/exemplars/{ex24.pk}/assess",
                {"version": Exemplar.objects.get(pk=ex24.pk).version, "achieved": True}), 200)
    _json(_post(bdv, f"/api/exemplars/{ex24.pk}/recognitions", {
        "version": Exemplar.objects.get(pk=ex24.pk).version, "by_unit": "BDVTU-QNG",
        "decision_number": "16-QĐ/BDVTU", "decision_date": today}), 200)
    return {"board": board, "movement": movement}


# ---- plain counts of the dossiers ----------------------------------------------------------------

def _held() -> tuple[set[Exemplar], set[Exemplar]]:
    """(registered, continued): the models the sent 2023 registration dossiers hold, read item by item."""
    registered, continued = set(), set()
    for sub in Submission.objects.filter(round__kind=RoundKind.REGISTRATION, round__year=YEAR,
                                         status__in=SENT_STATUSES):
        for item in SubmissionItem.objects.filter(submission=sub).select_related("exemplar"):
            if item.exemplar.deleted_at is None:
                (continued if item.continued else registered).add(item.exemplar)
    return registered, continued - registered


def _kinds(models) -> tuple[int, int, int]:
    models = list(models)
    col = sum(1 for e in models if e.kind == "collective")
    ind = sum(1 for e in models if e.kind == "individual")
    return col, ind, col + ind


def _row(stt: str, label: str, counts: tuple | None = None, total: int | None = None) -> tuple:
    if counts is None:
        return stt, label, "", "", "" if total is None else str(total)
    return stt, label, *[str(n) for n in counts]


def _expected_appendix(node: OrgUnit) -> list[tuple]:
    """Seed 004's appendix, every row written from the plain counts."""
    registered, continued = _held()
    levels = list(Level.objects.order_by("rank"))
    subtree = [u.pk for u in OrgUnit.objects.filter(path__startswith=node.path)]
    sent = Submission.objects.filter(round__kind=RoundKind.REGISTRATION, round__year=YEAR, status__in=SENT_STATUSES,
                                     unit_id__in=subtree)
    rows = [_row("I", "Phát động và tổ chức đăng ký theo cấp")]
    for i, lv in enumerate(levels, 1):
        launches = RegistrationRound.objects.filter(kind=RoundKind.REGISTRATION, year=YEAR, issuer__level=lv,
                                                    issuer_id__in=subtree).count()
        units = len({s.unit_id for s in sent if s.unit.level_id == lv.pk})
        rows += [_row(f"{i}", f"{lv.name}: số đơn vị phát động", total=launches),
                 _row("", f"{lv.name}: số đơn vị đã đăng ký", total=units),
                 _row("", f"{lv.name}: số mô hình, điển hình đăng ký",
                      _kinds(e for e in registered if e.unit.level_id == lv.pk))]
    rows.append(_row("II", "Mô hình, điển hình được xây dựng so với đăng ký, theo lĩnh vực"))
    for i, cat in enumerate(FieldCategory.objects.order_by("order", "code"), 1):
        reg = [e for e in registered if e.field.category_id == cat.pk]
        rows += [_row(f"{i}", f"{cat.name}: số đăng ký", _kinds(reg)),
                 _row("", f"{cat.name}: số đã xây dựng", _kinds(e for e in reg if e.status in BUILT_STATUSES)),
                 _row("", f"{cat.name}: số tiếp tục xây dựng (mô hình năm trước)",
                      _kinds(e for e in continued if e.field.category_id == cat.pk))]
    reg, built = _kinds(registered), _kinds(e for e in registered if e.status in BUILT_STATUSES)
    rows.append(("", "Cộng: đã xây dựng / đăng ký", *[f"{b}/{r}" for b, r in zip(built, reg, strict=True)]))
    rows.append(_row("", "Cộng: tiếp tục xây dựng (mô hình năm trước)", _kinds(continued)))
    rows.append(_row("III", "Mô hình, điển hình được nhân rộng ở từng cấp"))
    for i, lv in enumerate(levels, 1):
        rows.append(_row(f"{i}", lv.name, _kinds(e for e in registered
                                                 if e.unit.level_id == lv.pk and e.origin == Origin.REPLICATION)))
    recs = Recognition.objects.filter(decision_date__year=YEAR, exemplar__unit_id__in=subtree,
                                      exemplar__deleted_at__isnull=True).select_related("exemplar")
    rows.append(_row("IV", f"Mô hình, điển hình được công nhận trong năm {YEAR}", _kinds({r.exemplar for r in recs})))
    for i, lv in enumerate(levels, 1):
        rows.append(_row(f"{i}", f"Công nhận ở {lv.name.lower()}",
                         _kinds({r.exemplar for r in recs if r.level_id == lv.pk})))
    rows.append(_row("V", "Biểu dương, khen thưởng"))
    coms = Commendation.objects.filter(decision_date__year=YEAR, exemplar__unit_id__in=subtree,
                                       exemplar__deleted_at__isnull=True)
    for i, form in enumerate(CommendationForm, 1):
        rows.append(_row(f"{i}", form.label, total=coms.filter(form=form.value).count()))
    return rows


def test_section_3_3_and_the_appendix_are_what_the_dossiers_hold(login, api, demo):
    world = _build_2023(login, api)
    board, movement = world["board"], world["movement"]
    node = OrgUnit.objects.get(code="BDVTU-QNG")
    registered, continued = _held()
    # What the office knows without the system: four models registered in 2023 (two by the Thanh tra, one by the
    # Văn phòng, Sở Nội vụ's replica), two 2021 models continued; the Chi cục's unsent and the loose one are not.
    assert {e.name for e in registered} == {
        "Đối thoại định kỳ với công dân tại cơ sở", "Cán bộ thanh tra tận tụy với dân", "Văn phòng không giấy tờ",
        "Tiết kiệm điện tại Sở Nội vụ năm 2023"}
    assert len(continued) == 2 and {e.year for e in continued} == {2021}
    assert Exemplar.objects.alive().filter(year=YEAR, unit__path__startswith=node.path).count() == 6

    expected = _expected_appendix(node)
    page = board.get(f"/bao-cao/BDVTU-QNG/{YEAR}/?phong_trao={movement.pk}")
    assert page.status_code == 200
    assert [tuple(r) for r in page.context["appendix"]] == expected
    # The same rows in the downloaded appendix (Excel: counts as numbers, the ratio as text).
    xlsx = board.get(f"/bao-cao/BDVTU-QNG/{YEAR}/tai-ve/phu-luc.xlsx?phong_trao={movement.pk}")
    sheet = [tuple("" if c is None else str(c) for c in row[:5])
             for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(sheet) if r[0] == "I")
    assert sheet[start:start + len(expected)] == expected

    # Every figure of section 3.3 (the page's JSON, the API's, the sentences of the report).
    data = json.loads(board.get(f"/bao-cao/BDVTU-QNG/{YEAR}/tai-ve/so-lieu.json?phong_trao={movement.pk}").content)
    assert _json(api("bdv.quangngai").get(f"/api/reports/BDVTU-QNG/{YEAR}/statistics"), 200) == data

    def counts(models) -> dict:
        col, ind, total = _kinds(models)
        return {"collective": col, "individual": ind, "total": total}

    built = [e for e in registered if e.status in BUILT_STATUSES]
    assert data["totals"]["registered"] == counts(registered)
    assert data["totals"]["built"] == counts(built) and data["totals"]["built"]["total"] == 1
    assert data["totals"]["continued"] == counts(continued)
    assert data["totals"]["replicated"] == counts(e for e in registered if e.origin == Origin.REPLICATION)
    for c in data["by_category"]:
        in_cat = [e for e in registered if e.field.category.code == c["category"]]
        assert c["registered"] == counts(in_cat)
        assert c["built"] == counts(e for e in in_cat if e.status in BUILT_STATUSES)
        assert c["continued"] == counts(e for e in continued if e.field.category.code == c["category"])
    for lv in data["by_level"]:
        assert lv["registered"] == counts(e for e in registered if e.unit.level.code == lv["level"])
    summary = "\n".join(page.context["summary"])
    assert (f"Số mô hình, điển hình được xây dựng so với số đăng ký: {len(built)}/{len(registered)}" in summary)
    assert f"Số mô hình của năm trước tiếp tục xây dựng trong năm {YEAR}: {len(continued)}" in summary
    # The appendix lists the same models by name: on the page, in its own download and in the report's Word file.
    listed = [r for r in page.context["models"] if r[0]]
    heads = [r[1] for r in page.context["models"] if not r[0]]
    assert heads == [f"Mô hình, điển hình đăng ký năm {YEAR}", "Mô hình, điển hình năm trước tiếp tục xây dựng"]
    split = next(i for i, r in enumerate(page.context["models"]) if r[1] == heads[1])
    assert sorted(r[1] for r in page.context["models"][1:split]) == sorted(e.name for e in registered)
    assert sorted(r[1] for r in page.context["models"][split + 1:]) == sorted(e.name for e in continued)
    assert all(r[5] == "Tiếp tục xây dựng (đăng ký năm 2021)" for r in page.context["models"][split + 1:])
    assert {r[1]: r[5] for r in listed}["Tiết kiệm điện tại Sở Nội vụ năm 2023"] == "Nhân rộng"
    dl = board.get(f"/bao-cao/BDVTU-QNG/{YEAR}/tai-ve/danh-sach.xlsx?phong_trao={movement.pk}")
    names = {str(row[1]) for row in load_workbook(io.BytesIO(dl.content)).active.iter_rows(values_only=True)}
    assert {e.name for e in registered | continued} <= names and "Sổ tay tiếp dân chưa đăng ký" not in names
    assert board.post(f"/bao-cao/BDVTU-QNG/{YEAR}/", {"action": "open", "phong_trao": movement.pk}).status_code == 302
    docx = Document(io.BytesIO(board.get(f"/bao-cao/BDVTU-QNG/{YEAR}/tai-ve/bao-cao.docx?phong_trao={movement.pk}")
                               .content))
    cells = {c.text for t in docx.tables for row in t.rows for c in row.cells}
    assert {e.name for e in registered | continued} <= cells and "Kiểm định lưu động tại doanh nghiệp" not in cells
    # The branches add up to the same registered and built.
    assert page.context["total"].registered == len(registered) and page.context["total"].built == len(built)


def test_part_two_offers_only_recognized_or_commended_models_of_the_reports_years(login, api, demo):
    world = _build_2023(login, api)
    board, movement = world["board"], world["movement"]
    assert board.post(f"/bao-cao/BDVTU-QNG/{YEAR}/", {"action": "open", "phong_trao": movement.pk}).status_code == 302
    page = board.get(f"/bao-cao/BDVTU-QNG/{YEAR}/?phong_trao={movement.pk}")
    offered = set(page.context["intro_form"].fields["exemplar"].queryset)
    node = OrgUnit.objects.get(code="BDVTU-QNG")
    decided = {r.exemplar for r in Recognition.objects.filter(decision_date__year__lte=YEAR)} | {
        c.exemplar for c in Commendation.objects.filter(decision_date__year__lte=YEAR)}
    plain = {e for e in decided if e.deleted_at is None and e.unit.path.startswith(node.path)
             and e.movement_id == movement.pk and movement.period_start <= e.year <= YEAR}
    assert offered == plain and offered  # the Văn phòng's saving model, recognized and commended in 2022
    assert all(e.status in DECIDED_STATUSES and e.year <= YEAR for e in offered)
    # Recognized after the year, or a model of a later year: not offered, and refused if posted anyway.
    for name in ("Đối thoại định kỳ với công dân tại cơ sở", "Tiếp dân trực tuyến năm 2024"):
        ex = Exemplar.objects.get(name=name)
        assert ex.status in DECIDED_STATUSES and ex not in offered
        report = page.context["report"]
        resp = board.post(f"/bao-cao/BDVTU-QNG/{YEAR}/gioi-thieu/?phong_trao={movement.pk}",
                          {"version": report.version, "exemplar": ex.pk, "basis": "Thử"})
        assert resp.status_code == 400 and not report.intros.filter(exemplar=ex).exists()


def test_a_model_in_a_dossier_keeps_its_year(login, api, demo):
    """Registered in 2022's dossier, a model stays a 2022 model while the dossier holds it (edit page and API);
    out of the dossier, the year can change."""
    sub = Submission.objects.get(unit__code="CCTDC-QNG", round__year=2022, round__kind=RoundKind.REGISTRATION)
    officer = login("cc.tdc")
    data = _model("Lĩnh vực Tiêu chuẩn Đo lường Chất lượng", "Số hóa hồ sơ kiểm định năm 2022")
    officer.post(f"/mo-hinh/them/?ho_so={sub.pk}", data, follow=True)
    ex = Exemplar.objects.get(name=data["name"])
    assert ex.year == 2022 and sub.items.filter(exemplar=ex, continued=False).exists()
    client = api("cc.tdc")
    refused = _json(client.patch(f"/api/exemplars/{ex.pk}", {"version": ex.version, "year": 2023},
                                 content_type="application/json"), 400)
    assert "thuộc năm 2022" in refused["message"] and refused["code"] == "held"
    page = officer.post(f"/mo-hinh/{ex.pk}/sua/", {**data, "unit": ex.unit_id, "year": 2023,
                                                   "movement": ex.movement_id, "version": ex.version})
    assert "Hãy bỏ mô hình khỏi hồ sơ trước khi đổi năm" in page.content.decode()
    assert Exemplar.objects.get(pk=ex.pk).year == 2022
    # Taken out of the dossier, the model's year is the unit's to change.
    officer.post(f"/ho-so/{sub.pk}/bo-mo-hinh/{ex.pk}/", {"version": _v(sub)})
    _json(client.patch(f"/api/exemplars/{ex.pk}", {"version": Exemplar.objects.get(pk=ex.pk).version, "year": 2023},
                       content_type="application/json"), 200)
    assert Exemplar.objects.get(pk=ex.pk).year == 2023
