"""Text helpers: fold, join_fragments, split_content_parts, literal HTML in cells."""

from __future__ import annotations

from danvan.intake.content import (
    cell_paragraphs,
    fold,
    join_address,
    join_fragments,
    split_content_parts,
)


def test_fold_is_accent_case_and_space_insensitive():
    assert fold("  Địa   CHỈ ") == "dia chi"
    assert fold("NỘI DUNG CỤ THỂ") == "noi dung cu the"
    assert fold("Xây dựng mới") == "xay dung moi"
    assert fold("Đ đ") == "d d"
    assert fold("") == ""


def test_join_fragments_rejoins_a_sentence_cut_by_a_page_break():
    prev = ["Đoạn một.", "Lắp máng, chảo chụp ở các đèn còn thiếu, điều"]
    nxt = ["chỉnh lắp đèn ở độ cao thích hợp.", "3. Khi không có người"]
    assert join_fragments(prev, nxt) == [
        "Đoạn một.",
        "Lắp máng, chảo chụp ở các đèn còn thiếu, điều chỉnh lắp đèn ở độ cao thích hợp.",
        "3. Khi không có người",
    ]


def test_join_fragments_keeps_separate_paragraphs():
    assert join_fragments(["Câu xong."], ["tiếp theo"]) == ["Câu xong.", "tiếp theo"]
    assert join_fragments(["chưa xong"], ["Hoa đầu câu"]) == ["chưa xong", "Hoa đầu câu"]
    assert join_fragments(["chưa xong"], ["3. số"]) == ["chưa xong", "3. số"]
    for end in ("!", "?", ":", ";", "…", '"', "”", ")", "]"):
        assert join_fragments([f"a{end}"], ["b"]) == [f"a{end}", "b"]
    assert join_fragments([], ["a"]) == ["a"]
    assert join_fragments(["a"], []) == ["a"]


def test_join_fragments_looks_through_inline_tags():
    assert join_fragments(["<i>nửa</i>"], ["<b>câu</b> sau"]) == ["<i>nửa</i> <b>câu</b> sau"]


def test_join_address():
    assert join_address("202A, đường Trường Chinh, tỉnh Quảng", "Ngãi") == (
        "202A, đường Trường Chinh, tỉnh Quảng Ngãi"
    )
    assert join_address("", "Ngãi") == "Ngãi"
    assert join_address("Quảng Ngãi", "") == "Quảng Ngãi"


def test_split_content_parts_on_markers():
    problem, actors, results = split_content_parts(
        [
            "Vấn đề cần giải quyết.",
            "Giải pháp.",
            "- Tổ chức, cá nhân thực hiện: Công chức Văn phòng Sở",
            "+ DỰ KIẾN KẾT QUẢ MÔ HÌNH ĐEM LẠI: Tiết kiệm điện.",
            "Tổ chức, doanh nghiệp đạt giải được tôn vinh.",
        ]
    )
    assert problem == ["Vấn đề cần giải quyết.", "Giải pháp."]
    assert actors == ["Công chức Văn phòng Sở"]
    assert results == ["Tiết kiệm điện.", "Tổ chức, doanh nghiệp đạt giải được tôn vinh."]


def test_split_content_parts_accent_insensitive_and_empty_marker_lines():
    problem, actors, results = split_content_parts(
        ["A", "to chuc, ca nhan thuc hien:", "Phòng A", "Dự kiến kết quả:", "Tốt"]
    )
    assert (problem, actors, results) == (["A"], ["Phòng A"], ["Tốt"])


def test_split_content_parts_without_markers():
    assert split_content_parts(["một", "hai"]) == (["một", "hai"], [], [])
    assert split_content_parts([]) == ([], [], [])


def test_split_keeps_formatting_after_the_colon():
    _, actors, _ = split_content_parts(["<b>- Tổ chức, cá nhân thực hiện:</b> <i>Phòng</i> A"])
    assert actors == ["<i>Phòng</i> A"]


def test_literal_html_in_a_cell_becomes_paragraphs_and_formatting():
    assert cell_paragraphs(["<p>a</p> <p>b</p>"]) == ["a", "b"]
    assert cell_paragraphs(["x<br>y<br/>z"]) == ["x", "y", "z"]
    assert cell_paragraphs(["<p>đây là <i>nghiêng</i> và <b>đậm</b></p>"]) == [
        "đây là <i>nghiêng</i> và <b>đậm</b>"
    ]
    assert cell_paragraphs(["<p><script>alert(1)</script>an toàn</p>"]) == ["an toàn"]
    assert cell_paragraphs(["dòng 1\ndòng 2"]) == ["dòng 1", "dòng 2"]
    assert cell_paragraphs(["a < b & c"]) == ["a &lt; b &amp; c"]
