from pathlib import Path

from django.core.management.base import CommandError

from danvan.foundation import command
from danvan.foundation.numbers import size
from danvan.ops.backup import BackupError, backup


class Command(command.Command):
    help = "Sao lưu toàn bộ cơ sở dữ liệu vào một tệp: `danvan backup -o danvan-2026-11-22.bak`."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, metavar="TỆP", help="tệp sao lưu sẽ ghi")

    def handle(self, *args, **o):
        out = Path(o["output"])
        try:
            vendor = backup(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Đã sao lưu cơ sở dữ liệu ({vendor}) vào {out} ({size(out.stat().st_size)}).")
