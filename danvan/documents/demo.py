"""Letter defaults of the demo units, as printed in seeds 000, 001 and 004."""

from __future__ import annotations

from danvan.orgs.models import OrgUnit

from .models import LetterDefaults

DEFAULTS = {
    "SKHCN-QNG": dict(
        address_name="Sở Khoa học và Công nghệ", children_name="Các phòng, đơn vị thuộc Sở", authority="KT.",
        authority_title="GIÁM ĐỐC", signer_title="PHÓ GIÁM ĐỐC", signer_name="Trần Công Hòa",
        copies="Như trên\nSở Nội vụ\nGD, các PGD Sở\nCác phòng, đơn vị thuộc Sở\nLưu: VT, VP.",
        soft_file_email="ldtuan-sk@quangngai.gov.vn"),
    "BDVTU-QNG": dict(
        address_name="Ban Dân vận Tỉnh ủy", children_name="Các cơ quan, đơn vị, địa phương", authority="KT.",
        authority_title="TRƯỞNG BAN", signer_title="PHÓ TRƯỞNG BAN", signer_name="Trần Ngọc Nguyên",
        copies="Như kính gửi\nLãnh đạo Ban Dân vận Tỉnh ủy\nPhòng TH-DT&TG, BDV Tỉnh ủy\nLưu Văn phòng Tỉnh ủy."),
    "DBSTP-QB": dict(
        address_name="Đảng bộ Sở Tư pháp", children_name="Các Chi bộ trực thuộc", authority="TM.",
        authority_title="BAN CHẤP HÀNH", signer_title="BÍ THƯ", copies="Như trên\nLưu VP."),
}


def load_demo_documents() -> None:
    for code, values in DEFAULTS.items():
        unit = OrgUnit.objects.filter(code=code).first()
        if unit:
            LetterDefaults.objects.update_or_create(unit=unit, defaults=values)
