from __future__ import annotations

from datetime import datetime
from functools import partial

from django.core.management.base import CommandError

from danvan.onboarding import plan_import

from ._importer import ImportCommand


def _day(text: str):
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"Ngày hiệu lực «{text}» không đúng dạng ngày/tháng/năm, ví dụ 01/07/2025.")


class Command(ImportCommand):
    help = ("Áp dụng một kế hoạch sắp xếp đơn vị (mã cũ → mã đơn vị kế thừa) từ tệp Excel .xlsx hoặc CSV, tất cả "
            "hoặc không gì: `danvan import-plan TỆP --on 01/07/2025 [--takes-over CŨ=MỚI] [--dry-run] [--json]`. "
            "Áp dụng lại không đổi gì.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--on", required=True, metavar="NGÀY", help="ngày hiệu lực, ví dụ 01/07/2025")
        parser.add_argument("--takes-over", action="append", default=[], metavar="CŨ=MỚI",
                            help="khi chia tách: đơn vị kế thừa tiếp nhận đơn vị trực thuộc, người dùng và hồ sơ "
                                 "đang mở của đơn vị cũ (nhắc lại cho từng đơn vị)")

    def handle(self, *args, **o):
        choices = {}
        for pair in o["takes_over"]:
            old, sep, new = pair.partition("=")
            if not sep or not old.strip() or not new.strip():
                raise CommandError(f"--takes-over «{pair}»: hãy ghi MÃ_CŨ=MÃ_MỚI.")
            choices[old.strip()] = new.strip()
        on = _day(o["on"])
        self.preview_fn = partial(plan_import.preview_plan, on=on, choices=choices)
        self.apply_fn = partial(plan_import.apply_plan, on=on, choices=choices)
        super().handle(*args, **o)
