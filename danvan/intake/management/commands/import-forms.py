import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from danvan.intake import IntakeError, parse_form, services
from danvan.movement.models import Submission
from danvan.orgs.models import OrgUnit


class Command(BaseCommand):
    help = ("Đọc biểu mẫu Word/Excel đã điền: in từng mô hình (lĩnh vực, tên, hình thức, địa chỉ, 3 phần nội dung) "
            "và cảnh báo; không có --dry-run thì lưu như bước xác nhận trên trang. Thoát mã khác 0 nếu có tệp lỗi.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--unit", required=True, help="mã đơn vị của biểu mẫu")
        parser.add_argument("--year", type=int)
        parser.add_argument("--round", type=int, help="đợt đăng ký: thêm vào hồ sơ của đơn vị trong đợt đó")
        parser.add_argument("--as", dest="as_user", default="admin", help="người thực hiện (mặc định: admin)")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        unit = OrgUnit.objects.filter(code=o["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {o['unit']}.")
        user = get_user_model().objects.filter(username=o["as_user"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng {o['as_user']}.")
        sub = None
        if o.get("round"):
            sub = Submission.objects.filter(round_id=o["round"], unit=unit).select_related("round").first()
            if sub is None:
                raise CommandError(f"{unit.name} không thuộc đối tượng của đợt số {o['round']}.")
        year = o.get("year") or (sub.round.year if sub else None)
        if year is None:
            raise CommandError("Hãy ghi --year hoặc --round.")
        report, failed = [], False
        for name in o["files"]:
            entry, ok = self._one(Path(name), unit, year, sub, user, o["dry_run"])
            report.append(entry)
            failed = failed or not ok
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) if o["json"] else self._text(report))
        if failed:
            raise CommandError("Có tệp không nhập được (xem chi tiết ở trên).")

    def _one(self, path: Path, unit, year, sub, user, dry_run: bool) -> tuple[dict, bool]:
        entry: dict = {"file": str(path)}
        try:
            data = path.read_bytes()
            parsed = parse_form(data, path.name)
        except OSError as exc:
            return {**entry, "error": {"code": "unreadable", "message": f"Không đọc được tệp: {exc.strerror}"}}, False
        except IntakeError as exc:
            return {**entry, "error": {"code": exc.code, "message": exc.message}}, False
        entry["exemplars"] = [
            {"name": e.name, "field": e.field_label, "kind": e.kind, "origin": e.origin, "address": e.address,
             "content_problem": e.problem_html, "content_actors": e.actors_html, "content_results": e.results_html,
             "warnings": [{"code": w.code, "message": w.message} for w in e.warnings]}
            for e in parsed.exemplars]
        entry["warnings"] = [{"code": w.code, "message": w.message} for w in parsed.warnings]
        if dry_run:
            return entry, True
        try:
            with transaction.atomic():
                started = services.start_import(by=user, unit=unit, year=year, files=[(path.name, data)],
                                                submission=sub)
                if started.problems or started.batch is None:
                    p = started.problems[0] if started.problems else None
                    return {**entry, "error": {"code": p.code if p else "empty_form",
                                               "message": p.message if p else "Không có mô hình nào."}}, False
                edits = self._unknown_fields_as_new(started.batch)
                created = services.confirm_import(batch=started.batch, by=user, edits=edits)
        except (ValidationError, PermissionDenied) as exc:
            msgs = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            return {**entry, "error": {"code": "not_saved", "message": " ".join(msgs)}}, False
        entry["saved"] = [e.pk for e in created]
        return entry, True

    @staticmethod
    def _unknown_fields_as_new(batch) -> dict[int, dict]:
        """Without a person to choose, an unknown field becomes the unit's own field (to be remapped later)."""
        from danvan.intake.models import ImportRow

        return {row.pk: {"field_id": f"new:{services.NEW_FIELD_CATEGORY}"}
                for row in ImportRow.objects.filter(file__batch=batch) if not row.data.get("field_id")}

    @staticmethod
    def _text(report: list[dict]) -> str:
        lines = []
        for entry in report:
            if "error" in entry:
                lines.append(f"{entry['file']}: LỖI — {entry['error']['message']}")
                continue
            lines.append(f"{entry['file']}: {len(entry['exemplars'])} mô hình"
                         + (f", đã lưu {len(entry['saved'])}" if "saved" in entry else ""))
            for e in entry["exemplars"]:
                lines.append(f"  - [{e['field']}] {e['name']} ({e['kind']}, {e['origin']})")
                lines.extend(f"      ! {w['message']}" for w in e["warnings"])
        return "\n".join(lines)
