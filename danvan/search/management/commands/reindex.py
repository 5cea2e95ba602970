import time

from django.core.management.base import BaseCommand

from danvan.reports import tally
from danvan.search.index import rebuild


class Command(BaseCommand):
    help = ("Dựng lại dữ liệu dẫn xuất cho mọi mô hình (sau khi nạp dữ liệu hàng loạt): chỉ mục tìm kiếm và số liệu "
            "tổng hợp theo cấp trên cùng của cây.")

    def handle(self, *args, **o):
        t0 = time.perf_counter()
        n = rebuild()
        self.stdout.write(f"Đã lập chỉ mục {n} mô hình trong {time.perf_counter() - t0:.1f} giây.")
        t1 = time.perf_counter()
        rows = tally.rebuild()
        self.stdout.write(f"Đã tính lại {rows} dòng số liệu tổng hợp trong {time.perf_counter() - t1:.1f} giây.")
