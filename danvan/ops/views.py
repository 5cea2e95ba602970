"""The demo's mail pages (`danvan demo` catches the mail it sends: danvan/ops/mailbox.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import mailbox


def _demo_mail_folder(request: HttpRequest):
    """The demo's caught mails, for a superuser (the demo's `admin`), only while `danvan demo` catches them."""
    where = mailbox.folder()
    if where is None or not request.user.is_superuser:
        raise Http404
    return where


@login_required
def demo_mail(request: HttpRequest) -> HttpResponse:
    where = _demo_mail_folder(request)
    return render(request, "core/demo_mail.html", {"mails": mailbox.mails(where), "folder": where})


@login_required
def demo_mail_one(request: HttpRequest, name: str) -> HttpResponse:
    mail = mailbox.one(_demo_mail_folder(request), name)
    if mail is None:
        raise Http404
    return render(request, "core/demo_mail_one.html", {"mail": mail})
