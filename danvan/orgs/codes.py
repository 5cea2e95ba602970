"""Unit, level and kind codes are identifiers (issue 21 §4): one safe pattern, checked at every door.

A code goes into URLs, file names, spreadsheet cells and the tree import, so it holds letters, digits and
`_ . -` only, starts with a letter or digit, at most 64 characters. The model fields carry `validate_code`
(so every ModelForm, the Django admin's included, checks it), the tree import and the API ask `code_error`,
and every URL that takes a unit code uses the `<code:code>` converter, so a bad code never reaches a view.

Codes stored before this rule (an old import) stay readable: `is_valid` tells the pages to show the unit
with a repair link instead of a link they cannot build, and `bad_units` lists them (`danvan check`).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.urls import register_converter

PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
MAX_LENGTH = 64
_RE = re.compile(rf"\A{PATTERN}\Z")
RULE = "chỉ gồm chữ cái không dấu, chữ số và các dấu _ . -, bắt đầu bằng chữ cái hoặc chữ số, tối đa 64 ký tự"


def is_valid(code: object, max_length: int = MAX_LENGTH) -> bool:
    return isinstance(code, str) and len(code) <= max_length and bool(_RE.match(code))


def shown(code: str) -> str:
    """A bad code as a message can quote it: control characters visible, length bounded."""
    return repr(code[:80])[1:-1]


def code_error(code: str, what: str = "Mã đơn vị", max_length: int = MAX_LENGTH) -> str | None:
    """The Vietnamese reason a code is refused, or None when it is a valid identifier."""
    if is_valid(code, max_length):
        return None
    rule = RULE.replace("64", str(max_length))
    return f"{what} «{shown(code)}» không hợp lệ: {rule}."


def validate_code(value: str) -> None:
    error = code_error(value, "Mã")
    if error:
        raise ValidationError(error, code="invalid_code")


def validate_short_code(value: str) -> None:
    """Level and kind codes: the same rule within their 32 characters."""
    error = code_error(value, "Mã", max_length=32)
    if error:
        raise ValidationError(error, code="invalid_code")


class CodeConverter:
    """`<code:code>`: a URL segment that is a valid code, or the URL does not match (404)."""

    regex = PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        if not is_valid(value):
            raise ValueError(value)
        return value


register_converter(CodeConverter, "code")


def bad_q(field: str = "code"):
    """Rows whose code breaks the rule, in SQL on both databases (SQLite's REGEXP lets `$` match before a final
    newline, hence the separate newline test)."""
    from django.db.models import Q

    return Q(**{f"{field}__contains": "\n"}) | ~Q(**{f"{field}__regex": rf"^{PATTERN}$"})


def bad_units():
    """Units whose stored code breaks the rule (made before it): listed for repair, never rewritten silently."""
    from .models import OrgUnit

    return OrgUnit.objects.filter(bad_q()).order_by("path")


def check_codes(app_configs=None, databases=None, **kwargs):
    """`danvan check --database default`: one warning per level, kind or unit whose code breaks the rule."""
    from django.core.checks import Warning

    from .models import Level, UnitKind

    if not databases:
        return []
    from django.db import DatabaseError

    found = []
    try:
        for model in (Level, UnitKind):
            found += [(model._meta.verbose_name, pk, code) for pk, code in model.objects.filter(bad_q())
                      .values_list("pk", "code")]
        found += [("đơn vị", pk, code) for pk, code in bad_units().values_list("pk", "code")[:500]]
    except DatabaseError:  # `danvan migrate` on a new database: no table yet, nothing to check
        return []
    return [Warning(f"{what} #{pk}: mã «{shown(code)}» không hợp lệ.",
                    hint="Sửa mã trên trang quản trị đơn vị (liên kết «mã không hợp lệ — sửa» ở cây đơn vị).",
                    id="danvan.W021") for what, pk, code in found]
