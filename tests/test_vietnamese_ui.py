"""Issue 16 §8: every Django and widget text a user can see is Vietnamese — the password pages' rules and refusals,
empty select options, form errors, file inputs — from Django's own `vi` catalog and danvan/locale's overrides."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from danvan.ops.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
LOCALE = Path(__file__).resolve().parent.parent / "danvan" / "locale" / "vi" / "LC_MESSAGES"
# Django's English that reached pages before: a page showing any of these fails.
ENGLISH = ["This password is too short", "Your password must contain", "This password is too common",
           "Your password can", "- Select an option -", "---------", "This field is required",
           "Select a valid choice", "Enter a valid date", "Currently", "The two password fields",
           "Your old password", "Old password", "New password"]


def _text(resp) -> str:
    return resp.content.decode()


def english_in(page: str) -> list[str]:
    return [w for w in ENGLISH if w in page]


def _reset_link(client: Client, email: str) -> str:
    client.post("/mat-khau/quen/", {"email": email})
    found = re.search(r"https?://[^/]+(/mat-khau/dat/[^\s]+/)", mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    form = client.get(found.group(1), follow=True)
    return form.redirect_chain[-1][0] if form.redirect_chain else found.group(1)


def test_the_set_password_page_states_the_rules_and_refuses_in_vietnamese(demo):
    anon = Client()
    url = _reset_link(anon, "tt.skhcn@danvan.local")
    page = _text(anon.get(url))
    assert "Mật khẩu phải có ít nhất 8 ký tự." in page and "mật khẩu phổ biến" in page
    assert not english_in(page), english_in(page)
    short = _text(anon.post(url, {"new_password1": "abc", "new_password2": "abc"}))
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in short and "Mật khẩu này quá phổ biến" in short
    differ = _text(anon.post(url, {"new_password1": "Moi@MatKhau9", "new_password2": "Moi@MatKhau8"}))
    assert "Hai trường mật khẩu không giống nhau." in differ
    empty = _text(anon.post(url, {}))
    assert "Trường này là bắt buộc." in empty
    for p in (short, differ, empty):
        assert not english_in(p), english_in(p)


def test_a_signed_in_user_changes_the_password_from_the_profile_page_in_vietnamese(login):
    client = login("tt.skhcn")
    assert "/tai-khoan/doi-mat-khau/" in _text(client.get("/tai-khoan/"))
    page = _text(client.get("/tai-khoan/doi-mat-khau/"))
    assert "Mật khẩu hiện tại" in page and "Mật khẩu phải có ít nhất 8 ký tự." in page
    assert not english_in(page), english_in(page)
    wrong = _text(client.post("/tai-khoan/doi-mat-khau/", {"old_password": "sai", "new_password1": "12345678",
                                                           "new_password2": "12345678"}))
    assert "Mật khẩu hiện tại không đúng. Hãy nhập lại." in wrong
    assert "Mật khẩu không được chỉ gồm chữ số." in wrong or "Mật khẩu này quá phổ biến" in wrong
    assert not english_in(wrong), english_in(wrong)
    done = client.post("/tai-khoan/doi-mat-khau/", {"old_password": DEMO_PASSWORD, "new_password1": "Moi@MatKhau9",
                                                    "new_password2": "Moi@MatKhau9"}, follow=True)
    assert "Đã đổi mật khẩu." in _text(done)
    assert Client().post("/dang-nhap/", {"username": "tt.skhcn", "password": "Moi@MatKhau9"}).status_code == 302


def test_empty_choices_and_form_errors_are_vietnamese(login):
    board = login("bdv.quangngai")
    page = _text(board.get("/quan-tri-don-vi/don-vi/SKHCN-QNG/"))
    assert "— Chọn cấp —" in page and "— Chọn loại đơn vị —" in page
    assert not english_in(page), english_in(page)
    refused = _text(board.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/", {
        "action": "child", "c-code": "MOI-SKHCN", "c-name": "Phòng mới", "c-level": "999", "c-kind": ""}))
    assert "Hãy chọn một lựa chọn hợp lệ." in refused and "Trường này là bắt buộc." in refused
    assert not english_in(refused), english_in(refused)


def test_a_file_input_with_a_file_speaks_vietnamese():
    from django import forms

    from danvan.onboarding.views import UploadForm

    class Stored:
        url = "/x"

        def __str__(self):
            return "tep.xlsx"

    form = UploadForm(initial={"upload": Stored()})
    form.fields["upload"].required = form.fields["upload"].widget.is_required = False
    html = str(form["upload"])
    assert "Tệp hiện có" in html and "Bỏ tệp này" in html and "Thay bằng tệp khác" in html
    assert isinstance(form.fields["upload"].widget, forms.ClearableFileInput)


def test_the_compiled_catalog_says_what_the_po_file_says():
    """danvan/locale/vi/LC_MESSAGES/django.mo is compiled from django.po (msgfmt): a .po edited without
    compiling would not reach the pages."""
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    with open(LOCALE / "django.mo", "rb") as f:
        mo = gettext.GNUTranslations(f)
    singles = re.findall(r'\nmsgid ((?:"[^\n]*"\n)+)msgstr ((?:"[^\n]*"\n)+)', po + "\n")
    assert len(singles) > 30
    for raw_id, raw_str in singles:
        msgid = "".join(re.findall(r'"(.*)"', raw_id)).replace('\\"', '"')
        msgstr = "".join(re.findall(r'"(.*)"', raw_str)).replace('\\"', '"')
        if msgid:
            assert mo.gettext(msgid) == msgstr, msgid


def test_every_date_input_shows_dd_mm_yyyy(login):
    """A deadline, an audit filter, a lifecycle date: shown back as dd/mm/yyyy, never ISO nor a browser date
    picker that follows the browser's language."""
    import datetime

    from django import forms
    from django.utils import timezone

    from danvan.movement.forms import DeadlineField

    class Deadline(forms.Form):
        d = DeadlineField()

    when = timezone.make_aware(datetime.datetime(2023, 4, 30, 17, 0))
    assert 'value="30/04/2023 17:00"' in str(Deadline(initial={"d": when})["d"])
    for page in ("/quan-tri-don-vi/don-vi/SKHCN-QNG/sap-xep/", "/quan-tri-he-thong/nhat-ky/"):
        assert 'type="date"' not in _text(login("admin").get(page))
