from danvan.onboarding import people_import

from ._importer import ImportCommand


class Command(ImportCommand):
    help = ("Nhập người dùng từ tệp Excel .xlsx hoặc CSV; mỗi tài khoản mới nhận thư đặt mật khẩu: "
            "`danvan import-users TỆP [--dry-run] [--json]`.")
    preview_fn = staticmethod(people_import.preview_people)
    apply_fn = staticmethod(people_import.apply_people)
