import datetime

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from danvan.foundation import command, held
from danvan.intake.services import expire_batches
from danvan.onboarding.importing import expire_runs


class Command(command.Command):
    help = ("Xóa các tệp tải lên không bao giờ được áp dụng: tệp cây đơn vị, danh sách người dùng chưa áp dụng và "
            "các lần nhập biểu mẫu chưa xác nhận (đang xem trước hoặc đã hủy) cũ hơn số ngày "
            "DANVAN_UPLOAD_EXPIRY_DAYS (mặc định 7), cùng nội dung tệp đã lưu. Chạy mỗi ngày một lần "
            "(cron/systemd timer); chạy lại không sao. Tệp đã áp dụng, đã xác nhận được giữ nguyên.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="xóa tệp cũ hơn số ngày này (mặc định: DANVAN_UPLOAD_EXPIRY_DAYS)")

    def handle(self, *args, **o):
        days = settings.DANVAN_UPLOAD_EXPIRY_DAYS if o["days"] is None else o["days"]
        if days < 0:
            raise CommandError("Số ngày phải từ 0 trở lên.")
        before = timezone.now() - datetime.timedelta(days=days)
        runs = expire_runs(before=before)
        batches, files = expire_batches(before=before)
        kept = held.expire(before=before)
        self.stdout.write(f"Đã xóa {runs} tệp cây đơn vị/danh sách người dùng chưa áp dụng, {batches} lần nhập "
                          f"biểu mẫu chưa xác nhận ({files} tệp) và {kept} tệp đính kèm được giữ lại của biểu mẫu "
                          f"chưa gửi lại, tải lên trước {timezone.localtime(before):%d/%m/%Y %H:%M}.")
