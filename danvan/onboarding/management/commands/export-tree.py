from pathlib import Path

from django.core.management.base import CommandError

from danvan.foundation import command
from danvan.onboarding import tree_import
from danvan.orgs.models import OrgUnit


class Command(command.Command):
    help = "Xuất cây con của một đơn vị ra Excel .xlsx hoặc CSV (theo đuôi tệp): `danvan export-tree --unit MÃ -o TỆP`."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị gốc của cây con")
        parser.add_argument("-o", "--output", required=True, metavar="TỆP", help="tệp .xlsx hoặc .csv")

    def handle(self, *args, **o):
        unit = OrgUnit.objects.filter(code=o["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã «{o['unit']}».")
        out = Path(o["output"])
        fmt = "csv" if out.suffix.lower() == ".csv" else "xlsx"
        data = tree_import.export_tree(unit, fmt)
        out.write_bytes(data)
        n = OrgUnit.objects.filter(path__startswith=unit.path).count()
        self.stdout.write(f"Đã xuất {n} đơn vị vào {out}.")
