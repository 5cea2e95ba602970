"""Benchmark of the form parser: `danvan bench intake`."""

from __future__ import annotations

import time

from danvan.intake.parser import parse_form
from danvan.tools.intake_samples import build_seed001_docx, build_typical_form_docx

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


IMPORT_TARGET_SECONDS = 60.0  # a 2,000-row import, preview and confirm, well inside a worker's timeout


def bench_import(rows: int = 2000) -> dict:
    """`danvan bench import`: one Excel form of `rows` exemplars uploaded, previewed (the page drawn) and
    confirmed through the services every door calls, with the longest write transaction among them."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from danvan.exemplars.models import Field, Movement
    from danvan.foundation.writes import measured
    from danvan.intake import services
    from danvan.intake.models import ImportFile, ImportRow
    from danvan.tools.intake_samples import build_typical_form_xlsx

    owned = Field.objects.select_related("owner").order_by("owner__depth", "pk").first()
    movement = Movement.objects.order_by("-period_start").first()
    if owned is None or movement is None:
        raise RuntimeError("Cần dữ liệu có đơn vị, lĩnh vực và phong trào: chạy `danvan loaddemo` hoặc `danvan generate`.")
    unit, year = owned.owner, movement.period_end
    by = get_user_model().objects.create(username=f"bench.import.{int(time.time())}", is_superuser=True)
    data = build_typical_form_xlsx(rows, seed=int(time.time()))
    stored: list[str] = []
    try:
        with measured() as writes:
            t0 = time.perf_counter()
            started = services.start_import(by=by, unit=unit, year=year, files=[("bench.xlsx", data)])
            preview = time.perf_counter() - t0
            if started.batch is None:
                raise RuntimeError("; ".join(p.message for p in started.problems))
            stored = list(ImportFile.objects.filter(batch=started.batch).values_list("file", flat=True))
            client = Client()
            client.force_login(by)
            t1 = time.perf_counter()
            page = client.get(f"/nhap-bieu-mau/{started.batch.pk}/")
            page_seconds = time.perf_counter() - t1
            edits = {r.pk: {"include": True, **({} if r.data.get("field_id") else
                                                 {"field_id": f"new:{services.NEW_FIELD_CATEGORY}"})}
                     for r in ImportRow.objects.filter(file__batch=started.batch)}
            t2 = time.perf_counter()
            created = services.confirm_import(batch=started.batch, by=by, edits=edits)
            confirm = time.perf_counter() - t2
    finally:
        storage = ImportFile._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)  # the rollback takes the rows; the stored original goes too
    longest = max(writes, key=lambda w: w[1])
    total = preview + confirm
    return {
        "rows": rows,
        "file_bytes": len(data),
        "preview_seconds": round(preview, 3),
        "preview_page_seconds": round(page_seconds, 3),
        "preview_page_status": page.status_code,
        "confirm_seconds": round(confirm, 3),
        "saved": len(created),
        "write_transactions": [{"label": label, "seconds": round(s, 3)} for label, s in writes],
        "longest_write_transaction_seconds": round(longest[1], 3),
        "longest_write_transaction": longest[0],
        "total_seconds": round(total, 3),
        "target_seconds": IMPORT_TARGET_SECONDS,
        "meets_target": total + page_seconds < IMPORT_TARGET_SECONDS,
    }
