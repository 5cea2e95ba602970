import json
from pathlib import Path

from django.core.management.base import CommandError

from danvan.documents.services import DocumentError
from danvan.exemplars.models import Movement
from danvan.foundation import command
from danvan.foundation.numbers import size
from danvan.orgs.models import OrgUnit
from danvan.reports import documents, stats
from danvan.reports.models import AnnualReport
from danvan.reports.services import report_movement


class Command(command.Command):
    help = ("Báo cáo: `report annual --unit MÃ --year NĂM [--movement SỐ] --format docx|xlsx|json|pdf -o TỆP` "
            "(docx, pdf: báo cáo đã lập kèm phụ lục; xlsx: phụ lục số liệu; json: mọi số liệu mục 3.3 và phụ lục), "
            "`report period --unit MÃ --movement SỐ [--up-to NĂM] --format docx|xlsx|json -o TỆP` (sơ kết, tổng kết "
            "theo năm).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="BÁO_CÁO")
        a = sub.add_parser("annual", help="báo cáo năm của một đơn vị (số liệu cho cả cây đơn vị cấp dưới)",
                           description="Báo cáo năm của một đơn vị theo đề cương văn bản 004; số liệu tính cho cả "
                                       "cây đơn vị cấp dưới.")
        a.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị lập báo cáo")
        a.add_argument("--year", type=int, required=True, metavar="NĂM", help="năm báo cáo")
        a.add_argument("--movement", type=int, metavar="SỐ",
                       help="số phong trào (mặc định: phong trào có giai đoạn chứa năm; xem `danvan movement list`)")
        a.add_argument("--format", default="docx", choices=["docx", "xlsx", "json", "pdf"],
                       help="docx, pdf: báo cáo đã lập kèm phụ lục; xlsx: phụ lục số liệu; json: mọi số liệu")
        a.add_argument("-o", "--output", required=True, metavar="TỆP", help="tệp sẽ ghi")
        p = sub.add_parser("period", help="sơ kết, tổng kết: số liệu từng năm của giai đoạn",
                           description="Sơ kết, tổng kết: cùng số liệu cho từng năm của giai đoạn, mỗi năm một cột.")
        p.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị")
        p.add_argument("--movement", type=int, required=True, metavar="SỐ",
                       help="số phong trào (xem `danvan movement list`)")
        p.add_argument("--up-to", type=int, metavar="NĂM", help="chỉ tính đến năm này (sơ kết giữa kỳ)")
        p.add_argument("--format", default="docx", choices=["docx", "xlsx", "json"], help="định dạng (mặc định docx)")
        p.add_argument("-o", "--output", required=True, metavar="TỆP", help="tệp sẽ ghi")

    def handle(self, *args, **o):
        unit = OrgUnit.objects.filter(code=o["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {o['unit']}.")
        try:
            data = self._annual(unit, o) if o["what"] == "annual" else self._period(unit, o)
        except DocumentError as exc:
            raise CommandError(str(exc)) from exc
        Path(o["output"]).write_bytes(data)
        self.stdout.write(f"Đã ghi {o['output']} ({size(len(data))}).")

    def _movement(self, pk: int | None, year: int | None) -> Movement:
        movement = report_movement(year or None, pk or None)  # the pages' choice: by number, else covering the year
        if movement is None:
            raise CommandError("Không tìm thấy phong trào" + (f" số {pk}." if pk else f" có giai đoạn chứa năm {year}.")
                               + " Xem các phong trào bằng `danvan movement list`.")
        return movement

    def _annual(self, unit: OrgUnit, o) -> bytes:
        movement = self._movement(o.get("movement"), o["year"])
        if o["format"] == "json":
            s = stats.compute(unit, movement, o["year"])
            payload = {**s.to_dict(), "appendix": documents.appendix_rows(s)}
            return json.dumps(payload, ensure_ascii=False, indent=1).encode()
        if o["format"] == "xlsx":
            return documents.render_stats_appendix(unit, movement, o["year"], "xlsx").data
        report = AnnualReport.objects.filter(unit=unit, movement=movement, year=o["year"]).first()
        if report is None:
            raise CommandError(f"{unit.name} chưa lập báo cáo năm {o['year']}; hãy lập trên trang Báo cáo "
                               "(phụ lục số liệu vẫn xuất được với --format xlsx hoặc json).")
        return documents.render_annual(report, "bao-cao", o["format"]).data

    def _period(self, unit: OrgUnit, o) -> bytes:
        movement = self._movement(o["movement"], None)
        if o["format"] == "json":
            columns = stats.period(unit, movement, o.get("up_to"))
            return json.dumps(documents.period_statistics(columns), ensure_ascii=False, indent=1).encode()
        return documents.render_period(unit, movement, o["format"], o.get("up_to")).data
