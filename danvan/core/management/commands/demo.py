import os
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
        parser.add_argument("--pdf-server", default="127.0.0.1:2003", metavar="ĐỊA_CHỈ:CỔNG",
                            help="nơi chạy LibreOffice thường trực cho PDF nhanh (mặc định 127.0.0.1:2003; "
                                 "“không” để tạo PDF theo cách chậm)")

    def handle(self, *args, **options):
        call_command("loaddemo")
        pdf_server = self._start_pdf_server(options["pdf_server"])  # before the worker: it inherits the address
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
            if pdf_server is not None:
                from danvan.documents import pdf

                pdf.stop_server(pdf_server)
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

    def _start_pdf_server(self, listen: str):
        """A kept LibreOffice for fast PDFs (`danvan pdf-server`), used through DANVAN_PDF_SERVER; without
        LibreOffice or its Python the demo still makes PDFs the slow way, and says so."""
        from django.conf import settings

        from danvan.documents import pdf

        address = pdf.split_address(listen)
        if address is None:  # "không" (or anything that is no address): PDFs the slow way
            return None
        if pdf.server_answers(listen):
            os.environ[pdf.SERVER_ENV] = listen
            self.stdout.write(f"PDF: dùng LibreOffice thường trực đang chạy tại {listen}.")
            return None
        try:
            process = pdf.start_server(*address, settings.VAR_DIR)
        except pdf.PdfUnavailable as error:
            self.stdout.write(f"PDF: {error.message}")
            return None
        os.environ[pdf.SERVER_ENV] = listen
        self.stdout.write(f"PDF: LibreOffice thường trực đã chạy tại {listen} (PDF trong chưa tới một giây).")
        return process
