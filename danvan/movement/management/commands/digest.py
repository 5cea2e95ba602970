from danvan.foundation import command
from danvan.movement.notify import send_digests


class Command(command.Command):
    help = ("Gửi thư tổng hợp hằng ngày cho những người chọn nhận một thư mỗi ngày. Chạy mỗi ngày một lần "
            "(cron/systemd timer); chạy lại trong ngày không gửi trùng, chỉ gửi lại thư chưa gửi được. "
            "Thư được gửi bởi tiến trình `danvan db_worker`.")

    def handle(self, *args, **o):
        digests = send_digests()
        sent = sum(1 for d in digests if d.status == "sent")
        failed = [d for d in digests if d.status == "failed"]
        self.stdout.write(f"Đã xử lý {len(digests)} thư tổng hợp ({sent} đã gửi, {len(failed)} chưa gửi được, "
                          f"{len(digests) - sent - len(failed)} đang chờ tiến trình gửi thư).")
        for d in failed:
            self.stdout.write(f"Chưa gửi được thư cho {d.user.username} <{d.email}>: {d.error}")
