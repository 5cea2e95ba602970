import time

from django.core.management.base import BaseCommand

from danvan.search.index import rebuild


class Command(BaseCommand):
    help = "Dựng lại chỉ mục tìm kiếm cho mọi mô hình (sau khi nạp dữ liệu hàng loạt)."

    def handle(self, *args, **o):
        t0 = time.perf_counter()
        n = rebuild()
        self.stdout.write(f"Đã lập chỉ mục {n} mô hình trong {time.perf_counter() - t0:.1f} giây.")
