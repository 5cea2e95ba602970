from pathlib import Path

from django.core.management.base import CommandError

from danvan.foundation import command
from danvan.ops.backup import BackupError, restore


class Command(command.Command):
    help = ("Khôi phục cơ sở dữ liệu từ tệp sao lưu: `danvan restore danvan-2026-11-22.bak`. "
            "Dữ liệu hiện có bị thay thế; hãy dừng ứng dụng và tiến trình nền trước.")

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="TỆP", help="tệp sao lưu (của `danvan backup`)")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="không hỏi xác nhận")

    def handle(self, *args, **o):
        src = Path(o["file"])
        if not src.is_file():
            raise CommandError(f"Không có tệp {src}.")
        if o["interactive"]:
            answer = input("Toàn bộ dữ liệu hiện có sẽ bị thay bằng bản sao lưu. Gõ 'co' để tiếp tục: ")
            if answer.strip().lower() not in {"co", "có"}:
                raise CommandError("Đã hủy, không thay đổi gì.")
        try:
            vendor = restore(src)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Đã khôi phục cơ sở dữ liệu ({vendor}) từ {src}.")
