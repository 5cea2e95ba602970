"""The benchmark runs (small n here; n=5000 is run by hand, see bench.py)."""

from __future__ import annotations

from danvan.documents.form_table import content_paragraphs
from danvan.tools.bench.documents import TARGETS, bench_documents, synthetic_spec


def test_synthetic_exemplars_have_5_to_8_paragraphs_over_ten_fields():
    spec = synthetic_spec(50)
    assert len(spec.groups) == 10
    counts = {len(content_paragraphs(i)) for g in spec.groups for i in g.items}
    assert counts <= set(range(5, 9))


def test_bench_small_run_reports_all_numbers():
    result = bench_documents(n=200)
    for key in (
        "docx_seconds",
        "docx_peak_mb",
        "docx_size_mb",
        "xlsx_seconds",
        "xlsx_peak_mb",
        "xlsx_size_mb",
        "targets",
        "within_targets",
        "n",
    ):
        assert key in result
    assert result["n"] == 200
    assert result["targets"] == TARGETS
    assert result["docx_seconds"] >= 0 and result["xlsx_seconds"] >= 0  # timed by the bench, not judged here
    # Bounds on work (bytes), which a busy machine does not change: 200 exemplars stay small.
    assert 0 < result["docx_size_mb"] < 5 and 0 < result["xlsx_size_mb"] < 5
