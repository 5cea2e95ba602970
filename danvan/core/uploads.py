"""Uploaded files are checked by their real content (magic bytes), not only by their name.

A file named .pdf that is really an HTML page or an executable is refused at upload, so what the
permission-checked download view serves is what its extension says.
"""

from __future__ import annotations

import zipfile

import filetype

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
OOXML_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
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
    from django.http import FileResponse

    return FileResponse(stored_file.open("rb"), as_attachment=True, filename=original_name,
                        content_type=content_type(original_name))
