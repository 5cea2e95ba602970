import json

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from danvan.foundation import command
from danvan.foundation.numbers import number
from danvan.search.services import hits, search

CONSOLE = "người chạy lệnh"


class Command(command.Command):
    help = ("Tìm mô hình, điển hình (không phân biệt dấu, hoa thường): danvan search \"tiet kiem dien\" --as vp.skhcn. "
            "Không có --as: tìm trong toàn bộ dữ liệu, như quản trị hệ thống.")

    def add_arguments(self, parser):
        parser.add_argument("query", metavar="TỪ_KHÓA", help="từ khóa, có dấu hoặc không dấu")
        parser.add_argument("--as", dest="as_user", metavar="TÊN_ĐĂNG_NHẬP",
                            help="tìm trong phạm vi của người dùng này (mặc định: toàn bộ dữ liệu)")
        parser.add_argument("--limit", type=int, default=20, metavar="N", help="số kết quả in ra, 1–500 (mặc định 20)")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def _user(self, username: str | None):
        User = get_user_model()
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"Không có người dùng {username}.")
            return user
        # The operator at the console sees everything, like a system administrator; nothing is written as them.
        return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first() or User(
            username=CONSOLE, is_superuser=True, is_active=True)

    def handle(self, *args, **o):
        user = self._user(o["as_user"])
        if not 1 <= o["limit"] <= 500:
            raise CommandError("--limit phải từ 1 đến 500.")
        found = search(user, o["query"])
        qs, words = found.qs, found.words
        if not words:
            raise CommandError("Từ khóa không có chữ hoặc số để tìm.")
        total = qs.count()
        rows = hits(qs.select_related("unit", "field")[: o["limit"]], words)
        data = {"query": o["query"], "as": user.username, "words": words, "total": total, "capped": found.capped,
                "results": [
            {"id": h.exemplar.pk, "name": h.exemplar.name, "unit": h.exemplar.unit.code, "year": h.exemplar.year,
             "field": h.exemplar.field.name, "rank": round(h.rank, 4), "name_html": h.name_html,
             "snippet_html": h.snippet_html} for h in rows]}
        if o["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            count = f"Hơn {number(found.cap)}" if found.capped else number(total)
            self.stdout.write(f"{count} kết quả cho “{o['query']}”:")
            for r in data["results"]:
                self.stdout.write(f"  [{r['id']}] {r['name']} — {r['unit']} ({r['year']})")
