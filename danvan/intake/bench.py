"""Benchmark of the form parser: `danvan bench intake`."""

from __future__ import annotations

import time

from .parser import parse_form
from .samples import build_seed001_docx, build_typical_form_docx

TARGET_FORMS_PER_SECOND = 20.0


def bench_intake(n_forms: int = 40, per_form: int = 10) -> dict:
    """Parse ``n_forms`` typical DOCX forms of ``per_form`` exemplars; JSON-able figures."""
    t0 = time.perf_counter()
    forms = [build_typical_form_docx(per_form, seed=i) for i in range(max(n_forms - 1, 0))]
    forms.append(build_seed001_docx())
    built = time.perf_counter() - t0

    t1 = time.perf_counter()
    exemplars = 0
    for i, data in enumerate(forms):
        exemplars += len(parse_form(data, f"bieu-mau-{i + 1}.docx").exemplars)
    elapsed = time.perf_counter() - t1

    rate = len(forms) / elapsed if elapsed else float("inf")
    return {
        "forms": len(forms),
        "exemplars": exemplars,
        "exemplars_per_form": per_form,
        "mean_form_bytes": round(sum(map(len, forms)) / max(len(forms), 1)),
        "build_seconds": round(built, 3),
        "parse_seconds": round(elapsed, 3),
        "forms_per_second": round(rate, 1),
        "exemplars_per_second": round(exemplars / elapsed, 1) if elapsed else None,
        "ms_per_form": round(1000 * elapsed / max(len(forms), 1), 2),
        "target_forms_per_second": TARGET_FORMS_PER_SECOND,
        "meets_target": rate >= TARGET_FORMS_PER_SECOND,
    }
