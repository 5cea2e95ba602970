"""Uploaded files are checked by their real content (magic bytes), not only by their name.

A file named .pdf that is really an HTML page or an executable is refused at upload, so what the
permission-checked download view serves is what its extension says.
"""

from __future__ import annotations

import zipfile

import filetype
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload

from .officefile import OOXML_PART

# Extension -> what filetype may detect for it; OOXML files are zips checked for their main part.
ALLOWED: dict[str, set[str]] = {
    ".pdf": {"pdf"},
    ".jpg": {"jpg"},
    ".jpeg": {"jpg"},
    ".png": {"png"},
    ".doc": {"doc"},
    ".docx": {"docx", "zip"},
    ".xlsx": {"xlsx", "zip"},
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
WRONG_TYPE = "Chỉ nhận tệp PDF, Word, Excel hoặc ảnh JPG/PNG."
MISMATCH = "Nội dung tệp không đúng với phần mở rộng {ext} (có thể tệp bị đổi tên hoặc hỏng)."


def extension(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(f) -> str | None:
    """None when the file is what its extension says; otherwise the Vietnamese reason to refuse it."""
    ext = extension(f.name)
    if ext not in ALLOWED:
        return WRONG_TYPE
    f.seek(0)
    head = f.read(8192)
    kind = filetype.guess(head)
    ok = kind is not None and kind.extension in ALLOWED[ext]
    if ok and ext in OOXML_PART:
        ok = _zip_has(f, OOXML_PART[ext])
    f.seek(0)
    return None if ok else MISMATCH.format(ext=ext)


def _zip_has(f, part: str) -> bool:
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as z:
            return part in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(extension(name), "application/octet-stream")


def download(stored_file, original_name: str):
    """A stored upload served as an attachment under its original name, with the type its extension says
    (checked at upload): the one way the page and the API hand out evidence files."""
    from .downloads import file_response

    return file_response(stored_file.open("rb"), original_name, content_type(original_name))


# ---- bounds while the request streams in (issue 21 §7) ----------------------------------------------------------

def size_text(n: int) -> str:
    """20,0 MB, 1,5 MB, 300 KB — a limit as a person reads it."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".replace(".", ",") + " MB"
    return f"{max(n // 1024, 1)} KB"


class BoundedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts each file's bytes as they arrive, before any handler keeps them.

    A file past DANVAN_UPLOAD_MAX_BYTES is dropped from request.FILES (the rest of it is read and thrown
    away, never kept); past DANVAN_UPLOAD_MAX_TOTAL_BYTES for the whole request the upload stops. Either
    way the reason is left on the request for the door to refuse with (``refusal``): nothing is read
    whole, nothing stored.
    """

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.limit = settings.DANVAN_UPLOAD_MAX_BYTES
        self.total_limit = settings.DANVAN_UPLOAD_MAX_TOTAL_BYTES
        self.seen = 0
        self.total = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.seen = 0

    def _refuse(self, message: str, filename: str | None = None) -> None:
        if self.request is not None and not getattr(self.request, "upload_refused", None):
            self.request.upload_refused = message  # type: ignore[attr-defined]
            self.request.upload_refused_file = filename  # type: ignore[attr-defined]

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        self.total += len(raw_data)
        if self.total > self.total_limit:
            self._refuse(f"Các tệp gửi lên cùng lúc vượt giới hạn {size_text(self.total_limit)}; không tệp nào được "
                         "nhận. Hãy gửi ít tệp hơn mỗi lần.")
            raise StopUpload(connection_reset=False)
        if self.seen > self.limit:
            self._refuse(f"Tệp «{self.file_name}» vượt giới hạn {size_text(self.limit)} cho mỗi tệp; không tệp "
                         "nào được nhận. Hãy bớt hình ảnh hoặc chia thành nhiều tệp.", self.file_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the next handlers keep the bytes


def refusal(request) -> str | None:
    """Why this request's uploads were refused while streaming (Vietnamese), None when every file came in."""
    request.FILES  # noqa: B018 — parse the body (the handlers run) if nothing has yet
    return getattr(request, "upload_refused", None)


def refusal_details(request) -> dict:
    """The API's `details` of a refusal: the file named, in the shape of the import's per-file problems."""
    name = getattr(request, "upload_refused_file", None)
    message = getattr(request, "upload_refused", None) or ""
    return {"files": [{"filename": name, "code": "too_large", "message": message}]} if name else {}
