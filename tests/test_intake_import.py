"""Issue 5 through the doors: upload → preview → confirm, bad files, repeats, scope, CLI."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from danvan.exemplars.models import Exemplar
from danvan.intake.models import ImportBatch, ImportRow
from danvan.movement import services as rounds
from danvan.movement.models import SubmissionItem
from danvan.tools.intake_samples import (
    build_blank_form_docx,
    build_seed001_docx,
    build_seed001_xlsx,
)

pytestmark = pytest.mark.django_db
SEED_NAMES = ["Thực hiện tiết kiệm điện trong cơ quan",
              "Vận động tổ chức, doanh nghiệp tham gia Giải thưởng chất lượng Quốc gia"]


def _counts():
    return (Exemplar.objects.count(), ImportBatch.objects.count(), ImportRow.objects.count(),
            SubmissionItem.objects.count())


@pytest.fixture
def sub2023(units):
    from django.contrib.auth.models import User

    from danvan.exemplars.models import Movement

    board = User.objects.get(username="bdv.quangngai")
    rnd = rounds.launch_round(issuer=units["BDVTU-QNG"], by=board, movement=Movement.objects.get(period_start=2021),
                              year=2023, title="Đăng ký năm 2023",
                              deadline=timezone.now() + datetime.timedelta(days=20)).obj
    return rnd.submissions.get(unit__code="SKHCN-QNG")


def _upload(client, name, data, **extra):
    payload = {"unit": extra.pop("unit"), "year": extra.pop("year", 2023),
               "uploads": [SimpleUploadedFile(name, data)], **extra}
    return client.post("/nhap-bieu-mau/", payload, follow=True)


def _confirm_payload(batch):
    data = {"confirm": "1"}
    for row in ImportRow.objects.filter(file__batch=batch):
        p = f"r{row.pk}-"
        d = row.data
        if d["include"]:
            data[p + "include"] = "on"
        data.update({p + "name": d["name"], p + "field": d["field_id"] or "new:he-thong-chinh-tri",
                     p + "kind": d["kind"] or "", p + "origin": d["origin"] or "", p + "address": d["address"],
                     p + "content_problem": d["content_problem"], p + "content_actors": d["content_actors"],
                     p + "content_results": d["content_results"]})
    return data


def test_seed001_round_trip_through_the_web(login, units, sub2023, seed_exemplars):
    office = login("vp.skhcn")
    emailed = build_seed001_docx()  # the same attachment, e-mailed twice
    resp = _upload(office, "bieu-so-2.docx", emailed, unit=units["SKHCN-QNG"].pk, ho_so=sub2023.pk)
    html = resp.content.decode()
    assert "Đã đọc 3 mô hình" in html and "Xem trước" in html
    batch = ImportBatch.objects.get()
    assert batch.submission == sub2023 and batch.files.get().sha256
    resp = office.post(f"/nhap-bieu-mau/{batch.pk}/", _confirm_payload(batch), follow=True)
    assert "Đã nhập 3 mô hình" in resp.content.decode()
    imported = {e.name: e for e in Exemplar.objects.filter(year=2023, unit__code="SKHCN-QNG")}
    assert len(imported) == 3
    # The text read back from Word equals the seed text of the demo (extracted independently).
    for name, original in seed_exemplars.items():
        got = imported[name]
        assert (got.content_problem, got.content_actors, got.content_results) == (
            original.content_problem, original.content_actors, original.content_results), name
        assert (got.kind, got.origin, got.address, got.field.name) == (
            original.kind, original.origin, original.address, original.field.name)
    sub2023.refresh_from_db()
    assert sub2023.items.count() == 3 and sub2023.status == "draft"
    # The original file is kept as evidence and downloadable within scope only.
    f = batch.files.get()
    assert office.get(f"/nhap-bieu-mau/tep/{f.pk}/").status_code == 200
    assert login("dangbo.stp").get(f"/nhap-bieu-mau/tep/{f.pk}/").status_code == 404
    # Issue 21: seeing the unit is not enough; the original is for those who may edit the batch's unit.
    from django.contrib.auth import get_user_model

    from danvan.orgs.models import Membership

    Membership.objects.create(user=get_user_model().objects.get(username="dangbo.stp"), unit=units["BDVTU-QNG"], role="officer")
    viewer = login("dangbo.stp")
    assert viewer.get(f"/ho-so/{sub2023.pk}/").status_code == 200  # sees the unit's dossier…
    assert viewer.get(f"/nhap-bieu-mau/tep/{f.pk}/").status_code == 404  # …not the original file
    # Importing the same file again is recognised.
    before = _counts()
    resp = _upload(office, "lan-2.docx", emailed, unit=units["SKHCN-QNG"].pk)
    assert "đã được nhập lúc" in resp.content.decode() and _counts() == before


def test_xlsx_variant_and_double_confirm(login, units, demo):
    office = login("vp.skhcn")
    _upload(office, "bieu.xlsx", build_seed001_xlsx(), unit=units["TT-SKHCN-QNG"].pk)
    batch = ImportBatch.objects.get()
    payload = _confirm_payload(batch)
    assert "Đã nhập 3" in office.post(f"/nhap-bieu-mau/{batch.pk}/", payload, follow=True).content.decode()
    before = _counts()
    again = office.post(f"/nhap-bieu-mau/{batch.pk}/", payload, follow=True).content.decode()
    assert "đã được xác nhận hoặc hủy" in again and _counts() == before


def test_blank_form_imports_nothing(login, units, demo):
    before = _counts()
    resp = _upload(login("vp.skhcn"), "bieu-trong.docx", build_blank_form_docx(), unit=units["SKHCN-QNG"].pk)
    assert "Không tìm thấy mô hình nào trong biểu mẫu" in resp.content.decode()
    assert _counts() == before


def _encrypted() -> bytes:
    head = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
    return head + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1024


def _corrupt_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>" * 100)
    return buf.getvalue()[:-40]


@pytest.mark.parametrize("name, data, message", [
    ("rac.docx", b"\x00\x01 day khong phai tep word" * 20, "không phải tệp Word"),
    ("hong.docx", _corrupt_zip(), "hỏng"),
    ("mat-khau.docx", _encrypted(), "mật khẩu"),
    ("qua-lon.docx", b"PK\x03\x04" + b"\x00" * (21 * 1024 * 1024), "vượt giới hạn 20,0 MB"),
])
def test_bad_files_get_a_vietnamese_message_and_nothing_is_saved(login, units, demo, name, data, message):
    before = _counts()
    resp = _upload(login("vp.skhcn"), name, data, unit=units["SKHCN-QNG"].pk)
    assert resp.status_code == 200
    assert message in resp.content.decode()
    assert _counts() == before


def test_scope(login, units, demo):
    officer = login("tt.skhcn")
    resp = _upload(officer, "b.docx", build_seed001_docx(), unit=units["SKHCN-QNG"].pk)
    assert "Hãy chọn một lựa chọn hợp lệ" in resp.content.decode() and not ImportBatch.objects.exists()
    _upload(login("vp.skhcn"), "b.docx", build_seed001_docx(), unit=units["SKHCN-QNG"].pk)
    batch = ImportBatch.objects.get()
    assert officer.get(f"/nhap-bieu-mau/{batch.pk}/").status_code == 404
    assert officer.post(f"/nhap-bieu-mau/{batch.pk}/", _confirm_payload(batch)).status_code == 404
    assert not Exemplar.objects.filter(year=2023).exists()


def test_preview_corrections_are_saved(login, units, demo):
    office = login("vp.skhcn")
    _upload(office, "b.docx", build_seed001_docx(), unit=units["CCTDC-QNG"].pk)
    batch = ImportBatch.objects.get()
    payload = _confirm_payload(batch)
    rows = list(ImportRow.objects.filter(file__batch=batch))
    payload[f"r{rows[0].pk}-name"] = "Tiết kiệm điện (đã sửa tên)"
    payload.pop(f"r{rows[2].pk}-include")  # excluded
    payload[f"r{rows[1].pk}-kind"] = ""
    resp = office.post(f"/nhap-bieu-mau/{batch.pk}/", payload, follow=True)
    assert "hãy chọn hình thức tập thể hoặc cá nhân" in resp.content.decode()
    assert not Exemplar.objects.filter(year=2023).exists()  # all or nothing
    payload[f"r{rows[1].pk}-kind"] = "individual"
    office.post(f"/nhap-bieu-mau/{batch.pk}/", payload)
    names = set(Exemplar.objects.filter(year=2023).values_list("name", "kind"))
    assert names == {("Tiết kiệm điện (đã sửa tên)", "collective"), (SEED_NAMES[1], "individual")}


def test_cli_dry_run_and_save(demo, tmp_path, capsys):
    good = tmp_path / "bieu.docx"
    good.write_bytes(build_seed001_docx())
    call_command("import-forms", str(good), "--unit", "VP-SKHCN-QNG", "--year", "2023", "--dry-run", "--json")
    report = json.loads(capsys.readouterr().out)
    assert [e["name"] for e in report[0]["exemplars"]][:2] == SEED_NAMES
    assert report[0]["exemplars"][2]["kind"] == "individual"
    assert not Exemplar.objects.filter(year=2023).exists()
    call_command("import-forms", str(good), "--unit", "VP-SKHCN-QNG", "--year", "2023", "--json", "--as", "vp.skhcn")
    assert len(json.loads(capsys.readouterr().out)[0]["saved"]) == 3
    bad = tmp_path / "rac.xlsx"
    bad.write_bytes(b"not an office file at all" * 10)
    with pytest.raises(CommandError, match="Có tệp không nhập được"):
        call_command("import-forms", str(bad), "--unit", "VP-SKHCN-QNG", "--year", "2023", "--json")
    assert "không phải tệp Word" in capsys.readouterr().out


def test_preview_shows_content_as_paragraphs_not_markup(login, units, demo):
    """The seed's cells hold literal <p> tags: the officer edits plain paragraphs, and they are saved as such."""
    office = login("vp.skhcn")
    _upload(office, "b.docx", build_seed001_docx(), unit=units["VP-SKHCN-QNG"].pk)
    batch = ImportBatch.objects.get()
    page = office.get(f"/nhap-bieu-mau/{batch.pk}/").content.decode()
    assert "&lt;p&gt;" not in page
    assert "- Tổ chức, cá nhân thực hiện" not in page  # the parts are split, not repeated
    office.post(f"/nhap-bieu-mau/{batch.pk}/", _confirm_payload(batch))
    ex = Exemplar.objects.get(year=2023, name=SEED_NAMES[0])
    edit = office.get(f"/mo-hinh/{ex.pk}/sua/").content.decode()
    assert "&lt;p&gt;" not in edit and ex.content_problem.startswith("<p>")


def test_preview_row_can_be_recorded_as_a_replication_of_a_similar_model(login, units, demo):
    """The Chi cục's form repeats the Văn phòng's 2021 model: one radio in the preview records it as a replica."""
    office = login("vp.skhcn")
    _upload(office, "b.docx", build_seed001_docx(), unit=units["CCTDC-QNG"].pk)
    batch = ImportBatch.objects.get()
    source = Exemplar.objects.get(unit__code="VP-SKHCN-QNG", year=2021, name=SEED_NAMES[0])
    row = ImportRow.objects.get(file__batch=batch, data__name=SEED_NAMES[0])
    page = office.get(f"/nhap-bieu-mau/{batch.pk}/").content.decode()
    assert f'name="r{row.pk}-source" value="{source.pk}"' in page  # offered among the similar models
    payload = _confirm_payload(batch)
    # A source the user may not pick (a forged id) is refused and nothing is saved.
    payload[f"r{row.pk}-source"] = "999999"
    resp = office.post(f"/nhap-bieu-mau/{batch.pk}/", payload, follow=True)
    assert "mô hình nguồn đã chọn không còn" in resp.content.decode() and not Exemplar.objects.filter(year=2023)
    payload[f"r{row.pk}-source"] = str(source.pk)
    office.post(f"/nhap-bieu-mau/{batch.pk}/", payload)
    replica = Exemplar.objects.get(year=2023, unit__code="CCTDC-QNG", name=SEED_NAMES[0])
    assert (replica.origin, replica.source_id) == ("replication", source.pk)
    assert Exemplar.objects.get(year=2023, name=SEED_NAMES[1]).source_id is None  # the other rows are untouched


LEFT_OUT = "Không nhập 1 dòng: mô hình thứ 1 của tệp «bieu.docx» “Thực hiện tiết kiệm điện trong cơ quan” — Có thể trùng"


def test_cli_names_the_row_it_leaves_out_in_the_dry_run_and_the_result(demo, tmp_path, capsys):
    """The Văn phòng's 2021 model again in 2022: "3 mô hình, đã lưu 2" says which row was left and why."""
    form = tmp_path / "bieu.docx"
    form.write_bytes(build_seed001_docx())
    args = [str(form), "--unit", "VP-SKHCN-QNG", "--year", "2022"]
    call_command("import-forms", *args, "--dry-run")
    out = capsys.readouterr().out
    assert "3 mô hình, sẽ lưu 2 (chạy thử, chưa lưu)" in out and LEFT_OUT in out
    assert "(tập thể, xây dựng mới)" in out and "collective" not in out
    call_command("import-forms", *args, "--as", "vp.skhcn", "--json")
    entry = json.loads(capsys.readouterr().out)[0]
    assert len(entry["saved"]) == 2
    assert [(r["position"], r["name"]) for r in entry["left_out"]] == [(1, SEED_NAMES[0])]
    assert "Có thể trùng" in entry["left_out"][0]["reason"]


def test_page_names_the_rows_left_out(login, units, demo):
    office = login("vp.skhcn")
    _upload(office, "bieu.docx", build_seed001_docx(), unit=units["VP-SKHCN-QNG"].pk, year=2022)
    batch = ImportBatch.objects.get()
    page = office.post(f"/nhap-bieu-mau/{batch.pk}/", _confirm_payload(batch), follow=True).content.decode()
    assert "Đã nhập 2 mô hình, điển hình." in page and LEFT_OUT in page


def test_api_names_the_rows_left_out(api, demo):
    client = api("vp.skhcn")
    data = build_seed001_xlsx()
    made = client.post("/api/imports", {"unit": "VP-SKHCN-QNG", "year": 2022,
                                        "files": [SimpleUploadedFile("bieu.xlsx", data)]}).json()
    rows = made["rows"]
    done = client.post(f"/api/imports/{made['id']}/confirm", content_type="application/json").json()
    assert len(done["exemplars"]) == len(rows) - len(done["left_out"]) and done["left_out"]
    assert all(r["reason"] and r["file"] == "bieu.xlsx" for r in done["left_out"])
