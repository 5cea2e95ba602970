from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu rồi chạy ứng dụng tại http://127.0.0.1:8000"

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        call_command("loaddemo")
        self.stdout.write(f"Mở trình duyệt: http://{options['addrport']}/")
        # --insecure serves the bundled static files without DEBUG (no CDN, no collectstatic).
        call_command("runserver", options["addrport"], insecure=True, use_reloader=False)
