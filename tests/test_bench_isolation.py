"""Issue 23: every `danvan bench …` measures without writing into the data it measures."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from danvan.tools.management.commands.bench import ISOLATION, QUICK

pytestmark = pytest.mark.django_db


def _rows() -> dict[str, int]:
    """Every table's row count."""
    with connection.cursor() as cur:
        counts = {}
        for table in connection.introspection.table_names(cur):
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cur.fetchone()[0]
    return counts


def _bench(name: str, capsys) -> dict:
    call_command("bench", name, "--quick")
    captured = capsys.readouterr()
    assert "Cách đo: giao dịch riêng, hủy (rollback)" in captured.err  # says how it measured
    result = json.loads(captured.out)
    assert result["isolation"] == ISOLATION
    return result


@pytest.mark.parametrize("name", sorted(set(QUICK) - {"pages"}))
def test_each_bench_on_the_demo_leaves_every_table_as_it_was(demo, name, capsys):
    before = _rows()
    result = _bench(name, capsys)
    assert "skipped" not in result
    assert _rows() == before


def test_pages_bench_and_all_on_generated_data_leave_every_table_as_it_was(capsys):
    from danvan.tools.synthetic import generate

    generate(provinces=1, exemplars=300, seed=3, districts=1, communes=1)
    before = _rows()
    pages = _bench("pages", capsys)
    assert all(v["queries"] > 0 for k, v in pages.items() if k != "isolation")  # it did measure
    assert _rows() == before
    assert _bench("completeness", capsys)["targets"] > 0
    assert _rows() == before


def test_a_bench_that_needs_other_data_says_so_and_writes_nothing(demo, capsys):
    before = _rows()
    with pytest.raises(CommandError, match="danvan generate"):
        call_command("bench", "pages", "--quick")
    assert _rows() == before
    with pytest.raises(CommandError, match="Không có phép đo"):
        call_command("bench", "khong-co")
