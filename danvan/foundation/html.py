"""Rich text for exemplar content: one sanitizer, used by every door.

Content arrives from the web form, from Word/Excel cells (where literal
``<p>``/``<i>`` tags are common, DOMAIN.md §5) and from the API. It is stored as
a small, safe subset of HTML; scripts and attributes never survive.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "sup", "sub", "ul", "ol", "li"}

# Characters Word (XML 1.0) cannot hold: C0 controls except tab, newline, CR.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_PARA_SPLIT_RE = re.compile(r"\n\s*\n|\r\n\s*\r\n")
_P_RE = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")
_BR_RE = re.compile(r"<br\s*/?>", re.I)


def strip_control_chars(text: str) -> str:
    """Remove characters that XML 1.0 (and so DOCX/XLSX) cannot store."""
    return _CONTROL_RE.sub("", text or "")


def sanitize_html(value: str) -> str:
    """Return safe HTML limited to ALLOWED_TAGS.

    Plain text (no tags) is turned into paragraphs, one per blank-line block,
    so that text typed in a textarea and HTML from a Word cell end up alike.
    """
    value = strip_control_chars(value or "").strip()
    if not value:
        return ""
    if "<" not in value:
        blocks = [b.strip() for b in _PARA_SPLIT_RE.split(value) if b.strip()]
        value = "".join(
            "<p>" + html.escape(b).replace("\n", "<br>") + "</p>" for b in blocks
        )
    cleaned = nh3.clean(value, tags=ALLOWED_TAGS, attributes={}, strip_comments=True)
    return cleaned.strip()


def html_to_paragraphs(value: str) -> list[str]:
    """Plain-text paragraphs of stored HTML (for Word, Excel, search, diff)."""
    value = value or ""
    found = _P_RE.findall(value)
    chunks = found if found else [value]
    out: list[str] = []
    for chunk in chunks:
        chunk = _BR_RE.sub("\n", chunk)
        text = html.unescape(_TAG_RE.sub("", chunk)).strip()
        if text:
            out.append(text)
    return out


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """Inverse of html_to_paragraphs for plain paragraphs."""
    return "".join(
        "<p>" + html.escape(p.strip()).replace("\n", "<br>") + "</p>"
        for p in paragraphs
        if p and p.strip()
    )


def html_to_text(value: str) -> str:
    return "\n".join(html_to_paragraphs(value))


def html_to_editable(value: str) -> str:
    """What a textarea shows for stored content.

    Plain paragraphs separated by a blank line when that text turns back into the very same HTML through
    ``sanitize_html`` (only paragraphs and line breaks); otherwise the HTML itself, so that editing never
    silently drops bold, italics or lists.
    """
    value = value or ""
    if "<" not in value:
        return value
    text = "\n\n".join(html_to_paragraphs(value))
    return text if "<" not in text and sanitize_html(text) == sanitize_html(value) else value
