from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from danvan.onboarding import registry
from danvan.onboarding.tree_import import apply_tree, preview_tree

from ._common import operator
from ._importer import ImportCommand


class Command(ImportCommand):
    help = ("Nhập các xã, phường, đặc khu của một tỉnh từ danh mục đơn vị hành chính quốc gia vào dưới một đơn vị: "
            "`danvan import-registry --province \"Quảng Ngãi\" --under MÃ [--dry-run] [--json]`. Chạy lại không đổi gì.")
    preview_fn = staticmethod(preview_tree)
    apply_fn = staticmethod(apply_tree)

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, metavar="TỈNH",
                            help="tên tỉnh, thành phố (34 đơn vị từ 01/7/2025) hoặc mã thống kê, ví dụ «Quảng Ngãi» hoặc 51")
        parser.add_argument("--under", required=True, metavar="MÃ", help="mã đơn vị mà các xã, phường trực thuộc")
        parser.add_argument("--level", metavar="MÃ_CẤP", help="mã cấp của các xã, phường (mặc định: cấp thấp nhất dưới đơn vị)")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không lưu")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
        parser.add_argument("--user", metavar="TÊN_ĐĂNG_NHẬP",
                            help="tên đăng nhập người thực hiện (mặc định: quản trị hệ thống đầu tiên)")

    def handle(self, *args, **o):
        by = operator(o["user"])
        try:
            data, filename = registry.registry_file(o["province"], o["under"], level_code=o["level"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.import_bytes(data, filename, by=by, dry_run=o["dry_run"], as_json=o["json"])
