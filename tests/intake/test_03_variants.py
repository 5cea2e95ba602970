"""Variants of the form seen in real files: columns, marks, merges, nesting, Excel."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest

from danvan.foundation.html import html_to_paragraphs
from danvan.intake.grid import docx_body, paragraph_source
from danvan.intake.parser import IntakeError, parse_form
from danvan.tools.intake_samples import (
    CONTENT_HEADER,
    NAME_HEADER,
    C,
    build_docx,
    build_seed001_xlsx,
    build_xlsx,
    header_rows,
)

ADDR = "Xã Tịnh Phong, huyện Sơn Tịnh"
CONTENT = "<p>Vấn đề.</p><p>- Tổ chức, cá nhân thực hiện: Hội Nông dân xã</p><p>- Dự kiến kết quả: Tốt.</p>"


def item(
    stt: str,
    name: str,
    tap_the: str = "X",
    ca_nhan: str = "",
    new: str = "X",
    rep: str = "",
    address: str = ADDR,
    content: str = CONTENT,
) -> list:
    return [stt, name, tap_the, ca_nhan, address, content, new, rep]


def parse_docx(*tables, name: str = "f.docx", **kw):
    return parse_form(build_docx(["Biểu số 2", *tables]), name, **kw)


def codes(ex) -> list[str]:
    return [w.code for w in ex.warnings]


def test_xlsx_version_of_seed001_matches_the_docx(seed001_result):
    result = parse_form(build_seed001_xlsx(), "bieu-so-2.xlsx")
    assert len(result.exemplars) == 3
    for got, want in zip(result.exemplars, seed001_result.exemplars, strict=True):
        assert (got.name, got.field_label, got.kind, got.origin, got.address) == (
            want.name,
            want.field_label,
            want.kind,
            want.origin,
            want.address,
        )
        for attr in ("problem_html", "actors_html", "results_html"):
            assert html_to_paragraphs(getattr(got, attr)) == html_to_paragraphs(getattr(want, attr))
        assert got.warnings == []


def test_no_stt_column_and_group_in_the_name_cell():
    rows = header_rows(stt=False)
    rows.append([C("I. Lĩnh vực Văn hóa - Xã hội", italic=True)] + [""] * 6)
    rows.append(["Dân vận khéo trong xây dựng nông thôn mới", "X", "", ADDR, CONTENT, "", "X"])
    rows.append(["Gương người tốt", "", "X", ADDR, CONTENT, "X", ""])
    rows.append(["<i>II. Lĩnh vực Kinh tế</i>"] + [""] * 6)
    rows.append(["Hỗ trợ nông dân", "X", "", ADDR, CONTENT, "X", ""])
    result = parse_docx(rows)
    assert [(e.row_no, e.field_label, e.name, e.kind, e.origin) for e in result.exemplars] == [
        (
            1,
            "Lĩnh vực Văn hóa - Xã hội",
            "Dân vận khéo trong xây dựng nông thôn mới",
            "collective",
            "replication",
        ),
        (2, "Lĩnh vực Văn hóa - Xã hội", "Gương người tốt", "individual", "new"),
        (1, "Lĩnh vực Kinh tế", "Hỗ trợ nông dân", "collective", "new"),
    ]
    assert html_to_paragraphs(result.exemplars[0].actors_html) == ["Hội Nông dân xã"]


def test_marks_lowercase_x_check_marks_and_co():
    rows = header_rows()
    rows += [
        item("1", "Một", "x", "", "✓", ""),
        item("2", "Hai", "", "✔", "", "X"),
        item("3", "Ba", "Có", "", "x", ""),
        item("4", "Bốn", " X ", "", "☑", ""),
    ]
    result = parse_docx(rows)
    assert [(e.kind, e.origin) for e in result.exemplars] == [
        ("collective", "new"),
        ("individual", "replication"),
        ("collective", "new"),
        ("collective", "new"),
    ]
    assert all(e.warnings == [] for e in result.exemplars)


def test_extra_empty_rows_and_template_rows_are_ignored():
    rows = header_rows()
    rows += [
        [""] * 8,
        ["I", "Lĩnh vực Tài chính"] + [""] * 6,
        [""] * 8,
        item("1", "Một", content="<p>Phần đầu của câu và</p>"),
        [""] * 8,
        ["", "", "", "", "", "<p>phần sau của câu.</p>", "", ""],
        ["2.....", ""] + [""] * 6,
        ["", "3....."] + [""] * 6,
        ["4", ""] + [""] * 6,
        [""] * 8,
    ]
    result = parse_docx(rows)
    assert len(result.exemplars) == 1
    assert html_to_paragraphs(result.exemplars[0].problem_html) == [
        "Phần đầu của câu và phần sau của câu."
    ]


def test_form_nested_in_a_layout_table_after_other_tables():
    form = header_rows() + [["I", "Lĩnh vực thanh tra"] + [""] * 6, item("1", "Tiếp dân")]
    signature = [["Nơi nhận:", "KT. GIÁM ĐỐC"], ["- Như trên;", "Trần Công Hòa"]]
    outer = [[C("Phòng Thanh tra", nested=form)]]
    result = parse_docx(signature, outer)
    assert [(e.field_label, e.name) for e in result.exemplars] == [
        ("Lĩnh vực thanh tra", "Tiếp dân")
    ]


def test_kind_and_origin_warnings():
    rows = header_rows()
    rows += [
        item("1", "Cả hai loại", "X", "X", "X", "X"),
        item("2", "Không đánh dấu", "", "", "", ""),
        item("3", "", "X", "", "X", ""),
        item("4", "Thiếu địa chỉ", address=""),
        item("5", "Đánh dấu lạ", "Không rõ", "", "X", ""),
    ]
    ex = parse_docx(rows).exemplars
    assert (ex[0].kind, ex[0].origin) == (None, None)
    assert codes(ex[0]) == ["kind_both", "origin_both"]
    assert codes(ex[1]) == ["kind_none", "origin_none"]
    assert codes(ex[2]) == ["name_missing"]
    assert codes(ex[3]) == ["address_missing"]
    assert codes(ex[4]) == ["mark_unclear", "kind_none"]
    for e in ex:
        for w in e.warnings:
            assert any(ch in w.message for ch in "ảạãáàâăđêôơư"), w.message  # Vietnamese
    assert "Mô hình tập thể" in ex[0].warnings[0].message


def test_page_break_without_repeated_header_and_vertical_merges():
    first = header_rows() + [
        [
            C("1", vmerge="restart"),
            C("Tiết kiệm điện", vmerge="restart"),
            C("X", vmerge="restart"),
            "",
            "Quảng Ngãi",
            "<p>Thay bóng đèn và</p>",
            C("X", vmerge="restart"),
            "",
        ],
        [
            C(vmerge="continue"),
            C(vmerge="continue"),
            C(vmerge="continue"),
            "",
            "",
            "<p>lắp công tắc riêng.</p>",
            C(vmerge="continue"),
            "",
        ],
    ]
    second = [["", "", "", "", "", "<p>- Tổ chức, cá nhân thực hiện: Văn phòng</p>", "", ""]]
    result = parse_docx(first, second)
    [ex] = result.exemplars
    assert (ex.name, ex.kind, ex.origin) == ("Tiết kiệm điện", "collective", "new")
    assert html_to_paragraphs(ex.problem_html) == ["Thay bóng đèn và lắp công tắc riêng."]
    assert html_to_paragraphs(ex.actors_html) == ["Văn phòng"]


def test_columns_are_mapped_by_header_not_position():
    header = [
        [
            "Tên mô hình",
            "Nội dung",
            "Địa chỉ",
            "Cá nhân",
            "Tập thể",
            "Nhân rộng",
            "Xây dựng mới",
            "STT",
        ]
    ]
    rows = header + [["Mô hình A", "<p>Nội dung A.</p>", "Huyện Ba Tơ", "", "X", "X", "", "7"]]
    [ex] = parse_docx(rows).exemplars
    assert (ex.row_no, ex.name, ex.kind, ex.origin, ex.address) == (
        7,
        "Mô hình A",
        "collective",
        "replication",
        "Huyện Ba Tơ",
    )


def test_name_continued_on_the_next_row():
    rows = header_rows() + [
        item("1", "Vận động nhân dân tham gia", content="<p>Nội dung.</p>"),
        ["", "giữ gìn vệ sinh môi trường", "", "", "", "", "", ""],
    ]
    [ex] = parse_docx(rows).exemplars
    assert ex.name == "Vận động nhân dân tham gia giữ gìn vệ sinh môi trường"


def test_continuation_without_a_model_is_reported():
    rows = header_rows() + [["", "", "", "", "", "<p>mồ côi</p>", "", ""], item("1", "Một")]
    result = parse_docx(rows)
    assert [w.code for w in result.warnings] == ["continuation_orphan"]
    assert len(result.exemplars) == 1


def test_xlsx_header_below_title_rows_and_wrapped_text():
    rows = [
        ["PHÒNG/ĐƠN VỊ: Phòng Văn hóa"],
        [],
        ["STT", NAME_HEADER, "HÌNH THỨC", None, "Địa chỉ", CONTENT_HEADER, "TRONG ĐÓ"],
        [None, None, "Mô hình tập thể", "Mô hình cá nhân", None, None, "Xây dựng mới", "Nhân rộng"],
        [1, 2, 3, 4, 5, 6, 7, 8],
        ["I", "Lĩnh vực Văn hóa"],
        [
            1,
            "Mô hình A",
            "x",
            None,
            "Xã A",
            "Dòng một\nDòng hai\n- Tổ chức, cá nhân thực hiện: Đoàn xã",
            "x",
        ],
        [2.0, "Mô hình B", None, "✓", "Xã B,\nhuyện C", "Nội dung B", None, "x"],
    ]
    merges = ("A3:A4", "B3:B4", "C3:D3", "E3:E4", "F3:F4", "G3:H3")
    ex = parse_form(build_xlsx(rows, merges), "mau.xlsx").exemplars
    assert [(e.row_no, e.name, e.kind, e.origin) for e in ex] == [
        (1, "Mô hình A", "collective", "new"),
        (2, "Mô hình B", "individual", "replication"),
    ]
    assert html_to_paragraphs(ex[0].problem_html) == ["Dòng một", "Dòng hai"]
    assert html_to_paragraphs(ex[0].actors_html) == ["Đoàn xã"]
    assert ex[1].address == "Xã B, huyện C"


def test_run_formatting_is_kept_as_html():
    rows = header_rows() + [
        item("1", "Một", content=""),
    ]
    rows[-1][5] = C(["Đoạn có chữ nghiêng"], italic=True)
    [ex] = parse_docx(rows).exemplars
    assert ex.problem_html == "<p><i>Đoạn có chữ nghiêng</i></p>"


def test_group_rows_lettered_or_in_caps():
    rows = header_rows() + [
        ["A", "LĨNH VỰC KINH TẾ"] + [""] * 6,
        item("1", "Một"),
        ["", "Lĩnh vực Quốc phòng - An ninh:"] + [""] * 6,
        item("1", "Hai"),
        ["IV.", "Lĩnh vực Xây dựng Đảng"] + [""] * 6,
        item("1", "Ba"),
    ]
    ex = parse_docx(rows).exemplars
    assert [(e.field_label, e.name) for e in ex] == [
        ("LĨNH VỰC KINH TẾ", "Một"),
        ("Lĩnh vực Quốc phòng - An ninh", "Hai"),
        ("Lĩnh vực Xây dựng Đảng", "Ba"),
    ]


def test_messages_show_the_file_name_without_a_path():
    with pytest.raises(IntakeError) as info:
        parse_form(b"hello", "C:\\fakepath\\bieu mau.docx")
    assert "«bieu mau.docx»" in info.value.message


def test_header_without_the_sub_header_row():
    rows = [
        [
            "STT",
            "Tên mô hình",
            C("Hình thức", span=2),
            "Địa chỉ",
            "Nội dung",
            C("Trong đó", span=2),
        ],
        ["1", "Một", "", "X", "Xã A", "<p>Nội dung.</p>", "", "X"],
    ]
    [ex] = parse_docx(rows).exemplars
    assert (ex.kind, ex.origin) == ("individual", "replication")


def test_text_box_text_is_read_once():
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = (
        f'<w:document xmlns:w="{w}" xmlns:mc="{mc}"><w:body><w:p><w:r><mc:AlternateContent>'
        "<mc:Choice><w:r><w:t>hộp</w:t></w:r></mc:Choice>"
        "<mc:Fallback><w:r><w:t>hộp</w:t></w:r></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p></w:body></w:document>"
    )
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", xml)
    body = docx_body(buf.getvalue())
    assert paragraph_source(body[0]) == "hộp"
