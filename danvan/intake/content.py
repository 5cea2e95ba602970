"""Text helpers for registration-form cells (DOMAIN.md §5).

A *paragraph* here is a short string of safe inline HTML (escaped text plus
``<b>``/``<i>``/``<u>``… tags, no block tags). Plain text is a special case, so
every helper also works on plain strings.
"""

from __future__ import annotations

import html
import re

import nh3

from danvan.foundation.html import strip_control_chars
from danvan.search.text import fold_key as fold

INLINE_TAGS = {"b", "strong", "i", "em", "u", "sup", "sub"}

_WS_RE = re.compile(r"\s+")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_TAG_RE = re.compile(r"<[^>]*>")
# Tags that end a paragraph when they appear literally in a cell.
_BLOCK_BREAK_RE = re.compile(
    r"<\s*/?\s*(?:p|div|li|ul|ol|h[1-6]|tr|table)\b[^>]*>|<\s*br\s*/?\s*>|\n",
    re.I,
)
# A literal tag we understand; its presence switches a cell to "HTML source".
LITERAL_TAG_RE = re.compile(
    r"<\s*/?\s*(?:p|br|b|i|u|em|strong|sup|sub|div|span|li|ul|ol)\b[^>]*>", re.I
)
TERMINAL_PUNCTUATION = ".!?:;…\"”)]'’»"

# Optional bullet or numbering before a marker: "- ", "+ ", "• ", "3. ", "b) ".
_MARKER_PREFIX = r"^\s*(?:(?:[-+•*–—]|\d{1,2}[.)]|[a-d][.)])\s*)?"
ACTORS_RE = re.compile(_MARKER_PREFIX + r"to chuc\s*,?\s*ca nhan (?:thuc hien|tham gia)\s*:")
RESULTS_RE = re.compile(_MARKER_PREFIX + r"(?:du kien ket qua|ket qua du kien)[^:]{0,80}:")


def plain_text(fragment: str) -> str:
    """Visible text of an inline-HTML paragraph."""
    return html.unescape(_TAG_RE.sub("", fragment or "")).replace("\xa0", " ")


def _clean_inline(source: str) -> str:
    cleaned = nh3.clean(source, tags=INLINE_TAGS, attributes={}, strip_comments=True)
    cleaned = _WS_RE.sub(" ", cleaned.replace("\xa0", " ").replace("&nbsp;", " ")).strip()
    # Drop formatting tags left around nothing, e.g. "<i> </i>".
    return cleaned if plain_text(cleaned).strip() else ""


def source_to_paragraphs(source: str) -> list[str]:
    """Split one cell's HTML source into inline-HTML paragraphs.

    Literal ``<p>``, ``<br>``, ``<div>`` and newlines end a paragraph; ``<i>``,
    ``<b>``… survive as formatting; everything else is dropped or escaped.
    """
    source = strip_control_chars(source or "")
    out: list[str] = []
    for chunk in _BLOCK_BREAK_RE.split(source):
        para = _clean_inline(chunk)
        if para:
            out.append(para)
    return out


def text_to_source(text: str) -> str:
    """HTML source of raw cell text: literal tags are kept, anything else escaped."""
    if LITERAL_TAG_RE.search(text or ""):
        return text
    return html.escape(text or "", quote=False)


def cell_paragraphs(raw: list[str]) -> list[str]:
    """Paragraphs of a cell given its raw paragraph texts (possibly with literal tags)."""
    out: list[str] = []
    for text in raw:
        out.extend(source_to_paragraphs(text_to_source(text)))
    return out


def cell_text(paragraphs: list[str], sep: str = " ") -> str:
    """Plain text of a cell, paragraphs joined by ``sep``, spaces collapsed."""
    texts = (_WS_RE.sub(" ", plain_text(p)).strip() for p in paragraphs)
    return sep.join(t for t in texts if t)


def _ends_open(paragraph: str) -> bool:
    text = plain_text(paragraph).rstrip()
    return bool(text) and text[-1] not in TERMINAL_PUNCTUATION


def _starts_lower(paragraph: str) -> bool:
    text = plain_text(paragraph).lstrip()
    return bool(text) and text[0].isalpha() and text[0].islower()


def join_fragments(prev: list[str], nxt: list[str]) -> list[str]:
    """Concatenate paragraph lists, rejoining a paragraph cut mid-sentence.

    "...điều" + "chỉnh lắp đèn..." -> "...điều chỉnh lắp đèn..."; a paragraph
    ending with terminal punctuation, or a next one starting with a capital or
    a digit, stays separate.
    """
    if not prev:
        return list(nxt)
    if not nxt:
        return list(prev)
    if _ends_open(prev[-1]) and _starts_lower(nxt[0]):
        return [*prev[:-1], prev[-1].rstrip() + " " + nxt[0].lstrip(), *nxt[1:]]
    return [*prev, *nxt]


def join_address(prev: str, nxt: str) -> str:
    """Address fragments from consecutive rows: "..., tỉnh Quảng" + "Ngãi"."""
    prev, nxt = prev.strip(), nxt.strip()
    if not prev or not nxt:
        return prev or nxt
    return f"{prev} {nxt}"


def address_from_lines(lines: list[str]) -> str:
    """One address from the lines of a single cell (a line break reads as a comma)."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if not out:
            out = line
        elif out[-1] in ",;-–":
            out = f"{out} {line}"
        else:
            out = f"{out}, {line}"
    return out


def _after_colon(paragraph: str) -> str:
    """The part of an inline-HTML paragraph after its first visible colon."""
    in_tag = False
    for idx, ch in enumerate(paragraph):
        if ch == "<":
            in_tag = True
        elif ch == ">":
            in_tag = False
        elif ch == ":" and not in_tag:
            return _clean_inline(paragraph[idx + 1 :])
    return ""


def _marker(paragraph: str) -> int | None:
    key = fold(plain_text(paragraph))
    if ACTORS_RE.match(key):
        return 1
    if RESULTS_RE.match(key):
        return 2
    return None


def split_content_parts(paragraphs: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(problem and solutions, who carries it out, expected results).

    A paragraph starting with "Tổ chức, cá nhân thực hiện:" or "Dự kiến kết
    quả …:" (optionally after "- " or "+ ") opens that part; the text after
    the colon is its first paragraph and the paragraphs that follow belong to
    it until the next marker. Without markers everything is the first part.
    """
    parts: tuple[list[str], list[str], list[str]] = ([], [], [])
    current = 0
    for para in paragraphs:
        marker = _marker(para)
        if marker is not None:
            current = marker
            para = _after_colon(para)
            if not para:
                continue
        parts[current].append(para)
    return parts
