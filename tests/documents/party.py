"""Party letters in the style of seeds 003 and 004 (Hướng dẫn 36-HD/VPTW)."""

from __future__ import annotations

from danvan.documents.form_table import SimpleTable, registration_list
from danvan.documents.letter import DocDate, Issuer, LetterSpec, Para, Signature, heading

BDVTU = Issuer(
    family="party",
    superior="TỈNH ỦY QUẢNG NGÃI",
    name="BAN DÂN VẬN",
    suffix="BDVTU",
    place="Quảng Ngãi",
    display_name="Ban Dân vận Tỉnh ủy",
)
RECIPIENTS = [
    "Các cơ quan chuyên trách tham mưu giúp việc Tỉnh ủy",
    "Ban cán sự Đảng Ủy ban nhân dân tỉnh",
    "Các sở, ban, ngành tỉnh",
    "Các huyện, thị, thành ủy, đảng ủy trực thuộc Tỉnh ủy",
    "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội tỉnh",
]
COPIES = [
    "Như kính gửi",
    "Lãnh đạo Ban Dân vận Tỉnh ủy",
    "Phòng TH-DT&TG, BDV Tỉnh ủy",
    "Lưu Văn phòng Tỉnh ủy.",
]


def report_request() -> LetterSpec:
    """Seed 004: the Board asks for the 2022 report (abridged body)."""
    return LetterSpec(
        issuer=BDVTU,
        number="624",
        date=DocDate(3, 10, 2022),
        subject=(
            'Báo cáo kết quả thực hiện phong trào thi đua "Dân vận khéo" năm 2022 '
            'và giới thiệu mô hình, điển hình "Dân vận khéo"'
        ),
        recipients=list(RECIPIENTS),
        body=[
            "Thực hiện Kế hoạch số 31-KH/TU ngày 16/3/2021 của Ban Thường vụ Tỉnh ủy về thực "
            'hiện phong trào thi đua "Dân vận khéo", giai đoạn 2021 - 2025; Ban Dân vận Tỉnh ủy '
            "đề nghị các cơ quan, đơn vị, địa phương báo cáo, cụ thể như sau:",
            heading('I. Báo cáo kết quả thực hiện phong trào thi đua "Dân vận khéo" năm 2022'),
            "1. Khái quát tình hình chung",
            Para.markup(
                "Báo cáo, phụ lục số liệu (*theo mẫu gửi kèm*) gửi về Ban Dân vận Tỉnh ủy "
                "trước ngày 20/10/2022."
            ),
        ],
        copies=list(COPIES),
        signature=Signature("KT.", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Trần Ngọc Nguyên"),
    )


def dossier_list() -> SimpleTable:
    """Seed 003's "Danh sách tập thể và cá nhân đăng ký" as an appendix."""
    return registration_list(
        [
            ["Chi bộ Văn phòng", "Cải cách thủ tục hành chính", "Tập thể", "Hành chính"],
            ["Nguyễn Văn A", "Tuyên truyền pháp luật ở thôn", "Cá nhân", "Phổ biến pháp luật"],
        ],
        attached_to="(Kèm theo Công văn số 12-CV/ĐUSTP ngày 20/02/2017 của Đảng ủy Sở Tư pháp)",
    )
