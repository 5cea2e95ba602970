"""Issue 19 §1: the outgoing register. The Sở KH&CN's office numbers its consolidated registration of 2022 from
the dossier page; the leader is told to sign and send; the number is printed on the letter; a withdrawn number is
marked and never given again; API and CLI take the same step."""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from danvan.documents import register
from danvan.documents.models import OutgoingCounter, OutgoingEntry
from danvan.movement.models import Submission
from danvan.orgs.models import OrgUnit

from .test_documents_from_data import _texts
from .test_office_letters import _docx_text


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _skhcn_2022() -> Submission:
    return Submission.objects.get(unit__code="SKHCN-QNG", round__year=2022, round__kind="registration")


def _snv_2022() -> Submission:
    return Submission.objects.get(unit__code="SNV-QNG", round__year=2022, round__kind="registration")


def _page(resp) -> str:
    return re.sub(r"\s+", " ", resp.content.decode())


def _consolidated(login) -> tuple:
    office = login("vp.skhcn")
    sub = _skhcn_2022()
    office.post(f"/ho-so/{sub.pk}/tong-hop/")
    sub.refresh_from_db()
    assert sub.items.count() == 2
    return office, sub


def test_the_office_numbers_the_letter_and_the_leader_is_told(login, demo):
    office, sub = _consolidated(login)
    page = _page(office.get(f"/ho-so/{sub.pk}/"))
    assert "Công văn chưa có số" in page and "Cấp số văn bản đi</button>" in page
    today = timezone.localdate()

    resp = office.post(f"/ho-so/{sub.pk}/cap-so/", {"version": sub.version}, follow=True)
    page = _page(resp)
    assert f"Đã cấp số 01/SKHCN-VP ngày {today:%d/%m/%Y}; đã báo lãnh đạo đơn vị ký và gửi." in page
    assert "đã được cấp số <strong>01/SKHCN-VP</strong>" in page and "Cấp số văn bản đi</button>" not in page
    sub.refresh_from_db()
    assert (sub.signed_number, sub.signed_date) == ("01/SKHCN-VP", today)

    text = _docx_text(office.get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx"))
    assert "Số: 01/SKHCN-VP" in text
    assert f"ngày {today:%d} tháng {today.month:02d} năm {today.year}" in text or \
        f"ngày {today:%d} tháng {today.month} năm {today.year}" in text

    # The filed copy is the letter as issued, and its fingerprint is kept.
    entry = OutgoingEntry.objects.get(submission=sub)
    filed = office.get(f"/van-ban-di/{entry.pk}/tep/")
    data = b"".join(filed.streaming_content)
    assert hashlib.sha256(data).hexdigest() == entry.sha256
    assert "Số: 01/SKHCN-VP" in "\n".join(_texts(Document(io.BytesIO(data))))

    # The leader learns of it where they work: the notifications, with the dossier's link.
    leader = login("ld.skhcn")
    assert "đã được cấp số 01/SKHCN-VP" in _page(leader.get("/thong-bao/"))
    assert "Lãnh đạo ký rồi gửi hồ sơ lên cấp trên." in _page(leader.get(f"/ho-so/{sub.pk}/"))

    # A double submit gives no second number.
    resp = office.post(f"/ho-so/{sub.pk}/cap-so/", {"version": sub.version}, follow=True)
    assert "đã được cấp số 01/SKHCN-VP" in _page(resp) and "không cấp số lần nữa" in _page(resp)
    assert OutgoingCounter.objects.get(unit=sub.unit, year=today.year).last == 1

    # The register page and its Excel agree with the entries.
    reg = _page(office.get("/don-vi/SKHCN-QNG/so-van-ban-di/"))
    assert f"Sổ văn bản đi năm {today.year}" in reg and "<strong>01/SKHCN-VP</strong>" in reg
    assert "Đã cấp: <strong>1</strong>; đã thu hồi: <strong>0</strong>" in reg
    wb = load_workbook(io.BytesIO(office.get("/don-vi/SKHCN-QNG/so-van-ban-di.xlsx").content))
    rows = list(wb.active.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[7]) for r in rows] == [("01/SKHCN-VP", f"{today:%d/%m/%Y}", "Đã cấp số")]


def test_only_the_units_own_office_numbers_and_a_stale_page_numbers_nothing(login, demo):
    office, sub = _consolidated(login)
    for who in ("ld.skhcn", "bdv.quangngai"):
        resp = login(who).post(f"/ho-so/{sub.pk}/cap-so/", {"version": sub.version}, follow=True)
        assert "Chỉ văn phòng (văn thư), ban hoặc quản trị của «Sở Khoa học và Công nghệ»" in _page(resp), who
    assert login("tt.skhcn").post(f"/ho-so/{sub.pk}/cap-so/").status_code == 404
    assert login("tt.skhcn").get("/don-vi/SKHCN-QNG/so-van-ban-di/").status_code == 404
    assert login("bdv.quangngai").get("/don-vi/SKHCN-QNG/so-van-ban-di/").status_code == 200
    resp = office.post(f"/ho-so/{sub.pk}/cap-so/", {"version": sub.version - 1}, follow=True)
    assert "Hồ sơ vừa được người khác thay đổi" in _page(resp)
    assert not OutgoingEntry.objects.exists()
    assert not OutgoingCounter.objects.filter(last__gt=0).exists()


def test_a_failed_issuance_consumes_no_number(login, demo, monkeypatch):
    office, sub = _consolidated(login)

    def broken(spec):
        raise RuntimeError("ổ đĩa đầy")

    monkeypatch.setattr(register, "letter_bytes", broken)
    with pytest.raises(RuntimeError):
        register.issue_registration(submission=sub, by=sub.unit.memberships.get(user__username="vp.skhcn").user)
    monkeypatch.undo()
    sub.refresh_from_db()
    assert sub.signed_number == "" and not OutgoingEntry.objects.exists()
    resp = office.post(f"/ho-so/{sub.pk}/cap-so/", {"version": sub.version}, follow=True)
    assert "Đã cấp số 01/SKHCN-VP" in _page(resp)


def test_a_withdrawn_number_is_marked_and_never_given_again(login, demo):
    office = login("vp.snv")
    sub = _snv_2022()
    office.post(f"/ho-so/{sub.pk}/cap-so/", {"version": sub.version})
    entry = OutgoingEntry.objects.get(submission=sub)
    assert entry.code == "01/SNV"
    resp = office.post(f"/van-ban-di/{entry.pk}/thu-hoi/", {"reason": "  "}, follow=True)
    assert "Ghi lý do thu hồi số" in _page(resp)
    resp = office.post(f"/van-ban-di/{entry.pk}/thu-hoi/", {"reason": "Sai trích yếu, ban hành lại"}, follow=True)
    page = _page(resp)
    assert "Đã thu hồi số 01/SNV; số này không được cấp lại." in page
    assert "<s>01/SNV</s>" in page and "Sai trích yếu, ban hành lại" in page
    sub.refresh_from_db()
    assert (sub.signed_number, sub.signed_date) == ("", None)
    assert "Thu hồi số 01/SNV: Sai trích yếu, ban hành lại" in _page(office.get(f"/ho-so/{sub.pk}/"))

    office.post(f"/ho-so/{sub.pk}/cap-so/", {"version": sub.version})
    assert [(e.code, e.withdrawn) for e in OutgoingEntry.objects.filter(unit__code="SNV-QNG")] == [
        ("01/SNV", True), ("02/SNV", False)]
    resp = office.post(f"/van-ban-di/{entry.pk}/thu-hoi/", {"reason": "lần nữa"}, follow=True)
    assert "Số 01/SNV đã được thu hồi lúc" in _page(resp)


def test_the_api_numbers_reads_and_withdraws(api, demo, login):
    _, sub = _consolidated(login)
    client = api("vp.skhcn")
    resp = client.post(f"/api/submissions/{sub.pk}/number", {}, content_type="application/json")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert (body["code"], body["number"], body["withdrawn"]) == ("01/SKHCN-VP", 1, False)
    again = client.post(f"/api/submissions/{sub.pk}/number", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_numbered"
    listed = client.get("/api/units/SKHCN-QNG/outgoing").json()
    assert [e["code"] for e in listed["items"]] == ["01/SKHCN-VP"]
    data = b"".join(client.get(body["file_url"]).streaming_content)
    assert hashlib.sha256(data).hexdigest() == body["sha256"]
    denied = api("ld.skhcn").post(f"/api/outgoing/{body['id']}/withdraw", {"reason": "x"},
                                  content_type="application/json")
    assert denied.status_code == 403
    done = client.post(f"/api/outgoing/{body['id']}/withdraw", {"reason": "Ban hành lại"},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["withdrawn"] is True
    assert api("tt.skhcn").get("/api/units/SKHCN-QNG/outgoing").status_code == 404


def test_the_cli_issues_and_prints_number_file_and_fingerprint(demo, capsys, settings):
    sub = _snv_2022()
    call_command("issue", "--submission", str(sub.pk), "--letter", "consolidated", "--as", "vp.snv", "--json")
    out = json.loads(capsys.readouterr().out)
    assert (out["code"], out["number"], out["date"]) == ("01/SNV", 1, timezone.localdate().isoformat())
    with open(out["file"], "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == out["sha256"]
    with pytest.raises(CommandError, match="đã được cấp số 01/SNV"):
        call_command("issue", "--submission", str(sub.pk), "--as", "vp.snv")
    with pytest.raises(CommandError, match="Chỉ văn phòng"):
        call_command("issue", "--submission", str(sub.pk), "--as", "bdv.quangngai")


@pytest.mark.django_db(transaction=True)
def test_two_clerks_issuing_at_the_same_instant_get_two_numbers(demo):
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections: PostgreSQL (SQLite serialises every writer anyway)")
    unit = OrgUnit.objects.get(code="SKHCN-QNG")
    start, got, errors = threading.Barrier(4), [], []

    def clerk():
        from django.db import connection as conn

        try:
            start.wait()
            with transaction.atomic():
                got.append(register.next_number(unit, 2030))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=clerk) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(got) == [1, 2, 3, 4]
