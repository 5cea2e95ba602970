"""Text dump of a DOCX's tables in the seed files' format (tab-separated cells).

A cell is written at the grid column where it starts; the columns it spans
and the continuation of a vertical merge are empty; italic runs become
``<i>…</i>``; tables are separated by an empty line.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _paragraph(p) -> str:
    out = []
    for run in p.iter(f"{W}r"):
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        italic = run.find(f"{W}rPr/{W}i") is not None
        out.append(f"<i>{text}</i>" if italic and text else text)
    return "".join(out)


def dump_tables(data: bytes) -> list[list[list[str]]]:
    with zipfile.ZipFile(BytesIO(data)) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    tables = []
    for tbl in root.iter(f"{W}tbl"):
        ncols = len(tbl.findall(f"{W}tblGrid/{W}gridCol"))
        rows = []
        for tr in tbl.findall(f"{W}tr"):
            fields = [""] * ncols
            col = 0
            for tc in tr.findall(f"{W}tc"):
                span_el = tc.find(f"{W}tcPr/{W}gridSpan")
                span = int(span_el.get(f"{W}val")) if span_el is not None else 1
                vmerge = tc.find(f"{W}tcPr/{W}vMerge")
                continued = vmerge is not None and vmerge.get(f"{W}val") != "restart"
                if not continued:
                    fields[col] = "\n".join(_paragraph(p) for p in tc.findall(f"{W}p"))
                col += span
            rows.append(fields)
        tables.append(rows)
    return tables


def seed_tables(text: str, first_header: str) -> list[list[list[str]]]:
    """The tables of a seed text dump, from the line starting with ``first_header``."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(first_header))
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in lines[start:]:
        if not line.strip():
            if current:
                tables.append(current)
                current = []
            continue
        current.append(line.split("\t"))
    if current:
        tables.append(current)
    return tables
