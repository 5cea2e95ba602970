import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from danvan.core.charts import number
from danvan.search.services import hits, search


class Command(BaseCommand):
    help = "Tìm mô hình, điển hình (không phân biệt dấu, hoa thường): danvan search \"tiet kiem dien\" --as vp.skhcn"

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("--as", dest="as_user", default="admin", help="tìm trong phạm vi của người dùng này")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        user = get_user_model().objects.filter(username=o["as_user"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng {o['as_user']}.")
        if not 1 <= o["limit"] <= 500:
            raise CommandError("--limit phải từ 1 đến 500.")
        found = search(user, o["query"])
        qs, words = found.qs, found.words
        if not words:
            raise CommandError("Từ khóa không có chữ hoặc số để tìm.")
        total = qs.count()
        rows = hits(qs.select_related("unit", "field")[: o["limit"]], words)
        data = {"query": o["query"], "words": words, "total": total, "capped": found.capped, "results": [
            {"id": h.exemplar.pk, "name": h.exemplar.name, "unit": h.exemplar.unit.code, "year": h.exemplar.year,
             "field": h.exemplar.field.name, "rank": round(h.rank, 4), "name_html": h.name_html,
             "snippet_html": h.snippet_html} for h in rows]}
        if o["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            count = f"Hơn {number(found.cap)}" if found.capped else str(total)
            self.stdout.write(f"{count} kết quả cho “{o['query']}”:")
            for r in data["results"]:
                self.stdout.write(f"  [{r['id']}] {r['name']} — {r['unit']} ({r['year']})")
