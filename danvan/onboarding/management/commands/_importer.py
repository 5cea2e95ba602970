from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from danvan.foundation import command
from danvan.onboarding.tables import too_large

from ._common import dumps, operator


class ImportCommand(command.Command):
    preview_fn: Any = None
    apply_fn: Any = None

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="TỆP", help="tệp Excel .xlsx hoặc CSV")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không lưu")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
        parser.add_argument("--user", metavar="TÊN_ĐĂNG_NHẬP", help="tên đăng nhập người thực hiện (mặc định: quản trị hệ thống đầu tiên)")

    def handle(self, *args, **o):
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        if problem := too_large(path.stat().st_size):  # before the file is read
            raise CommandError(problem)
        self.import_bytes(path.read_bytes(), path.name, by=operator(o["user"]), dry_run=o["dry_run"], as_json=o["json"])

    def import_bytes(self, data: bytes, filename: str, *, by, dry_run: bool, as_json: bool) -> None:
        """Preview, then (unless a dry run or the file has errors) apply, and say what happened: every import
        command's one step, whether its bytes come from a file or are made (`import-registry`)."""
        preview = self.preview_fn(data, filename, by=by)
        if dry_run or not preview.ok:
            out = {**preview.summary(), "applied": False, "message": preview.message}
        else:
            try:
                out = self.apply_fn(data, filename, by=by).to_dict()
            except (ValidationError, PermissionDenied) as exc:
                raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        if as_json:
            self.stdout.write(dumps(out))
        else:
            self.stdout.write(out["message"])
            for r in out.get("row_errors", [])[:50]:
                self.stdout.write(f"  Dòng {r['line']}: {' '.join(r['errors'])}")
        if not preview.ok:
            raise CommandError(preview.message)
