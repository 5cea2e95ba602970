"""Issue 4: the seed documents generated from system data, read back through the doors users use."""

import io
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from danvan.movement.models import RegistrationRound, Submission

pytestmark = pytest.mark.django_db


def _texts(doc) -> list[str]:
    """Paragraph and table-cell texts in document order (header tables included)."""
    out: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
            if text.strip():
                out.append(text)
        elif tag == "tbl":
            for p in child.iter():
                if p.tag.endswith("}p"):
                    text = "".join(t.text or "" for t in p.iter() if t.tag.endswith("}t"))
                    if text.strip():
                        out.append(text)
    return out


def _skhcn_2021() -> Submission:
    return Submission.objects.get(unit__code="SKHCN-QNG", round__year=2021)


def test_consolidated_registration_reads_like_seed_001(login, demo):
    sub = _skhcn_2021()
    resp = login("vp.skhcn").get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    texts = _texts(Document(io.BytesIO(resp.content)))
    joined = "\n".join(texts)
    for line in ["UBND TỈNH QUẢNG NGÃI", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "Số: /SKHCN-VP", "Quảng Ngãi, ngày 27 tháng 4 năm 2021",
                 "Kính gửi: Ban Dân vận Tỉnh ủy", "Nơi nhận:", "- Như trên;", "- Sở Nội vụ;", "- GD, các PGD Sở;",
                 "- Các phòng, đơn vị thuộc Sở;", "- Lưu: VT, VP.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Công Hòa",
                 "(Kèm theo Công văn số: /SKHCN-VP ngày 27/4/2021 của Sở Khoa học và Công nghệ)", "Biểu số 2"]:
        assert line in texts, line
    assert "V/v đăng ký mô hình, điển hình" in joined and '"Dân vận khéo" năm 2021' in joined
    assert ("Thực hiện Hướng dẫn số 08-HD/BDVTU ngày 19/4/2021 của Ban Dân vận Tỉnh ủy về việc xây dựng mô hình, "
            'điển hình "Dân vận khéo", giai đoạn 2021-2025;') in texts
    assert ('Sở Khoa học và Công nghệ đăng ký xây dựng mới mô hình, điển hình "Dân vận khéo" năm 2021 '
            "(có biểu mẫu số 2 đính kèm).") in texts
    assert "Kính gửi Ban Dân vận Tỉnh ủy theo dõi, tổng hợp./." in texts
    # Groups in the seed's order, each exemplar's whole content, in order.
    order = [joined.index(s) for s in ["Lĩnh vực Tài chính, Văn phòng", "Thực hiện tiết kiệm điện trong cơ quan",
                                        "Lĩnh vực Tiêu chuẩn Đo lường Chất lượng",
                                        "Vận động tổ chức, doanh nghiệp tham gia Giải thưởng chất lượng Quốc gia",
                                        "Lĩnh vực thanh tra", "Thực hiện tốt công tác tiếp công dân"]]
    assert order == sorted(order)
    for ex in sub.exemplars.all():
        from danvan.foundation.html import html_to_paragraphs

        for para in html_to_paragraphs(ex.content_problem):
            assert para in joined
    assert "- Tổ chức, cá nhân thực hiện: Công chức, người lao động Khối Văn phòng Sở" in texts
    assert any(t.startswith("- Dự kiến kết quả mô hình đem lại: Thực hiện tốt tiết kiệm điện") for t in texts)


def test_xlsx_and_dossier_list(login, demo):
    from openpyxl import load_workbook

    sub = _skhcn_2021()
    client = login("bdv.quangngai")
    wb = load_workbook(io.BytesIO(client.get(f"/ho-so/{sub.pk}/van-ban/dang-ky.xlsx").content))
    values = [c for row in wb.active.iter_rows(values_only=True) for c in row if c]
    assert "Thực hiện tiết kiệm điện trong cơ quan" in values and "I" in values and "III" in values
    doc = Document(io.BytesIO(client.get(f"/ho-so/{sub.pk}/van-ban/danh-sach.docx").content))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "Văn phòng Sở Khoa học và Công nghệ" in cells and "Mô hình tập thể" in cells


def test_outside_scope_is_404(login, demo):
    sub = _skhcn_2021()
    client = login("dangbo.stp")
    assert client.get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx").status_code == 404
    assert client.get(f"/dot-dang-ky/{sub.round.pk}/van-ban/phat-dong.docx").status_code == 404
    # A sibling unit cannot read the Sở's registration either.
    assert login("cc.tdc").get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx").status_code == 404
    assert login("tt.skhcn").get("/don-vi/SKHCN-QNG/van-ban/").status_code == 404


def test_launch_letter_with_blank_form_and_reminder_letter(login, demo):
    relay = RegistrationRound.objects.get(year=2021, issuer__code="SKHCN-QNG")
    client = login("vp.skhcn")
    texts = _texts(Document(io.BytesIO(client.get(f"/dot-dang-ky/{relay.pk}/van-ban/phat-dong.docx").content)))
    joined = "\n".join(texts)
    assert "Kính gửi: Các phòng, đơn vị thuộc Sở" in texts
    assert "Kế hoạch số 38/KH-UBND ngày 04/3/2021" in joined and "trước ngày 05/4/2021" in joined
    assert "ldtuan-sk@quangngai.gov.vn" in joined and "PHÒNG/ĐƠN VỊ..." in texts and "I. Lĩnh vực...." in texts
    r22 = RegistrationRound.objects.get(year=2022, issuer__code="SKHCN-QNG")
    texts = _texts(Document(io.BytesIO(client.get(f"/dot-dang-ky/{r22.pk}/van-ban/don-doc.docx").content)))
    joined = "\n".join(texts)
    assert "Kính gửi: Chi cục Tiêu chuẩn Đo lường Chất lượng" in texts and "V/v đôn đốc đăng ký" in joined
    assert "Danh sách tập thể và cá nhân đăng ký" in joined and "08/4/2022" in joined
    assert "Văn phòng Sở" not in joined.split("Nơi nhận")[0].split("chưa hoàn thành")[1]
    # Only the issuer's office may write the reminder.
    assert login("tt.skhcn").get(f"/dot-dang-ky/{r22.pk}/van-ban/don-doc.docx").status_code == 404


def test_blank_form_downloads(login, demo):
    client = login("cc.tdc")
    doc = Document(io.BytesIO(client.get("/bieu-mau-trong.docx").content))
    header = [c.text for c in doc.tables[-1].rows[2].cells]
    assert header[:7] == [str(i) for i in range(1, 8)]
    assert client.get("/bieu-mau-trong.xlsx").status_code == 200
    resp = client.get("/bieu-mau-trong.pdf", follow=True)
    assert "chỉ xuất được dạng docx, xlsx" in resp.content.decode()


def test_empty_registration_and_control_characters(login, demo):
    from danvan.exemplars.models import Exemplar

    r22 = RegistrationRound.objects.get(year=2022, issuer__code="SKHCN-QNG")
    cc = r22.submissions.get(unit__code="CCTDC-QNG")
    texts = _texts(Document(io.BytesIO(login("vp.skhcn").get(f"/ho-so/{cc.pk}/van-ban/dang-ky.docx").content)))
    assert any("Không có mô hình, điển hình nào" in t for t in texts)
    Exemplar.objects.filter(name="Thực hiện tiết kiệm điện trong cơ quan").update(
        content_actors="<p>Công chức\x0b Văn phòng\x1f Sở</p>")  # PostgreSQL cannot even store NUL
    sub = _skhcn_2021()
    resp = login("vp.skhcn").get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx")
    assert resp.status_code == 200
    assert "- Tổ chức, cá nhân thực hiện: Công chức Văn phòng Sở" in _texts(Document(io.BytesIO(resp.content)))


def test_letter_settings_page(login, demo):
    client = login("vp.skhcn")
    resp = client.post("/don-vi/SKHCN-QNG/van-ban/", {
        "address_name": "Sở Khoa học và Công nghệ", "children_name": "Các phòng, đơn vị thuộc Sở",
        "authority": "KT.", "authority_title": "GIÁM ĐỐC", "signer_title": "PHÓ GIÁM ĐỐC",
        "signer_name": "Nguyễn Văn Mới", "copies": "Như trên\nLưu: VT, VP.", "soft_file_email": ""}, follow=True)
    assert "Đã lưu thông tin văn bản" in resp.content.decode()
    sub = _skhcn_2021()
    texts = _texts(Document(io.BytesIO(client.get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx").content)))
    assert "Nguyễn Văn Mới" in texts and "- Sở Nội vụ;" not in texts


def test_cli_export(demo, tmp_path):
    out = tmp_path / "dk.docx"
    call_command("export", "consolidated", "--unit", "SKHCN-QNG", "--year", "2021", "--format", "docx", "-o", str(out))
    assert "Quảng Ngãi, ngày 27 tháng 4 năm 2021" in _texts(Document(str(out)))
    call_command("export", "blank-form", "--format", "xlsx", "-o", str(tmp_path / "b.xlsx"))
    call_command("export", "reminder", "--round", str(RegistrationRound.objects.get(year=2022, issuer__code="BDVTU-QNG", kind="registration").pk),
                 "--unit", "SKHCN-QNG", "-o", str(tmp_path / "r.docx"))
    assert "Chi cục Tiêu chuẩn Đo lường Chất lượng" in "\n".join(_texts(Document(str(tmp_path / "r.docx"))))
    with pytest.raises(CommandError, match="Không có đơn vị mã"):
        call_command("export", "consolidated", "--unit", "KHONG-CO", "--year", "2021", "-o", str(out))
    with pytest.raises(CommandError, match="không có hồ sơ đăng ký năm 2019"):
        call_command("export", "consolidated", "--unit", "SKHCN-QNG", "--year", "2019", "-o", str(out))


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice chưa được cài: bỏ qua phần PDF")
def test_pdf_pages_and_orientation(demo, tmp_path):
    out = tmp_path / "dk.pdf"
    call_command("export", "consolidated", "--unit", "SKHCN-QNG", "--year", "2021", "--format", "pdf", "-o", str(out))
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "20", str(out)], capture_output=True, text=True).stdout
    sizes = [line.split(":", 1)[1].split("pts")[0].split("x") for line in info.splitlines()
             if line.startswith("Page") and "size:" in line]
    portrait = [float(w) < float(h) for w, h in sizes]
    assert portrait[0] and not any(portrait[1:]) and len(portrait) >= 3
    for page in range(2, len(portrait) + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(out), "-"],
                              capture_output=True, text=True).stdout
        assert "TRONG ĐÓ" in text and "HÌNH THỨC" in text, page


def test_large_registration_is_built_in_the_background(login, demo, settings, monkeypatch):
    """Issue 4 §8: past the threshold the download becomes a job with a progress page and a link when ready."""
    from danvan.documents import services
    from danvan.documents.models import GeneratedDocument, JobStatus

    settings.DANVAN_BACKGROUND_DOCUMENT_ITEMS = 1  # the seed registration has 4 exemplars
    sub = _skhcn_2021()
    office = login("vp.skhcn")
    resp = office.get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx")
    assert resp.status_code == 302 and "/van-ban/tao/" in resp["Location"]
    job = GeneratedDocument.objects.get()
    assert job.status == JobStatus.DONE and job.progress == 100  # the immediate backend ran the task
    page = office.get(resp["Location"]).content.decode()
    assert f"/van-ban/tao/{job.pk}/tai-ve/" in page and "Đã xong" in page
    fragment = office.get(resp["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "hx-trigger" not in fragment  # finished: polling stops
    got = office.get(f"/van-ban/tao/{job.pk}/tai-ve/")
    texts = _texts(Document(io.BytesIO(b"".join(got.streaming_content))))
    assert "Thực hiện tiết kiệm điện trong cơ quan" in texts and "Biểu số 2" in texts
    # Somebody else's job is not theirs to see or download, even in the same unit tree.
    board = login("bdv.quangngai")
    assert board.get(f"/van-ban/tao/{job.pk}/").status_code == 404
    assert board.get(f"/van-ban/tao/{job.pk}/tai-ve/").status_code == 404

    # A failing build ends as a Vietnamese message on the progress page, never a half file.
    def broken(sub, fmt):
        raise services.DocumentError("Hồ sơ chưa có mô hình nào để xuất.")

    monkeypatch.setitem(__import__("danvan.documents.tasks", fromlist=["MAKERS"]).MAKERS, "danh-sach", broken)
    resp = office.get(f"/ho-so/{sub.pk}/van-ban/danh-sach.xlsx")
    failed = GeneratedDocument.objects.get(which="danh-sach")
    assert failed.status == JobStatus.FAILED and not failed.file
    assert "Hồ sơ chưa có mô hình nào để xuất." in office.get(resp["Location"]).content.decode()
    assert office.get(f"/van-ban/tao/{failed.pk}/tai-ve/").status_code == 404


def test_queued_job_page_polls_until_done(login, demo, settings):
    """While the worker has not run the job, the page polls and a second click does not queue it twice."""
    from danvan.documents.models import GeneratedDocument, JobStatus

    settings.DANVAN_BACKGROUND_DOCUMENT_ITEMS = 1
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    sub = _skhcn_2021()
    office = login("vp.skhcn")
    first = office.get(f"/ho-so/{sub.pk}/van-ban/dang-ky.xlsx")
    second = office.get(f"/ho-so/{sub.pk}/van-ban/dang-ky.xlsx")
    assert first["Location"] == second["Location"] and GeneratedDocument.objects.count() == 1
    job = GeneratedDocument.objects.get()
    assert job.status == JobStatus.QUEUED
    page = office.get(first["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and "Đang chờ đến lượt" in page
    assert office.get(f"/van-ban/tao/{job.pk}/tai-ve/").status_code == 404
