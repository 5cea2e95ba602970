"""Charts drawn on the server as SVG (no JavaScript, nothing from the internet), numbers from `foundation/numbers.py`.

`bar_chart` draws horizontal bars, one row per label, one stacked segment per series. The SVG is
accessible: `role="img"`, an `aria-label` that reads the whole data, `<title>` and `<desc>`; every chart
is shown next to its data table, which stays the reference.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from danvan.foundation.numbers import (
    number,  # the one Vietnamese number format (re-exported for the charts' callers)
)

# Colours with enough contrast on white (WCAG 3:1 for graphics), told apart also by the legend order.
COLOURS = ("#0b4f9c", "#c25e00", "#1f6f3a", "#7a3e9d", "#a3161a", "#00707a")
ROW_H, BAR_H, LABEL_W, BAR_W, VALUE_W, TOP = 30, 20, 250, 360, 70, 8
MAX_LABEL = 30  # characters that fit in LABEL_W at the labels' font size


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _shorts(labels: Sequence[str]) -> list[str]:
    """Each label cut to fit; labels that would be cut to the same text drop the start they share instead
    ('Đăng ký mô hình… năm 2022 (Ban…)' and '… năm 2021 (Ban…)' read "…2022 (Ban Dân vận Tỉnh ủy)", "…2021 (…)")."""
    short = [_short(x) for x in labels]
    if len(set(short)) == len(short):
        return short
    alike = [x for s, x in zip(short, labels, strict=True) if short.count(s) > 1]
    common = os.path.commonprefix(alike)
    common = common[: common.rfind(" ") + 1] if " " in common else ""
    out = []
    for s, x in zip(short, labels, strict=True):
        if short.count(s) > 1 and common:
            rest = x[len(common):]
            s = "…" + (rest if len(rest) <= MAX_LABEL - 1 else rest[: MAX_LABEL - 2].rstrip() + "…")
        out.append(s)
    return out


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int | float]]],
              unit: str = "") -> SafeString:
    """Horizontal (stacked) bars as an inline SVG string; an empty chart says so."""
    labels = [str(x) for x in labels]
    totals = [sum((s[1][i] or 0) for s in series) for i in range(len(labels))]
    top = max(totals, default=0)
    legend_h = ROW_H if len(series) > 1 else 0
    height = TOP + legend_h + (len(labels) if top else 1) * ROW_H + TOP
    width = LABEL_W + BAR_W + VALUE_W
    suffix = f" {unit}" if unit else ""
    if not labels or top == 0:
        summary = f"{title}: chưa có số liệu."
    else:
        parts = []
        for i, label in enumerate(labels):
            detail = ""
            if len(series) > 1:
                detail = " (" + ", ".join(f"{name} {number(vals[i])}" for name, vals in series) + ")"
            parts.append(f"{label}: {number(totals[i])}{suffix}{detail}")
        summary = f"{title}. " + "; ".join(parts) + "."
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" aria-label="{escape(summary)}">',
           f"<title>{escape(title)}</title>", f"<desc>{escape(summary)}</desc>"]
    y = TOP
    if len(series) > 1:
        x = LABEL_W
        for k, (name, _) in enumerate(series):
            out.append(f'<rect x="{x}" y="{y + 4}" width="12" height="12" fill="{COLOURS[k % len(COLOURS)]}"/>'
                       f'<text x="{x + 16}" y="{y + 16}" font-size="15" fill="#1d2430">{escape(name)}</text>')
            x += 24 + 8 * len(name)
        y += legend_h
    if not labels or top == 0:
        out.append(f'<text x="{LABEL_W}" y="{y + 20}" font-size="14" fill="#5b6472" font-style="italic">'
                   "Chưa có số liệu.</text>")
    shown = _shorts(labels)
    for i, label in (enumerate(labels) if top else ()):
        out.append(f'<g><title>{escape(label)}: {number(totals[i])}{escape(suffix)}</title>')
        out.append(f'<text x="{LABEL_W - 8}" y="{y + 20}" font-size="15" text-anchor="end" fill="#1d2430">'
                   f"{escape(shown[i])}</text>")
        bx = float(LABEL_W)
        for k, (_, vals) in enumerate(series):
            v = vals[i] or 0
            if v:
                w = max(1.0, BAR_W * v / top)
                out.append(f'<rect x="{bx:.1f}" y="{y + (ROW_H - BAR_H) / 2:.1f}" width="{w:.1f}" height="{BAR_H}" '
                           f'fill="{COLOURS[k % len(COLOURS)]}"/>')
                bx += w
        out.append(f'<text x="{bx + 6:.1f}" y="{y + 20}" font-size="15" fill="#1d2430">{number(totals[i])}</text></g>')
        y += ROW_H
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 — every text above is escaped
