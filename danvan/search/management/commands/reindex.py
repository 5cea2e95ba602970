import time

from danvan.foundation import command
from danvan.foundation.numbers import number, seconds
from danvan.reports import tally
from danvan.search.index import rebuild


class Command(command.Command):
    help = ("Dựng lại dữ liệu dẫn xuất cho mọi mô hình (sau khi nạp dữ liệu hàng loạt): chỉ mục tìm kiếm và số liệu "
            "tổng hợp theo cấp trên cùng của cây.")

    def handle(self, *args, **o):
        t0 = time.perf_counter()
        n = rebuild()
        self.stdout.write(f"Đã lập chỉ mục {number(n)} mô hình trong {seconds(time.perf_counter() - t0)}.")
        t1 = time.perf_counter()
        rows = tally.rebuild()
        self.stdout.write(f"Đã tính lại {number(rows)} dòng số liệu tổng hợp trong {seconds(time.perf_counter() - t1)}.")
