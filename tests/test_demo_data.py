import json

import pytest
from django.core.management import call_command

from danvan.exemplars.models import Exemplar
from danvan.orgs.models import Membership, OrgUnit

SEED_NAMES = {
    "Thực hiện tiết kiệm điện trong cơ quan",
    "Vận động tổ chức, doanh nghiệp tham gia Giải thưởng chất lượng Quốc gia",
    '"Thực hiện tốt công tác tiếp công dân, giải quyết khiếu nại, tố cáo ở cơ sở để giảm khiếu nại, '
    'tố cáo vượt cấp, kéo dài"',
}


@pytest.mark.django_db
def test_loaddemo_is_idempotent_and_prints_logins(capsys):
    call_command("loaddemo")
    call_command("loaddemo")
    out = capsys.readouterr().out
    assert "vp.skhcn" in out and "bdv.quangngai" in out and "dangbo.stp" in out
    # The seeds' nine units, then the present (ops/present.py): Sở TT&TT, Kon Tum's Board and Sở Nội vụ, the
    # district of Sơn Tịnh with three communes and a residential area, the registry's 96 communes
    assert OrgUnit.objects.count() == 9 + 8 + 96 + 3  # ... and the commune Front's board with two areas
    # The three of seed 001, Sở Nội vụ's 2021 model (a registration entered on its behalf) and its 2022
    # replica of "Thực hiện tiết kiệm điện trong cơ quan" (issue 6).
    # ... and of the present: Xã Tịnh Hà's 2023 model and Sở Nội vụ's 2026 draft.
    assert Exemplar.objects.count() == 5 + 2
    assert Membership.objects.filter(user__username="vp.skhcn").count() == 1


def test_tree_matches_the_seeds(demo):
    board = OrgUnit.objects.get(code="BDVTU-QNG")
    assert board.doc_family == "party" and board.superior_name == "TỈNH ỦY QUẢNG NGÃI"
    assert board.doc_suffix == "BDVTU"
    skhcn = OrgUnit.objects.get(code="SKHCN-QNG")
    assert OrgUnit.objects.get_parent(skhcn) == board
    assert skhcn.superior_name == "UBND TỈNH QUẢNG NGÃI" and skhcn.doc_suffix == "SKHCN-VP"
    assert {c.code for c in OrgUnit.objects.get_children(skhcn)} == {"VP-SKHCN-QNG", "CCTDC-QNG", "TT-SKHCN-QNG"}
    assert OrgUnit.objects.get(code="CCTDC-QNG").address.startswith("157 đường Nguyễn Nghiêm")
    qb = OrgUnit.objects.get(code="DBSTP-QB")
    assert qb.is_root() and qb.place_name == "Đồng Hới"
    assert {c.code for c in OrgUnit.objects.get_children(qb)} == {"CB1-DBSTP-QB", "CB2-DBSTP-QB"}


def test_seed001_exemplars_exact(seed_exemplars):
    assert set(seed_exemplars) == SEED_NAMES
    power = seed_exemplars["Thực hiện tiết kiệm điện trong cơ quan"]
    assert power.unit.code == "VP-SKHCN-QNG" and power.kind == "collective" and power.origin == "new"
    assert power.field.name == "Lĩnh vực Tài chính, Văn phòng"
    assert power.address == "202A, đường Trường Chinh, Thành phố Quảng Ngãi, tỉnh Quảng Ngãi"
    # The paragraph the seed splits across two page-tables comes back whole.
    assert "để tăng độ phản chiếu ánh sáng, điều chỉnh lắp đèn ở độ cao thích hợp" in power.content_problem
    assert power.content_actors == "<p>Công chức, người lao động Khối Văn phòng Sở</p>"
    assert power.content_results.startswith("<p>Thực hiện tốt tiết kiệm điện sẽ đem lại hiệu quả lớn")
    inspect = [e for n, e in seed_exemplars.items() if n.startswith('"Thực hiện tốt')][0]
    assert inspect.kind == "individual" and inspect.unit.code == "TT-SKHCN-QNG"
    assert inspect.address.endswith("tỉnh Quảng Ngãi")
    assert "người dân và doanh nghiệp trong giải quyết công việc" in inspect.content_problem
    assert "Giải quyết dứt điểm các vụ việc tồn đọng" in inspect.content_results


def test_every_seed_paragraph_is_in_the_demo(seed_exemplars):
    """Each <p> of seed 001 (after rejoining page breaks) is in one exemplar's content."""
    import re
    from pathlib import Path

    text = (Path(__file__).parent / "data/seeds/001_d63a8fc3defc6383.txt").read_text(encoding="utf-8")
    stored = " ".join(
        e.content_problem + e.content_actors + e.content_results for e in seed_exemplars.values()
    )
    for para in re.findall(r"<p>(.*?)</p>", text):
        words = para.replace("- Tổ chức, cá nhân thực hiện: ", "").replace(
            "- Dự kiến kết quả mô hình đem lại: ", "")
        head = " ".join(words.split()[:8])
        assert head in stored, head


def test_demo_json_is_valid():
    from danvan.ops.demo import seed001_exemplars

    rows = seed001_exemplars()
    assert len(rows) == 3 and all(r["problem"] for r in rows)
    json.dumps(rows)
