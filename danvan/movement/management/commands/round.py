import json

from django.core.management.base import CommandError
from django.utils import timezone

from danvan.foundation import command
from danvan.foundation.numbers import percent
from danvan.movement import selectors
from danvan.movement.models import RegistrationRound
from danvan.orgs.models import OrgUnit


class Command(command.Command):
    help = "Đợt đăng ký: `round list` liệt kê các đợt; `round status SỐ [--unit MÃ]` cho tiến độ theo cấp và theo đơn vị."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="VIỆC")
        ls = sub.add_parser("list", help="liệt kê các đợt", description="Liệt kê các đợt đăng ký và yêu cầu báo cáo.")
        ls.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
        st = sub.add_parser("status", help="tiến độ của một đợt (cả các đợt chuyển tiếp)",
                            description="Tiến độ của một đợt (cả các đợt chuyển tiếp) theo cấp và theo đơn vị.")
        st.add_argument("round_id", type=int, metavar="SỐ", help="số của đợt (xem `danvan round list`)")
        st.add_argument("--unit", metavar="MÃ", help="mã đơn vị để xem nhánh (mặc định: đơn vị phát động)")
        st.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args, **o):
        if o["action"] == "list":
            rows = [
                {"id": r.pk, "year": r.year, "title": r.title, "issuer": r.issuer.code,
                 "parent_round": r.parent_round_id, "root": r.root_id,
                 "deadline": timezone.localtime(r.deadline).isoformat(),
                 "targets": r.submissions.count()}
                for r in RegistrationRound.objects.select_related("issuer").order_by("year", "pk")
            ]
            if o["json"]:
                self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            else:
                for r in rows:
                    self.stdout.write(f"{r['id']:>5}  {r['year']}  {r['issuer']:<16} {r['title']}  (hạn {str(r['deadline'])[:10]})")
            return
        rnd = RegistrationRound.objects.filter(pk=o["round_id"]).select_related("issuer").first()
        if rnd is None:
            raise CommandError(f"Không có đợt đăng ký số {o['round_id']}.")
        node = rnd.issuer
        if o.get("unit"):
            node = OrgUnit.objects.filter(code=o["unit"]).first()
            if node is None:
                raise CommandError(f"Không có đơn vị mã {o['unit']}.")
        data = selectors.completeness_dict(selectors.completeness(rnd.family_root, node))
        if o["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            t = data["total"]
            self.stdout.write(f"{data['round']['title']} — {data['unit']['name']}: đã gửi {t['submitted']}/"
                              f"{t['expected']} ({percent(t['rate'])}), đúng hạn {t['on_time']}, muộn {t['late']}")
            for ch in data["children"]:
                self.stdout.write(f"  {ch['code']:<16} {ch['state']}")
