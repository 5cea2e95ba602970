"""`danvan movement list`: the movements and their periods, for `report period --movement` and the like."""

import json

from danvan.exemplars.models import Movement
from danvan.foundation import command


class Command(command.Command):
    help = ("Phong trào thi đua: `movement list [--json]` liệt kê các phong trào (số, tên, giai đoạn) để dùng với "
            "`danvan report period --movement SỐ` và `report annual --movement SỐ`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="VIỆC")
        ls = sub.add_parser("list", help="liệt kê các phong trào", description="Liệt kê các phong trào và giai đoạn.")
        ls.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args, **o):
        rows = [{"id": m.pk, "name": m.name, "period_start": m.period_start, "period_end": m.period_end,
                 "years": list(range(m.period_start, m.period_end + 1))}
                for m in Movement.objects.order_by("period_start", "pk")]
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        if not rows:
            self.stdout.write("Chưa có phong trào nào (nạp dữ liệu mẫu bằng `danvan loaddemo`).")
        for r in rows:
            self.stdout.write(f"{r['id']:>5}  {r['period_start']}–{r['period_end']}  {r['name']}")
