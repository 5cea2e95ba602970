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
def start_demo(tmp_path):
    """start_demo(*options): `danvan demo --addrport 0.0.0.0:<port> *options` started from an unrelated folder,
    with its var/ in tmp_path, once /healthz answers. Whatever is left running at the end is killed."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("cần /proc để theo dõi các tiến trình con")
    var, elsewhere = tmp_path / "var", tmp_path / "elsewhere"
    elsewhere.mkdir()
    log = open(tmp_path / "demo.log", "w+b")
    started: list[subprocess.Popen] = []

    def output() -> str:
        log.flush()
        return (tmp_path / "demo.log").read_text(encoding="utf-8", errors="replace")

    def start(*options: str) -> dict:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DANVAN_", "DJANGO_"))}
        env.update(DANVAN_VAR_DIR=str(var), DANVAN_SECRET_KEY="kiem-thu-demo")
        process = subprocess.Popen(
            [sys.executable, "-m", "danvan.cli", "demo", "--addrport", f"0.0.0.0:{port}", *options],
            cwd=elsewhere, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        started.append(process)
        base = f"http://127.0.0.1:{port}"
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
        return {"process": process, "base": base, "var": var, "elsewhere": elsewhere, "output": output}

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:  # the test failed: leave nothing running (the worker has its own group)
                for pid in _children(process.pid):
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        log.close()


def _stops_cleanly(demo: dict, signum: int) -> set[int]:
    """Send `signum` to the demo: it exits 0 and every process it started is gone."""
    process = demo["process"]
    children = _children(process.pid)
    process.send_signal(signum)
    assert process.wait(timeout=60) == 0, demo["output"]()
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in children if _alive(pid)], demo["output"]()
    assert "Đã dừng" in demo["output"]()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{demo['base']}/healthz", timeout=3)
    return children


def _wait_for_mail(folder: Path, to: str, timeout: float = 60) -> email.message.EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml")) if folder.is_dir() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if to in str(message["To"]):
                return message
        time.sleep(0.5)
    raise AssertionError(f"không có thư nào gửi {to} trong {folder}")


def test_demo_journey_reads_a_sent_invitation_and_stops_cleanly(start_demo):
    demo = start_demo("--pdf-server", "không")
    base, var = demo["base"], demo["var"]
    printed = demo["output"]()
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
    assert _stops_cleanly(demo, signal.SIGTERM), "bản chạy thử phải có tiến trình nền (db_worker)"
    # Run from another folder: nothing was written there.
    assert not any(demo["elsewhere"].iterdir())


def test_ctrl_c_stops_the_pdf_server_too(start_demo):
    """SIGINT (Ctrl-C) of a demo with its kept LibreOffice: the worker, unoserver and soffice all go."""
    from danvan.documents import pdf

    if pdf.find_soffice() is None or pdf.find_uno_python() is None:
        pytest.skip("không có LibreOffice hoặc Python của nó (python3-uno)")
    port = pdf.free_port()
    demo = start_demo("--pdf-server", f"127.0.0.1:{port}")
    assert f"LibreOffice thường trực đã chạy tại 127.0.0.1:{port}" in demo["output"](), demo["output"]()
    children = _stops_cleanly(demo, signal.SIGINT)
    assert len(children) >= 3, children  # db_worker, unoserver, soffice
    assert not pdf.server_answers(f"127.0.0.1:{port}")
