"""Issue 21 §3: no account revives itself — deactivation ends every link and token, a new password ends the
tokens, the reset page is throttled, usernames have no case, a failed e-mail is never reported as sent."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from danvan.ops.demo import DEMO_PASSWORD
from danvan.orgs.models import Membership

pytestmark = pytest.mark.django_db
TT_PAGE = "/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/"
NEW_PASSWORD = "Moi@MatKhau9"


def _text(resp) -> str:
    return resp.content.decode()


def _link(message) -> str:
    found = re.search(r"https?://[^/]+(/mat-khau/dat/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def _set_password(link: str, password: str = NEW_PASSWORD):
    """Open the e-mailed link and set a password; the page the browser ends on."""
    anon = Client()
    form = anon.get(link, follow=True)
    return anon.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                     {"new_password1": password, "new_password2": password}, follow=True)


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _account(client: Client, username: str, action: str, page: str = TT_PAGE):
    return client.post(f"{page}tai-khoan/{_user(username).pk}/{action}/", follow=True)


def _login_status(username: str, password: str = DEMO_PASSWORD, **extra) -> int:
    return Client().post("/dang-nhap/", {"username": username, "password": password}, **extra).status_code


def test_a_reset_link_sent_before_deactivation_is_dead_and_nothing_revives_the_account(login, api):
    token = api("tt.skhcn")
    assert token.get("/api/units").status_code == 200
    Client().post("/mat-khau/quen/", {"email": "tt.skhcn@danvan.local"})
    link = _link(mail.outbox[-1])
    board = login("bdv.quangngai")
    page = _text(board.get(TT_PAGE))
    assert "Khóa tài khoản" in page
    done = _account(board, "tt.skhcn", "khoa")
    assert "Đã khóa tài khoản «tt.skhcn»" in _text(done) and "Đã khóa</strong> từ" in _text(done)
    # The link sent before: refused, and posting a password to it does not set it nor activate the account.
    assert "Liên kết không còn dùng được" in _text(Client().get(link, follow=True))
    _set_password(link)
    user = _user("tt.skhcn")
    assert not user.is_active and not user.check_password(NEW_PASSWORD)
    assert _login_status("tt.skhcn") == 200
    assert token.get("/api/units").status_code == 401
    # A new request from the reset page sends nothing to a deactivated account.
    sent = len(mail.outbox)
    Client().post("/mat-khau/quen/", {"email": "tt.skhcn@danvan.local"})
    assert len(mail.outbox) == sent
    # Reactivated: the old password works again; the old link and token stay dead.
    assert "Đã mở khóa tài khoản «tt.skhcn»" in _text(_account(board, "tt.skhcn", "mo-khoa"))
    assert _login_status("tt.skhcn") == 302
    assert "Liên kết không còn dùng được" in _text(Client().get(link, follow=True))
    assert token.get("/api/units").status_code == 401
    assert "khi tài khoản bị khóa" in _text(login("tt.skhcn").get("/tai-khoan/"))


def test_an_invitation_sent_before_deactivation_is_dead(login, django_capture_on_commit_callbacks):
    leader = login("ld.tt")
    person = {"action": "person", "p-username": "moi.cb", "p-full_name": "Lê Thị Mới",
              "p-email": "moi.cb@quangngai.gov.vn", "p-role": "officer", "p-title": ""}
    with django_capture_on_commit_callbacks(execute=True):
        leader.post(TT_PAGE, person)
    invitation = _link(mail.outbox[-1])
    assert "Thư kích hoạt đã gửi" in _text(leader.get(TT_PAGE))
    _account(leader, "moi.cb", "khoa")
    _set_password(invitation)
    user = _user("moi.cb")
    assert not user.is_active and not user.has_usable_password()
    assert "Liên kết không còn dùng được" in _text(Client().get(invitation, follow=True))
    sent = len(mail.outbox)
    Client().post("/mat-khau/quen/", {"email": "moi.cb@quangngai.gov.vn"})
    assert len(mail.outbox) == sent
    # Reactivated without a password: a fresh invitation, which works; the old one does not.
    with django_capture_on_commit_callbacks(execute=True):
        resp = _account(leader, "moi.cb", "mo-khoa")
    assert "thư kích hoạt mới đang được gửi" in _text(resp)
    fresh = _link(mail.outbox[-1])
    assert fresh != invitation and "Liên kết không còn dùng được" in _text(Client().get(invitation, follow=True))
    assert "Đã đặt mật khẩu" in _text(_set_password(fresh))
    assert _login_status("moi.cb", NEW_PASSWORD) == 302


def test_deactivation_from_another_door_ends_links_and_tokens_too(api):
    """The Django admin's "active" check box is a save of the user row: the same rule holds."""
    token = api("cc.tdc")
    Client().post("/mat-khau/quen/", {"email": "cc.tdc@danvan.local"})
    link = _link(mail.outbox[-1])
    user = _user("cc.tdc")
    user.is_active = False
    user.save()
    user.is_active = True
    user.save()
    assert "Liên kết không còn dùng được" in _text(Client().get(link, follow=True))
    assert token.get("/api/units").status_code == 401


def test_who_may_lock_an_account(login):
    leader = login("ld.tt")
    # A leader locks an officer of their unit, not themself, not a member whose other roles lie beyond them.
    assert "Khóa tài khoản" in _text(leader.get(TT_PAGE))
    resp = _account(leader, "ld.tt", "khoa")
    assert "Bạn chỉ khóa, mở khóa được" in _text(resp) and _user("ld.tt").is_active
    Membership.objects.create(user=_user("tt.skhcn"), unit=Membership.objects.get(
        user__username="vp.skhcn").unit, role="officer")
    resp = _account(leader, "tt.skhcn", "khoa")
    assert "Bạn chỉ khóa, mở khóa được" in _text(resp) and _user("tt.skhcn").is_active
    # Someone not a member of the page's unit: 404; another unit's page: 404.
    assert leader.post(f"{TT_PAGE}tai-khoan/{_user('vp.skhcn').pk}/khoa/").status_code == 404
    assert login("cc.tdc").post(f"{TT_PAGE}tai-khoan/{_user('tt.skhcn').pk}/khoa/").status_code == 404
    assert _user("vp.skhcn").is_active


def test_a_new_password_revokes_the_api_tokens_and_the_pages_say_so(api, login):
    token = api("tt.skhcn")
    assert token.get("/api/units").status_code == 200
    Client().post("/mat-khau/quen/", {"email": "tt.skhcn@danvan.local"})
    done = _set_password(_link(mail.outbox[-1]))
    assert "khóa API đang dùng của tài khoản (nếu có) đã bị thu hồi" in _text(done)
    assert token.get("/api/units").status_code == 401
    profile = _text(login_with(NEW_PASSWORD).get("/tai-khoan/"))
    assert "Đã thu hồi" in profile and "khi đổi mật khẩu" in profile


def login_with(password: str) -> Client:
    c = Client()
    assert c.post("/dang-nhap/", {"username": "tt.skhcn", "password": password}).status_code == 302
    return c


def test_reset_requests_are_throttled_per_address_entered_and_per_client(demo, settings):
    settings.RESET_PER_ACCOUNT, settings.RESET_PER_ADDRESS = 3, 5
    refusal = "Đã có quá nhiều yêu cầu đặt lại mật khẩu"
    for email in ("tt.skhcn@danvan.local", "ai-do@khong-co.vn"):  # an account, and no account: the same answers
        answers = [Client().post("/mat-khau/quen/", {"email": email}, REMOTE_ADDR=f"10.0.0.{i}", follow=True)
                   for i in range(4)]
        assert all(a.redirect_chain and refusal not in _text(a) for a in answers[:3])
        assert refusal in _text(answers[3]) and not answers[3].redirect_chain
    assert len(mail.outbox) == 3
    # One client, many addresses: the fifth is the last it gets.
    answers = [_text(Client().post("/mat-khau/quen/", {"email": f"x{i}@khong-co.vn"}, REMOTE_ADDR="10.9.9.9",
                                   follow=True)) for i in range(6)]
    assert [refusal in a for a in answers] == [False] * 5 + [True]


def test_usernames_have_no_case_at_login_and_in_the_lockout(demo):
    c = Client()
    assert c.post("/dang-nhap/", {"username": "TT.SKHCN", "password": DEMO_PASSWORD}).status_code == 302
    assert c.get("/tai-khoan/").context["user"].username == "tt.skhcn"
    for name in ("CC.TDC", "cc.tdc", "Cc.Tdc", "CC.tdc", "cc.TDC"):
        Client().post("/dang-nhap/", {"username": name, "password": "sai"})
    assert _login_status("cc.tdc") == 429


def test_one_address_trying_passwords_on_every_account_is_locked(demo, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 8
    names = ["tt.skhcn", "cc.tdc", "ld.tt", "ld.cc", "vp.snv", "ld.vp", "ld.skhcn", "dangbo.stp"]
    attacker = {"REMOTE_ADDR": "198.51.100.7"}
    for name in names[:7]:
        Client().post("/dang-nhap/", {"username": name, "password": "sai"}, **attacker)
    # Signing in to one's own account does not reset the run over the others'.
    assert _login_status("vp.skhcn", **attacker) == 302
    Client().post("/dang-nhap/", {"username": names[7], "password": "sai"}, **attacker)
    locked = Client().post("/dang-nhap/", {"username": "bdv.quangngai", "password": DEMO_PASSWORD}, **attacker)
    assert locked.status_code == 429 and "nhiều tài khoản" in _text(locked)
    # Every other address still signs in.
    assert _login_status("bdv.quangngai", REMOTE_ADDR="203.0.113.20") == 302


def test_a_people_import_refuses_a_case_variant_of_an_existing_username(login):
    row = ("username,full_name,email,unit_code,role,title\n"
           "VP.SKHCN,Người Khác,nguoi.khac@quangngai.gov.vn,TT-SKHCN-QNG,officer,\n")
    c = login("bdv.quangngai")
    f = io.BytesIO(row.encode())
    f.name = "nguoi-dung.csv"
    page = c.get(c.post("/quan-tri-don-vi/nhap/nguoi-dung/", {"upload": f})["Location"])
    assert "Tên đăng nhập «VP.SKHCN» trùng với tài khoản «vp.skhcn» đã có" in _text(page)
    users = get_user_model().objects.count()
    c.post(page.wsgi_request.path)
    assert get_user_model().objects.count() == users
    assert not get_user_model().objects.filter(username="VP.SKHCN").exists()
    # The page's "add a person" with a case variant gives the role to the existing account.
    c.post("/quan-tri-don-vi/don-vi/CCTDC-QNG/", {"action": "person", "p-username": "TT.SKHCN", "p-full_name": "",
                                                 "p-email": "", "p-role": "officer", "p-title": ""})
    assert Membership.objects.filter(user__username="tt.skhcn", unit__code="CCTDC-QNG").exists()
    assert get_user_model().objects.count() == users


def test_a_failed_invitation_is_shown_as_not_sent_and_can_be_sent_again(login, settings,
                                                                          django_capture_on_commit_callbacks):
    down = {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}}  # nothing listens on the discard port
    working = settings.MAILERS
    settings.MAILERS = {"default": down}
    leader = login("ld.tt")
    person = {"action": "person", "p-username": "moi.cb", "p-full_name": "Lê Thị Mới",
              "p-email": "moi.cb@quangngai.gov.vn", "p-role": "officer", "p-title": ""}
    with django_capture_on_commit_callbacks(execute=True):
        resp = leader.post(TT_PAGE, person, follow=True)
    assert "đã gửi thư" not in _text(resp).lower() and "đang được gửi" in _text(resp)
    page = _text(leader.get(TT_PAGE))
    assert "Thư kích hoạt chưa gửi được" in page and "Gửi lại thư kích hoạt" in page
    settings.MAILERS = working
    with django_capture_on_commit_callbacks(execute=True):
        resp = _account(leader, "moi.cb", "gui-lai")
    assert "Thư kích hoạt đang được gửi lại" in _text(resp), _text(resp)
    page = _text(leader.get(TT_PAGE))
    assert "chưa gửi được" not in page and "Thư kích hoạt đã gửi" in page
    assert len(mail.outbox) == 1 and "/mat-khau/dat/" in mail.outbox[0].body
    # A reset mail the server refuses is recorded too (the reset page answers the same either way).
    settings.MAILERS = {"default": down}
    answer = Client().post("/mat-khau/quen/", {"email": "tt.skhcn@danvan.local"}, follow=True)
    assert "Hãy kiểm tra hộp thư" in _text(answer)
    assert "Thư đặt lại mật khẩu chưa gửi được" in _text(leader.get(TT_PAGE))
