import json
import time

from django.core.management import call_command
from django.core.management.base import CommandError

from danvan.foundation import command
from danvan.foundation.numbers import number, seconds
from danvan.tools.synthetic import generate


class Command(command.Command):
    help = "Sinh dữ liệu tổng hợp quy mô lớn (cây đơn vị và mô hình), tất định theo --seed."

    def add_arguments(self, parser):
        parser.add_argument("--provinces", type=int, default=34, metavar="N", help="số tỉnh, thành phố (mặc định 34)")
        parser.add_argument("--exemplars", type=int, default=100000, metavar="M",
                            help="số mô hình (mặc định 100.000)")
        parser.add_argument("--seed", type=int, default=1, metavar="S",
                            help="hạt giống ngẫu nhiên: cùng hạt giống, cùng dữ liệu (mặc định 1)")
        parser.add_argument("--districts", type=int, default=12, metavar="N", help="số huyện mỗi tỉnh (mặc định 12)")
        parser.add_argument("--communes", type=int, default=20, metavar="N", help="số xã mỗi huyện (mặc định 20)")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args, **o):
        if o["provinces"] < 1 or o["exemplars"] < 0:
            raise CommandError("Số tỉnh phải từ 1 trở lên và số mô hình không được âm.")
        call_command("migrate", interactive=False, verbosity=0)  # a new database works at once
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
                f"Đã sinh {number(s.units)} đơn vị và {number(s.exemplars)} mô hình trong {seconds(total)} "
                f"(cây: {seconds(s.seconds_tree)}, mô hình: {seconds(s.seconds_exemplars)})."
            )
