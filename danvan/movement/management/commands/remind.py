from danvan.foundation import command
from danvan.movement.services import auto_remind


class Command(command.Command):
    help = ("Nhắc tự động các đơn vị chưa gửi trước hạn và đúng ngày hạn. Chạy định kỳ (cron/systemd timer); "
            "chạy nhiều lần cũng không gửi trùng. Thư được gửi bởi tiến trình `danvan db_worker`.")

    def handle(self, *args, **o):
        sent = auto_remind()
        self.stdout.write(f"Đã tạo {len(sent)} lần nhắc tự động.")
