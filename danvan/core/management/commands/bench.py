import json
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError


def _registry() -> dict:
    from danvan.api.bench import bench_api
    from danvan.movement.bench import bench_completeness

    benches: dict[str, Callable[[], dict]] = {"completeness": bench_completeness, "api": bench_api}
    from danvan.search.bench import bench_search

    benches["search"] = bench_search
    from danvan.search.similar_bench import bench_similarity

    benches["similarity"] = bench_similarity
    from danvan.reports.bench import bench_dashboard, bench_reports

    benches["reports"] = bench_reports
    benches["dashboard"] = bench_dashboard
    try:
        from danvan.documents.bench import bench_documents

        benches["documents"] = bench_documents
    except ImportError:
        pass
    try:
        from danvan.intake.bench import bench_intake

        benches["intake"] = bench_intake
    except ImportError:
        pass
    from danvan.onboarding.bench import bench_onboarding

    benches["onboarding"] = bench_onboarding
    from danvan.core.pages_bench import bench_pages

    benches["pages"] = bench_pages
    return benches


class Command(BaseCommand):
    help = "Đo hiệu năng: `danvan bench NAME` (completeness, documents, intake, dashboard, pages, …) hoặc `danvan bench all`; in JSON."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--json", action="store_true", help="(mặc định) in JSON")

    def handle(self, *args, **o):
        benches = _registry()
        names = list(benches) if o["name"] == "all" else [o["name"]]
        unknown = [n for n in names if n not in benches]
        if unknown:
            raise CommandError(f"Không có phép đo {unknown[0]}; có: {', '.join(benches)}, all.")
        result = {n: benches[n]() for n in names}
        self.stdout.write(json.dumps(result if len(names) > 1 else result[names[0]], ensure_ascii=False, indent=1))
