"""The demo's mail page (core/mailbox.py): only while `danvan demo` catches the mail, only for a superuser."""

from __future__ import annotations

from django.core.mail import EmailMessage


def _caught(tmp_path, settings):
    from danvan.ops.mailbox import Catcher

    settings.DEMO_MAIL_DIR = str(tmp_path)
    message = EmailMessage("[Dân vận khéo] Kích hoạt tài khoản", "Mở liên kết: http://127.0.0.1:8123/mat-khau/dat/x/y/\n",
                           "danvan@localhost", ["moi.cb@danvan.local"])
    return Catcher(tmp_path).keep(message.message().as_bytes())


def test_the_admin_reads_the_caught_mails_with_their_links(login, tmp_path, settings):
    path = _caught(tmp_path, settings)
    admin = login("admin")
    listing = admin.get("/thu-demo/").content.decode()
    assert "Thư đã gửi (bản chạy thử)" in listing and "moi.cb@danvan.local" in listing
    assert "Kích hoạt tài khoản" in listing and f"/thu-demo/{path.name}/" in listing
    shown = admin.get(f"/thu-demo/{path.name}/").content.decode()
    assert '<a href="http://127.0.0.1:8123/mat-khau/dat/x/y/"' in shown
    assert admin.get("/thu-demo/../secret_key/").status_code == 404
    assert admin.get("/thu-demo/khong-co.eml/").status_code == 404


def test_nobody_else_and_no_page_outside_the_demo(login, tmp_path, settings):
    path = _caught(tmp_path, settings)
    assert login("vp.skhcn").get("/thu-demo/").status_code == 404
    assert login("vp.skhcn").get(f"/thu-demo/{path.name}/").status_code == 404
    assert "Thư đã gửi (demo)" not in login("vp.skhcn").get("/").content.decode()
    assert "Thư đã gửi (demo)" in login("admin").get("/").content.decode()
    settings.DEMO_MAIL_DIR = ""
    assert login("admin").get("/thu-demo/").status_code == 404
    assert "Thư đã gửi (demo)" not in login("admin").get("/").content.decode()
