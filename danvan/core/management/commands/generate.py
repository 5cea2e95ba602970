import json
import time

from django.core.management.base import BaseCommand, CommandError

from danvan.core.synthetic import generate


class Command(BaseCommand):
    help = "Sinh dữ liệu tổng hợp quy mô lớn (cây đơn vị và mô hình), tất định theo --seed."

    def add_arguments(self, parser):
        parser.add_argument("--provinces", type=int, default=34)
        parser.add_argument("--exemplars", type=int, default=100000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--districts", type=int, default=12, help="số huyện mỗi tỉnh")
        parser.add_argument("--communes", type=int, default=20, help="số xã mỗi huyện")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        if o["provinces"] < 1 or o["exemplars"] < 0:
            raise CommandError("Số tỉnh phải từ 1 trở lên và số mô hình không được âm.")
        t0 = time.perf_counter()
        try:
            s = generate(provinces=o["provinces"], exemplars=o["exemplars"], seed=o["seed"],
                         districts=o["districts"], communes=o["communes"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        total = time.perf_counter() - t0
        result = {"units": s.units, "exemplars": s.exemplars, "seconds_tree": round(s.seconds_tree, 2),
                  "seconds_exemplars": round(s.seconds_exemplars, 2), "seconds_search_index": round(s.seconds_index, 2),
                  "seconds_tally": round(s.seconds_tally, 2),
                  "seconds_total": round(total, 2)}
        if o["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(
                f"Đã sinh {s.units} đơn vị và {s.exemplars} mô hình trong {total:.1f} giây "
                f"(cây: {s.seconds_tree:.1f} s, mô hình: {s.seconds_exemplars:.1f} s)."
            )
