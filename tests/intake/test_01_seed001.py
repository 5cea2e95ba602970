"""Seed 001 ("Biểu số 2") rebuilt as the DOCX its dump shows, then parsed back.

Seven page tables, the two header rows repeated on each; content and the
address continued on the next page with STT, name and marks empty; literal
<p> tags; group rows "I | Lĩnh vực …" and "II <i>Lĩnh vực …</i>" in one cell.
"""

from __future__ import annotations

import re

from danvan.foundation.html import html_to_paragraphs
from danvan.tools.intake_samples import build_blank_form_docx
from tests.intake.conftest import SEED000, SEED001
from tests.intake.dump import dump_tables, seed_tables

QN = "Thành phố Quảng Ngãi, tỉnh Quảng Ngãi"


def paras(value: str) -> list[str]:
    return html_to_paragraphs(value)


def test_seed001_parses_into_its_three_exemplars(seed001_result):
    result = seed001_result
    assert [e.name for e in result.exemplars] == [
        "Thực hiện tiết kiệm điện trong cơ quan",
        "Vận động tổ chức, doanh nghiệp tham gia Giải thưởng chất lượng Quốc gia",
        '"Thực hiện tốt công tác tiếp công dân, giải quyết khiếu nại, tố cáo ở cơ sở để giảm '
        'khiếu nại, tố cáo vượt cấp, kéo dài"',
    ]
    assert [e.field_label for e in result.exemplars] == [
        "Lĩnh vực Tài chính, Văn phòng",
        "Lĩnh vực Tiêu chuẩn Đo lường Chất lượng",
        "Lĩnh vực thanh tra",
    ]
    assert [e.kind for e in result.exemplars] == ["collective", "collective", "individual"]
    assert [e.origin for e in result.exemplars] == ["new", "new", "new"]
    assert [e.row_no for e in result.exemplars] == [1, 1, 1]
    assert [e.address for e in result.exemplars] == [
        f"202A, đường Trường Chinh, {QN}",
        f"157 đường Nguyễn Nghiêm, {QN}",
        f"202A, đường Trường Chinh, {QN}",  # "tỉnh Quảng" + "Ngãi" across pages
    ]
    assert all(e.warnings == [] for e in result.exemplars)
    assert result.warnings == []
    assert result.filename == "bieu-so-2.docx" and len(result.sha256) == 64


def test_seed001_first_exemplar_content(seed001_result):
    ex = seed001_result.exemplars[0]
    problem = paras(ex.problem_html)
    assert len(problem) == 7
    assert problem[0].startswith("Hiện nay, việc tiết kiệm năng lượng nói chung")
    assert problem[1] == (
        "Trước tình hình đó, việc thực hiện tiết kiệm điện trở nên cần thiết, cơ quan xây dựng "
        "mô hình tiết kiệm điện với các giải pháp cụ thể như sau:"
    )
    # "…phản chiếu ánh sáng, điều" | next page | "chỉnh lắp đèn…" rejoined into one paragraph.
    assert problem[3] == (
        "2. Thay thế các bóng đèn điện (ngoài trời) cơ quan bằng đèn năng lượng mặt trời. Thay "
        "tất cả các bóng đèn sợi đốt (nếu có) bằng đèn compact hoặc đèn ống huỳnh quang, thay "
        "bóng đèn ống neon thế hệ cũ 40W, 20W bằng bóng neon thế hệ mới 36W, 18W và thay chấn lưu "
        "sắt từ bằng chấn lưu điện tử. Lắp máng, chảo chụp ở các đèn còn thiếu để tăng độ phản "
        "chiếu ánh sáng, điều chỉnh lắp đèn ở độ cao thích hợp để có độ phản chiếu của ánh sáng "
        "cao. Thiết kế mỗi đèn 1 công tắc đóng, mở."
    )
    assert problem[4].startswith("3. Khi không có người làm việc")
    assert problem[6].startswith("5. Lãnh đạo Sở, Văn phòng Sở kiểm tra đột xuất")
    assert paras(ex.actors_html) == ["Công chức, người lao động Khối Văn phòng Sở"]
    assert paras(ex.results_html) == [
        "Thực hiện tốt tiết kiệm điện sẽ đem lại hiệu quả lớn, làm giảm chi phí chi trả của cơ "
        "quan, góp phần giảm thiểu ảnh hưởng của việc cắt điện đến sản xuất và đời sống sinh "
        "hoạt, đồng thời góp phần cho sự phát triển bền vững của quốc gia. Tiết kiệm điện là làm "
        "giàu cho đất nước và cho chính chúng ta."
    ]


def test_seed001_second_exemplar_content(seed001_result):
    ex = seed001_result.exemplars[1]
    problem = paras(ex.problem_html)
    assert len(problem) == 2
    assert problem[0].startswith("- Giải thưởng Chất lượng Quốc gia (GTCLQG) là hình thức tôn vinh")
    assert problem[1].endswith("còn gặp nhiều khó khăn.")
    assert paras(ex.actors_html) == [
        "Công chức Chi cục Tiêu chuẩn Đo lường Chất lượng (cơ quan thường trực Hội đồng sơ "
        "tuyển GTCLQG)"
    ]
    results = paras(ex.results_html)
    assert len(results) == 2
    assert results[0].startswith("Thực hiện vận động, tuyên truyền hoạt động GTCLQG")
    # "…sản xuất, kinh" | next page | "doanh, dịch vụ…"
    assert (
        "tác động đến kết quả hoạt động sản xuất, kinh doanh, dịch vụ của chính doanh nghiệp"
        in results[0]
    )
    assert results[0].endswith("tích cực tham gia GTCLQG.")
    # Not the "Tổ chức, cá nhân thực hiện:" marker: stays in the results.
    assert results[1].startswith("Tổ chức, doanh nghiệp đạt GTCLQG sẽ được phép thông báo")


def test_seed001_third_exemplar_content(seed001_result):
    ex = seed001_result.exemplars[2]
    problem = paras(ex.problem_html)
    assert [p[:2] for p in problem] == ["- ", "+ ", "+ ", "+ "]
    # "…hoặc những" | next page | "công dân bình thường…"
    assert "am hiểu pháp luật hoặc những công dân bình thường..., khi họ đến" in problem[1]
    assert problem[2].endswith(
        "gây phiền hà cho người dân và doanh nghiệp trong giải quyết công việc"
    )
    assert problem[3].startswith("+ Giải thích, hướng dẫn, vận động, thuyết phục")
    assert paras(ex.actors_html) == ["Công chức Thanh tra Sở"]
    results = paras(ex.results_html)
    assert results[0] == (
        "Việc thực hiện tốt công tác tiếp công dân, giải quyết khiếu nại, tố cáo ở cơ sở để giảm "
        "khiếu nại, tố cáo vượt cấp, kéo dài sẽ chấn chỉnh kịp thời những tồn tại trong quản lý "
        "nhà nước trên các lĩnh vực, đặc biệt là các lĩnh vực dễ phát sinh khiếu nại, tố cáo "
        "nhằm hạn chế phát sinh khiếu nại, tố cáo."
    )
    assert results[1].startswith("Giải quyết dứt điểm các vụ việc tồn đọng")
    assert len(results) == 2


def test_seed001_no_literal_tags_and_nothing_lost(seed001_result):
    """Every word of the seed's content cells comes back, in order, without tags."""
    for ex in seed001_result.exemplars:
        for value in (ex.name, ex.address, ex.field_label):
            assert "<" not in value
        for value in (ex.problem_html, ex.actors_html, ex.results_html):
            assert "&lt;" not in value and "&gt;" not in value
            assert all("<" not in p and ">" not in p for p in paras(value))

    expected: list[list[str]] = []
    for table in seed_tables(SEED001.read_text(encoding="utf-8"), "STT\t"):
        for row in table:
            if row[0].isdigit() and row[1] and not row[1].isdigit():  # an item row
                expected.append([row[5]])
            elif not row[0] and not row[1] and row[5].startswith("<p>"):  # its continuation
                expected[-1].append(row[5])
    assert len(expected) == 3
    for ex, cells in zip(seed001_result.exemplars, expected, strict=True):
        seed_words = re.sub(r"</?p>", " ", " ".join(cells)).split()
        got = (
            paras(ex.problem_html)
            + ["- Tổ chức, cá nhân thực hiện:"]
            + paras(ex.actors_html)
            + ["- Dự kiến kết quả mô hình đem lại:"]
            + paras(ex.results_html)
        )
        assert " ".join(got).split() == seed_words


def test_seed001_docx_reproduces_the_seed_dump(seed001_docx):
    """The built DOCX's tables, dumped, are the seed text's tables cell for cell."""
    expected = seed_tables(SEED001.read_text(encoding="utf-8"), "STT\t")
    got = dump_tables(seed001_docx)
    assert len(got) == len(expected) == 7
    assert got == expected


def test_blank_form_seed000_reproduced_and_parsed_to_nothing():
    from danvan.intake.parser import parse_form

    data = build_blank_form_docx()
    expected = seed_tables(SEED000.read_text(encoding="utf-8"), "LĨNH VỰC/TÊN MÔ HÌNH")
    assert dump_tables(data) == expected
    result = parse_form(data, "bieu-mau-trong.docx")
    assert result.exemplars == []
    assert result.warnings == []
