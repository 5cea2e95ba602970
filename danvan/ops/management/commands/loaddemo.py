from django.core.management import call_command

from danvan.foundation import command
from danvan.ops.demo import load_demo, logins
from danvan.ops.present import load_present, present_logins


class Command(command.Command):
    help = "Tạo cơ sở dữ liệu (migrate) và nạp dữ liệu mẫu từ các văn bản gốc; chạy lại nhiều lần vẫn an toàn."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        counts = load_demo()
        counts |= load_present()
        self.stdout.write(
            f"Đã nạp dữ liệu mẫu: {counts['units']} đơn vị, {counts['users']} tài khoản, "
            f"{counts['exemplars']} mô hình."
        )
        self.stdout.write("Tài khoản đăng nhập (tên đăng nhập / mật khẩu):")
        for username, password, who in logins() + present_logins():
            self.stdout.write(f"  {username:15} {password}   {who}")
