"""The registration form (Biểu số 2, seed 001; blank form, seed 000) in Word."""

from __future__ import annotations

from docx.enum.section import WD_ORIENT

from danvan.documents import form_table as ft
from danvan.documents.form_table import (
    EMPTY_TEXT,
    FORM_TITLE,
    FormGroup,
    FormItem,
    FormSpec,
    blank_form,
    content_paragraphs,
    form_docx_bytes,
    registration_list,
    roman,
    simple_table_docx_bytes,
)
from danvan.documents.letter import DocDate, LetterSpec, Para, Signature, heading, letter_bytes

from .readback import all_texts, is_header_row, load, row_texts
from .seed001 import (
    CITIZENS_PROBLEM,
    CITIZENS_RESULTS,
    ELECTRICITY_PROBLEM,
    ELECTRICITY_RESULTS,
    GROUPS,
    QUALITY_AWARD_ACTORS,
    QUALITY_AWARD_PROBLEM,
    QUALITY_AWARD_RESULTS,
    SKHCN,
    cover_letter,
)
from .test_letter import _letter

HEADER_1 = [
    ft.H_STT,
    ft.H_NAME,
    ft.H_KIND,
    ft.H_KIND,
    ft.H_ADDRESS,
    f"{ft.H_CONTENT} {ft.H_CONTENT_NOTE}",
    ft.H_ORIGIN,
    ft.H_ORIGIN,
]
HEADER_2 = [
    ft.H_STT,
    ft.H_NAME,
    ft.H_COLLECTIVE,
    ft.H_INDIVIDUAL,
    ft.H_ADDRESS,
    f"{ft.H_CONTENT} {ft.H_CONTENT_NOTE}",
    ft.H_NEW,
    ft.H_REPLICATION,
]
ATTACHED = "(Kèm theo Công văn số: /SKHCN-VP ngày 27/4/2021 của Sở Khoa học và Công nghệ)"


def test_header_text_is_seed_001():
    assert HEADER_1[5] == (
        "NỘI DUNG CỤ THỂ MÔ HÌNH, ĐIỂN HÌNH (Nêu tóm tắt mô hình giải quyết vấn đề gì; "
        "tổ chức, cá nhân thực hiện; dự kiến kết quả mô hình đem lại)"
    )


def test_appendix_title_lines():
    texts = all_texts(_letter())
    start = texts.index("Biểu số 2")
    assert texts[start + 1 : start + 3] == [FORM_TITLE, ATTACHED]


def test_table_headers_numbers_and_repeat():
    table = _letter().tables[-1]
    assert row_texts(table, 0) == HEADER_1
    assert row_texts(table, 1) == HEADER_2
    assert row_texts(table, 2) == [str(i) for i in range(1, 9)]
    assert [is_header_row(table, i) for i in range(4)] == [True, True, True, False]
    first = table.rows[0]._tr
    assert first.xpath("./w:tc[1]/w:tcPr/w:vMerge/@w:val") == ["restart"]
    assert first.xpath("./w:tc[3]/w:tcPr/w:gridSpan/@w:val") == ["2"]


def test_groups_numbering_and_marks():
    table = _letter().tables[-1]
    rows = [row_texts(table, i) for i in range(3, len(table.rows))]
    assert [(r[0], r[1]) for r in rows] == [
        ("I", "Lĩnh vực Tài chính, Văn phòng"),
        ("1", "Thực hiện tiết kiệm điện trong cơ quan"),
        ("II", "Lĩnh vực Tiêu chuẩn Đo lường Chất lượng"),
        ("1", "Vận động tổ chức, doanh nghiệp tham gia Giải thưởng chất lượng Quốc gia"),
        ("III", "Lĩnh vực thanh tra"),
        ("1", GROUPS[2].items[0].name),
    ]
    marks = [[r[i] for i in (2, 3, 6, 7)] for r in rows]
    assert marks[1] == ["X", "", "X", ""]
    assert marks[3] == ["X", "", "X", ""]
    assert marks[5] == ["", "X", "X", ""]
    assert all(m == ["", "", "", ""] for m in marks[0::2])
    group_name = table.rows[3].cells[1].paragraphs[0].runs[0]
    assert group_name.bold and group_name.italic
    assert rows[1][4] == "202A, đường Trường Chinh, Thành phố Quảng Ngãi, tỉnh Quảng Ngãi"


def test_content_paragraphs_in_order():
    table = _letter().tables[-1]
    cells = [table.rows[i].cells[5] for i in (4, 6, 8)]
    texts = [[p.text for p in cell.paragraphs] for cell in cells]
    assert texts[0] == [
        *ELECTRICITY_PROBLEM,
        "- Tổ chức, cá nhân thực hiện: Công chức, người lao động Khối Văn phòng Sở",
        "- Dự kiến kết quả mô hình đem lại: " + ELECTRICITY_RESULTS[0],
    ]
    assert texts[1] == [
        *QUALITY_AWARD_PROBLEM,
        "- Tổ chức, cá nhân thực hiện: " + QUALITY_AWARD_ACTORS[0],
        "- Dự kiến kết quả mô hình đem lại: " + QUALITY_AWARD_RESULTS[0],
        QUALITY_AWARD_RESULTS[1],
    ]
    assert texts[2][: len(CITIZENS_PROBLEM)] == CITIZENS_PROBLEM
    assert texts[2][-1] == CITIZENS_RESULTS[1]
    assert cells[0].paragraphs[0].alignment == 3  # justified


def test_typed_label_is_not_repeated():
    item = FormItem("A", actors_html="<p>- Tổ chức, cá nhân thực hiện: Cán bộ Văn phòng</p>")
    assert content_paragraphs(item) == ["- Tổ chức, cá nhân thực hiện: Cán bộ Văn phòng"]


def test_roman_numerals():
    assert [roman(i) for i in (1, 2, 3, 4, 9, 10, 14, 40)] == [
        "I",
        "II",
        "III",
        "IV",
        "IX",
        "X",
        "XIV",
        "XL",
    ]


def test_blank_form_of_seed_000():
    launch = LetterSpec(
        issuer=SKHCN,
        date=DocDate(None, 3, 2021),
        subject='V/v đăng ký mô hình, điển hình "Dân vận khéo" năm 2021',
        recipients=["Các phòng, đơn vị thuộc Sở"],
        body=[heading("1. Nội dung thực hiện"), Para.markup("Trước ngày **05/4/2021**.")],
        copies=["Như trên", "GD, các PGD Sở", "Lưu: VT, VP."],
        signature=Signature("KT.", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Công Hòa"),
    )
    attached = "(Kèm theo Công văn số: /SKHCN-VP ngày /3/2021 của Sở Khoa học và Công nghệ)"
    launch.appendices.append(blank_form(attached_to=attached))
    doc = load(letter_bytes(launch))
    texts = all_texts(doc)
    assert "Quảng Ngãi, ngày      tháng 3 năm 2021" in texts
    start = texts.index("PHÒNG/ĐƠN VỊ...")
    assert texts[start + 1 : start + 3] == [FORM_TITLE, attached]
    table = doc.tables[-1]
    assert row_texts(table, 0)[0] == ft.H_NAME
    assert row_texts(table, 2) == [str(i) for i in range(1, 8)]
    names = [row_texts(table, i)[0] for i in range(3, len(table.rows))]
    assert names == [
        "I. Lĩnh vực....",
        "1.....",
        "2.....",
        "II. Lĩnh vực....",
        "1.....",
        "2.....",
        "III. Lĩnh vực....",
        "1.....",
        "2.....",
    ]


def test_empty_registration_says_so():
    spec = FormSpec(groups=[FormGroup("Lĩnh vực thanh tra", [])], attached_to=ATTACHED)
    table = load(form_docx_bytes(spec)).tables[-1]
    assert len(table.rows) == 4
    assert set(row_texts(table, 3)) == {EMPTY_TEXT}
    assert table.rows[3]._tr.xpath("./w:tc/w:tcPr/w:gridSpan/@w:val") == ["8"]


def test_control_characters_are_removed():
    item = FormItem(
        name="Tên\x00 mô hình",
        collective=True,
        address="Thôn\x1f 1",
        problem_html="<p>Đoạn\x0b một</p><p>\x07</p><p>Đoạn hai\x0c</p>",
        actors_html="Cán bộ\x08 xã",
        results_html="<p>Kết quả\ufffe tốt</p>",
    )
    data = form_docx_bytes(FormSpec(groups=[FormGroup("Lĩnh vực\x0b A", [item])]))
    table = load(data).tables[-1]
    assert row_texts(table, 3)[1] == "Lĩnh vực A"
    row = row_texts(table, 4)
    assert row[1] == "Tên mô hình" and row[4] == "Thôn 1"
    assert [p.text for p in table.rows[4].cells[5].paragraphs] == [
        "Đoạn một",
        "Đoạn hai",
        "- Tổ chức, cá nhân thực hiện: Cán bộ xã",
        "- Dự kiến kết quả mô hình đem lại: Kết quả tốt",
    ]


def test_standalone_form_is_landscape_a4():
    doc = load(form_docx_bytes(FormSpec(groups=GROUPS)))
    assert len(doc.sections) == 1
    section = doc.sections[0]
    assert section.different_first_page_header_footer  # numbers from page 2
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    widths = [int(w) for w in doc.tables[0]._tbl.xpath("./w:tblGrid/w:gridCol/@w:w")]
    assert widths[5] == max(widths)
    usable = section.page_width - section.left_margin - section.right_margin
    assert abs(sum(widths) * 635 - usable) < 635 * 10  # dxa → EMU


def test_line_breaks_inside_a_paragraph():
    item = FormItem("A", problem_html="<p>dòng một<br>dòng hai</p>")
    doc = load(form_docx_bytes(FormSpec(groups=[FormGroup("G", [item])])))
    cell = doc.tables[0].rows[4].cells[5]
    assert cell.paragraphs[0].text == "dòng một\ndòng hai"
    assert cell._tc.xpath(".//w:br")


def test_registration_list_of_seed_003():
    spec = registration_list(
        [["Chi bộ Văn phòng", "Cải cách thủ tục hành chính", "Tập thể", "Hành chính"]],
        attached_to="(Kèm theo Công văn số 12-CV/ĐUSTP ngày 20/02/2017 của Đảng ủy Sở Tư pháp)",
    )
    doc = load(simple_table_docx_bytes(spec))
    table = doc.tables[0]
    assert row_texts(table, 0) == list(ft.REGISTRATION_LIST_HEADERS)
    assert row_texts(table, 1) == [
        "1",
        "Chi bộ Văn phòng",
        "Cải cách thủ tục hành chính",
        "Tập thể",
        "Hành chính",
    ]
    assert is_header_row(table, 0) and not is_header_row(table, 1)
    assert ft.REGISTRATION_LIST_TITLE in all_texts(doc)


def test_appendix_first_page_is_numbered():
    doc = load(letter_bytes(cover_letter()))
    assert doc.sections[0].different_first_page_header_footer
    assert not doc.sections[1].different_first_page_header_footer
    assert doc.sections[1].header.is_linked_to_previous
