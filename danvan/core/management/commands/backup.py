from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from danvan.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Sao lưu toàn bộ cơ sở dữ liệu vào một tệp: `danvan backup -o danvan-2026-11-22.bak`."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="tệp sao lưu sẽ ghi")

    def handle(self, *args, **o):
        out = Path(o["output"])
        try:
            vendor = backup(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Đã sao lưu cơ sở dữ liệu ({vendor}) vào {out} ({out.stat().st_size:,} byte).")
