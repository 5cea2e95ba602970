import asyncio
import json

from django.core.management.base import CommandError

from danvan.foundation import command
from danvan.tools.loadtest import RealUsersError, check_loopback, finish, prepare, run


class Command(command.Command):
    help = ("Tải thử ngày hạn chót vào máy chủ đang chạy trên chính máy này (giới hạn số yêu cầu và thời gian): "
            "`danvan loadtest --url http://127.0.0.1:8001 --json`. Cần dữ liệu của `danvan generate`; tài khoản tải thử "
            "có mật khẩu ngẫu nhiên chỉ dùng trong lần chạy và bị khóa lại khi xong.")

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8001", metavar="URL",
                            help="địa chỉ máy chủ đang chạy trên máy này (mặc định http://127.0.0.1:8001)")
        parser.add_argument("--concurrency", type=int, default=24, metavar="N", help="số người dùng đồng thời (mặc định 24)")
        parser.add_argument("--requests", type=int, default=4000, metavar="N", help="tối đa số yêu cầu mỗi phần (mặc định 4.000)")
        parser.add_argument("--duration", type=float, default=60, metavar="GIÂY", help="tối đa số giây mỗi phần (mặc định 60)")
        parser.add_argument("--boards", type=int, default=4, metavar="N", help="số người của Ban theo dõi tiến độ (mặc định 4)")
        parser.add_argument("--json", action="store_true", help="(mặc định) in JSON")
        parser.add_argument("--cho-phep-du-lieu-that", action="store_true", dest="allow_real_users",
                            help="vẫn chạy khi cơ sở dữ liệu có tài khoản thật (ngoài load.* và bench.*): tải thử "
                                 "sẽ tạo tài khoản, mô hình và khóa API trong đó")

    def handle(self, *args, **o):
        try:
            import aiohttp  # noqa: F401  (the `[dev]` extra)
        except ImportError as exc:
            raise CommandError("Lệnh loadtest cần gói aiohttp của bộ công cụ phát triển: "
                               "pip install -e \".[dev]\"") from exc
        try:
            check_loopback(o["url"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        n = max(1, o["concurrency"])
        boards = min(o["boards"], n)
        try:
            personas = prepare(officers=n - boards, boards=boards, allow_real_users=o["allow_real_users"])
        except RealUsersError as exc:
            raise CommandError(f"{exc} Nếu chắc chắn, thêm --cho-phep-du-lieu-that.") from exc
        limits = {"concurrency": n, "requests": o["requests"], "duration": o["duration"]}
        try:
            mixed = asyncio.run(run(o["url"], personas, **limits))
            bare = asyncio.run(run(o["url"], None, **limits))
        finally:
            finish()
        result = {"url": o["url"], **limits, "deadline_day": mixed, "bare": bare,
                  "rps_ratio_to_bare": round(mixed["rps"] / bare["rps"], 3) if bare["rps"] else None}
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
