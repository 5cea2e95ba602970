"""The annual report (seed 004's outline), its numeric appendix and the period review as documents.

Builds the pure specs of `danvan.documents` from a report and its computed statistics; the
report is written in its unit's family (a Ban Dân vận reports in the Party format).
"""

from __future__ import annotations

import json

from danvan.documents import (
    DocDate,
    LetterSpec,
    Para,
    SimpleTable,
    attachment_line,
    heading,
    letter_bytes,
)
from danvan.documents import from_data as fd
from danvan.documents.models import defaults_for
from danvan.documents.services import (
    DocumentError,
    NoSuchDocument,
    Rendered,
    docx_to_pdf,
    need_format,
)
from danvan.documents.xlsx import simple_table_xlsx_bytes
from danvan.exemplars.models import CommendationForm, Movement, Origin
from danvan.orgs.models import OrgUnit

from . import stats
from .models import INTRO_HEADINGS, OUTLINE, AnnualReport
from .services import summary_text

MOVEMENT_CAPS = '"DÂN VẬN KHÉO"'
APPENDIX_HEADERS = ["STT", "Nội dung", "Tập thể", "Cá nhân", "Tổng số"]


def _n(value: int | None) -> str:
    return "" if value is None else str(value)


def appendix_rows(s: stats.Stats) -> list[list[str]]:
    """The "phụ lục số liệu": section 3.3 as a table (launches, built vs registered, replicated, recognized)."""
    rows: list[list[str]] = [["I", "Phát động và tổ chức đăng ký theo cấp", "", "", ""]]
    for i, r in enumerate(s.levels, 1):
        rows.append([f"{i}", f"{r.name}: số đơn vị phát động", "", "", _n(r.launches)])
        rows.append(["", f"{r.name}: số đơn vị đã đăng ký", "", "", _n(r.registering_units)])
        rows.append(["", f"{r.name}: số mô hình, điển hình đăng ký", _n(r.registered.collective),
                     _n(r.registered.individual), _n(r.registered.total)])
    rows.append(["II", "Mô hình, điển hình được xây dựng so với đăng ký, theo lĩnh vực", "", "", ""])
    for i, c in enumerate(s.categories, 1):
        rows.append([f"{i}", f"{c.name}: số đăng ký", _n(c.registered.collective), _n(c.registered.individual),
                     _n(c.registered.total)])
        rows.append(["", f"{c.name}: số đã xây dựng", _n(c.built.collective), _n(c.built.individual),
                     _n(c.built.total)])
        rows.append(["", f"{c.name}: số tiếp tục xây dựng (mô hình năm trước)", _n(c.continued.collective),
                     _n(c.continued.individual), _n(c.continued.total)])
    reg, built, cont = s.registered, s.built, s.continued
    rows.append(["", "Cộng: đã xây dựng / đăng ký", f"{built.collective}/{reg.collective}",
                 f"{built.individual}/{reg.individual}", f"{built.total}/{reg.total}"])
    rows.append(["", "Cộng: tiếp tục xây dựng (mô hình năm trước)", _n(cont.collective), _n(cont.individual),
                 _n(cont.total)])
    rows.append(["III", "Mô hình, điển hình được nhân rộng ở từng cấp", "", "", ""])
    for i, r in enumerate(s.levels, 1):
        rows.append([f"{i}", r.name, _n(r.replicated.collective), _n(r.replicated.individual),
                     _n(r.replicated.total)])
    rows.append(["IV", f"Mô hình, điển hình được công nhận trong năm {s.years_label}", _n(s.recognized.collective),
                 _n(s.recognized.individual), _n(s.recognized.total)])
    for i, r in enumerate(s.levels, 1):
        rows.append([f"{i}", f"Công nhận ở {r.name.lower()}", _n(r.recognized.collective),
                     _n(r.recognized.individual), _n(r.recognized.total)])
    rows.append(["V", "Biểu dương, khen thưởng", "", "", ""])
    for i, form in enumerate(CommendationForm, 1):
        rows.append([f"{i}", form.label, "", "", _n(s.commended.get(form.value, 0))])
    return rows


def appendix_table(s: stats.Stats, attached_to: str = "") -> SimpleTable:
    return SimpleTable(
        title=f"PHỤ LỤC SỐ LIỆU\nKết quả xây dựng, nhân rộng, công nhận mô hình, điển hình \"Dân vận khéo\" "
              f"năm {s.years_label}", headers=APPENDIX_HEADERS, rows=appendix_rows(s), attached_to=attached_to,
        unit_line=s.unit.name.upper(), weights=(16, 100, 24, 24, 24), landscape=False, centered_columns=(0, 2, 3, 4),
        numeric_columns=(2, 3, 4))


MODEL_LIST_HEADERS = ["STT", "Tên mô hình, điển hình", "Đơn vị", "Lĩnh vực", "Hình thức", "Trong năm", "Tình trạng"]


def model_rows(unit: OrgUnit, movement: Movement, year: int) -> list[list[str]]:
    """The models the appendix counts, by name: registered in the year's sent dossiers, then those continued."""
    registered, continued = stats.held_models(unit, movement, year)
    rows: list[list[str]] = []
    for title, models in (("Mô hình, điển hình đăng ký năm " + str(year), registered),
                          ("Mô hình, điển hình năm trước tiếp tục xây dựng", continued)):
        rows.append(["", title, "", "", "", "", ""])
        for i, ex in enumerate(models, 1):
            how = (f"Tiếp tục xây dựng (đăng ký năm {ex.year})" if ex.year < year
                   else "Nhân rộng" if ex.origin == Origin.REPLICATION else "Xây dựng mới")
            rows.append([str(i), ex.name, ex.unit.name, ex.field.category.name, ex.get_kind_display(), how,
                         ex.get_status_display()])
    return rows


def model_table(unit: OrgUnit, movement: Movement, year: int, attached_to: str = "") -> SimpleTable:
    return SimpleTable(
        title=f"DANH SÁCH MÔ HÌNH, ĐIỂN HÌNH \"DÂN VẬN KHÉO\" NĂM {year}\n(các mô hình được tính trong Phụ lục số "
              "liệu, theo hồ sơ đăng ký đã gửi)", headers=MODEL_LIST_HEADERS, rows=model_rows(unit, movement, year),
        attached_to=attached_to, unit_line=unit.name.upper(), weights=(10, 70, 40, 36, 20, 34, 26), landscape=True,
        centered_columns=(0, 4))


def _paras(text: str) -> list[str | Para]:
    return [line.strip() for line in text.split("\n") if line.strip()] or [Para.of("…", italic=True)]


def report_letter(report: AnnualReport) -> LetterSpec:
    unit, year = report.unit, report.year
    s = stats.compute(unit, report.movement, year)
    titles = dict(OUTLINE)
    body: list[str | Para] = [heading(f"I. KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA {MOVEMENT_CAPS} NĂM {year}")]
    body.append(heading(titles["1"]))
    body += _paras(report.section("1"))
    body.append(heading("2. Công tác lãnh đạo, chỉ đạo triển khai thực hiện"))
    for key in ("2.1", "2.2", "2.3"):
        body.append(Para.of(f"- {titles[key]}", italic=True))
        body += _paras(report.section(key))
    body.append(heading("3. Kết quả thực hiện"))
    for key in ("3.1", "3.2"):
        body.append(Para.of(titles[key], bold=True, italic=True))
        body += _paras(report.section(key))
    body.append(Para.of(titles["3.3"], bold=True, italic=True))
    body += summary_text(s)
    body.append(Para.markup("(*Số liệu chi tiết tại Phụ lục số liệu kèm theo.*)"))
    if report.section("3.3"):
        body += _paras(report.section("3.3"))
    body.append(heading("4. Đánh giá chung"))
    for key in ("4.1", "4.2", "4.3", "4.4"):
        body.append(Para.of(f"- {titles[key]}", italic=True))
        body += _paras(report.section(key))
    intros = list(report.intros.select_related("exemplar__unit"))
    body.append(heading(f"II. GIỚI THIỆU MÔ HÌNH, ĐIỂN HÌNH {MOVEMENT_CAPS} TIÊU BIỂU"))
    if not intros:
        body.append(Para.of("Không có mô hình giới thiệu.", italic=True))
    for i, intro in enumerate(intros, 1):
        ex = intro.exemplar
        body.append(heading(f"{i}. {ex.name}"))
        body.append(Para.markup(f"*Đơn vị thực hiện:* {ex.unit.name}"))
        for key, label in INTRO_HEADINGS:
            body.append(Para.of(f"- {label}:", italic=True))
            body += _paras(getattr(intro, key))
    parent = OrgUnit.objects.get_parent(unit)
    sub = report.submission
    date = DocDate.of(sub.signed_date) if sub and sub.signed_date else fd._local_date(sub.submitted_at if sub else None)
    spec = LetterSpec(
        issuer=fd.issuer_of(unit, fd.day_of(date)), number=report.number, doc_type="BC", date=date,
        title=f"BÁO CÁO\nKết quả thực hiện phong trào thi đua \"Dân vận khéo\" năm {year}\n"
              "và giới thiệu mô hình, điển hình \"Dân vận khéo\" tiêu biểu",
        recipients=[fd.address_name(parent, fd.day_of(date))] if parent else [], body=body,
        copies=defaults_for(unit).copy_lines(), signature=fd.signature_of(unit))
    spec.appendices.append(appendix_table(s, attachment_line(spec)))
    spec.appendices.append(model_table(unit, report.movement, year, attachment_line(spec)))
    return spec


def period_table(unit: OrgUnit, movement: Movement, up_to: int | None = None,
                 columns: list[stats.Stats] | None = None) -> SimpleTable:
    """Sơ kết / tổng kết: the same numbers for every year of the period, one column per year
    (`columns`: `stats.period` already computed)."""
    columns = columns or stats.period(unit, movement, up_to)
    years, whole = columns[:-1], columns[-1]
    headers = ["STT", "Nội dung", *[str(s.year_from) for s in years], f"Cả giai đoạn {whole.years_label}"]

    def line(stt: str, label: str, get) -> list[str]:
        return [stt, label, *[_n(get(s)) for s in columns]]

    rows = [
        line("1", "Số đơn vị phát động", lambda s: s.launches),
        line("2", "Số đơn vị đã đăng ký", lambda s: sum(r.registering_units for r in s.levels)),
        line("3", "Số mô hình, điển hình đăng ký", lambda s: s.registered.total),
        line("", "- Tập thể", lambda s: s.registered.collective),
        line("", "- Cá nhân", lambda s: s.registered.individual),
        line("4", "Số mô hình đã xây dựng", lambda s: s.built.total),
    ]
    for c_index, cat in enumerate(whole.categories):
        rows.append(line("", f"- {cat.name} (đã xây dựng/đăng ký)",
                         lambda s, i=c_index: f"{s.categories[i].built.total}/{s.categories[i].registered.total}"))
    rows.append(line("", "Số mô hình năm trước tiếp tục xây dựng", lambda s: s.continued.total))
    rows.append(line("5", "Số mô hình được nhân rộng", lambda s: s.replicated.total))
    for l_index, lv in enumerate(whole.levels):
        rows.append(line("", f"- {lv.name}", lambda s, i=l_index: s.levels[i].replicated.total))
    rows.append(line("6", "Số mô hình được công nhận", lambda s: s.recognized.total))
    rows.append(line("7", "Số lượt biểu dương, khen thưởng", lambda s: sum(s.commended.values())))
    return SimpleTable(
        title=f"KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA \"DÂN VẬN KHÉO\"\ngiai đoạn {movement.period_start} - "
              f"{movement.period_end} (số liệu theo từng năm)", headers=headers, rows=rows,
        unit_line=unit.name.upper(), weights=(12, 90, *([22] * len(columns))), landscape=True,
        centered_columns=tuple(range(2, len(headers))), numeric_columns=tuple(range(2, len(headers))))


# ---- bytes, for pages and the CLI alike ----------------------------------------------------------

def render_annual(report: AnnualReport, what: str, fmt: str) -> Rendered:
    name = f"bao-cao-{report.unit.code}-{report.year}"
    if what == "bao-cao":
        need_format(fmt, ("docx", "pdf"))
        docx = letter_bytes(report_letter(report))
        return Rendered(docx_to_pdf(docx) if fmt == "pdf" else docx, f"{name}.{fmt}", fmt)
    if what == "phu-luc":
        need_format(fmt, ("docx", "xlsx"))
        table = appendix_table(stats.compute(report.unit, report.movement, report.year))
        return _table(table, f"phu-luc-so-lieu-{report.unit.code}-{report.year}", fmt)
    raise DocumentError("Không có văn bản này.")


ANNUAL_DOWNLOADS = {
    # what: (title, formats, needs a written report)
    "bao-cao": ("Báo cáo năm (phần I và II, kèm phụ lục)", ("docx", "pdf"), True),
    "phu-luc": ("Phụ lục số liệu (mục 3.3)", ("docx", "xlsx"), False),
    "so-lieu": ("Số liệu mục 3.3 (JSON)", ("json",), False),
    "danh-sach": ("Danh sách mô hình được tính (mục 3.3)", ("docx", "xlsx"), False),
}


def statistics(unit: OrgUnit, movement: Movement, year: int) -> dict:
    """Section 3.3's numbers for a unit and year, as the page's `so-lieu.json` and the API give them."""
    return stats.compute(unit, movement, year).to_dict()


def render_annual_download(unit: OrgUnit, movement: Movement, year: int, what: str, fmt: str) -> Rendered:
    """What the annual report page offers for download; unknown → NoSuchDocument, bad format → DocumentError."""
    if what == "so-lieu" and fmt == "json":
        data = json.dumps(statistics(unit, movement, year), ensure_ascii=False, indent=1).encode()
        return Rendered(data, f"so-lieu-{unit.code}-{year}.json", fmt, mime="application/json")
    if what == "phu-luc":
        return render_stats_appendix(unit, movement, year, fmt)
    if what == "danh-sach":
        need_format(fmt, ("docx", "xlsx"))
        return _table(model_table(unit, movement, year), f"danh-sach-mo-hinh-{unit.code}-{year}", fmt)
    if what == "bao-cao":
        report = AnnualReport.objects.filter(unit=unit, movement=movement, year=year).first()
        if report is None:
            raise NoSuchDocument(what)
        return render_annual(report, what, fmt)
    raise NoSuchDocument(what)


def render_stats_appendix(unit: OrgUnit, movement: Movement, year: int, fmt: str) -> Rendered:
    need_format(fmt, ("docx", "xlsx"))
    return _table(appendix_table(stats.compute(unit, movement, year)), f"phu-luc-so-lieu-{unit.code}-{year}", fmt)


def period_statistics(columns: list[stats.Stats]) -> dict:
    """The period's numbers (`stats.period`) as JSON: each year, then the whole period (CLI and API)."""
    return {"years": [c.to_dict() for c in columns[:-1]], "period": columns[-1].to_dict()}


PERIOD_FORMATS = ("docx", "xlsx")


def render_period(unit: OrgUnit, movement: Movement, fmt: str, up_to: int | None = None) -> Rendered:
    need_format(fmt, PERIOD_FORMATS)
    return _table(period_table(unit, movement, up_to),
                  f"so-ket-{unit.code}-{movement.period_start}-{movement.period_end}", fmt)


def _table(table: SimpleTable, name: str, fmt: str) -> Rendered:
    from danvan.documents import simple_table_docx_bytes

    data = simple_table_xlsx_bytes(table) if fmt == "xlsx" else simple_table_docx_bytes(table)
    return Rendered(data, f"{name}.{fmt}", fmt)
