"""`danvan demo` as a newcomer runs it (issue 23 §2, §6): a real process on a free port, from another folder,
its mail caught in var/mail; an invitation read from there and its link followed; SIGTERM stops everything."""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

STARTUP = 240  # seconds: a fresh SQLite database is migrated and the seeds loaded first, on a busy machine
httpx = pytest.importorskip("httpx")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    """Every descendant of `pid`, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _form_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


def _post(client, url: str, data: dict):
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return client.post(url, data={"csrfmiddlewaretoken": _form_token(page.text), **data}, follow_redirects=True)


@pytest.fixture
def demo_process(tmp_path):
    """`danvan demo --addrport 0.0.0.0:<port>` started from an unrelated folder, with its var/ in tmp_path."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("cần /proc để theo dõi các tiến trình con")
    var, elsewhere = tmp_path / "var", tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DANVAN_", "DJANGO_"))}
    env.update(DANVAN_VAR_DIR=str(var), DANVAN_SECRET_KEY="kiem-thu-demo")
    log = open(tmp_path / "demo.log", "w+b")
    process = subprocess.Popen(
        [sys.executable, "-m", "danvan.cli", "demo", "--addrport", f"0.0.0.0:{port}", "--pdf-server", "không"],
        cwd=elsewhere, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def output() -> str:
        log.flush()
        return (tmp_path / "demo.log").read_text(encoding="utf-8", errors="replace")

    deadline = time.monotonic() + STARTUP
    while True:
        assert process.poll() is None, output()
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, output()
        time.sleep(1)
    try:
        yield {"process": process, "base": base, "var": var, "elsewhere": elsewhere, "output": output}
    finally:
        if process.poll() is None:  # the test failed: leave nothing running (the worker has its own group)
            for pid in _children(process.pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        log.close()


def _wait_for_mail(folder: Path, to: str, timeout: float = 60) -> email.message.EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml")) if folder.is_dir() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if to in str(message["To"]):
                return message
        time.sleep(0.5)
    raise AssertionError(f"không có thư nào gửi {to} trong {folder}")


def test_demo_journey_reads_a_sent_invitation_and_stops_cleanly(demo_process):
    base, var, process = demo_process["base"], demo_process["var"], demo_process["process"]
    printed = demo_process["output"]()
    assert str(var / "mail") in printed and "/thu-demo/" in printed, printed
    assert f"Mở trình duyệt: {base}/" in printed, printed

    admin = httpx.Client(base_url=base, timeout=30)
    resp = _post(admin, "/dang-nhap/", {"username": "admin", "password": "DanVan@2021"})
    assert resp.status_code == 200 and "Đăng xuất" in resp.text
    # The demo admin invites a person on the unit page; the worker sends the invitation to the catcher.
    resp = _post(admin, "/quan-tri-don-vi/don-vi/CCTDC-QNG/", {
        "action": "person", "p-username": "moi.demo", "p-full_name": "Lê Thị Mới", "p-email": "moi.demo@danvan.local",
        "p-role": "officer", "p-title": "Chuyên viên"})
    assert "Đã tạo tài khoản «moi.demo»" in resp.text
    message = _wait_for_mail(var / "mail", "moi.demo@danvan.local")
    body = message.get_body(preferencelist=("plain",)).get_content()
    # The link is built from the address the server really listens on, not port 8000.
    found = re.search(r"(http://\S+/mat-khau/dat/\S+/)", body)
    assert found, body
    link = found.group(1)
    assert link.startswith(f"{base}/"), link

    # The demo's mail page lists it for the admin, its link clickable; nobody else sees the page.
    listing = admin.get("/thu-demo/")
    assert listing.status_code == 200 and "Thư đã gửi (bản chạy thử)" in listing.text
    assert "moi.demo@danvan.local" in listing.text
    name = re.search(r'href="/thu-demo/([^"/]+\.eml)/"', listing.text).group(1)
    shown = admin.get(f"/thu-demo/{name}/")
    assert shown.status_code == 200 and f'href="{link}"' in shown.text.replace("&amp;", "&")
    officer = httpx.Client(base_url=base, timeout=30)
    _post(officer, "/dang-nhap/", {"username": "vp.skhcn", "password": "DanVan@2021"})
    assert officer.get("/thu-demo/").status_code == 404

    # The invited person follows the link to the set-password page, in Vietnamese.
    invited = httpx.Client(timeout=30)
    page = invited.get(link, follow_redirects=True)
    assert page.status_code == 200 and "Đặt mật khẩu" in page.text, page.text[:2000]
    assert 'lang="vi"' in page.text

    # SIGTERM stops the server, the worker and the catcher, and the demo exits 0.
    children = _children(process.pid)
    assert children, "bản chạy thử phải có tiến trình nền (db_worker)"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0, demo_process["output"]()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in children if _alive(pid)], demo_process["output"]()
    assert "Đã dừng" in demo_process["output"]()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{base}/healthz", timeout=3)
    # Run from another folder: nothing was written there.
    assert not any(demo_process["elsewhere"].iterdir())
