"""The seed 001 cover letter and Party letters, read back with python-docx."""

from __future__ import annotations

from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from danvan.documents.form_table import REGISTRATION_LIST_TITLE
from danvan.documents.letter import (
    DocDate,
    LetterSpec,
    Para,
    Signature,
    attachment_line,
    build_letter,
    letter_bytes,
    number_line,
)

from .party import BDVTU, dossier_list, report_request
from .readback import all_texts, load
from .seed001 import BODY_TEXTS, SKHCN, cover_letter

FONT = "Times New Roman"


def _letter():
    return load(letter_bytes(cover_letter()))


def test_state_header_lines_in_order():
    texts = all_texts(_letter())
    expected = [
        "UBND TỈNH QUẢNG NGÃI",
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: /SKHCN-VP",
        "Quảng Ngãi, ngày 27 tháng 4 năm 2021",
        'V/v đăng ký mô hình, điển hình\n"Dân vận khéo" năm 2021',
        "Kính gửi: Ban Dân vận Tỉnh ủy",
    ]
    positions = [texts.index(line) for line in expected]
    assert positions == sorted(positions)


def test_body_copies_and_signature():
    texts = all_texts(_letter())
    for line in BODY_TEXTS:
        assert line in texts
    start = texts.index("Nơi nhận:")
    assert texts[start + 1 : start + 6] == [
        "- Như trên;",
        "- Sở Nội vụ;",
        "- GD, các PGD Sở;",
        "- Các phòng, đơn vị thuộc Sở;",
        "- Lưu: VT, VP.",
    ]
    assert texts[start + 6 : start + 9] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Công Hòa"]


def test_state_styling_of_header_and_closing():
    doc = _letter()
    runs = {r.text: r for p in doc.tables[0]._cells for para in p.paragraphs for r in para.runs}
    assert runs["SỞ KHOA HỌC VÀ CÔNG NGHỆ"].bold
    assert not runs["UBND TỈNH QUẢNG NGÃI"].bold
    assert runs["Độc lập - Tự do - Hạnh phúc"].bold
    assert runs["Quảng Ngãi, ngày 27 tháng 4 năm 2021"].italic
    closing = {r.text: r for c in doc.tables[1]._cells for p in c.paragraphs for r in p.runs}
    assert closing["Nơi nhận:"].bold and closing["Nơi nhận:"].italic
    assert closing["Nơi nhận:"].font.size.pt == 12
    assert closing["- Như trên;"].font.size.pt == 11
    assert closing["KT. GIÁM ĐỐC"].bold and closing["Trần Công Hòa"].bold


def test_rules_under_issuer_and_motto():
    header = _letter().tables[0]
    borders = header._tbl.xpath(".//w:pPr/w:pBdr/w:top")
    assert len(borders) == 2


def test_body_paragraph_format():
    doc = _letter()
    body = next(p for p in doc.paragraphs if p.text == BODY_TEXTS[0])
    fmt = body.paragraph_format
    assert fmt.alignment == 3  # justify
    assert abs(fmt.first_line_indent - Mm(10)) < Mm(0.1)
    assert fmt.space_before.pt == 6
    assert {run.font.size.pt for run in body.runs} == {14}
    assert [r.text for r in body.runs if r.italic] == ["Dân vận khéo"]


def test_page_setup_portrait_then_landscape():
    doc = _letter()
    letter, appendix = doc.sections
    assert letter.orientation == WD_ORIENT.PORTRAIT
    assert (round(letter.page_width.mm), round(letter.page_height.mm)) == (210, 297)
    assert 20 <= round(letter.top_margin.mm) <= 25
    assert 20 <= round(letter.bottom_margin.mm) <= 25
    assert 30 <= round(letter.left_margin.mm) <= 35
    assert 15 <= round(letter.right_margin.mm) <= 20
    assert appendix.orientation == WD_ORIENT.LANDSCAPE
    assert (round(appendix.page_width.mm), round(appendix.page_height.mm)) == (297, 210)


def test_page_numbers_from_page_two():
    section = _letter().sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in "".join(section.header._element.itertext())
    assert not "".join(section.first_page_header._element.itertext()).strip()


def test_times_new_roman_everywhere():
    doc = _letter()
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    fonts = defaults.find(qn("w:rPr")).find(qn("w:rFonts"))
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        assert fonts.get(qn(f"w:{attr}")) == FONT
    for root in (doc.styles.element, doc.element, doc.sections[0].header._element):
        for element in root.iter(qn("w:rFonts")):
            assert {element.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {
                FONT
            }
            assert element.get(qn("w:asciiTheme")) is None


def test_party_letter():
    spec = report_request()
    spec.appendices.append(dossier_list())
    doc = load(letter_bytes(spec))
    texts = all_texts(doc)
    for line in [
        "TỈNH ỦY QUẢNG NGÃI",
        "BAN DÂN VẬN",
        "*",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Quảng Ngãi, ngày 03 tháng 10 năm 2022",
        "Số 624-CV/BDVTU",
        "Kính gửi:",
        "- Các sở, ban, ngành tỉnh,",
        "K/T TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
        "Trần Ngọc Nguyên",
        "- Như kính gửi,",
        "- Lưu Văn phòng Tỉnh ủy.",
    ]:
        assert line in texts, line
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in texts
    assert REGISTRATION_LIST_TITLE in texts
    assert [s.orientation for s in doc.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    runs = [r for c in doc.tables[0]._cells for p in c.paragraphs for r in p.runs]
    party = next(r for r in runs if r.text == "ĐẢNG CỘNG SẢN VIỆT NAM")
    assert party.bold and party.underline
    received = next(
        r
        for c in doc.tables[1]._cells
        for p in c.paragraphs
        for r in p.runs
        if r.text == "Nơi nhận:"
    )
    assert received.underline and not received.bold


def test_dates_numbers_and_references():
    assert DocDate(3, 10, 2022).long("Quảng Ngãi") == "Quảng Ngãi, ngày 03 tháng 10 năm 2022"
    assert DocDate(20, 2, 2017).long("Đồng Hới") == "Đồng Hới, ngày 20 tháng 02 năm 2017"
    assert DocDate(27, 4, 2021).short() == "27/4/2021"
    assert DocDate(None, 3, 2021).short() == "/3/2021"
    blank_day = DocDate(None, 4, 2021).long("Quảng Ngãi")
    assert blank_day.startswith("Quảng Ngãi, ngày ") and blank_day.endswith(" tháng 4 năm 2021")
    assert number_line(LetterSpec(issuer=SKHCN)) == "Số: /SKHCN-VP"
    assert number_line(LetterSpec(issuer=SKHCN, number="12")) == "Số: 12/SKHCN-VP"
    assert number_line(LetterSpec(issuer=SKHCN, number="5", doc_type="KH")) == "Số: 5/KH-SKHCN"
    assert number_line(LetterSpec(issuer=BDVTU, number="624")) == "Số 624-CV/BDVTU"
    spec = LetterSpec(issuer=SKHCN, date=DocDate(27, 4, 2021))
    assert attachment_line(spec) == (
        "(Kèm theo Công văn số: /SKHCN-VP ngày 27/4/2021 của Sở Khoa học và Công nghệ)"
    )


def test_signature_lines():
    assert Signature("TM.", "UỶ BAN NHÂN DÂN", "CHỦ TỊCH").lines("state") == [
        "TM. UỶ BAN NHÂN DÂN",
        "CHỦ TỊCH",
    ]
    assert Signature("TM.", "BAN THƯỜNG VỤ", "BÍ THƯ").lines("party")[0] == "T/M BAN THƯỜNG VỤ"
    assert Signature("", "", "Giám đốc").lines("state") == ["GIÁM ĐỐC"]


def test_markup_headings_and_report_title():
    spec = LetterSpec(
        issuer=SKHCN,
        title="Báo cáo\nKết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2022",
        body=[Para.markup("**1. Nội dung thực hiện**"), Para.markup("Trước ngày **05/4/2021**.")],
    )
    doc = build_letter(spec)
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts
    assert "Kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2022" in texts
    heading = next(p for p in doc.paragraphs if p.text == "1. Nội dung thực hiện")
    assert all(r.bold for r in heading.runs)
    deadline = next(p for p in doc.paragraphs if p.text == "Trước ngày 05/4/2021.")
    assert [r.text for r in deadline.runs if r.bold] == ["05/4/2021"]


def test_control_characters_in_letter_are_removed():
    spec = LetterSpec(issuer=SKHCN, recipients=["Ban\x0b Dân vận"], body=["Nội\x00 dung\x1f"])
    texts = all_texts(load(letter_bytes(spec)))
    assert "Kính gửi: Ban Dân vận" in texts
    assert "Nội dung" in texts
