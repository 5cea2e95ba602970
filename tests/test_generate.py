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
