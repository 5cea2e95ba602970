"""Files a user attached to a form that came back with an error are kept, so nothing they attached is lost
(issue 16 §7): a browser never fills a file input again, so the page says which files are kept and the next
submit of the same form uses them. Kept in storage under `giu-tam/<token>/`, named in the user's session only
(another user cannot name them), deleted once the form is saved; `danvan expire-uploads` clears what was left."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest

SESSION_KEY = "danvan_held_uploads"
FOLDER = "giu-tam"
MAX_FILES = 10


@dataclass
class Held:
    token: str
    files: list[dict]  # {"path", "name", "size"}


def _all(request: HttpRequest) -> dict:
    return dict(request.session.get(SESSION_KEY) or {})


def hold(request: HttpRequest, files) -> Held | None:
    """Keep `files` (uploaded files or those `take` gave back) for the next submit; None when there are none."""
    files = list(files)[:MAX_FILES]
    if not files:
        return None
    token = secrets.token_urlsafe(12)
    entries = []
    for f in files:
        f.seek(0)
        name = (f.name or "tep").replace("/", "_").replace("\\", "_")[-120:]
        path = default_storage.save(f"{FOLDER}/{token}/{name}", f)
        entries.append({"path": path, "name": f.name or name, "size": f.size or 0})
    kept = _all(request)
    kept[token] = entries
    request.session[SESSION_KEY] = kept
    return Held(token, entries)


def take(request: HttpRequest, token: str | None) -> list[SimpleUploadedFile]:
    """The files kept under `token` for this user (none for an unknown or another user's token)."""
    out = []
    for e in _all(request).get(token or "", []):
        if default_storage.exists(e["path"]):
            with default_storage.open(e["path"], "rb") as fh:
                out.append(SimpleUploadedFile(e["name"], fh.read()))
    return out


def release(request: HttpRequest, token: str | None) -> None:
    """The form was saved (or the files are kept again under a new token): forget and delete them."""
    kept = _all(request)
    for e in kept.pop(token or "", []):
        default_storage.delete(e["path"])
    request.session[SESSION_KEY] = kept


def expire(*, before) -> int:
    """Delete kept files older than `before` (a form never submitted again); how many."""
    try:
        tokens, _ = default_storage.listdir(FOLDER)
    except (FileNotFoundError, NotImplementedError):
        return 0
    n = 0
    for token in tokens:
        _, names = default_storage.listdir(f"{FOLDER}/{token}")
        for name in names:
            path = f"{FOLDER}/{token}/{name}"
            if default_storage.get_modified_time(path) < before:
                default_storage.delete(path)
                n += 1
    return n
