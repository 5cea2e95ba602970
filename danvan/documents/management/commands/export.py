from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from danvan.documents import services
from danvan.movement.models import RegistrationRound, Submission
from danvan.movement.services import lagging
from danvan.orgs.models import OrgUnit


class Command(BaseCommand):
    help = ("Xuất văn bản: `export consolidated --unit CODE --year YYYY [--round ID] --format docx|xlsx|pdf -o FILE`, "
            "`export blank-form --format docx|xlsx -o FILE`, `export reminder --round ID --unit CODE -o FILE`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        c = sub.add_parser("consolidated", help="công văn đăng ký kèm Biểu số 2 của một đơn vị")
        c.add_argument("--unit", required=True)
        c.add_argument("--year", type=int, required=True)
        c.add_argument("--round", type=int)
        c.add_argument("--format", default="docx", choices=["docx", "xlsx", "pdf"])
        c.add_argument("-o", "--output", required=True)
        b = sub.add_parser("blank-form", help="biểu mẫu trống")
        b.add_argument("--format", default="docx", choices=["docx", "xlsx"])
        b.add_argument("-o", "--output", required=True)
        r = sub.add_parser("reminder", help="công văn đôn đốc các đơn vị chưa gửi")
        r.add_argument("--round", type=int, required=True)
        r.add_argument("--unit", required=True, help="đơn vị phát động hoặc chuyển tiếp")
        r.add_argument("--format", default="docx", choices=["docx", "pdf"])
        r.add_argument("-o", "--output", required=True)

    def handle(self, *args, **o):
        try:
            doc = getattr(self, "_" + o["what"].replace("-", "_"))(o)
        except services.DocumentError as exc:
            raise CommandError(str(exc)) from exc
        Path(o["output"]).write_bytes(doc.data)
        self.stdout.write(f"Đã ghi {o['output']} ({len(doc.data):,} byte).".replace(",", "."))

    def _unit(self, code: str) -> OrgUnit:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {code}.")
        return unit

    def _consolidated(self, o):
        unit = self._unit(o["unit"])
        subs = Submission.objects.filter(unit=unit, round__year=o["year"]).select_related("round__issuer", "unit")
        if o.get("round"):
            subs = subs.filter(round_id=o["round"])
        sub = subs.order_by("-submitted_at", "-pk").first()
        if sub is None:
            raise CommandError(f"{unit.name} không có hồ sơ đăng ký năm {o['year']}.")
        return services.consolidated(sub, o["format"])

    def _blank_form(self, o):
        return services.blank(o["format"])

    def _reminder(self, o):
        unit = self._unit(o["unit"])
        root = RegistrationRound.objects.filter(pk=o["round"]).first()
        if root is None:
            raise CommandError(f"Không có đợt đăng ký số {o['round']}.")
        rnd = RegistrationRound.objects.filter(root=root.root or root, issuer=unit).first()
        if rnd is None:
            raise CommandError(f"{unit.name} không phát động hay chuyển tiếp đợt này.")
        late = list(lagging(rnd).select_related("unit").order_by("unit_path"))
        if not late:
            raise CommandError("Không có đơn vị nào chậm: mọi đơn vị đã gửi đăng ký.")
        return services.reminder(rnd, late, o["format"])
