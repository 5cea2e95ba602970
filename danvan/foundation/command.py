"""The base of every `danvan` command: Vietnamese help and errors, no traceback for a user's mistake.

Django's own commands (migrate, createsuperuser, …) keep Django's parser; danvan's commands subclass
``Command`` here, whose parser (a ``CommandParser``) words its usage, sections, base options and
argparse errors in Vietnamese, and whose ``run_from_argv`` prints "Lỗi: …" instead of a traceback
when the database is not migrated or a file cannot be read.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
    SystemCheckError,
    handle_default_options,
)
from django.db import DatabaseError, OperationalError, connections

# argparse's messages (Python 3.12-3.14) and their Vietnamese wording; %s keeps argparse's detail.
_ERRORS = [
    (r"the following arguments are required: (.*)", "thiếu tham số bắt buộc: {0}"),
    (r"unrecognized arguments: (.*)", "không hiểu tham số: {0}"),
    (r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)", "tham số {0}: giá trị {1} không hợp lệ (chọn một trong: {2})"),
    (r"argument (.*?): invalid (\w+) value: (.*)", "tham số {0}: {2} không phải {1}"),
    (r"argument (.*?): expected one argument", "tham số {0} cần một giá trị"),
    (r"argument (.*?): expected at least one argument", "tham số {0} cần ít nhất một giá trị"),
    (r"argument (.*?): expected (.*) arguments?", "tham số {0} cần {1} giá trị"),
    (r"argument (.*?): not allowed with argument (.*)", "tham số {0} không dùng cùng {1}"),
    (r"argument (.*?): ignored explicit argument (.*)", "tham số {0} không nhận giá trị {1}"),
    (r"ambiguous option: (.*?) could match (.*)", "tùy chọn {0} không rõ: có thể là {1}"),
    (r"one of the arguments (.*) is required", "cần một trong các tham số {0}"),
]
_TYPES = {"int": "số nguyên", "float": "số", "str": "chuỗi"}
_HELP = {
    "help": "in hướng dẫn này rồi thoát",
    "version": "in phiên bản rồi thoát",
    "verbosity": "mức chi tiết khi in: 0 ít nhất, 1 bình thường, 2 chi tiết, 3 rất chi tiết",
    "settings": "mô-đun cấu hình Python (mặc định: biến DJANGO_SETTINGS_MODULE)",
    "pythonpath": "thư mục thêm vào đường dẫn Python",
    "traceback": "in toàn bộ vết lỗi (dành cho lập trình viên)",
    "no_color": "không tô màu",
    "force_color": "luôn tô màu",
    "skip_checks": "bỏ qua bước kiểm tra hệ thống",
}
_FILE_ERRORS = {
    errno.ENOENT: "không có tệp hoặc thư mục này",
    errno.EACCES: "không có quyền đọc/ghi",
    errno.EISDIR: "đây là thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ENOSPC: "ổ đĩa đã đầy",
}


def vietnamese_error(message: str) -> str:
    for pattern, wording in _ERRORS:
        if found := re.fullmatch(pattern, message):
            parts = [_TYPES.get(g, g) for g in found.groups()]
            return wording.format(*parts)
    return message


def file_error(exc: OSError) -> str:
    """An OSError in Vietnamese ("No such file or directory" never reaches the user)."""
    reason = _FILE_ERRORS.get(exc.errno or 0, "lỗi hệ thống tệp")
    return f"{reason}: {exc.filename}" if exc.filename else reason


class VietnameseHelpFormatter(DjangoHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="Cách dùng: " if prefix is None else prefix)


class VietnameseParser(CommandParser):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", VietnameseHelpFormatter)
        super().__init__(**kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        for action in self._actions:
            if action.dest == "help":
                action.help = _HELP["help"]

    def error(self, message: str):  # type: ignore[override]
        message = vietnamese_error(message)
        if not self.called_from_command_line:
            raise CommandError(f"Lỗi: {message}")
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {message}\n")

    def add_subparsers(self, **kwargs: Any):
        kwargs.setdefault("title", "lệnh con")
        kwargs.setdefault("parser_class", VietnameseParser)
        return super().add_subparsers(**kwargs)


class Command(BaseCommand):
    """A danvan command: Vietnamese parser, Vietnamese errors, no traceback for a user error."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", VietnameseHelpFormatter)
        parser = VietnameseParser(
            prog=f"{os.path.basename(prog_name)} {subcommand}",
            description=self.help or None,
            missing_args_message=getattr(self, "missing_args_message", None),
            called_from_command_line=getattr(self, "_called_from_command_line", None),
            **kwargs,
        )
        base = self.add_base_argument
        base(parser, "--version", action="version", version=self.get_version(), help=_HELP["version"])
        base(parser, "-v", "--verbosity", default=1, type=int, choices=[0, 1, 2, 3], help=_HELP["verbosity"])
        base(parser, "--settings", metavar="MÔ_ĐUN", help=_HELP["settings"])
        base(parser, "--pythonpath", metavar="THƯ_MỤC", help=_HELP["pythonpath"])
        base(parser, "--traceback", action="store_true", help=_HELP["traceback"])
        base(parser, "--no-color", action="store_true", help=_HELP["no_color"])
        base(parser, "--force-color", action="store_true", help=_HELP["force_color"])
        if self.requires_system_checks:
            parser.add_argument("--skip-checks", action="store_true", help=_HELP["skip_checks"])
        self.add_arguments(parser)
        return parser

    def execute(self, *args: Any, **options: Any):
        try:
            return super().execute(*args, **options)
        except OSError as exc:
            if options.get("traceback"):
                raise
            raise CommandError(f"Không đọc/ghi được tệp — {file_error(exc)}.") from exc
        except DatabaseError as exc:
            if options.get("traceback") or not (_unmigrated(exc) or _unreachable(exc)):
                raise
            if _unreachable(exc):
                raise CommandError("Không kết nối được cơ sở dữ liệu (DANVAN_DATABASE_URL): máy chủ cơ sở dữ liệu "
                                   "chưa chạy, sai địa chỉ hoặc sai tài khoản.") from exc
            raise CommandError(
                "Cơ sở dữ liệu chưa được tạo hoặc chưa cập nhật: hãy chạy `danvan loaddemo` (dữ liệu mẫu) "
                "hoặc `danvan migrate` rồi chạy lại lệnh.") from exc

    def run_from_argv(self, argv: list[str]) -> None:
        """Django's, except that a CommandError prints as "Lỗi: …" (not "CommandError: …")."""
        self._called_from_command_line = True
        parser = self.create_parser(argv[0], argv[1])
        options = parser.parse_args(argv[2:])
        cmd_options = vars(options)
        args = cmd_options.pop("args", ())
        handle_default_options(options)
        try:
            self.execute(*args, **cmd_options)
        except CommandError as exc:
            if options.traceback:
                raise
            if isinstance(exc, SystemCheckError):
                self.stderr.write(str(exc), lambda x: x)
            else:
                text = str(exc)
                self.stderr.write(text if text.startswith("Lỗi") else f"Lỗi: {text}")
            sys.exit(exc.returncode)
        finally:
            try:
                connections.close_all()
            except ImproperlyConfigured:
                pass


def _unmigrated(exc: DatabaseError) -> bool:
    text = str(exc).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _unreachable(exc: DatabaseError) -> bool:
    text = str(exc).lower()
    return isinstance(exc, OperationalError) and any(
        w in text for w in ("connection refused", "could not connect", "connection failed", "does not exist",
                            "password authentication failed", "unable to open database file"))


def acting_user(username: str | None, option: str = "--as"):
    """The account a command acts as: the one named, else the first active superuser (the operator running
    the server); a Vietnamese message when there is none."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản «{username}».")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError(f"Chưa có tài khoản quản trị hệ thống; hãy dùng {option} TÊN_ĐĂNG_NHẬP "
                           "(hoặc tạo một tài khoản bằng `danvan createsuperuser`).")
    return user


def positive_int(value: str) -> int:
    """argparse type: an integer ≥ 1, with a Vietnamese error."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} không phải số nguyên") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} phải lớn hơn 0")
    return number
