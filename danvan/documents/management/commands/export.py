from pathlib import Path

from django.core.management.base import CommandError

from danvan.documents import services
from danvan.foundation import command
from danvan.foundation.numbers import size
from danvan.movement.models import RegistrationRound, Submission
from danvan.orgs.models import OrgUnit


class Command(command.Command):
    help = ("Xuất văn bản: `export consolidated --unit MÃ --year NĂM [--round SỐ] --format docx|xlsx|pdf -o TỆP`, "
            "`export blank-form --format docx|xlsx -o TỆP`, `export reminder --round SỐ --unit MÃ [--format docx|pdf] "
            "-o TỆP`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="VĂN_BẢN")
        c = sub.add_parser("consolidated", help="công văn đăng ký kèm Biểu số 2 của một đơn vị",
                           description="Công văn đăng ký mô hình, điển hình của một đơn vị kèm Biểu số 2 "
                                       "(như văn bản gốc số 001).")
        c.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị gửi đăng ký")
        c.add_argument("--year", type=int, required=True, metavar="NĂM", help="năm đăng ký")
        c.add_argument("--round", type=int, metavar="SỐ",
                       help="đợt đăng ký (mặc định: hồ sơ gửi gần nhất của năm; xem `danvan round list`)")
        c.add_argument("--format", default="docx", choices=["docx", "xlsx", "pdf"], help="định dạng (mặc định docx)")
        c.add_argument("-o", "--output", required=True, metavar="TỆP", help="tệp sẽ ghi")
        b = sub.add_parser("blank-form", help="biểu mẫu trống", description="Biểu mẫu đăng ký trống (như văn bản gốc 000).")
        b.add_argument("--format", default="docx", choices=["docx", "xlsx"], help="định dạng (mặc định docx)")
        b.add_argument("-o", "--output", required=True, metavar="TỆP", help="tệp sẽ ghi")
        r = sub.add_parser("reminder", help="công văn đôn đốc các đơn vị chưa gửi",
                           description="Công văn đôn đốc, nêu tên các đơn vị chưa gửi đăng ký của một đợt.")
        r.add_argument("--round", type=int, required=True, metavar="SỐ", help="đợt đăng ký (xem `danvan round list`)")
        r.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị phát động hoặc chuyển tiếp đợt đó")
        r.add_argument("--format", default="docx", choices=["docx", "pdf"], help="định dạng (mặc định docx)")
        r.add_argument("-o", "--output", required=True, metavar="TỆP", help="tệp sẽ ghi")

    def handle(self, *args, **o):
        try:
            doc = getattr(self, "_" + o["what"].replace("-", "_"))(o)
        except services.DocumentError as exc:
            raise CommandError(str(exc)) from exc
        Path(o["output"]).write_bytes(doc.data)
        self.stdout.write(f"Đã ghi {o['output']} ({size(len(doc.data))}).")

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
        return services.lagging_reminder(rnd, o["format"])
