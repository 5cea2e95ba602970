"""The demo's mail catcher (issue 23 §2): a loopback SMTP server that keeps every mail it is given as
var/mail/<timestamp>-<n>.eml, and the reading of those files for the demo's mail page (`views.demo_mail`).

`danvan demo` starts it unless a mail server is configured (DANVAN_EMAIL_BACKEND / _HOST / _PORT), points the
app's mail settings at it (this process and, through the environment, the task worker) and sets
DANVAN_DEMO_MAIL_DIR, which turns the page on. Nothing here is used outside the demo.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import itertools
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAIL_ENV = ("DANVAN_EMAIL_BACKEND", "DANVAN_EMAIL_HOST", "DANVAN_EMAIL_PORT")
DIR_ENV = "DANVAN_DEMO_MAIL_DIR"
NAME = re.compile(r"^\d{8}-\d{6}-\d+\.eml$")


def configured_elsewhere() -> bool:
    """A mail server given by the environment: the demo leaves it alone."""
    return any(os.environ.get(name) for name in MAIL_ENV)


class Catcher:
    """aiosmtpd on 127.0.0.1:<a free port>, in a thread of this process; `stop()` ends it."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._count = itertools.count(1)
        self._lock = threading.Lock()
        self.controller: Any = None
        self.port = 0

    def keep(self, content: bytes) -> Path:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        with self._lock:
            while True:
                path = self.folder / f"{stamp}-{next(self._count)}.eml"
                try:
                    with open(path, "xb") as fh:
                        fh.write(content)
                    return path
                except FileExistsError:  # a file of an earlier run, the same second
                    continue

    def start(self) -> Catcher:
        from aiosmtpd.controller import Controller

        catcher = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                content = envelope.original_content or envelope.content
                catcher.keep(content if isinstance(content, bytes) else content.encode("utf-8"))
                return "250 Đã nhận"

        from danvan.documents.pdf import free_port

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.port = self.controller.port
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def mailer(port: int) -> dict:
    return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                        "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10}}}


# ---------------------------------------------------------------- reading what was caught


@dataclass
class Mail:
    name: str
    subject: str
    to: str
    date: datetime.datetime | None
    body: str = ""


def folder() -> Path | None:
    """The catcher's folder when the demo's catcher is on, else None (and the page is 404)."""
    from django.conf import settings

    path = getattr(settings, "DEMO_MAIL_DIR", "")
    return Path(path) if path else None


def _read(path: Path, *, body: bool) -> Mail:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    try:
        date = message["Date"].datetime if message["Date"] else None
    except (AttributeError, TypeError, ValueError):
        date = None
    text = ""
    if body:
        part = message.get_body(preferencelist=("plain", "html"))
        text = part.get_content() if part is not None else ""
    return Mail(name=path.name, subject=str(message["Subject"] or ""), to=str(message["To"] or ""), date=date,
                body=text)


def mails(where: Path) -> list[Mail]:
    """Every mail caught, newest first."""
    if not where.is_dir():
        return []
    files = sorted((p for p in where.iterdir() if NAME.match(p.name)), key=lambda p: (p.stat().st_mtime, p.name),
                   reverse=True)
    return [_read(p, body=False) for p in files]


def one(where: Path, name: str) -> Mail | None:
    if not NAME.match(name) or not (where / name).is_file():
        return None
    return _read(where / name, body=True)
