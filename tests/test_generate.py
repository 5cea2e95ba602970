import json

import pytest
from django.core.management import CommandError, call_command

from danvan.exemplars.models import Exemplar
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_generate_builds_a_valid_deterministic_tree(capsys):
    call_command("generate", "--provinces", "1", "--exemplars", "300", "--seed", "7",
                 "--districts", "2", "--communes", "3", "--json")
    out = json.loads(capsys.readouterr().out)
    # root + board + 15 departments × 4 + 6 organisations + 2 districts × (1 + 3 × 6)
    assert out["units"] == 1 + 1 + 60 + 6 + 2 * 19
    assert out["exemplars"] == 300 == Exemplar.objects.count()
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])
    board = OrgUnit.objects.get(code="G7-P000-BDV")
    assert OrgUnit.objects.get_descendants(board).count() == out["units"] - 2
    assert OrgUnit.objects.get_parent(board).code == "G7-BDVTW"
    names = list(Exemplar.objects.order_by("pk").values_list("name", flat=True)[:20])
    with pytest.raises(CommandError):
        call_command("generate", "--provinces", "1", "--exemplars", "1", "--seed", "7")
    call_command("generate", "--provinces", "1", "--exemplars", "300", "--seed", "8",
                 "--districts", "2", "--communes", "3")
    again = list(Exemplar.objects.filter(unit__code__startswith="G8-").order_by("pk").values_list("name", flat=True)[:20])
    assert len(again) == 20 and names != [] and all("  " not in n for n in again)


def test_centrally_run_cities_have_a_thanh_uy():
    call_command("generate", "--provinces", "3", "--exemplars", "0", "--seed", "31", "--districts", "1",
                 "--communes", "1")
    names = set(OrgUnit.objects.filter(code__startswith="G31-P").values_list("name", flat=True))
    assert "Ban Dân vận Thành ủy Hà Nội" in names and "Ban Dân vận Thành ủy Huế" in names
    assert "Ban Dân vận Tỉnh ủy Lai Châu" in names and not any("Tỉnh ủy Hà Nội" in n for n in names)
    assert "Huyện ủy số 1 thành phố Hà Nội" in names and "Thành đoàn" in names and "Thanh tra thành phố" in names
    hanoi = OrgUnit.objects.get(code="G31-P000-BDV")
    assert hanoi.superior_name == "THÀNH ỦY HÀ NỘI"
    assert OrgUnit.objects.get(code="G31-P000-S00").superior_name == "UBND THÀNH PHỐ HÀ NỘI"
