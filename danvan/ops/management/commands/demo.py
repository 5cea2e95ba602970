import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from danvan.foundation import command

ANY_ADDRESS = {"", "0.0.0.0", "::", "[::]"}


def site_url(addrport: str) -> str:
    """The address the links in e-mails start with: where the server really listens (a wildcard address is
    reached at 127.0.0.1)."""
    host, _, port = addrport.strip().rpartition(":")
    if not port.isdigit():
        raise CommandError(f"--addrport «{addrport}» không phải ĐỊA_CHỈ:CỔNG (ví dụ 127.0.0.1:8000).")
    host = "127.0.0.1" if host in ANY_ADDRESS else host
    return f"http://{host}:{port}"


def check_free(addrport: str) -> None:
    """runserver ends the whole process (os._exit) on a busy port, leaving what was started behind: look first."""
    import socket

    host, _, port = addrport.strip().rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, int(port)))
        except OSError as error:
            raise CommandError(f"Không mở được máy chủ tại {addrport}: cổng đã có chương trình khác dùng, hoặc địa "
                               f"chỉ không thuộc máy này ({error.strerror}). Hãy chọn --addrport khác.") from None


def _stop_signal(signum, frame):
    # runserver ends on KeyboardInterrupt with exit code 0; SIGTERM takes the same road, so what the demo
    # started is stopped in `handle`'s finally.
    raise KeyboardInterrupt


class Command(command.Command):
    help = ("Nạp dữ liệu mẫu rồi chạy ứng dụng tại http://127.0.0.1:8000 (kèm tiến trình nền gửi thư, tạo văn bản "
            "lớn, và hộp thư thử giữ mọi thư gửi đi trong var/mail); Ctrl-C hoặc SIGTERM dừng tất cả")

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000", metavar="ĐỊA_CHỈ:CỔNG",
                            help="nơi máy chủ nghe (mặc định 127.0.0.1:8000); liên kết trong thư theo địa chỉ này "
                                 "trừ khi đặt DANVAN_SITE_URL")
        parser.add_argument("--no-worker", action="store_true",
                            help="không chạy tiến trình nền (db_worker) cùng máy chủ")
        parser.add_argument("--pdf-server", default="127.0.0.1:2003", metavar="ĐỊA_CHỈ:CỔNG",
                            help="nơi chạy LibreOffice thường trực cho PDF nhanh (mặc định 127.0.0.1:2003; "
                                 "“không” để tạo PDF theo cách chậm)")

    def handle(self, *args, **options):
        url = os.environ.get("DANVAN_SITE_URL") or site_url(options["addrport"])
        check_free(options["addrport"])
        signal.signal(signal.SIGTERM, _stop_signal)
        signal.signal(signal.SIGINT, _stop_signal)
        catcher = worker = pdf_server = None
        try:
            call_command("loaddemo")
            # Children inherit the environment: set what they must know before starting any.
            os.environ["DANVAN_SITE_URL"] = settings.SITE_URL = url.rstrip("/")
            catcher = self._start_mail()
            pdf_server = self._start_pdf_server(options["pdf_server"])  # before the worker: it inherits the address
            if not options["no_worker"]:
                # Reminder e-mails and large documents are queued jobs; the demo runs their worker beside the
                # server, in its own process group: a Ctrl-C reaches the demo, which stops it.
                worker = subprocess.Popen([sys.executable, "-m", "danvan.cli", "db_worker"], start_new_session=True)
                self.stdout.write("Tiến trình nền (db_worker) đã chạy: thư nhắc và văn bản lớn được xử lý.")
            self.stdout.write(f"Mở trình duyệt: {settings.SITE_URL}/")
            self.stdout.flush()
            # --insecure serves the bundled static files without DEBUG (no CDN, no collectstatic).
            call_command("runserver", options["addrport"], insecure=True, use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            self._stop(worker, pdf_server, catcher)

    def _stop(self, worker, pdf_server, catcher) -> None:
        if worker is not None and worker.poll() is None:
            try:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        if pdf_server is not None:
            from danvan.documents import pdf

            pdf.stop_server(pdf_server)
        if catcher is not None:
            catcher.stop()
        self.stdout.write("Đã dừng máy chủ và mọi tiến trình bản chạy thử đã mở.")

    def _start_mail(self):
        """The mail catcher, unless a mail server is configured: every mail kept as var/mail/*.eml."""
        from danvan.ops import mailbox

        if mailbox.configured_elsewhere():
            host = os.environ.get("DANVAN_EMAIL_HOST", "localhost")
            self.stdout.write(f"Thư: gửi qua máy chủ thư đã cấu hình ({host}:{os.environ.get('DANVAN_EMAIL_PORT', 25)}"
                              f", DANVAN_EMAIL_*).")
            return None
        folder = settings.VAR_DIR / "mail"
        catcher = mailbox.Catcher(folder).start()
        os.environ.update({"DANVAN_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                           "DANVAN_EMAIL_HOST": "127.0.0.1", "DANVAN_EMAIL_PORT": str(catcher.port),
                           mailbox.DIR_ENV: str(folder)})
        settings.MAILERS = mailbox.mailer(catcher.port)
        settings.DEMO_MAIL_DIR = str(folder)
        self.stdout.write(f"Thư: không gửi ra ngoài; mọi thư được giữ trong {folder} (mỗi thư một tệp .eml, "
                          f"hộp thư thử 127.0.0.1:{catcher.port}); đọc tại {settings.SITE_URL}/thu-demo/ "
                          f"(đăng nhập admin).")
        return catcher

    def _start_pdf_server(self, listen: str):
        """A kept LibreOffice for fast PDFs (`danvan pdf-server`), used through DANVAN_PDF_SERVER; without
        LibreOffice or its Python the demo still makes PDFs the slow way, and says so."""
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
