import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu rồi chạy ứng dụng tại http://127.0.0.1:8000 (kèm tiến trình nền gửi thư, tạo văn bản lớn)"

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true",
                            help="Không chạy tiến trình nền (db_worker) cùng máy chủ.")

    def handle(self, *args, **options):
        call_command("loaddemo")
        worker = None
        if not options["no_worker"]:
            # Reminder e-mails and large documents are queued jobs; the demo runs their worker beside the server.
            worker = subprocess.Popen([sys.executable, "-m", "danvan.cli", "db_worker"])
            self.stdout.write("Tiến trình nền (db_worker) đã chạy: thư nhắc và văn bản lớn được xử lý.")
        self.stdout.write(f"Mở trình duyệt: http://{options['addrport']}/")
        try:
            # --insecure serves the bundled static files without DEBUG (no CDN, no collectstatic).
            call_command("runserver", options["addrport"], insecure=True, use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
