"""Every download's file name goes through here (issue 21 §4): a name built from a unit code, a title or an
uploaded file's name can hold a newline (a header Django refuses: the download is a 500) or a `"` (which would
add parameters to the header). `content_disposition` writes RFC 6266: an ASCII fallback `filename="…"`
(Vietnamese folded to ASCII, quotes, backslashes, separators and control characters gone) and the exact name
as `filename*=UTF-8''…` (RFC 5987 percent-encoding), which every current browser prefers.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/;:*?<>|]+')
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._()+,=@ -]+")


def clean_name(name: str, default: str = "tai-ve") -> str:
    """The name a user sees: control characters, quotes and path separators gone, spaces collapsed."""
    text = unicodedata.normalize("NFC", str(name))
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(_UNSAFE.sub(" ", text).split()).strip(" .")
    return text[:200] or default


def ascii_name(name: str, default: str = "tai-ve") -> str:
    """The fallback for old clients: "Báo cáo Sở.docx" → "Bao cao So.docx"."""
    text = clean_name(name, default).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = " ".join(_ASCII_UNSAFE.sub("-", text.encode("ascii", "ignore").decode()).split()).strip(" .")
    return text or default


def content_disposition(name: str, *, attachment: bool = True) -> str:
    exact = clean_name(name)
    disposition = "attachment" if attachment else "inline"
    return f"{disposition}; filename=\"{ascii_name(exact)}\"; filename*=UTF-8''{quote(exact, safe='')}"


def attach(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition(name)
    return response


def data_response(data: bytes, name: str, content_type: str) -> HttpResponse:
    """Bytes built in memory (a document, a spreadsheet) handed out as a file."""
    return attach(HttpResponse(data, content_type=content_type), name)


def file_response(fileobj, name: str, content_type: str | None = None) -> FileResponse:
    """A stored file streamed as an attachment under `name`; never rendered inline."""
    resp = FileResponse(fileobj, as_attachment=True, filename=ascii_name(name), content_type=content_type)
    resp["Content-Disposition"] = content_disposition(name)
    return resp
