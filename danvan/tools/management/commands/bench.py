"""`danvan bench NAME`: measure, never write into the data measured.

Every bench runs inside its own transaction, rolled back at the end: the users, rounds, submissions,
tokens and units a bench creates to have something to time are gone afterwards, and the shared cache's
generations move so nothing built from them is believed. The printed JSON says so (``isolation``).
"""

import json
from collections.abc import Callable
from contextlib import contextmanager

from django.core.management.base import CommandError
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction

from danvan.foundation import command, sharedcache

ISOLATION = "giao dịch riêng, hủy (rollback) khi đo xong: không để lại dữ liệu nào trong cơ sở dữ liệu"
# `--quick`: the same code paths at a size a test (or a first try) runs in seconds.
QUICK: dict[str, dict] = {
    "completeness": {"repeat": 1}, "api": {"repeat": 1}, "search": {"repeat": 1},
    "similarity": {"queries": 24, "corpus": 60}, "reports": {"repeat": 1}, "dashboard": {"repeat": 1},
    "documents": {"n": 60}, "intake": {"n_forms": 2, "per_form": 2}, "import": {"rows": 40},
    "onboarding": {"units": 120, "people": 60}, "registry": {"provinces": 1}, "pages": {"repeat": 1}, "pdf": {"repeat": 1, "once_repeat": 1},
}


def _registry() -> dict[str, Callable[..., dict]]:
    from danvan.tools.bench.api import bench_api
    from danvan.tools.bench.documents import bench_documents
    from danvan.tools.bench.intake import bench_import, bench_intake
    from danvan.tools.bench.movement import bench_completeness
    from danvan.tools.bench.onboarding import bench_onboarding
    from danvan.tools.bench.pages import bench_pages
    from danvan.tools.bench.pdf import bench_pdf
    from danvan.tools.bench.registry import bench_registry
    from danvan.tools.bench.reports import bench_dashboard, bench_reports
    from danvan.tools.bench.search import bench_search
    from danvan.tools.bench.similar import bench_similarity

    return {"completeness": bench_completeness, "api": bench_api, "search": bench_search,
            "similarity": bench_similarity, "reports": bench_reports, "dashboard": bench_dashboard,
            "documents": bench_documents, "intake": bench_intake, "import": bench_import,
            "onboarding": bench_onboarding, "registry": bench_registry,
            "pages": bench_pages, "pdf": bench_pdf}


@contextmanager
def rolled_back():
    """One transaction around a bench, rolled back at the end, whatever the bench wrote.

    The test client's requests end with `close_old_connections`, which would close the connection of
    an open transaction: it is held off meanwhile, as Django's own TestCase does.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        if sharedcache.enabled():
            for group in [*sharedcache.GROUPS, *(f"rows:{t}" for t in sharedcache.ROWS)]:
                sharedcache.bump(group)


def run_bench(fn: Callable[..., dict], **kwargs) -> dict:
    with rolled_back():
        result = fn(**kwargs)
    return {**result, "isolation": ISOLATION}


class Command(command.Command):
    help = ("Đo hiệu năng trên cơ sở dữ liệu hiện tại và in JSON: `danvan bench TÊN` hoặc `danvan bench all`. "
            "Mỗi phép đo chạy trong một giao dịch riêng và hủy khi xong: không ghi gì vào dữ liệu được đo.")

    def add_arguments(self, parser):
        parser.add_argument("name", metavar="TÊN", help="phép đo: " + ", ".join(QUICK) + ", hoặc all (tất cả)")
        parser.add_argument("--quick", action="store_true",
                            help="đo nhanh với cỡ nhỏ (cùng các bước, ít lần lặp, ít dữ liệu dựng thêm)")
        parser.add_argument("--json", action="store_true", help="in JSON (mặc định, giữ cho tương thích)")

    def handle(self, *args, **o):
        benches = _registry()
        names = list(benches) if o["name"] == "all" else [o["name"]]
        unknown = [n for n in names if n not in benches]
        if unknown:
            raise CommandError(f"Không có phép đo {unknown[0]}; có: {', '.join(benches)}, all.")
        self.stderr.write(f"Cách đo: {ISOLATION}.")
        result: dict[str, dict] = {}
        for n in names:
            try:
                result[n] = run_bench(benches[n], **(QUICK[n] if o["quick"] else {}))
            except RuntimeError as exc:  # a bench that needs other data says which (nothing was written)
                if len(names) == 1:
                    raise CommandError(str(exc)) from exc
                result[n] = {"skipped": str(exc), "isolation": ISOLATION}
        self.stdout.write(json.dumps(result if len(names) > 1 else result[names[0]], ensure_ascii=False, indent=1))
