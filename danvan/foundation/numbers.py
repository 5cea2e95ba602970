"""Numbers as Vietnamese write them: "70.350" (thousands with a dot), "40,0%" (decimal comma).

The one place pages (the `so` and `phan_tram` template filters), CLI output, documents and spreadsheets take
their number formats from. Machine formats (JSON, CSV, the API) keep plain numbers.
"""

from __future__ import annotations

# Excel/LibreOffice number formats of the numeric cells the system writes: stored as numbers (so a sheet sums
# them), shown the Vietnamese way. A format code always writes "," for grouping and "." for decimals; the
# locale tag [$-42A] (Vietnamese) makes LibreOffice show them as "1.234" and "40,0", and Excel does the same
# under Vietnamese regional settings.
XLSX_INTEGER = "[$-42A]#,##0"
XLSX_DECIMAL = "[$-42A]#,##0.0"


def _group(whole: str) -> str:
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    parts: list[str] = []
    while len(digits) > 3:
        digits, tail = digits[:-3], digits[-3:]
        parts.insert(0, tail)
    return sign + ".".join([digits, *parts])


def number(value, decimals: int | None = None) -> str:
    """1234567 → "1.234.567"; 12.5 → "12,5"; None or "" → "—"; text stays as it is.

    A float shows at most one decimal ("12,0" is written "12") unless ``decimals`` fixes how many."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) and decimals is None:
        return _group(str(value))
    places = 1 if decimals is None else decimals
    whole, _, frac = f"{value:.{places}f}".partition(".")
    if whole in ("-0",):
        whole = "0"
    whole = _group(whole)
    if decimals is None and frac.strip("0") == "":
        return whole
    return f"{whole},{frac}" if frac else whole


def percent(value, decimals: int = 1) -> str:
    """40 → "40,0%"; 12.345 → "12,3%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{number(float(value), decimals)}%"


def size(n_bytes: int) -> str:
    """70350 → "70.350 byte"."""
    return f"{number(int(n_bytes))} byte"


def seconds(value: float) -> str:
    """2.345 → "2,3 giây"."""
    return f"{number(float(value), 1)} giây"


def xlsx_format(value) -> str | None:
    """The number format of a numeric cell holding ``value`` (None: not a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return XLSX_INTEGER
    if isinstance(value, float):
        return XLSX_DECIMAL
    return None
