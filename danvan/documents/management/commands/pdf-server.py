"""`danvan pdf-server`: a LibreOffice kept running, so a PDF takes a fraction of a second instead of a
cold start of several seconds. Point the application at it with ``DANVAN_PDF_SERVER=host:port``."""

import signal

from django.conf import settings
from django.core.management.base import CommandError

from danvan.documents import pdf
from danvan.foundation import command


class Command(command.Command):
    help = ("Chạy LibreOffice thường trực để chuyển văn bản sang PDF nhanh (gói unoserver); ứng dụng dùng nó "
            "khi đặt DANVAN_PDF_SERVER=ĐỊA_CHỈ:CỔNG. Dừng bằng Ctrl+C hoặc SIGTERM.")

    def add_arguments(self, parser):
        parser.add_argument("--listen", default="127.0.0.1:2003", metavar="ĐỊA_CHỈ:CỔNG",
                            help="địa chỉ và cổng lắng nghe (mặc định 127.0.0.1:2003; cổng kế tiếp dành cho LibreOffice)")

    def handle(self, *args, **options):
        address = pdf.split_address(options["listen"])
        if address is None:
            raise CommandError(f"--listen cần dạng ĐỊA_CHỈ:CỔNG, không phải “{options['listen']}”.")
        try:
            process = pdf.start_server(*address, settings.VAR_DIR)
        except pdf.PdfUnavailable as error:
            raise CommandError(error.message) from error
        listen = f"{address[0]}:{address[1]}"
        self.stdout.write(f"LibreOffice thường trực đã chạy tại {listen}; đặt DANVAN_PDF_SERVER={listen} cho ứng dụng.")

        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            process.wait()
        except KeyboardInterrupt:
            pass
        finally:
            pdf.stop_server(process)
        if process.returncode and process.returncode > 0:
            raise CommandError("LibreOffice thường trực đã dừng bất thường.")
