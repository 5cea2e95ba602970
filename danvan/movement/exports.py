"""Files built from the movement's reads: the completeness workbook (the round page's download)."""

from __future__ import annotations

from .selectors import Completeness


def completeness_xlsx(data: Completeness) -> bytes:
    """The completeness page as a workbook: one sheet per level, one for the child branches."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from danvan.foundation.cells import workbook_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = "Theo cấp"
    ws.append([f"Tiến độ đăng ký: {data.root.title} — {data.node.name}"])
    ws["A1"].font = Font(bold=True)
    head = ["Cấp", "Phải gửi", "Đã gửi", "Đúng hạn", "Muộn", "Đã tiếp nhận", "Bị trả lại", "Đang soạn",
            "Chưa bắt đầu", "Tỉ lệ đã gửi (%)"]
    ws.append(head)
    for r in data.by_level:
        ws.append([r["level"].name, r["expected"], r["submitted"], r["on_time"], r["late"], r["accepted"],
                   r["returned"], r["draft"], r["not_started"], r["rate"]])
    ws2 = wb.create_sheet("Đơn vị trực thuộc")
    ws2.append(["Mã", "Đơn vị", "Tình trạng", "Số mô hình", "Đơn vị cấp dưới đã gửi / phải gửi"])
    for ch in data.children:
        sub, st = ch["submission"], ch["stats"]
        ws2.append([ch["unit"].code, ch["unit"].name, ch["state"], sub.n_total if sub else "",
                    f"{st['submitted']}/{st['expected']}" if st else ""])
    for sheet in (ws, ws2):
        for col in sheet.columns:
            sheet.column_dimensions[col[0].column_letter].width = 22
            for cell in col:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(wb)
