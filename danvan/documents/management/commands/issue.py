import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from danvan.documents import register
from danvan.foundation import command
from danvan.movement.models import Submission
from danvan.orgs import permissions


class Command(command.Command):
    help = ("Cấp số văn bản đi cho công văn của một hồ sơ, như nút «Cấp số văn bản đi» trên trang hồ sơ: "
            "danvan issue --submission 12 --letter consolidated --as vp.skhcn --json. In số, ngày, tệp đã ban "
            "hành và SHA-256 của tệp.")

    def add_arguments(self, parser):
        parser.add_argument("--submission", type=command.positive_int, required=True, metavar="SỐ_HỒ_SƠ",
                            help="số (id) của hồ sơ đăng ký")
        parser.add_argument("--letter", choices=["consolidated"], default="consolidated",
                            help="văn bản cần cấp số: consolidated — công văn đăng ký kèm Biểu số 2")
        parser.add_argument("--as", dest="as_user", metavar="TÊN_ĐĂNG_NHẬP", required=True,
                            help="người cấp số: văn phòng (văn thư), ban hoặc quản trị của đơn vị")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args, **o):
        user = command.acting_user(o["as_user"])
        sub = Submission.objects.select_related("unit", "round").filter(pk=o["submission"]).first()
        if sub is None or not permissions.can_see_unit(user, sub.unit):
            raise CommandError(f"Không có hồ sơ số {o['submission']} trong phạm vi của {user.username}.")
        try:
            entry = register.issue_registration(submission=sub, by=user)
        except PermissionDenied as exc:
            raise CommandError(" ".join(str(a) for a in exc.args)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        data = {"submission": sub.pk, "unit": sub.unit.code, "year": entry.year, "number": entry.number,
                "code": entry.code, "date": entry.issued_on.isoformat(), "file": entry.file.path,
                "sha256": entry.sha256, "signatures": []}
        if o["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(f"Đã cấp số {entry.code} ngày {entry.issued_on:%d/%m/%Y} cho công văn đăng ký của "
                              f"{sub.unit.name}. Tệp: {entry.file.path} (SHA-256 {entry.sha256}).")
