"""`danvan bench pdf`: the consolidated registration of seed 001 (Sở KH&CN Quảng Ngãi, 2021) as PDF, the
slow way (a LibreOffice started for the file) and through a kept LibreOffice (`danvan pdf-server`, the
one of ``DANVAN_PDF_SERVER`` or one started for the bench and stopped after). Target: ≤ 2 s kept."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from danvan.documents import pdf
from danvan.documents import services as documents
from danvan.foundation.timing import median_seconds
from danvan.movement.models import Submission

TARGET_SECONDS = 2.0


def bench_pdf(repeat: int = 5, once_repeat: int = 3) -> dict:
    sub = (Submission.objects.filter(unit__code="SKHCN-QNG", round__year=2021, round__kind="registration")
           .select_related("unit", "round").first())
    if sub is None:
        raise RuntimeError("Cần hồ sơ đăng ký năm 2021 của Sở KH&CN (SKHCN-QNG) của dữ liệu mẫu: chạy `danvan loaddemo`.")
    if not pdf.pdf_available():
        raise RuntimeError(pdf.UNAVAILABLE_MESSAGE)
    docx = documents.consolidated(sub, "docx").data
    result: dict = {"document": f"dang-ky-{sub.unit.code}-{sub.round.year}.pdf", "docx_bytes": len(docx),
                    "target_seconds": TARGET_SECONDS}
    result["one_shot_seconds"] = round(median_seconds(lambda: pdf.convert_once(docx, "docx"), once_repeat), 3)
    configured = os.environ.get(pdf.SERVER_ENV, "").strip()
    process = None
    with tempfile.TemporaryDirectory(prefix="danvan-bench-pdf-") as scratch:
        server = configured
        if not (configured and pdf.server_answers(configured)):
            if pdf.find_uno_python() is None:
                result["kept_seconds"] = None
                result["kept_note"] = pdf.NO_UNO_MESSAGE
                return result
            port = pdf.free_port()
            process = pdf.start_server("127.0.0.1", port, Path(scratch))
            server = f"127.0.0.1:{port}"
        try:
            first = median_seconds(lambda: pdf.convert_on_server(docx, "docx", server), 1)  # warms the server
            kept = median_seconds(lambda: pdf.convert_on_server(docx, "docx", server), repeat)
            data = pdf.convert_on_server(docx, "docx", server) or b""
        finally:
            if process is not None:
                pdf.stop_server(process)
    result.update({"kept_server": "DANVAN_PDF_SERVER" if process is None else "khởi động riêng cho phép đo",
                   "kept_first_seconds": round(first, 3), "kept_seconds": round(kept, 3),
                   "pdf_bytes": len(data), "fonts": pdf.pdf_fonts(data),
                   "meets_target": kept <= TARGET_SECONDS})
    return result
