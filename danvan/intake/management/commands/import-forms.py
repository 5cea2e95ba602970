from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from danvan.exemplars.models import Kind, Origin
from danvan.foundation import command
from danvan.intake import IntakeError, parse_form, services
from danvan.intake.filetype import too_large
from danvan.intake.parser import DEFAULT_LIMITS
from danvan.movement.models import RoundKind, Status, Submission
from danvan.orgs.models import OrgUnit
from danvan.orgs.permissions import Actor

KIND = dict(Kind.choices)
ORIGIN = dict(Origin.choices)


class Command(command.Command):
    help = ("Đọc biểu mẫu Word/Excel đã điền: in từng mô hình (lĩnh vực, tên, hình thức, địa chỉ, 3 phần nội dung) "
            "và cảnh báo; không có --dry-run thì lưu như bước xác nhận trên trang. Thoát mã khác 0 nếu có tệp lỗi.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="TỆP", help="biểu mẫu .docx, .xlsx (hoặc .doc, .xls)")
        parser.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị của biểu mẫu")
        parser.add_argument("--year", type=int, metavar="NĂM",
                            help="năm đăng ký (mặc định: năm của đợt đăng ký đang mở của đơn vị)")
        parser.add_argument("--round", type=int, metavar="SỐ",
                            help="đợt đăng ký: thêm vào hồ sơ của đơn vị trong đợt đó (mặc định: đợt đang mở "
                                 "nếu đơn vị có đúng một; xem `danvan round list`)")
        parser.add_argument("--as", dest="as_user", metavar="TÊN_ĐĂNG_NHẬP",
                            help="người thực hiện (mặc định: quản trị hệ thống đầu tiên)")
        parser.add_argument("--dry-run", action="store_true",
                            help="chỉ đọc và in, không lưu (cảnh báo và dòng sẽ bỏ qua vẫn được in)")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args, **o):
        unit = OrgUnit.objects.filter(code=o["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {o['unit']}.")
        user = command.acting_user(o["as_user"])
        sub = None
        if o.get("round"):
            sub = Submission.objects.filter(round_id=o["round"], unit=unit).select_related("round").first()
            if sub is None:
                raise CommandError(f"{unit.name} không thuộc đối tượng của đợt số {o['round']}.")
        elif not o.get("year"):
            sub = self._open_submission(unit)
            self.stderr.write(f"Nhập vào hồ sơ của {unit.name} trong đợt số {sub.round_id} "
                              f"“{sub.round.title}” (năm {sub.round.year}).")
        year = o.get("year") or sub.round.year  # type: ignore[union-attr]
        report, failed = [], False
        for name in o["files"]:
            entry, ok = self._one(Path(name), unit, year, sub, user, o["dry_run"])
            report.append(entry)
            failed = failed or not ok
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) if o["json"] else self._text(report))
        if failed:
            raise CommandError("Có tệp không nhập được (xem chi tiết ở trên).")

    @staticmethod
    def _open_submission(unit) -> Submission:
        """The unit's one registration still open for editing; otherwise a clear message."""
        open_ = list(Submission.objects.filter(unit=unit, round__kind=RoundKind.REGISTRATION,
                                               status__in=(Status.NOT_STARTED, Status.DRAFT, Status.RETURNED))
                     .select_related("round").order_by("-round__year", "-round__created_at"))
        if len(open_) == 1:
            return open_[0]
        if not open_:
            raise CommandError(f"{unit.name} không có đợt đăng ký nào đang mở: hãy ghi --year NĂM (nhập không "
                               "gắn với đợt) hoặc --round SỐ (xem `danvan round list`).")
        listed = "; ".join(f"số {s.round_id} “{s.round.title}” (năm {s.round.year})" for s in open_)
        raise CommandError(f"{unit.name} có {len(open_)} đợt đăng ký đang mở: {listed}. Hãy chọn bằng --round SỐ.")

    def _one(self, path: Path, unit, year, sub, user: Actor, dry_run: bool) -> tuple[dict, bool]:
        entry: dict = {"file": str(path)}
        try:
            if (size := path.stat().st_size) > DEFAULT_LIMITS.upload_bytes:  # before the file is read
                raise too_large(path.name, size, DEFAULT_LIMITS.upload_bytes)
            data = path.read_bytes()
            parsed = parse_form(data, path.name)
        except OSError as exc:
            return {**entry, "error": {"code": "unreadable",
                                       "message": f"Không đọc được tệp — {command.file_error(exc)}."}}, False
        except IntakeError as exc:
            return {**entry, "error": {"code": exc.code, "message": exc.message}}, False
        entry["exemplars"], entry["left_out"] = [], []
        previews = services.Previewer(unit, year).rows(parsed.exemplars)
        for position, (e, (row, warnings)) in enumerate(zip(parsed.exemplars, previews, strict=True), start=1):
            entry["exemplars"].append({
                "position": position, "row_no": e.row_no, "name": e.name, "field": e.field_label, "kind": e.kind, "origin": e.origin,
                "address": e.address, "content_problem": e.problem_html, "content_actors": e.actors_html,
                "content_results": e.results_html, "include": row["include"], "warnings": warnings})
            if not row["include"]:
                entry["left_out"].append({"file": path.name, "position": position, "row_no": e.row_no, "name": e.name,
                                          "reason": services.left_out_reason(row, warnings)})
        entry["warnings"] = [{"code": w.code, "message": w.message} for w in parsed.warnings]
        if dry_run:
            return entry, True
        # The page's two steps, each with its own short write (no transaction around both: a long one would
        # hold SQLite's write lock); a confirm that fails leaves the preview cancelled, no exemplar saved.
        started = None
        try:
            started = services.start_import(by=user, unit=unit, year=year, files=[(path.name, data)], submission=sub)
            if started.problems or started.batch is None:
                p = started.problems[0] if started.problems else None
                return {**entry, "error": {"code": p.code if p else "empty_form",
                                           "message": p.message if p else "Không có mô hình nào."}}, False
            edits = self._unknown_fields_as_new(started.batch)
            created = services.confirm_import(batch=started.batch, by=user, edits=edits)
        except (ValidationError, PermissionDenied) as exc:
            if started is not None and started.batch is not None:
                services.cancel_import(batch=started.batch, by=user)
            msgs = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            return {**entry, "error": {"code": "not_saved", "message": " ".join(msgs)}}, False
        entry["saved"] = [e.pk for e in created]
        entry["left_out"] = services.left_out(started.batch)
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
            saved = entry.get("saved")
            lines.append(f"{entry['file']}: {len(entry['exemplars'])} mô hình"
                         + (f", đã lưu {len(saved)}" if saved is not None
                            else f", sẽ lưu {len(entry['exemplars']) - len(entry['left_out'])} (chạy thử, chưa lưu)"))
            for e in entry["exemplars"]:
                kind = KIND.get(e["kind"], "chưa rõ hình thức").removeprefix("Mô hình ")
                origin = ORIGIN.get(e["origin"], "chưa rõ nguồn gốc").lower()
                lines.append(f"  {e['position']}. [{e['field']}] {e['name']} ({kind}, {origin})")
                lines.extend(f"      ! {w['message']}" for w in e["warnings"])
            if entry["left_out"]:
                lines.append("  " + services.left_out_summary(entry["left_out"]))
        return "\n".join(lines)
